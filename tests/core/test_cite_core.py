"""The one-line citation and the W3C annotation, made in the core from a real ingested passage."""

from __future__ import annotations

import pytest

from archive.cite.annotation import annotation
from archive.cite.plain import citation, page_range
from archive.service import Archive
from tests.pdfgen import commentary_pdf


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    base = tmp_path_factory.mktemp("cite")
    pdf = commentary_pdf(base / "a.pdf", title="臺灣的能源轉型", author="王小明", series="國策評論",
                         foundation="遠景基金會", date="2022-05-01",
                         paragraphs=["臺灣的能源政策正在轉型，離岸風電是重點。"])
    archive = Archive(base / "instance")
    out = archive.ingest_bytes(pdf.read_bytes(), filename="a.pdf")
    doc = archive.get_document(out.doc_id)
    block = next(b for b in doc.blocks if "離岸風電" in b.text)
    view = archive.resolve_passage(block.id)
    yield view, doc
    archive.close()


def test_the_citation_sentence_names_author_title_series_foundation_date_and_page(landed) -> None:
    view, _doc = landed
    parts = citation(view, "https://x.example/p/abc")
    assert parts["text"].startswith("王小明，〈臺灣的能源轉型〉，《國策評論》，遠景基金會，2022-05-01，頁 ")
    assert parts["text"].endswith("。https://x.example/p/abc")
    assert parts["authors"] == ["王小明"] and parts["page"]
    assert page_range([3]) == "3" and page_range([3, 4, 5]) == "3–5" and page_range([]) == ""


def test_the_annotation_targets_the_versioned_text_with_both_selectors(landed) -> None:
    view, doc = landed
    anno = annotation(view, "/p/abc", doc, source="/d/x/v1.txt", scope="/d/x", homepage="/")
    assert anno["type"] == "Annotation" and anno["id"] == "/p/abc"
    target = anno["target"]
    assert target["source"] == "/d/x/v1.txt" and target["scope"] == "/d/x"
    kinds = {s["type"] for s in target["selector"]}
    assert kinds == {"TextQuoteSelector", "TextPositionSelector"}
    assert anno["created"] == doc.ingested_at
