"""Citing, exporting and following, checked with the clients' own parsers.

extruct reads the embedded metadata (JSON-LD, OpenGraph) and lxml the Highwire
``citation_*`` tags Zotero and Google Scholar read; bibtexparser, rispy and citeproc-py
read the reference files; feedparser reads the feeds; the standard library's email
parser reads a multipart/byteranges answer.
"""

from __future__ import annotations

import csv
import email
import io
import json
from typing import Any
from urllib.parse import parse_qs, unquote

import bibtexparser
import extruct
import feedparser
import rispy
from citeproc.source.json import CiteProcJSON
from lxml import html as lxml_html

from tests.web.web_support import FACET_DOCS, REV_TITLE, SEMI, Corpus


def _meta(page: str) -> dict[str, list[str]]:
    tree = lxml_html.fromstring(page)
    out: dict[str, list[str]] = {}
    for el in tree.xpath("//meta[starts-with(@name, 'citation_')]"):
        out.setdefault(el.get("name"), []).append(el.get("content"))
    return out


def test_document_page_embeds_highwire_coins_json_ld_and_opengraph(client: Any, corpus: Corpus,
                                                                   archive: Any) -> None:
    doc_id = corpus.rev_id
    doc = archive.get_document(doc_id)
    page = client.get(f"/d/{doc_id}").get_data(as_text=True)
    tags = _meta(page)
    assert tags["citation_title"] == [doc.meta("title")]
    assert tags["citation_author"] == [doc.meta("author")]
    assert tags["citation_author_institution"] == [doc.meta("affiliation")]
    assert tags["citation_publication_date"] == [doc.meta("date").replace("-", "/")]
    assert tags["citation_technical_report_institution"] == [doc.meta("foundation")]
    assert tags["citation_series_title"] == [doc.meta("series")]
    assert tags["citation_language"] == [doc.meta("language")]
    assert tags["citation_firstpage"] == ["1"] and tags["citation_lastpage"] == [str(doc.page_count)]
    pdf = tags["citation_pdf_url"][0]
    assert pdf.endswith(f"/d/{doc_id}/original.pdf?version={doc.version}")
    assert client.get(pdf.replace("http://localhost", "")).data[:5] == b"%PDF-"

    data = extruct.extract(page, base_url="http://localhost/", syntaxes=["json-ld", "opengraph"],
                           uniform=True)
    (report,) = data["json-ld"]
    assert report["@type"] == "Report" and report["name"] == doc.meta("title")
    assert report["author"][0]["name"] == doc.meta("author")
    assert report["publisher"]["name"] == doc.meta("foundation")
    assert report["isPartOf"] == {"@type": "CreativeWorkSeries", "name": doc.meta("series")}
    assert report["datePublished"] == doc.meta("date")
    (og,) = data["opengraph"]
    assert og["og:title"] == doc.meta("title")  # no "（author）" appended
    assert og["og:locale"] == "zh_TW"

    tree = lxml_html.fromstring(page)
    (span,) = tree.xpath("//span[@class='Z3988']")
    kev = parse_qs(span.get("title"))
    assert kev["rft.genre"] == ["report"] and kev["rft.btitle"] == [doc.meta("title")]
    assert kev["rft.au"] == [doc.meta("author")] and kev["rft.pub"] == [doc.meta("foundation")]


def test_embedded_metadata_is_escaped(client: Any, corpus: Corpus) -> None:
    page = client.get(f"/d/{corpus.xss_id}").get_data(as_text=True)
    assert "<script>alert" not in page
    data = extruct.extract(page, syntaxes=["json-ld"], uniform=True)
    assert "<" in data["json-ld"][0]["name"]  # the title survives as text, inside JSON


