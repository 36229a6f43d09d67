"""OCR: scanned pages and broken text layers become text, page by page, with provenance and
confidence; garbage never reaches stored text.  Real Tesseract (Debian's), real PDFium rendering,
pages drawn with a real CJK font by ``tests/scans.py``."""

from __future__ import annotations

import io

import pypdf
import pytest
from pypdf.generic import NameObject, TextStringObject

from bench.ocr_bench import cer
from ingest import IngestError, extract_document
from ingest import ocr as ocr_module
from ingest.normalize import normalize_line
from tests import pdfgen, scans

pytestmark = pytest.mark.skipif(not ocr_module.available(),
                                reason="Tesseract with chi_tra, chi_sim and eng is not installed (make setup)")

TRAD = ["兩岸關係在美中峰會之後出現新的變化，", "各方均表示歡迎並持續關注後續發展。"]
SIMP = ["两岸关系在美中峰会之后出现新的变化，", "各方均表示欢迎并持续关注后续发展。"]


def _text(doc) -> str:
    return "".join(b.text for b in doc.blocks)


def test_a_scanned_traditional_page_is_read_with_the_traditional_model():
    doc = extract_document(scans.scan_pdf(TRAD, "Traditional"), filename="scan.pdf")
    assert doc.ocr["pages"] == [1] and doc.ocr["languages"]["1"].startswith("chi_tra")
    assert cer("".join(TRAD), _text(doc)) <= 0.05
    assert all(b.source == "ocr" and b.confidence is not None for b in doc.blocks)
    assert doc.ocr["confidence"] >= 70
    assert doc.to_dict()["blocks"][0]["source"] == "ocr"


def test_a_scanned_simplified_page_is_read_with_the_simplified_model():
    doc = extract_document(scans.scan_pdf(SIMP, "Simplified"), filename="scan.pdf")
    assert doc.ocr["languages"]["1"].startswith("chi_sim")
    assert cer("".join(SIMP), _text(doc)) <= 0.05
    assert doc.meta("script") == "Simplified"


def test_a_simplified_scan_keeps_its_corner_brackets():
    # (the Simplified model reads 「 」 as [ 【 | 上 or drops them; the Traditional reading has them)
    lines = ["双方同意在「平等和尊重」的基础上恢复交流，", "并称之为「新的起点」，各方表示欢迎。"]
    doc = extract_document(scans.scan_pdf(lines, "Simplified", dpi=300), filename="scan.pdf")
    assert doc.ocr["languages"]["1"].startswith("chi_sim")
    text = _text(doc)
    assert (text.count("「"), text.count("」")) == (2, 2)
    assert cer("".join(lines), text) <= 0.05


def test_a_skewed_scan_of_one_paragraph_is_read_as_one_paragraph():
    para = ("雙方同意在平等和尊重的基礎上，恢復兩軍高層溝通、國防部工作會晤與海上軍事安全磋商機制會議，"
            "並開展戰區領導通話；各方均表示歡迎，並持續關注後續的發展與落實的情形。") * 2
    lines = scans.paragraph_lines(para, dpi=300)
    page = scans.skewed(scans.page_image(lines, dpi=300), 0.8)
    doc = extract_document(scans.image_pdf([page], 300), filename="skewed.pdf")
    assert [b.type for b in doc.blocks] == ["paragraph"]
    assert cer(para, _text(doc)) <= 0.05


@pytest.mark.parametrize(("lines", "script", "model"), [
    (TRAD * 3, "Traditional", ocr_module.TRADITIONAL), (SIMP * 3, "Simplified", ocr_module.SIMPLIFIED)])
def test_a_sample_of_the_lines_read_with_both_models_chooses_the_script(tmp_path, lines, script, model):
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(scans.scan_pdf(lines, script))[0]
    assert ocr_module._sample_script(page, ocr_module.OcrSettings(), tmp_path) == model


def test_a_sample_that_cannot_tell_the_script_leaves_it_to_both_full_readings(tmp_path):
    import pypdfium2 as pdfium

    latin = ["Both sides agreed to resume talks on an equal footing.", "The meeting was held in 2023."] * 3
    page = pdfium.PdfDocument(scans.scan_pdf(latin))[0]
    assert ocr_module._sample_script(page, ocr_module.OcrSettings(), tmp_path) is None


