"""Every export read back by the format's own parser (bibtexparser, rispy, citeproc-py)."""

from __future__ import annotations

import json
from datetime import date

import bibtexparser
import pytest
import rispy
from citeproc.source.json import CiteProcJSON

from archive.cite import export, from_document, render, render_all
from archive.cite.reference import Name
from archive.models import Block, Document, Field

ACCESSED = date(2026, 12, 2)


def _doc(**meta: str) -> Document:
    fields = {
        "title": "美中競逐下的APEC：{領袖}會議 50% & $觀察_",
        "author": "王大同、Nancy Pelosi",
        "affiliation": "遠景基金會研究員、美國眾議院",
        "foundation": "財團法人遠景基金會",
        "series": "遠景論壇",
        "date": "2023-11-30",
        "language": "zh-Hant",
        "address": "臺北市中正區",
    }
    fields.update(meta)
    return Document(
        sha256="0" * 64, size=10, page_count=6, doc_id="d-3f9a01", version=3,
        metadata={k: Field(v, "text") for k, v in fields.items() if v},
        blocks=[Block("paragraph", "亞太經合會（APEC）領袖會議於舊金山舉行。", [4, 5], id="p-0123456789ab")],
    )


def _refs(doc: Document):
    whole = from_document(doc, url="https://archive.example/d/d-3f9a01", accessed=ACCESSED,
                          pdf_url="https://archive.example/d/d-3f9a01.pdf")
    passage = from_document(doc, url="https://archive.example/p/p-0123456789ab", accessed=ACCESSED,
                            block=doc.blocks[0])
    return whole, passage


def test_bibtex_reads_back_with_bibtexparser() -> None:
    doc = _doc()
    whole, passage = _refs(doc)
    library = bibtexparser.parse_string(export([whole, passage], "bibtex"))
    assert not library.failed_blocks
    first, second = library.entries
    assert first.entry_type == "techreport"
    assert first.key == "d3f9a01v3" and second.key == "d3f9a01v3-p0123456789ab"
    f = {k: v.value for k, v in first.fields_dict.items()}
    assert f["title"] == r"美中競逐下的APEC：\{領袖\}會議 50\% \& \$觀察\_"
    assert f["author"] == "王大同 and Pelosi, Nancy"
    assert f["institution"] == "財團法人遠景基金會" and f["series"] == "遠景論壇"
    assert (f["year"], f["month"], f["date"]) == ("2023", "11", "2023-11-30")
    assert f["version"] == "3" and f["urldate"] == "2026-12-02"
    assert f["url"] == "https://archive.example/d/d-3f9a01"
    assert "pages" not in f
    s = {k: v.value for k, v in second.fields_dict.items()}
    assert s["pages"] == "4--5" and s["note"] == "Passage p-0123456789ab"


def test_ris_reads_back_with_rispy() -> None:
    whole, passage = _refs(_doc())
    records = rispy.loads(export([whole, passage], "ris"))
    assert len(records) == 2
    r = records[0]
    assert r["type_of_reference"] == "RPRT"
    assert r["title"] == "美中競逐下的APEC：{領袖}會議 50% & $觀察_"
    assert r["authors"] == ["王大同", "Pelosi, Nancy"]
    assert r["year"] == "2023" and r["date"] == "2023/11/30/"
    assert r["publisher"] == "財團法人遠景基金會" and r["tertiary_title"] == "遠景論壇"
    assert r["urls"] == ["https://archive.example/d/d-3f9a01"]
    assert r["access_date"] == "2026/12/02/" and r["edition"] == "v3"
    assert r["file_attachments1"] == "https://archive.example/d/d-3f9a01.pdf"
    p = records[1]
    assert (p["start_page"], p["end_page"]) == ("4", "5")
    assert p["urls"] == ["https://archive.example/p/p-0123456789ab"]