def test_cite_menu_has_three_styles_with_version_and_access_date(client: Any, corpus: Corpus,
                                                                 archive: Any) -> None:
    doc = archive.get_document(corpus.rev_id)
    block = doc.blocks[-1]
    data = client.get(f"/p/{block.id}.json").get_json()
    styles = {c["style"]: c["text"] for c in data["citations"]}
    assert set(styles) == {"chicago", "apa", "gbt7714"}
    for text in styles.values():
        assert REV_TITLE in text and f"/p/{block.id}" in text
        assert str(doc.version) in text.replace("2023", "")
        assert "2026" in text or "20" in text  # the access date's year
    page = client.get(f"/p/{block.id}").get_data(as_text=True)
    assert 'data-style="gbt7714"' in page and "BibTeX" in page


def test_reference_files_parse_with_their_own_parsers(client: Any, corpus: Corpus, archive: Any) -> None:
    doc = archive.get_document(corpus.rev_id)
    block = doc.blocks[-1]
    bib = client.get(f"/d/{corpus.rev_id}/cite.bibtex")
    assert bib.mimetype == "application/x-bibtex"
    (entry,) = bibtexparser.parse_string(bib.get_data(as_text=True)).entries
    assert entry.entry_type == "techreport"
    assert entry.fields_dict["title"].value == REV_TITLE
    assert entry.fields_dict["institution"].value == doc.meta("foundation")
    assert entry.fields_dict["version"].value == str(doc.version)
    (ris,) = rispy.loads(client.get(f"/p/{block.id}/cite.ris").get_data(as_text=True))
    assert ris["type_of_reference"] == "RPRT" and ris["title"] == REV_TITLE
    assert ris["start_page"] == str(block.pages[0]) and ris["urls"][0].endswith(f"/p/{block.id}")
    items = json.loads(client.get(f"/d/{corpus.rev_id}/cite.csl").get_data(as_text=True))
    source = CiteProcJSON(items)
    assert len(list(source)) == 1 and items[0]["type"] == "report"


def test_search_results_export_in_every_format(client: Any, corpus: Corpus) -> None:
    expected = {i for i in corpus.facet_ids}
    rows = list(csv.DictReader(io.StringIO(client.get(f"/export.csv?q={SEMI}").get_data(as_text=True))))
    assert {r["id"] for r in rows} >= expected
    assert all(r["url"].endswith(f"/d/{r['id']}") and r["passages"] for r in rows)
    lines = client.get(f"/export.jsonl?q={SEMI}").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["id"] for r in records} == {r["id"] for r in rows}
    assert all(p["url"].startswith("http://localhost/p/") for r in records for p in r["passages"])
    titles = {t for t, *_ in FACET_DOCS}
    bib = bibtexparser.parse_string(client.get(f"/export.bibtex?q={SEMI}").get_data(as_text=True))
    assert titles <= {e.fields_dict["title"].value for e in bib.entries}
    assert len(rispy.loads(client.get(f"/export.ris?q={SEMI}").get_data(as_text=True))) == len(rows)
    assert len(json.loads(client.get(f"/export.csl?q={SEMI}").get_data(as_text=True))) == len(rows)
    assert client.get("/export.csv").status_code == 400
    assert client.get(f"/export.docx?q={SEMI}").status_code == 404


def test_a_csv_cell_cannot_become_a_formula(client: Any, corpus: Corpus) -> None:
    from archive.cite.tables import csv_lines

    row = {"id": "x", "title": "=HYPERLINK(\"http://evil\")", "authors": ["@me"], "date": "",
           "publisher": "", "series": "", "url": "u", "passages": []}
    text = "".join(csv_lines([row]))
    assert "'=HYPERLINK" in text and "'@me" in text


