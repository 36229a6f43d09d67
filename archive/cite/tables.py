"""A search's results as rows: CSV for spreadsheets, JSON Lines for scripts.

One row per document: id, title, authors, date, publisher, url and the matching
passages (their ids, pages and snippets).  Rows are produced one at a time, so a
web response or a CLI pipe streams them without holding a large result set.
CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
tab, CR at the start) are prefixed with an apostrophe, as OWASP advises: an
extracted title is text an attacker could have written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from archive.models import split_names

COLUMNS = ("id", "title", "authors", "date", "publisher", "series", "url", "passages")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def row(hit: Mapping[str, Any], url: str, passage_url: Callable[[str], str]) -> dict[str, Any]:
    """One result (a search hit as ``Archive.search`` returns it) as a table row."""
    return {
        "id": hit["id"],
        "title": hit.get("title") or "",
        "authors": split_names(hit.get("author") or ""),
        "date": hit.get("date") or "",
        "publisher": hit.get("foundation") or "",
        "series": hit.get("series") or "",
        "url": url,
        "passages": [
            {"id": p["id"], "page": p.get("page"), "text": p.get("snippet") or "", "url": passage_url(p["id"])}
            for p in hit.get("passages") or []
        ],
    }


def _cell(value: Any) -> str:
    text = "; ".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The rows as CSV (a header first), one string per line, passages as ``url text`` pairs."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    out.writerow(COLUMNS)
    yield flush()
    for r in rows:
        passages = " | ".join(f"{p['url']} {' '.join(p['text'].split())}" for p in r["passages"])
        out.writerow([_cell(r[c]) for c in COLUMNS[:-1]] + [_cell(passages)])
        yield flush()


def jsonl_lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The rows as JSON Lines: one JSON object per line, UTF-8 as written."""
    for r in rows:
        yield json.dumps(r, ensure_ascii=False) + "\n"