def test_csl_json_loads_in_citeproc() -> None:
    whole, passage = _refs(_doc())
    items = json.loads(export([whole, passage], "csl"))
    source = CiteProcJSON(items)  # citeproc-py's reader validates names and dates
    ref = source["d3f9a01v3"]
    assert ref["type"] == "report"
    assert "財團法人遠景基金會" in str(ref["publisher"])
    assert "遠景論壇" in str(ref["collection_title"])
    assert [a.get("literal") or a["family"] for a in ref["author"]] == ["王大同", "Pelosi"]
    assert ref["issued"]["year"] == 2023 and ref["accessed"]["day"] == 2
    assert items[1]["page"] == "4-5" and items[1]["URL"].endswith("/p/p-0123456789ab")


@pytest.mark.parametrize("style", ["chicago", "apa", "gbt7714"])
def test_each_style_names_version_and_access_date(style: str) -> None:
    whole, passage = _refs(_doc())
    text = render(whole, style)
    assert "美中競逐下的APEC" in text and "王大同" in text and "2023" in text
    assert "https://archive.example/d/d-3f9a01" in text
    assert "3" in text.replace("2023", "").replace("2026", "")  # the version
    assert ("2026" in text) and ("12" in text)  # the access date
    assert not text.startswith("[1]")
    p = render(passage, style)
    assert "https://archive.example/p/p-0123456789ab" in p


def test_styles_follow_the_document_language() -> None:
    zh, _ = _refs(_doc())
    en, _ = _refs(_doc(language="en", title="Power Rivalry at APEC"))
    assert "檢索日期" in render(zh, "apa") and "版 3" in render(zh, "apa")
    assert "Version 3" in render(en, "apa") and "Accessed December 2, 2026" in render(en, "apa")


def test_html_rendering_is_escaped() -> None:
    whole, _ = _refs(_doc(title="<script>alert(1)</script>"))
    for c in render_all(whole):
        assert "<script>" not in c["html"] and "&lt;script&gt;" in c["html"]


def test_a_document_without_author_or_date_still_exports() -> None:
    whole, _ = _refs(_doc(author="", affiliation="", date=""))
    assert rispy.loads(export([whole], "ris"))[0]["title"]
    assert not bibtexparser.parse_string(export([whole], "bibtex")).failed_blocks
    for style in ("chicago", "apa", "gbt7714"):
        assert "美中競逐下的APEC" in render(whole, style)


@pytest.mark.parametrize(("text", "family", "given"), [
    ("Nancy Pelosi", "Pelosi", "Nancy"), ("Smith, John", "Smith", "John"), ("歐陽修", "", ""),
    ("Tsai Ing-wen", "Tsai", "Ing-wen"), ("Mary Anne Lee", "Lee", "Mary Anne"),
])
def test_name_parts(text: str, family: str, given: str) -> None:
    n = Name.parse(text)
    assert (n.family, n.given) == (family, given)


@pytest.mark.parametrize(("address", "place"), [
    ("臺北市汀州路三段 60 巷 1 號", "臺北市"), ("10058 台北市中正區徐州路", "台北市"),
    ("新竹縣竹北市", "新竹縣"), ("Taipei", "Taipei"), ("No. 1, Sec. 3, Roosevelt Rd.", ""),
])
def test_place_of_publication_is_the_city(address: str, place: str) -> None:
    from archive.cite.reference import place_of

    assert place_of(address) == place


def test_a_report_without_author_is_cited_under_its_institution_once() -> None:
    whole, _ = _refs(_doc(author="", affiliation=""))
    for style in ("chicago", "apa"):
        text = render(whole, style)
        assert text.count("美中競逐下的APEC") == 1, text
        assert text.startswith("財團法人遠景基金會"), text
    bare, _ = _refs(_doc(author="", affiliation="", foundation=""))
    for style in ("chicago", "apa", "gbt7714"):
        assert render(bare, style).count("美中競逐下的APEC") == 1
