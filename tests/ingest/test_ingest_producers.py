"""PDFs made by producers we do not write (LibreOffice, WeasyPrint, Chromium) come back as typeset.

The fixtures in ``tests/fixtures/producers`` were made by
``bench/layout_corpus.py --small``; each ``NAME.truth.json`` holds the blocks
that were typeset, in reading order.  The scoring is ``bench/layout_score.py``'s.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from bench.layout_score import norm, score_case

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "producers"
CASES = sorted(p.name[: -len(".truth.json")] for p in FIXTURES.glob("*.truth.json"))
_HAN_RUN = "[\u3400-\u9fff\uf900-\ufaff]"


def test_the_fixtures_are_there():
    producers = {json.loads((FIXTURES / f"{c}.truth.json").read_text(encoding="utf-8"))["producer"] for c in CASES}
    assert {"libreoffice", "weasyprint", "chromium"} <= producers


@functools.cache
def truth(case: str) -> dict:
    return json.loads((FIXTURES / f"{case}.truth.json").read_text(encoding="utf-8"))


@functools.cache
def scored(case: str) -> dict:
    return score_case((FIXTURES / f"{case}.pdf").read_bytes(), truth(case), filename=f"{case}.pdf")


@pytest.mark.parametrize("case", CASES)
def test_no_sentence_cut_in_two(case):
    r = scored(case)
    assert r["error"] is None, r["error"]
    assert r["cuts"] == 0, "\n".join(f"…{a} | {b}…" for a, b in r["cut_examples"])


@pytest.mark.parametrize("case", CASES)
def test_every_paragraph_is_one_block(case):
    r = scored(case)
    assert r["error"] is None, r["error"]
    missed = "\n".join(p[:40] + "…" for p in r["missed_paragraphs"])
    assert r["paragraphs_exact"] == r["paragraphs"], f"not one block each:\n{missed}"


@pytest.mark.parametrize("case", CASES)
def test_headings_are_typed_headings(case):
    r = scored(case)
    assert r["error"] is None, r["error"]
    assert r["headings"] > 0
    typed = [text for kind, text in r["blocks"] if kind == "heading"]
    missing = [b["text"] for b in truth(case)["blocks"] if b["type"] == "heading" and norm(b["text"]) not in typed]
    assert r["headings_found"] == r["headings"], f"headings not typed heading: {missing}; headings: {typed}"


def printed_lines(pdf: bytes) -> list[list[str]]:
    """Each page's printed lines as PDFium reads them (whitespace removed)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for page in doc:
            text = page.get_textpage().get_text_range()
            pages.append([re.sub(r"\s+", "", line) for line in re.split(r"\r\n|\r|\n", text) if line.strip()])
        return pages
    finally:
        doc.close()


def line_break_phrase(case: str) -> str:
    """A 10-character Han phrase of a truth paragraph that straddles a printed line break.

    Five Han characters end a printed line and five begin the next line on the
    same page, and the ten together occur exactly once in one truth paragraph
    (so the break is inside that paragraph, not between blocks or columns).
    """
    data = (FIXTURES / f"{case}.pdf").read_bytes()
    paragraphs = [re.sub(r"\s+", "", b["text"]) for b in truth(case)["blocks"] if b["type"] == "paragraph"]
    tail, head = re.compile(f"{_HAN_RUN}{{5}}$"), re.compile(f"^{_HAN_RUN}{{5}}")
    for lines in printed_lines(data):
        for first, second in zip(lines, lines[1:], strict=False):
            a, b = tail.search(first), head.search(second)
            if not (a and b):
                continue
            phrase = a.group() + b.group()
            if sum(p.count(phrase) for p in paragraphs) == 1:
                return phrase
    raise AssertionError(f"{case}: no printed line break inside a paragraph between ten Han characters")


@pytest.mark.parametrize("case", CASES)
def test_a_phrase_across_a_line_break_is_in_one_block(case):
    phrase = line_break_phrase(case)
    r = scored(case)
    assert r["error"] is None, r["error"]
    holders = [text for _, text in r["blocks"] if phrase in text]
    assert holders, f"{phrase!r} (across a printed line break) is in no block"


@pytest.mark.parametrize("case", ["writer-small", "weasy-small"])
def test_two_book_pages_on_one_sheet_read_in_order(case, tmp_path):
    """A spread: the fixture's two pages imposed side by side on one sheet, each with its own running
    head and page number, the paragraph that crosses the page break running from the left page on to
    the right one."""
    from bench.layout_corpus import impose_spreads

    sheet = tmp_path / "spread.pdf"
    impose_spreads(FIXTURES / f"{case}.pdf", sheet, first_alone=False)
    doc = pdfium.PdfDocument(sheet)
    assert len(doc) == 1 and doc[0].get_width() > doc[0].get_height()
    r = score_case(sheet.read_bytes(), truth(case), filename="spread.pdf")
    assert r["error"] is None, r["error"]
    assert r["cuts"] == 0, "\n".join(f"…{a} | {b}…" for a, b in r["cut_examples"])
    assert r["paragraphs_exact"] == r["paragraphs"], r["missed_paragraphs"]
    assert r["tau"] == 1.0