def test_a_mixed_document_keeps_its_text_layer_and_reads_its_scan(tmp_path):
    text_page = pdfgen.commentary_pdf(tmp_path / "t.pdf", title="美中峰會後的兩岸情勢",
                                      paragraphs=["雙方同意在平等和尊重的基礎上恢復多項交流機制。" * 3]).read_bytes()
    doc = extract_document(scans.concatenate(text_page, scans.scan_pdf(TRAD)), filename="mixed.pdf")
    assert doc.ocr["pages"] == [2]
    assert {b.source for b in doc.blocks if b.pages == [1]} == {"pdfium"}
    assert {b.source for b in doc.blocks if b.pages == [2]} == {"ocr"}
    assert doc.meta("title") == "美中峰會後的兩岸情勢"


def test_a_font_without_tounicode_is_read_from_its_glyphs(tmp_path):
    para = "雙方同意在平等和尊重的基礎上恢復多項交流機制，各方均表示歡迎並持續關注後續發展。"
    data = pdfgen.commentary_pdf(tmp_path / "t.pdf", title="兩岸交流機制", paragraphs=[para]).read_bytes()
    doc = extract_document(scans.without_tounicode(data), filename="broken.pdf")
    assert doc.ocr["pages"] == [1]
    assert cer("兩岸交流機制" + para, _text(doc)) <= 0.05
    assert "，" in _text(doc)  # full-width, as typed (Tesseract writes an ASCII comma)


def test_a_turned_scan_is_read_the_right_way_up():
    doc = extract_document(scans.scan_pdf(TRAD, turn=90), filename="turned.pdf")
    assert cer("".join(TRAD), _text(doc)) <= 0.05


def test_an_ocr_timeout_names_the_limit():
    with pytest.raises(IngestError) as info:
        extract_document(scans.scan_pdf(TRAD), filename="slow.pdf",
                         ocr=ocr_module.OcrSettings(page_timeout=0.001))
    assert "per-page limit" in info.value.reason


def test_control_characters_and_noncharacters_never_reach_text_or_title(tmp_path):
    data = pdfgen.commentary_pdf(tmp_path / "t.pdf", title="兩岸交流機制",
                                 paragraphs=["雙方同意在平等和尊重的基礎上恢復多項交流機制。" * 3]).read_bytes()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.add_metadata({"/Title": TextStringObject("兩岸\x85交流\uffff機制\x07")})
    writer._info.get_object()[NameObject("/Author")] = TextStringObject("王\ufdd0小明")
    out = io.BytesIO()
    writer.write(out)
    doc = extract_document(out.getvalue(), filename="controls.pdf")
    assert doc.meta("title") == "兩岸交流機制"
    everything = _text(doc) + "".join(f.value for f in doc.metadata.values())
    assert not any(0x80 <= ord(c) < 0xA0 or ord(c) < 0x20 and c not in "\n\t" or c in "\ufffe\uffff\ufdd0"
                   for c in everything)
    assert normalize_line("a\x85b\ufffec\U0010ffff\ue000d") == "abcd"


@pytest.mark.parametrize(("read", "meant"), [
    ("對話」,隨後美方", "對話」，隨後美方"), ("地表示[中國終將統一],而", "地表示「中國終將統一」，而"),
    ("稱為[九二共識]", "稱為「九二共識」"), ("在2023年,拜登", "在2023年，拜登"),
    ("歐巴馬(Barack Obama),", "歐巴馬(Barack Obama),"), ("見[1]", "見[1]"), ("a,b; c", "a,b; c"),
    ("比例為3:1", "比例為3:1"), ("」戰略,2017年", "」戰略，2017年"),
])
def test_tesseracts_ascii_marks_between_ideographs_become_the_full_width_ones(read, meant):
    assert ocr_module.cjk_punctuation(read) == meant


@pytest.mark.skipif(not ocr_module.vertical_available(),
                    reason="Tesseract's vertical Chinese models are not installed (make setup)")
@pytest.mark.parametrize(("script", "columns", "model"), [
    ("Traditional", ["兩岸關係在美中峰會之後出現新的變化，", "各方均表示歡迎並持續關注後續發展。"], "chi_tra_vert"),
    ("Simplified", ["两岸关系在美中峰会之后出现新的变化，", "各方均表示欢迎并持续关注后续发展。"], "chi_sim_vert"),
])
def test_a_page_set_in_columns_is_read_with_the_vertical_model(script, columns, model):
    doc = extract_document(scans.image_pdf([scans.vertical_page_image(columns, script)]), filename="vertical.pdf")
    assert doc.ocr["languages"]["1"] == model
    assert cer("".join(columns), _text(doc)) <= 0.05  # columns right to left, as they are read
    assert doc.blocks and all(b.source == "ocr" for b in doc.blocks)
