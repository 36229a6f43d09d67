"""The seed, printed in two layouts, must come back as the author wrote it."""

from __future__ import annotations

import re

import pytest

from archive.models import METADATA_KEYS

LAYOUTS = ("header", "plain-a5")


def ws(text: str) -> str:
    """Whitespace normalisation for comparisons: runs of whitespace become one space."""
    return re.sub(r"\s+", " ", text).strip()


def expected_fields(seed: dict, layout: str) -> dict[str, tuple[str, str]]:
    common = {
        "series": (seed["series"], "text"),
        "title": (seed["title"], "text" if layout == "header" else "pdf-info"),
        "author": (seed["author"], "text"),
        "affiliation": (seed["affiliation"], "text"),
        "foundation": (seed["foundation"], "text"),
        "website": ("http://www.pf.org.tw", "text"),
        "caption": (seed["caption"], "text"),
        "photo_credit": ("https://twitter.com/Chinamission2un/status/1718123594117464513/photo/1", "text"),
        "editor_note": ("本文僅代表作者個人觀點，不代表遠景基金會之政策與立場。", "text"),
        "script": ("Traditional", "inferred"),
        "language": ("zh-Hant", "inferred"),
        "pdf_created": ("2024-01-01T09:00:00Z", "pdf-info"),
        "producer": ("tests.pdfgen (fpdf2)", "pdf-info"),
    }
    if layout == "header":
        common |= {"address": ("臺北市汀州路三段 60 巷 1 號", "text"), "phone": ("886-2-23654366", "text"),
                   "fax": ("886-2-23679193", "text"),
                   # the account that saved the file: kept as it is, never the author
                   "pdf_author": ("USER", "pdf-info")}
    else:
        common |= {"address": ("台北市汀州路三段60巷1號", "text"), "phone": ("(02)2365-4366", "text"),
                   "fax": ("(02)2367-9193", "text"), "date": ("2023-11-30", "text")}
    return common


@pytest.mark.parametrize("layout", LAYOUTS)
def test_body_paragraphs_equal_the_seed(seed_docs, seed, layout):
    doc = seed_docs[layout]
    got = [ws(b.text) for b in doc.blocks if b.type == "paragraph"]
    assert got == [ws(p) for p in seed["paragraphs"]]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_block_types_in_reading_order(seed_docs, seed, layout):
    doc = seed_docs[layout]
    types = [b.type for b in doc.blocks]
    body = []
    for i in range(len(seed["paragraphs"])):
        if i in seed["headings"]:
            body.append("heading")
        body.append("paragraph")
    assert types == ["caption", "title", *body, "note", "back_matter"]
    headings = [b.text for b in doc.blocks if b.type == "heading"]
    assert headings == [seed["headings"][i] for i in sorted(seed["headings"])]
    by_type = {b.type: b.text for b in doc.blocks}
    assert by_type["title"] == seed["title"]
    assert by_type["note"] == seed["note"]
    assert ws(by_type["caption"]) == ws(f"{seed['caption']}(圖片來源：{seed['photo_credit']})")
    back = by_type["back_matter"].split("\n")
    assert back[0] == seed["foundation"] and back[1] == seed["description"]
    assert back[-1] == "http://www.pf.org.tw"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_metadata_field_is_exact(seed_docs, seed, layout):
    doc = seed_docs[layout]
    want = expected_fields(seed, layout)
    got = {k: (f.value, f.source) for k, f in doc.metadata.items()}
    assert got == want
    assert list(doc.metadata) == [k for k in METADATA_KEYS if k in doc.metadata]


def test_header_layout_drops_running_head_and_page_numbers(seed_docs):
    doc = seed_docs["header"]
    text = "\n".join(b.text for b in doc.blocks)
    assert "遠景論壇" not in text  # the series is metadata, the running head is not text
    assert not any(re.fullmatch(r"\d+", b.text) for b in doc.blocks)
    assert doc.extractor == "pypdfium2" and doc.page_count == 5  # PDFium reads and places the glyphs


def test_paragraphs_split_across_pages_are_joined(seed_docs):
    doc = seed_docs["header"]
    split = [b for b in doc.blocks if b.type == "paragraph" and len(b.pages) == 2]
    assert len(split) == 2
    assert "於 2011 年 11 月提出「亞太再平衡」戰略" in split[0].text
    assert "以及兩國領袖間的即時溝通管道" in split[1].text


def test_cff_font_layout_is_read_by_pdfium_not_pypdf(seed_docs, seed_pdfs):
    """fpdf2's embedded CMap makes pypdf return NULs and wrong characters; PDFium reads it right."""
    from ingest import quality
    from ingest.extract import open_pypdf, pypdf_text

    pypdf_pages = pypdf_text(open_pypdf(seed_pdfs["plain-a5"], None)).pages
    assert quality.score("\n".join(pypdf_pages)).score < quality.GOOD
    doc = seed_docs["plain-a5"]
    assert doc.extractor == "pypdfium2"
    assert "\x00" not in "".join(b.text for b in doc.blocks)


def test_pypdf_is_the_second_opinion_when_pdfium_text_fails_the_gate(seed_pdfs):
    """A page PDFium cannot place (here: no PDFium at all for a damaged copy) goes through pypdf and the gate."""
    from ingest import _choose, _pypdf_or_recovery

    first, _ = _pypdf_or_recovery(seed_pdfs["plain-a5"], None)
    chosen, _, notes = _choose(seed_pdfs["plain-a5"], None, first)
    assert first.extractor == "pypdf" and chosen.extractor == "pypdfium2"
    assert any("kept pypdfium2" in note for note in notes)


def test_document_identity(seed_docs, seed_pdfs):
    import hashlib

    doc = seed_docs["header"]
    assert doc.sha256 == hashlib.sha256(seed_pdfs["header"]).hexdigest()
    assert doc.size == len(seed_pdfs["header"])
    assert (doc.doc_id, doc.version, doc.ingested_at) == ("", 0, "")
    assert all(b.id == "" and b.pages for b in doc.blocks)
    assert doc.filename == "header.pdf"
