"""Bad input: one-line reasons, the right one for each case, never another exception type."""

from __future__ import annotations

import io

import pypdf
import pytest

from ingest import IngestError, extract_document
from tests import pdfgen


def reason(data: bytes, **kwargs) -> str:
    with pytest.raises(IngestError) as info:
        extract_document(data, **kwargs)
    text = str(info.value)
    assert "\n" not in text and text == info.value.reason
    return text


def encrypt(data: bytes, user: str, owner: str = "owner-pw") -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("bad") / "good.pdf"
    return pdfgen.commentary_pdf(
        path, title="兩岸關係的新局", author="王小明", affiliation="遠景基金會研究員",
        paragraphs=["這是一段足夠長的正文，用來測試擷取程式在各種損壞情況下的行為是否正確。" * 4] * 3,
    ).read_bytes()


def test_not_a_pdf():
    assert reason(b"<html><body>hello</body></html>") == "not a PDF (no %PDF header)"


def test_zero_bytes():
    assert reason(b"") == "empty file"


def test_over_the_size_cap(good):
    got = reason(good, max_bytes=1000)
    assert got.startswith("too large: ") and got.endswith("(limit 0.0 MB)")
    assert extract_document(good, max_bytes=len(good)).page_count == 1


def test_truncated_pdf_is_recovered_or_refused_as_corrupt(good):
    # Without its xref and trailer the file is damaged; non-strict parsing (or PDFium) recovers it.
    doc = extract_document(good[: good.rfind(b"xref")])
    assert doc.meta("title") == "兩岸關係的新局"
    # Cut inside the first object: nothing to recover.
    assert reason(good[:40]).startswith("corrupt PDF: ")


def test_garbage_after_the_header_is_corrupt():
    assert reason(b"%PDF-1.7\n" + bytes(range(256)) * 20).startswith("corrupt PDF: ")


def test_encrypted_with_empty_user_password_opens(good):
    doc = extract_document(encrypt(good, user=""))
    assert doc.meta("author") == "王小明"


def test_encrypted_needs_password(good):
    assert reason(encrypt(good, user="s3cret")) == "encrypted: give --password"


def test_wrong_password(good):
    assert reason(encrypt(good, user="s3cret"), password="nope") == "wrong password"


def test_right_password(good):
    doc = extract_document(encrypt(good, user="s3cret"), password="s3cret")
    assert doc.meta("title") == "兩岸關係的新局"


def test_no_text_layer(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):  # a "scan": pages with only a picture-like fill
        pdf.add_page()
        pdf.set_fill_color(120, 120, 120)
        pdf.rect(20, 20, 170, 250, style="F")
    from ingest import ocr

    want = "no text layer, and OCR found no text on its 2 pages" if ocr.available() else "no text layer (needs OCR)"
    assert reason(bytes(pdf.output())) == want


def test_junk_before_header_is_still_a_pdf(good):
    doc = extract_document(b"\x0a\xa0\xa4\x03" + good)
    assert doc.meta("title") == "兩岸關係的新局"


def test_a_lone_surrogate_in_a_font_map_never_breaks_ingest() -> None:
    """A font whose ToUnicode map yields a lone UTF-16 surrogate: pypdf's text carries it;
    normalised text and the sandbox's answer carry U+FFFD or nothing, and both encode."""
    import json

    from ingest.normalize import normalize_page
    from ingest.sandbox import ExtractorPool
    from tests.ingest.surrogate_pdf import surrogate_pdf

    data = surrogate_pdf()
    raw = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "\ud800" in raw  # the fixture is what it claims
    lines = normalize_page(raw)
    assert lines and "\ud800" not in "".join(lines) and "\ufffd" in "".join(lines)
    "\n".join(lines).encode()
    with ExtractorPool(1, timeout=60, memory_mb=1024) as pool:
        doc = pool.extract(data, filename="surrogate.pdf")
    json.dumps(doc.to_dict(), ensure_ascii=False).encode()
    assert any("fox" in b.text for b in doc.blocks)
