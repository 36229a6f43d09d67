"""The exploring pages in a real browser at desktop and phone widths: no serious or critical
axe-core violations, nothing wider than the screen, and the interactions they offer."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.web.web_support import FACET_DOCS, SEMI, Corpus, run_axe

pytestmark = pytest.mark.browser


def _pages(corpus: Corpus, archive: Any) -> list[str]:
    _, author, foundation, series, _ = FACET_DOCS[0]
    doc = archive.get_document(corpus.seed_id)
    pid = max((b for b in doc.blocks if b.type == "paragraph"), key=lambda b: len(b.text)).id
    return [f"/?q={SEMI}", f"/a/{quote(author)}", f"/f/{quote(foundation)}", f"/s/{quote(series)}",
            f"/concordance?q={SEMI}&sort=left", f"/p/{pid}/page", f"/d/{corpus.seed_id}", f"/p/{pid}"]


@pytest.mark.parametrize("width", [1280, 375])
def test_exploring_pages_are_accessible_and_fit(browser: Any, live_server: str, corpus: Corpus, archive: Any,
                                                width: int) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800}, locale="zh-TW")
    page = context.new_page()
    problems, wide = {}, {}
    try:
        for url in _pages(corpus, archive):
            resp = page.goto(url)
            assert resp is not None and resp.ok, url
            problems[url] = run_axe(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                wide[url] = overflow
    finally:
        context.close()
    assert {k: v for k, v in problems.items() if v} == {}
    assert wide == {}


def test_concordance_sorts_and_links_to_passages(page: Any, corpus: Corpus) -> None:
    page.goto(f"/concordance?q={SEMI}")
    page.select_option("#kwic-sort", "right")
    page.click("form.concordance-form button")
    page.wait_for_url(lambda url: "sort=right" in url)
    rights = page.locator("td.kwic__right").all_inner_texts()
    assert rights == sorted(rights) and len(rights) > 3
    page.locator("td.kwic__source a").first.click()
    page.wait_for_url(lambda url: "/p/p-" in url)


def test_facets_come_first_on_a_phone_and_link_to_entity_pages(browser: Any, live_server: str,
                                                                corpus: Corpus) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"/?q={SEMI}")
        facets = page.locator("aside.facets").bounding_box()
        first_hit = page.locator("li.hit").first.bounding_box()
        assert facets and first_hit and facets["y"] < first_hit["y"]
        _, author, *_ = FACET_DOCS[0]
        page.locator(f'a.facet__page[href="/a/{quote(author)}"]').click()
        page.wait_for_url(lambda url: "/a/" in url)
        assert page.locator("h1").inner_text() == author
        assert page.locator("svg.timeline__svg a.timeline__bar").count() >= 1
    finally:
        context.close()


def test_the_page_view_outlines_the_passage(page: Any, corpus: Corpus, archive: Any) -> None:
    doc = archive.get_document(corpus.seed_id)
    block = max((b for b in doc.blocks if b.type == "paragraph"), key=lambda b: len(b.text))
    page.goto(f"/p/{block.id}")
    page.click("text=在原始頁面上看")
    page.wait_for_url(lambda url: url.endswith("/page"))
    page.wait_for_function("() => { const i = document.querySelector('svg image'); return i && i.getBBox().width > 0; }")
    rects = page.locator("rect.pageview__hit")
    assert rects.count() >= 2
    box = rects.first.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 5