def test_a_followed_search_feed(client: Any, corpus: Corpus) -> None:
    resp = client.get(f"/feed.atom?q={SEMI}")
    feed = feedparser.parse(resp.get_data())
    assert not feed.bozo, feed.bozo_exception
    ids = {e.id.rsplit("/", 1)[-1] for e in feed.entries}
    assert ids >= set(corpus.facet_ids) and corpus.rev_id not in ids
    assert all(SEMI in e.summary for e in feed.entries)
    updated = [e.updated for e in feed.entries]
    assert len(set(updated)) == len(updated), updated
    again = client.get(f"/feed.atom?q={SEMI}", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    everything = feedparser.parse(client.get("/feed.atom").get_data())
    stamps = [e.updated for e in everything.entries]
    assert len(set(stamps)) == len(stamps)
    page = client.get(f"/?q={SEMI}").get_data(as_text=True)
    assert 'href="/feed.atom?q=' in page and "追蹤這個搜尋" in page


def test_pages_and_twins_answer_304_with_cache_control(client: Any, corpus: Corpus) -> None:
    for url in (f"/d/{corpus.seed_id}", f"/d/{corpus.seed_id}.json", f"/?q={SEMI}", "/search.json?q=x"):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"]
        assert first.headers["Cache-Control"].startswith("public")
        second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert second.status_code == 304, url
    doc = client.get(f"/d/{corpus.seed_id}")
    assert doc.headers.get("Last-Modified")
    again = client.get(f"/d/{corpus.seed_id}", headers={"If-Modified-Since": doc.headers["Last-Modified"]})
    assert again.status_code == 304


def test_robots_txt_names_the_sitemap(client: Any) -> None:
    body = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in body and "User-agent: *" in body


def test_ranges_cors_and_file_names_on_the_original(client: Any, corpus: Corpus, archive: Any) -> None:
    url = f"/d/{corpus.rev_id}/original.pdf"
    whole = client.get(url).data
    resp = client.get(url, headers={"Range": "bytes=0-4,10-19,-5", "Origin": "https://viewer.example"})
    assert resp.status_code == 206 and resp.mimetype == "multipart/byteranges"
    message = email.message_from_bytes(
        b"Content-Type: " + resp.headers["Content-Type"].encode() + b"\r\n\r\n" + resp.data)
    parts = [(p["Content-Range"], p.get_payload(decode=True)) for p in message.get_payload()]
    n = len(whole)
    assert parts == [(f"bytes 0-4/{n}", whole[:5]), (f"bytes 10-19/{n}", whole[10:20]),
                     (f"bytes {n - 5}-{n - 1}/{n}", whole[-5:])]
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    bad = client.get(url, headers={"Range": f"bytes={n + 10}-"})
    assert bad.status_code == 416 and bad.headers["Content-Range"] == f"bytes */{n}"
    one = client.get(url, headers={"Range": "bytes=5-9"})
    assert one.status_code == 206 and one.data == whole[5:10]
    download = client.get(url + "?download=1").headers["Content-Disposition"]
    assert download.startswith("attachment;") and 'filename="' in download
    encoded = download.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == f"{REV_TITLE}.pdf"
    assert download.split('filename="', 1)[1].split('"', 1)[0].isascii()


def test_cors_never_on_signed_in_responses(app: Any) -> None:
    from tests.web.web_support import PASSWORD, USER

    client = app.test_client()
    assert client.get("/search.json?q=x").headers.get("Access-Control-Allow-Origin") == "*"
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    resp = client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 303
    signed = client.get("/search.json?q=x")
    assert "Access-Control-Allow-Origin" not in signed.headers
    assert signed.headers["Cache-Control"].startswith("private")


def test_link_previews_show_a_card_of_the_document(client: Any, corpus: Corpus) -> None:
    from PIL import Image

    page = client.get(f"/d/{corpus.rev_id}").get_data(as_text=True)
    (og,) = extruct.extract(page, syntaxes=["opengraph"], uniform=True)["opengraph"]
    image = client.get(og["og:image"].replace("http://localhost", ""))
    assert image.mimetype == "image/png"
    with Image.open(io.BytesIO(image.data)) as card:
        assert card.size == (1200, 630)
        assert len(card.convert("L").getcolors(256) or []) > 8  # text was drawn, not a blank card
