"""The in-app syntax help shows only syntax the parser accepts (the docs match the parser)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.query import DateRange, date_clause, parse

HELP = Path(__file__).resolve().parents[2] / "archive" / "web" / "templates" / "_macros.html"


def _examples() -> list[str]:
    block = HELP.read_text(encoding="utf-8").split('class="syntax-help"', 1)[1].split("</details>")[0]
    codes = re.findall(r"<code>(.*?)</code>", block)
    return [c for c in codes if not c.endswith(":")]  # bare field names are labels, not queries


@pytest.mark.parametrize("example", _examples())
def test_every_example_in_the_help_parses_without_a_notice(example: str) -> None:
    parsed = parse(example)
    assert parsed.node is not None and parsed.notices == [], (example, parsed.notices)


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("2023-01..2023-06", "2023-01", "2023-06"),
        ("2023..", "2023", ""),
        ("..民國112年", "", "2023"),
        ("2023-06..2023-01", "2023-01", "2023-06"),
        ("2021.03..2021.05", "2021-03", "2021-05"),
    ],
)
def test_date_ranges_with_two_dots(text: str, lo: str, hi: str) -> None:
    assert date_clause(text) == DateRange(lo, hi)


def test_a_range_with_no_ends_is_a_notice() -> None:
    assert parse("date:..").notices
