"""``archive reocr``: a stored original read again with OCR becomes the document's next version,
passage ids of unchanged text kept.  Real Tesseract, real PDFium, a real instance on disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archive.service import Archive, ServiceError
from ingest import ocr as ocr_module
from tests import pdfgen, scans

ROOT = Path(__file__).resolve().parents[2]
SIMP = ["两岸关系在美中峰会之后出现新的变化，", "各方均表示欢迎并持续关注后续发展。"]

needs_ocr = pytest.mark.skipif(not ocr_module.available(),
                               reason="Tesseract with chi_tra, chi_sim and eng is not installed (make setup)")


def _cli(instance: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archive.cli", "--instance", str(instance), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


@needs_ocr
def test_reocr_with_another_model_makes_a_version_and_back_again_restores_the_ids(tmp_path) -> None:
    archive = Archive(tmp_path / "i")
    try:
        data = scans.scan_pdf(SIMP, "Simplified")
        first = archive.ingest_bytes(data, "scan.pdf")
        doc_id = first.doc_id
        v1 = archive.get_document(doc_id)
        assert v1.ocr["languages"]["1"].startswith("chi_sim")

        forced = archive.reocr(doc_id, language="tra")
        assert (forced.status, forced.version) == ("updated", 2)
        v2 = archive.get_document(doc_id)
        assert v2.ocr["languages"]["1"].startswith("chi_tra") and v2.sha256 == v1.sha256
        assert archive.store.original_path(v2.sha256).read_bytes() == data  # one original, kept as is

        again = archive.reocr(doc_id)  # both models, the surer kept: Simplified, as at first
        v3 = archive.get_document(doc_id)
        assert again.version == 3 and v3.ocr["languages"]["1"].startswith("chi_sim")
        assert [b.id for b in v3.blocks] == [b.id for b in v1.blocks]  # same text, same ids
        # (counted against the version before, the Traditional reading, whose text differs)
        assert again.warnings[0] == f"0 of {len(v3.blocks)} passages kept their ids"
        for block in v1.blocks:  # every permalink of the first reading still resolves
            assert archive.resolve_passage(block.id)["doc_id"] == doc_id
        assert sorted(v["version"] for v in archive.document_versions(doc_id)) == [1, 2, 3]
        # the index holds the current reading
        assert archive.search("两岸关系")["total"] == 1
    finally:
        archive.close()


@needs_ocr
def test_reocr_reads_only_the_scanned_pages_of_a_mixed_document(tmp_path) -> None:
    text_page = pdfgen.commentary_pdf(tmp_path / "t.pdf", title="美中峰會後的兩岸情勢",
                                      paragraphs=["雙方同意在平等和尊重的基礎上恢復多項交流機制。" * 3]).read_bytes()
    data = scans.concatenate(text_page, scans.scan_pdf(SIMP, "Simplified"))
    archive = Archive(tmp_path / "i")
    try:
        doc_id = archive.ingest_bytes(data, "mixed.pdf").doc_id
        before = archive.get_document(doc_id)
        out = archive.reocr(doc_id, language="tra")
        after = archive.get_document(doc_id)
        assert out.version == 2 and after.ocr["pages"] == [2]
        page_one = lambda d: [(b.id, b.text, b.source) for b in d.blocks if b.pages == [1]]  # noqa: E731
        assert page_one(after) == page_one(before) and page_one(after)
        assert {b.source for b in after.blocks if b.pages == [2]} == {"ocr"}
    finally:
        archive.close()


def test_reocr_refuses_what_it_cannot_do_in_one_line(tmp_path) -> None:
    archive = Archive(tmp_path / "i")
    try:
        born_digital = pdfgen.commentary_pdf(tmp_path / "t.pdf", title="臺灣的能源轉型",
                                             paragraphs=["臺灣的能源政策正在轉型，離岸風電是重點。"]).read_bytes()
        doc_id = archive.ingest_bytes(born_digital, "t.pdf").doc_id
        with pytest.raises(ServiceError, match="no page of it was read with OCR; name pages with --pages"):
            archive.reocr(doc_id)
        with pytest.raises(ServiceError, match=r"page 9 is not in the document \(it has 1 pages\)"):
            archive.reocr(doc_id, pages=[9])
        with pytest.raises(ServiceError, match="no document nosuch; see archive list"):
            archive.reocr("nosuch")
        with pytest.raises(ServiceError, match="--lang klingon: use one of auto, tra, sim"):
            archive.reocr(doc_id, language="klingon")
        assert archive.store.current_version(doc_id) == 1
    finally:
        archive.close()


def test_the_reocr_command_states_errors_without_a_traceback(tmp_path) -> None:
    instance = tmp_path / "i"
    pdf = pdfgen.commentary_pdf(tmp_path / "t.pdf", title="臺灣的能源轉型", paragraphs=["離岸風電是重點。"])
    assert _cli(instance, "ingest", str(pdf)).returncode == 0
    missing = _cli(instance, "reocr", "nosuch")
    assert missing.returncode == 1 and missing.stderr.strip().endswith("no document nosuch; see archive list")
    bad = _cli(instance, "reocr", "nosuch", "--pages", "3-1")
    assert bad.returncode == 2 and "--pages '3-1': write page numbers like 3 or 2-5,8" in bad.stderr
    assert "Traceback" not in missing.stderr + bad.stderr


@needs_ocr
def test_the_reocr_command_prints_the_new_version(tmp_path) -> None:
    instance = tmp_path / "i"
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scans.scan_pdf(SIMP, "Simplified"))
    assert _cli(instance, "ingest", str(scan)).returncode == 0
    doc_id = Archive(instance).list_documents()[0]["id"]
    r = _cli(instance, "reocr", doc_id, "--lang", "sim", "--pages", "1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"scan.pdf: updated {doc_id} v2"
    assert "passages kept their ids" in r.stderr
