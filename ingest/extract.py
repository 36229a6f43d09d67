"""Getting page texts and document info out of PDF bytes, with either extractor.

pypdf is the primary extractor; pypdfium2 (PDFium) is the second opinion that
the quality gate asks when pypdf's text looks wrong, and the recovery path
when pypdf cannot open a damaged file at all.  Everything the libraries raise
is turned into :class:`IngestError` here, so the rest of ingest works on
plain strings.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from typing import Any

import pypdf
import pypdfium2 as pdfium
from pypdf.generic import IndirectObject

from .errors import IngestError, one_line

_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe


@dataclass
class PdfText:
    """One extractor's view of a PDF: raw page texts, Info fields, problems met."""

    extractor: str
    pages: list[str]
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)


def _detail(exc: BaseException) -> str:
    text = one_line(str(exc), 120)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_header(data: bytes) -> None:
    """Refuse what is not a PDF before any parser sees it (readers allow junk in the first KB)."""
    if not data:
        raise IngestError("empty file")
    if b"%PDF-" not in data[:1024]:
        raise IngestError("not a PDF (no %PDF header)")


def _decrypt(reader: pypdf.PdfReader, password: str | None) -> None:
    """Empty user password first; then the given one; a clear reason otherwise."""
    try:
        if reader.decrypt(""):
            return
        if password is None:
            raise IngestError("encrypted: give --password")
        if not reader.decrypt(password):
            raise IngestError("wrong password")
    except IngestError:
        raise
    except Exception as exc:  # unsupported algorithm, missing dependency, broken /Encrypt
        raise IngestError(f"encrypted: cannot decrypt ({_detail(exc)})") from exc


def open_pypdf(data: bytes, password: str | None) -> pypdf.PdfReader:
    """A decrypted, non-strict reader; ``IngestError`` for encryption problems.

    Other exceptions propagate so the caller can try recovery with PDFium.
    """
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        _decrypt(reader, password)
    return reader


def _info_value(value: Any) -> Any:
    if isinstance(value, IndirectObject):
        value = value.get_object()
    original = getattr(value, "original_bytes", None)
    if isinstance(value, str):
        return {"text": str(value), "bytes": original}
    return None


def pypdf_info(reader: pypdf.PdfReader) -> dict[str, Any]:
    """Info dictionary and XMP fields as ``{"Title": {"text", "bytes"}, ..., "xmp_*": str}``."""
    info: dict[str, Any] = {}
    try:
        raw = reader.trailer.get("/Info")
        raw = raw.get_object() if raw is not None else None
        if isinstance(raw, dict):
            for key in ("/Title", "/Author", "/CreationDate", "/ModDate", "/Producer", "/Creator"):
                if key in raw:
                    value = _info_value(raw[key])
                    if value is not None:
                        info[key[1:]] = value
    except Exception as exc:
        info["error"] = _detail(exc)
    try:
        xmp = reader.xmp_metadata
        if xmp is not None:
            title = xmp.dc_title or {}
            if isinstance(title, dict) and title:
                info["xmp_title"] = title.get("x-default") or next(iter(title.values()))
            creators = xmp.dc_creator or []
            if creators:
                info["xmp_author"] = "、".join(str(c) for c in creators)
            for attr, key in (("xmp_create_date", "xmp_created"), ("xmp_modify_date", "xmp_modified")):
                value = getattr(xmp, attr, None)
                if value is not None:
                    info[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
            if xmp.pdf_producer:
                info["xmp_producer"] = str(xmp.pdf_producer)
    except Exception:  # malformed XMP is common and never fatal
        pass
    return info


def pypdf_text(reader: pypdf.PdfReader) -> PdfText:
    """Page texts from pypdf; a page that fails becomes '' with a warning."""
    pages: list[str] = []
    warnings: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            pages.append(page.extract_text() or "")
        except Exception as exc:  # includes RecursionError and pypdf's LimitReachedError
            pages.append("")
            warnings.append(f"pypdf page {number}: {_detail(exc)}")
    return PdfText("pypdf", pages, pypdf_info(reader), warnings)


def pdfium_text(data: bytes, password: str | None) -> PdfText:
    """Page texts and Info from PDFium; ``IngestError`` if it cannot open the file."""
    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data, password=password)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise IngestError("wrong password" if password else "encrypted: give --password") from exc
            raise IngestError(f"corrupt PDF: {_detail(exc)}") from exc
        pages: list[str] = []
        warnings: list[str] = []
        try:
            for index in range(len(doc)):
                try:
                    page = doc[index]
                    textpage = page.get_textpage()
                    pages.append(textpage.get_text_range())
                    textpage.close()
                    page.close()
                except Exception as exc:
                    pages.append("")
                    warnings.append(f"pypdfium2 page {index + 1}: {_detail(exc)}")
            info: dict[str, Any] = {}
            try:
                for key, value in doc.get_metadata_dict(skip_empty=True).items():
                    if key in ("Title", "Author", "CreationDate", "ModDate", "Producer", "Creator"):
                        info[key] = {"text": value, "bytes": None}
            except Exception:
                pass
        finally:
            doc.close()
    # PDFium marks a hyphen it generated at a line end with U+FFFE (or U+0002).
    pages = [p.replace("\ufffe", "-").replace("\x02", "-") for p in pages]
    return PdfText("pypdfium2", pages, info, warnings)
