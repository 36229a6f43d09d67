"""The issue's acceptance, in a real browser against a real server and instance.

Tests that only read use the session's server (``page``); those that upload, ingest or edit
use a server on an instance of their own (``own_page``, ``own_archive``: see conftest)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.web_support import (
    PASSWORD,
    REV_V1,
    REV_V2,
    SEMI,
    USER,
    XSS_AUTHOR,
    XSS_BODY,
    XSS_TITLE,
    Corpus,
    PageWatch,
    login,
    run_axe,
)

pytestmark = pytest.mark.browser


def _clean(watch: PageWatch) -> None:
    """No dialogs, no script errors or CSP refusals, nothing fetched from elsewhere."""
    assert watch.dialogs == []
    assert [e for e in watch.errors if "favicon" not in e] == []
    assert watch.external == []


def test_simplified_query_finds_traditional_with_marks(page: Any, corpus: Corpus,
                                                       watch: PageWatch) -> None:
    page.goto("/?q=习近平")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    first = page.locator("li.hit").first
    assert "APEC" in first.locator(".hit__title").inner_text()
    marks = first.locator(".snippet mark").all_inner_texts()
    assert marks and all(m == "習近平" for m in marks)
    assert len(first.locator(".snippet").all()) <= 3
    assert re.search(r"找到 \d+ 份文件（[\d.]+ 秒）", page.locator(".result-count").inner_text())
    _clean(watch)


def test_click_passage_hit_opens_document_at_passage(page: Any, corpus: Corpus,
                                                     watch: PageWatch) -> None:
    page.goto("/?q=习近平")
    link = page.locator("li.hit").first.locator("a.snippet__link").nth(1)
    href = link.get_attribute("href")
    pid = href.split("#", 1)[1]
    link.click()
    page.wait_for_url(re.compile(rf"/d/{corpus.seed_id}\?q=.*#{pid}$"))
    target = page.locator(f"[id='{pid}']")
    assert page.evaluate("() => document.querySelector(':target').id") == pid
    assert target.locator("mark").count() >= 1
    # highlighted: the :target style paints a background
    bg = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    _clean(watch)


def test_query_on_document_scrolls_to_first_hit(page: Any, corpus: Corpus) -> None:
    page.goto(f"/d/{corpus.seed_id}?q=东北亚")  # Simplified, no #passage
    first = page.locator("#text mark.hit").first
    first.wait_for()
    page.wait_for_function("() => document.querySelector('mark.hit.current') !== null")
    box = first.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    assert "處" in page.locator("#find-status").inner_text()


def test_copied_permalink_lands_on_same_passage(page: Any, corpus: Corpus,
                                                watch: PageWatch) -> None:
    page.goto(f"/d/{corpus.seed_id}")
    para = page.locator(".passage--paragraph").nth(2)
    pid = para.get_attribute("id")
    text = para.locator(".passage__text").inner_text()
    para.get_by_role("button", name=re.compile("^複製連結")).click()
    page.wait_for_function("() => document.body.dataset.copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.endswith(f"/p/{pid}")
    page.goto(copied)
    assert page.locator("#passage p").inner_text() == text
    assert page.locator("#status-note").count() == 0
    # the "read in full" button lands on the same paragraph in the document
    page.get_by_role("link", name="在全文中閱讀").click()
    page.wait_for_url(re.compile(rf"#{pid}$"))
    assert page.evaluate("() => document.querySelector(':target').id") == pid
    # the ¶ link is the same permanent URL
    assert para.count() == 1
    _clean(watch)


def test_permalinks_survive_a_revised_pdf(own_page: Any, corpus: Corpus, own_archive: Any) -> None:
    page, archive = own_page, own_archive
    v1 = archive.get_document(corpus.rev_id)
    by_text = {b.text: b.id for b in v1.blocks}
    kept, revised, gone = (by_text[REV_V1[0]], by_text[REV_V1[1]], by_text[REV_V1[2]])

    out = archive.ingest_bytes(corpus.rev_v2_pdf.read_bytes(), filename="rev-v2.pdf")
    assert out.status == "updated" and out.doc_id == corpus.rev_id and out.version == 2

    page.goto(f"/p/{kept}")
    assert page.locator("#passage p").inner_text() == REV_V1[0]
    assert page.locator("#status-note").count() == 0

    page.goto(f"/p/{revised}")
    assert page.locator("#status-note").get_attribute("data-status") == "revised"
    assert "此段落已修訂" in page.locator("#status-note").inner_text()
    assert page.locator("#passage p").inner_text() == REV_V2[1]
    page.get_by_role("link", name="在全文中閱讀").click()
    new_id = urlsplit(page.url).fragment
    assert new_id != revised
    assert page.locator(f"[id='{new_id}'] .passage__text").inner_text() == REV_V2[1]

    page.goto(f"/p/{gone}")
    note = page.locator("#status-note")
    assert note.get_attribute("data-status") == "gone"
    assert "不在目前版本" in note.inner_text()
    assert page.locator("#passage p").inner_text() == REV_V1[2]
    old = page.get_by_role("link", name=re.compile("第 1 版（舊版）全文"))
    assert f"/d/{corpus.rev_id}?version=1" in old.get_attribute("href")
    old.click()
    assert page.locator(f"[id='{gone}'] .passage__text").inner_text() == REV_V1[2]
    assert "舊版" in page.locator(".alert--warn").inner_text()

    # an old #anchor on the current document is not silently dropped
    page.goto(f"/d/{corpus.rev_id}#{gone}")
    page.wait_for_url(re.compile(rf"/p/{gone}$"))
    assert "不在目前版本" in page.locator("#status-note").inner_text()


def test_facet_narrows_and_chip_removes(page: Any, corpus: Corpus, watch: PageWatch) -> None:
    page.goto(f"/?q={SEMI}")
    total = int(page.locator(".result-count strong").inner_text())
    assert total == 4
    facet = page.locator("section.facet", has=page.locator("h3", has_text="作者"))
    facet.get_by_role("link", name=re.compile("^王小明")).click()
    page.wait_for_url(re.compile(r"author="))
    assert parse_qs(urlsplit(page.url).query)["author"] == ["王小明"]
    assert int(page.locator(".result-count strong").inner_text()) == 2
    authors = page.locator("li.hit .meta-line li").all_inner_texts()
    assert all("陳美玲" not in a and "林志強" not in a for a in authors)
    chip = page.get_by_role("link", name="移除篩選 作者：王小明")
    assert chip.is_visible()
    # reload: the URL holds the whole state
    page.reload()
    assert int(page.locator(".result-count strong").inner_text()) == 2
    page.get_by_role("link", name="移除篩選 作者：王小明").click()
    page.wait_for_url(lambda url: "author=" not in url)
    assert int(page.locator(".result-count strong").inner_text()) == 4
    assert page.locator("a.chip").count() == 0
    _clean(watch)


def test_pagination(page: Any, corpus: Corpus) -> None:
    page.goto(f"/?q={SEMI}")
    first_page = page.locator("li.hit .hit__title").all_inner_texts()
    assert len(first_page) == 2
    page.get_by_role("navigation", name="分頁").get_by_role("link", name="下一頁").click()
    page.wait_for_url(re.compile(r"page=2"))
    second_page = page.locator("li.hit .hit__title").all_inner_texts()
    assert len(second_page) == 2 and not set(first_page) & set(second_page)
    current = page.locator(".pagination [aria-current='page']")
    assert current.inner_text() == "2"
    page.get_by_role("link", name="‹ 上一頁").click()
    page.wait_for_url(lambda url: "page=" not in url)
    assert page.locator("li.hit .hit__title").all_inner_texts() == first_page


def test_sort_by_date(page: Any, corpus: Corpus) -> None:
    page.goto(f"/?q={SEMI}")
    page.get_by_role("navigation", name="排序方式").get_by_role("link", name="日期（舊到新）").click()
    page.wait_for_url(re.compile(r"sort=oldest"))
    dates = page.locator("li.hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates) and len(dates) == 2
    page.get_by_role("link", name="日期（新到舊）").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    dates = page.locator("li.hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)


def test_no_results_says_what_was_searched(page: Any, corpus: Corpus) -> None:
    page.goto(f"/?q={SEMI}+不存在的詞彙組合&author=王小明")
    box = page.locator(".no-results")
    assert "不存在的詞彙組合" in box.inner_text() and "王小明" in box.inner_text()
    box.get_by_role("link", name="移除所有篩選條件").wait_for()
    box.get_by_role("link", name=f"只搜尋：{SEMI}").click()
    assert int(page.locator(".result-count strong").inner_text()) >= 1


def test_upload_refused_without_sign_in(own_page: Any, corpus: Corpus, own_server: str,
                                        own_archive: Any) -> None:
    page = own_page
    before = own_archive.list_documents()
    page.goto("/ingest")
    assert "/login" in page.url
    assert page.get_by_role("heading", name="館員登入").is_visible()
    # a forged POST with no session is refused, and nothing is queued
    resp = page.request.post(f"{own_server}/ingest", multipart={
        "files": {"name": "x.pdf", "mimeType": "application/pdf",
                  "buffer": corpus.upload_pdf.read_bytes()}},
        headers={"Accept": "application/json"})
    assert resp.status in (400, 401)
    assert "error" in resp.json()
    assert own_archive.list_documents() == before
    # a wrong password does not sign in
    login(page, USER, "not the password")
    assert page.locator("[role=alert]").inner_text() == "帳號或密碼不正確。"


def test_upload_after_sign_in_reports_each_file(own_page: Any, corpus: Corpus, tmp_path: Any,
                                                own_watch: PageWatch) -> None:
    page, watch = own_page, own_watch
    login(page, USER, PASSWORD)
    page.goto("/ingest")
    junk = tmp_path / "notes.pdf"
    junk.write_bytes(b"this is not a pdf at all")
    page.set_input_files("#upload-files", [str(corpus.upload_pdf), str(junk)])
    page.get_by_role("button", name="上傳").click()
    done = page.locator("#job-list li[data-status='ingested'], #job-list li[data-status='failed']")
    done.nth(1).wait_for(timeout=60_000)
    ingested = page.locator("#job-list li[data-status='ingested']")
    assert ingested.locator(".job__name").inner_text() == corpus.upload_pdf.name
    failed = page.locator("#job-list li[data-status='failed']")
    assert "notes.pdf" in failed.inner_text() and "not a PDF" in failed.inner_text()
    ingested.get_by_role("link").click()
    assert "海洋法" in page.locator("h1").inner_text()
    # the same file again is "unchanged", as on the command line
    page.goto("/ingest")
    page.set_input_files("#upload-files", [str(corpus.upload_pdf)])
    page.get_by_role("button", name="上傳").click()
    page.locator("#job-list li[data-status='unchanged']").wait_for(timeout=60_000)
    _clean(watch)


def _json(page: Any, url: str) -> Any:
    resp = page.request.get(url, headers={"Accept": "application/json"})
    assert resp.ok and resp.headers["content-type"].startswith("application/json")
    return resp.json()


def test_json_twins_match_the_pages(page: Any, corpus: Corpus, live_server: str) -> None:
    # search
    page.goto(f"/?q={SEMI}&sort=newest")
    data = _json(page, page.url)
    other = _json(page, page.url.replace("/?", "/search.json?"))
    assert data.pop("took_ms") >= 0 and other.pop("took_ms") >= 0
    assert data == other
    assert data["total"] == int(page.locator(".result-count strong").inner_text())
    assert [h["title"] for h in data["hits"]] == page.locator(".hit__title").all_inner_texts()
    # document
    page.goto(f"/d/{corpus.seed_id}")
    doc = _json(page, f"{live_server}/d/{corpus.seed_id}.json")
    assert doc == _json(page, page.url)
    assert doc["title"] == page.locator("h1").inner_text()
    ids = page.locator("#text .passage").evaluate_all("els => els.map(e => e.id)")
    assert ids == [b["id"] for b in doc["blocks"]]
    assert doc["sha256"] in page.locator(".meta").inner_text()
    # passage
    pid = ids[3]
    page.goto(f"/p/{pid}")
    p = _json(page, f"{live_server}/p/{pid}.json")
    assert p["passage"]["block"]["text"] == page.locator("#passage p").inner_text()
    assert p["citation"]["text"] == page.locator("#citation-text").inner_text()
    quote, position = p["annotation"]["target"]["selector"]
    full = "\n\n".join(b["text"] for b in doc["blocks"])
    assert full[position["start"]:position["end"]] == quote["exact"] == p["passage"]["block"]["text"]
    assert full[: position["start"]].endswith(quote["prefix"])
    # upload (signed in)
    login(page)
    page.goto("/ingest")
    up = _json(page, f"{live_server}/ingest.json")
    assert up["user"] == USER
    assert str(up["max_upload_bytes"]) == page.locator("#upload-form").get_attribute(
        "data-max-bytes")


def test_extracted_html_never_runs(page: Any, corpus: Corpus, watch: PageWatch) -> None:
    page.goto(f"/d/{corpus.xss_id}")
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert XSS_AUTHOR in page.locator(".meta").inner_text()
    assert page.locator(".passage__text", has_text="惡意內文").inner_text() == XSS_BODY
    pid = page.locator(".passage", has_text="惡意內文").get_attribute("id")
    page.goto("/?q=跨站測試段落")
    assert XSS_TITLE in page.locator(".hit__title").first.inner_text()
    page.goto(f"/p/{pid}")
    assert page.locator("#passage p").inner_text() == XSS_BODY
    assert page.locator("h1").inner_text() == XSS_TITLE
    page.goto("/feed.atom")
    assert page.evaluate("() => window.__xss") is None
    assert watch.dialogs == []
    assert page.locator("img[src=x]").count() == 0


def test_security_headers_reach_the_browser(page: Any, corpus: Corpus) -> None:
    resp = page.goto("/")
    headers = resp.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("width", [360])
def test_small_screens_do_not_scroll_sideways(browser: Any, live_server: str, corpus: Corpus,
                                              width: int) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 740})
    page = context.new_page()
    try:
        pid = json.loads(page.request.get(f"{live_server}/d/{corpus.seed_id}.json").text())[
            "blocks"][4]["id"]
        for url in (f"/?q={SEMI}", f"/d/{corpus.seed_id}?q=習近平", f"/p/{pid}", "/login"):
            page.goto(url)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, url
    finally:
        context.close()


def test_keyboard_skip_link_and_search(page: Any, corpus: Corpus) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "跳至主要內容"
    page.get_by_label("搜尋典藏").focus()
    page.keyboard.type("APEC")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=APEC"))
    assert page.locator("li.hit").count() >= 1


def test_axe_finds_no_serious_violations(page: Any, corpus: Corpus, archive: Any) -> None:
    pid = archive.get_document(corpus.seed_id).blocks[5].id
    pages = [f"/?q={SEMI}", f"/d/{corpus.seed_id}?q=習近平", f"/p/{pid}", "/", "/login",
             "/?q=沒有這個詞彙", "/d/nope"]
    problems = {}
    for url in pages:
        page.goto(url)
        problems[url] = run_axe(page)
    login(page)
    page.goto("/ingest")
    problems["/ingest"] = run_axe(page)
    assert {k: v for k, v in problems.items() if v} == {}


def test_an_archivist_corrects_a_title_on_the_document_page(own_page: Any, corpus: Corpus,
                                                           own_watch: PageWatch) -> None:
    page, watch = own_page, own_watch
    login(page)
    page.goto(f"/d/{corpus.by_path_id}")
    page.get_by_text("修正書目資料").click()
    page.get_by_label("標題", exact=True).fill("館員校正的標題：路徑測試")
    page.get_by_label("日期", exact=True).fill("民國112年5月4日")
    page.get_by_role("button", name="儲存修正").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/d/{corpus.by_path_id}")
    assert page.locator("h1").first.inner_text().strip() == "館員校正的標題：路徑測試"
    history = page.locator("ol.edits").inner_text()
    assert "館員校正的標題：路徑測試" in history and USER in history and "2023-05-04" in history
    page.goto("/?q=館員校正")
    assert page.locator(f'a[href^="/d/{corpus.by_path_id}"]').count() >= 1
    assert not watch.errors
