"""One line of font-map garbage in a good document (a heading set in a font whose ToUnicode map is
broken): found by what garbage looks like, read with OCR where it is printed, never stored as is.
WeasyPrint makes the PDF, pypdf takes the heading font's map away, the real extractor and Debian's
Tesseract read it."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import NameObject

from ingest import extract_document, quality
from ingest import ocr as ocr_module
from tests import printers

PARA = "雙方同意在平等和尊重的基礎上恢復多項交流機制，具體成果包括以下幾項，各方均表示歡迎並持續關注後續發展。"


@pytest.mark.parametrize(("line", "garbled"), [
    ("3.7 ຍ㶟/⇜ຍ", True), ("ແ㻿", True), ("α၂ہ \u0f6e", True), ("1.9 有෭୍教學ᇟ劾", True),
    ("儔✿㷤僸艃䋧閲", True),  # glyph ids read as code points: rare ideographs
    ("泰國總理 ประยุทธ์ 表示", False), ("阿拉伯文 مرحبا 一詞", False),  # one script, set apart
    ("正常的中文句子。", False), ("饕餮盛宴", False), ("魑魅魍魎", False), ("2.2.1 GNU/Linux", False),
])
def test_what_a_garbled_line_looks_like(line: str, garbled: bool) -> None:
    assert quality.garbled_line(line) is garbled


def _without_map(data: bytes, family: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if family in str(font.get("/BaseFont")):
                font.pop(NameObject("/ToUnicode"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.skipif(not ocr_module.available(), reason="Tesseract with chi_tra, chi_sim and eng is not installed")
def test_headings_in_a_font_without_its_map_are_read_with_ocr(tmp_path: Path) -> None:
    html = ("<html lang='zh-Hant'><head><style>@page { size: A5; margin: 15mm }"
            " body { font-family: 'Noto Serif CJK TC'; font-size: 10pt } h2 { font-family: 'Noto Sans CJK TC' }"
            "</style></head><body><h1>兩岸交流的新階段</h1>"
            f"<p>{PARA * 2}</p><h2>美中峰會的影響</h2><p>{PARA * 3}</p><h2>交流機制的恢復</h2><p>{PARA}</p></body></html>")
    data = _without_map(printers.weasyprint(html, tmp_path), "Sans")
    doc = extract_document(data, filename="headings.pdf")
    headings = [b for b in doc.blocks if b.type == "heading"]
    assert "美中峰會的影響" in [b.text for b in headings]
    assert all(b.source == "ocr" and b.confidence is not None for b in headings)
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == [PARA * 2, PARA * 3, PARA]
    assert {b.source for b in doc.blocks if b.type == "paragraph"} == {"pdfium"}
    assert doc.ocr["lines"] == 2 and "pages" not in doc.ocr
    assert not any(quality.garbled_line(line) for b in doc.blocks for line in b.text.split("\n"))


def test_a_private_use_marker_does_not_make_a_line_garbage() -> None:
    # A font's private-use ① before an exam question: normalising drops it; the line is good.
    assert not quality.garbled_line("\ue129列出虛擬碼中 Q(n)的遞迴關係式，並說明此虛擬碼最終計算的是什麼？")
