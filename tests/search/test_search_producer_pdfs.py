"""A phrase printed across a line or page break in a PDF made by another producer is found.

The fixtures are real PDFs from LibreOffice, WeasyPrint and Chromium (see
``tests/fixtures/producers``).  For each, phrases that straddle a printed
line break are taken from PDFium's own line breaks (its raw text, not our
layout), the PDF is ingested, indexed in a real Whoosh index, and searched
as an exact phrase: the passage that holds it must be found.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from archive.passages import assign_ids
from archive.search import search
from ingest import extract_document

from .conftest import DictSource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "producers"
CASES = sorted(p.name[: -len(".truth.json")] for p in FIXTURES.glob("*.truth.json"))
_HAN = re.compile(r"[\u4e00-\u9fff]")


def straddling_phrases(pdf: bytes, truth_text: str, limit: int = 6) -> list[str]:
    """Phrases of 4 + 4 ideographs around a printed line break, that occur in the truth's paragraphs."""
    doc = pdfium.PdfDocument(pdf)
    lines: list[str] = []
    try:
        for page in doc:
            text = page.get_textpage().get_text_range()
            lines += [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]
    finally:
        doc.close()
    found = []
    for a, b in zip(lines, lines[1:], strict=False):
        tail, head = a[-4:], b[:4]
        phrase = tail + head
        if len(phrase) == 8 and all(_HAN.match(ch) for ch in phrase) and phrase in truth_text:
            found.append(phrase)
    return found[:limit]


@pytest.mark.parametrize("case", CASES)
def test_phrase_across_a_printed_line_break_is_found(case, build):
    pdf = (FIXTURES / f"{case}.pdf").read_bytes()
    truth = json.loads((FIXTURES / f"{case}.truth.json").read_text(encoding="utf-8"))
    paragraphs = "\n".join(re.sub(r"\s+", "", b["text"]) for b in truth["blocks"] if b["type"] == "paragraph")
    phrases = straddling_phrases(pdf, paragraphs)
    assert phrases, "the fixture has paragraphs printed over several lines"
    doc = extract_document(pdf, filename=f"{case}.pdf")
    doc.doc_id = case
    assign_ids(doc)
    index, source = build([doc])
    for phrase in phrases:
        result = search(index, DictSource([doc]), f'"{phrase}"')
        assert result["total"] == 1, phrase
        texts = {b.id: re.sub(r"\s+", "", b.text) for b in doc.blocks}
        assert any(phrase in texts[p["id"]] for p in result["hits"][0]["passages"]), phrase
