"""The timeline above the results and on entity pages: exact counts, and each bar a link that
filters to its period (followed here, and clicked and keyed in a real browser)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import pytest

from tests.web.web_support import FACET_DOCS, run_axe

_BAR = re.compile(r'<a href="([^"]+)" aria-label="([^"：]+)：(\d+) 份，只看這段時間" class="timeline__bar">')


def _bars(page_html: str) -> list[tuple[str, str, int]]:
    svg = page_html.split('<svg class="timeline__svg"', 1)[1].split("</svg>", 1)[0]
    return [(html.unescape(h), spoken, int(n)) for h, spoken, n in _BAR.findall(svg)]


def _total(client: Any, href: str) -> int:
    return int(client.get(href, headers={"Accept": "application/json"}).get_json()["total"])


def test_the_search_timeline_counts_every_match_and_each_bar_filters_to_its_period(client: Any) -> None:
    data = client.get(f"/search.json?q={quote('半導體')}").get_json()
    t = data["timeline"]
    assert t["unit"] == "year"
    assert sum(b["count"] for b in t["bars"]) + t["undated"] == data["total"]
    counts = {b["period"]: b["count"] for b in t["bars"]}
    for _title, _a, _f, _s, date in FACET_DOCS:
        assert counts[date[:4]] >= 1
    years = [b["period"] for b in t["bars"]]
    assert years == [str(y) for y in range(int(years[0]), int(years[-1]) + 1)]  # gaps kept
    page = client.get(f"/?q={quote('半導體')}").get_data(as_text=True)
    bars = _bars(page)
    assert bars and all(n > 0 for _h, _s, n in bars)
    assert "<caption>符合的文件在時間上的分布</caption>" in page  # the table for screen readers
    for href, spoken, n in bars:
        assert _total(client, href) == n, (spoken, href)
    # Filtered to a year, the picture keeps the other years (as the year facet does).
    narrowed = client.get(f"/search.json?q={quote('半導體')}&year=2024").get_json()
    assert narrowed["total"] == counts["2024"]
    assert {b["period"] for b in narrowed["timeline"]["bars"] if b["count"]} == {
        p for p, c in counts.items() if c}


def test_a_short_range_is_drawn_by_month_and_a_month_bar_adds_a_date_clause(client: Any) -> None:
    foundation = FACET_DOCS[2][2]
    months = sorted(d[4][:7] for d in FACET_DOCS if d[2] == foundation)
    url = f"/?q={quote('半導體')}&foundation={quote(foundation)}"
    t = client.get(url, headers={"Accept": "application/json"}).get_json()["timeline"]
    assert t["unit"] == "month"
    assert t["bars"][0]["period"] == months[0] and t["bars"][-1]["period"] == months[-1]
    bars = _bars(client.get(url).get_data(as_text=True))
    assert [s for _h, s, _n in bars] == [f"{m[:4]} 年 {int(m[5:])} 月" for m in months]
    for href, _spoken, n in bars:
        assert "date%3A" in href or "date:" in href
        assert _total(client, href) == n


def test_an_institution_page_draws_its_own_timeline(client: Any) -> None:
    foundation = FACET_DOCS[0][2]
    data = client.get(f"/f/{quote(foundation)}.json").get_json()
    assert sum(b["count"] for b in data["timeline"]["bars"]) + data["timeline"]["undated"] == data["total"]
    for href, _spoken, n in _bars(client.get(f"/f/{quote(foundation)}").get_data(as_text=True)):
        assert foundation in html.unescape(href) or quote(foundation) in href
        assert _total(client, href) == n


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
def test_the_timeline_is_seen_clicked_and_keyed(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/?q={quote('半導體')}")
    svg = page.locator("svg.timeline__svg")
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] <= width and box["height"] > 40
    assert run_axe(page) == []
    bars = page.locator("svg.timeline__svg a.timeline__bar")
    last = bars.last
    label = last.get_attribute("aria-label") or ""
    year = label[:4]
    last.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"year={year}"))
    count = int(re.search(r"：(\d+) 份", label).group(1))  # type: ignore[union-attr]
    assert page.locator(".result-count strong").inner_text() == str(count)
    page.go_back()
    bars.first.click()
    page.wait_for_url(re.compile(r"year=\d{4}"))
    assert page.locator(".result-count strong").is_visible()
