"""The sandbox gives the same results as in-process extraction, within its limits;
the real PDFs of ../shared/pdfs (when present) each end in the right outcome."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from ingest import IngestError
from ingest.errors import IngestTimeout
from ingest.sandbox import extract_in_subprocess
from tests import pdfgen

ROOT = Path(__file__).resolve().parents[2]


def test_sandbox_returns_the_same_document(seed_pdfs, seed_docs):
    doc = extract_in_subprocess(seed_pdfs["header"], filename="header.pdf")
    assert doc.to_dict() == seed_docs["header"].to_dict()


def test_sandbox_passes_errors_through():
    with pytest.raises(IngestError) as info:
        extract_in_subprocess(b"hello, not a pdf")
    assert info.value.reason == "not a PDF (no %PDF header)"


def test_sandbox_time_limit(seed_pdfs):
    # no real extraction takes less than 10 ms
    with pytest.raises(IngestTimeout) as info:
        extract_in_subprocess(seed_pdfs["header"], timeout=0.01)
    assert info.value.reason == "timed out after 0.01 s"


def bomb_pdf(megabytes: int) -> bytes:
    """A real one-page PDF whose content stream inflates to ``megabytes`` of spaces."""
    content = zlib.compress(b" " * (megabytes << 20) + b"BT /F1 12 Tf 72 720 Td (hello) Tj ET", 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"]
    return pdfgen.assemble(objs)


def test_sandbox_memory_limit():
    with pytest.raises(IngestError) as info:
        extract_in_subprocess(bomb_pdf(60), memory_mb=16)
    assert info.value.reason.startswith("out of memory (limit 16 MB")


SHARED = Path(os.environ.get("ARCHIVE_SHARED_PDFS", ROOT.parent / "shared" / "pdfs"))


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present (set ARCHIVE_SHARED_PDFS)")
def test_shared_pdfs_end_in_the_right_outcome():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_pdfs.py"), str(SHARED)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_fuzz_script_smoke(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fuzz_ingest.py"), "--seed", "1", "--count", "12",
         "--timeout", "20", str(ROOT / "tests" / "fixtures")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "crashes 0" in result.stdout and "hangs 0" in result.stdout
