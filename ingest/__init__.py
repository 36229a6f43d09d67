"""PDF bytes in, :class:`archive.models.Document` out: text rebuilt as the author wrote it.

The pipeline (each step in its own module):

1. :mod:`ingest.extract` — refuse non-PDFs, decrypt, get page texts with pypdf
   (or PDFium when pypdf cannot open a damaged file);
2. :mod:`ingest.quality` — score the text; ask PDFium for a second opinion when
   it looks like font-map garbage; refuse garbage and text-less scans;
3. :mod:`ingest.normalize` — NFC, radical look-alikes, stray CJK spaces;
4. :mod:`ingest.layout` — page furniture, paragraph joins, block types, from
   the lines' geometry (position, type size) where the extractor gives it;
5. :mod:`ingest.metadata` — Info/XMP and text fields, each with provenance.

Bad input raises :class:`IngestError` with a one-line reason and nothing else.
:mod:`ingest.sandbox` runs the same function in a resource-limited child.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Callable, Collection
from typing import Any

from archive.models import METADATA_KEYS, Document, Field

from . import layout, metadata, quality
from . import ocr as ocr_module
from .errors import IngestError
from .extract import (
    PdfText,
    check_header,
    open_pypdf,
    page_tree,
    pdfium_text,
    place,
    pypdf_info,
    pypdf_text,
)
from .normalize import normalize_line
from .ocr import OcrSettings

__all__ = ["extract_document", "IngestError"]

#: Fewer non-space characters per page than this, in every extractor: a scan.
MIN_CHARS_PER_PAGE = 5
#: A page tree deeper than this is named as the reason no page could be read (real files have a
#: few levels; pypdf gives up past 100, PDFium past about 1,000).
DEEP_PAGE_TREE = 32


def _size(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MB"  # MB as the settings count them (max_upload_mb * 1024 * 1024)


def _read_pdfium(data: bytes, password: str | None) -> tuple[PdfText | None, IngestError | None]:
    """PDFium's text and glyph geometry, read once per document; or why PDFium could not open it."""
    try:
        return pdfium_text(data, password), None
    except IngestError as exc:
        return None, exc


def _pypdf_or_recovery(data: bytes, password: str | None,
                       pdfium: tuple[PdfText | None, IngestError | None] | None = None) -> tuple[PdfText, list[str]]:
    """pypdf's text; if pypdf cannot open the file, PDFium's (``pdfium``, if already read) as recovery."""
    try:
        reader = open_pypdf(data, password)
        return pypdf_text(reader), []
    except IngestError:
        raise
    except Exception as exc:  # anything pypdf raises on a damaged file
        detail = f"{type(exc).__name__}: {exc}"
    recovered, error = pdfium if pdfium is not None else _read_pdfium(data, password)
    if error is not None:
        if error.reason.startswith(("encrypted", "wrong password")):
            raise error
        raise IngestError(f"corrupt PDF: {detail}") from None
    if recovered is None or not recovered.pages:
        raise IngestError(f"corrupt PDF: {detail}")
    return recovered, [f"recovered with pypdfium2 (pypdf: {detail})"]


def _choose(data: bytes, password: str | None, first: PdfText,
            second: PdfText | None = None) -> tuple[PdfText, quality.Quality, list[str]]:
    """The quality gate: keep pypdf's text unless PDFium's (``second``, if already read) is clearly better."""
    text = "\n".join(first.pages)
    verdict = quality.score(text)
    sparse = verdict.chars < MIN_CHARS_PER_PAGE * max(1, first.page_count)
    if first.extractor == "pypdfium2" or (verdict.score >= quality.GOOD and not sparse and not first.warnings):
        return first, verdict, []
    if second is None:
        second, _ = _read_pdfium(data, password)
        if second is None:
            return first, verdict, []
    other = quality.score("\n".join(second.pages))
    better = other.score > verdict.score + 0.02 or (sparse and other.chars > verdict.chars) or (
        first.warnings and not second.warnings and other.chars > verdict.chars)
    if better and other.chars > 0:
        second.info = first.info or second.info
        note = f"pypdf text scored {verdict.score:.2f}; kept pypdfium2's ({other.score:.2f})"
        return second, other, [note]
    return first, verdict, []


def _pdfium_first(data: bytes, password: str | None, text: PdfText | None) -> quality.Quality | None:
    """The gate's verdict on PDFium's text, when it passes on its own (then it is kept); else None.

    Measured against poppler's pdftotext on the real PDFs of the shared set
    (``scripts/extractor_agreement.py``), PDFium reads the characters at least
    as well as pypdf in every file, better where fonts lack a usable
    ToUnicode map, and faster; and only it places every glyph.  So PDFium
    reads first; pypdf reads the Info and XMP metadata, and the whole text
    when PDFium's fails the gate (then the better of the two is kept).
    """
    if text is None or not text.pages or text.warnings or any(lines is None for lines in text.lines):
        return None  # a page PDFium could not read or place: let the full gate decide
    verdict = quality.score("\n".join(text.pages))
    if verdict.score < quality.GOOD or verdict.chars < MIN_CHARS_PER_PAGE * max(1, text.page_count):
        return None
    with contextlib.suppress(Exception):  # pypdf cannot open it: PDFium's Info fields stand
        text.info = pypdf_info(open_pypdf(data, password)) or text.info
    return verdict


def extract_document(data: bytes, *, password: str | None = None, filename: str = "",
                     max_bytes: int | None = None, ocr: OcrSettings | None = None,
                     force_ocr: bool | Collection[int] = False,
                     progress: Callable[[str], None] | None = None,
                     ocr_deadline: float | None = None) -> Document:
    """Extract one PDF into a Document; raise ``IngestError`` (one-line reason) for bad input.

    Pages without a usable text layer are OCR'd when Tesseract is installed (``ocr`` settles
    the resolution, models and per-page time limit; ``force_ocr`` reads every page from its
    image, or the given 1-based pages, as ``archive reocr`` does); ``progress`` hears "OCR page
    3 of 40".
    """
    if not data:
        raise IngestError("empty file")
    if max_bytes is not None and len(data) > max_bytes:
        raise IngestError(f"too large: {_size(len(data))} (limit {_size(max_bytes)})")
    check_header(data)
    pdfium = _read_pdfium(data, password)
    placed = pdfium[0]
    verdict_first = _pdfium_first(data, password, placed)
    if placed is not None and verdict_first is not None:
        chosen, verdict = placed, verdict_first
        warnings = list(chosen.warnings)
    else:
        first, warnings = _pypdf_or_recovery(data, password, pdfium)
        chosen, verdict, notes = _choose(data, password, first, placed)
        warnings += chosen.warnings + notes
    no_text = verdict.chars < MIN_CHARS_PER_PAGE * max(1, chosen.page_count)
    if no_text and (not chosen.pages or len(chosen.unread) >= chosen.page_count):
        raise _no_pages(data, password, warnings)
    geometry = chosen.lines
    if chosen is not placed and placed is not None:  # pypdf's text, placed by PDFium's glyph boxes
        geometry = place(placed.lines, chosen.pages, chosen.lines)
    pages_text = list(chosen.pages)
    geometry = list(geometry) + [None] * (len(pages_text) - len(geometry))
    # (a document that passes the gate as a whole is only searched for blank pages: scoring every
    # page again would cost as much as the gate itself)
    if force_ocr is True:
        forced = set(range(len(pages_text)))
    else:
        forced = {n - 1 for n in (force_ocr or ()) if 1 <= n <= len(pages_text)}
    wanted = sorted(forced) if forced else [
        i for i, text in enumerate(pages_text)
        if (_blank(text) if verdict.score >= quality.GOOD else _page_needs_ocr(text, verdict.score))]
    ocr_info: dict[str, Any] = {}
    if wanted and ocr_module.available():
        read, missing = ocr_module.read_pages(data, password, wanted, ocr, progress, ocr_deadline)
        for index, page in read.items():
            pages_text[index], geometry[index] = page.text, page.lines
        for index in missing:
            if not _blank(pages_text[index]) and quality.score(pages_text[index]).score < quality.ACCEPT:
                pages_text[index], geometry[index] = "", []  # garbage that OCR could not replace
        if read or missing:
            conf = [p.confidence for p in read.values()]
            ocr_info = {
                "pages": sorted(i + 1 for i in read),
                "confidence": round(sum(conf) / len(conf), 1) if conf else None,
                "languages": {str(i + 1): p.languages for i, p in sorted(read.items())},
                "missing": {str(i + 1): why for i, why in sorted(missing.items())
                            if not _blank(chosen.pages[i]) or why != "OCR found no text"},
            }
        if not read and all(_blank(t) for t in pages_text):
            failures = sorted({why for why in missing.values() if why != "OCR found no text"})
            if failures:
                raise IngestError(f"no text layer, and OCR failed: {'; '.join(failures)}")
            n = len(pages_text)
            raise IngestError(f"no text layer, and OCR found no text on {'its page' if n == 1 else f'its {n} pages'}")
        verdict = quality.score("\n".join(pages_text))
    elif no_text:
        raise IngestError("no text layer (needs OCR)")  # Tesseract is not installed
    if verdict.score < quality.ACCEPT:
        raise IngestError(
            f"unreadable text layer: {verdict.summary()} (quality {verdict.score:.2f}; "
            "font without a usable ToUnicode map?)"
        )
    ocr_lines = _read_garbled_lines(data, password, pages_text, geometry, set(ocr_info.get("pages", [])),
                                    ocr, ocr_deadline, warnings)
    if ocr_lines:
        ocr_info["lines"] = ocr_lines
    pages, running = layout.strip_furniture(layout.page_lines(pages_text, geometry))
    typed = layout.type_blocks(layout.build_paragraphs(pages), running)
    _mark_sources(typed.blocks, chosen.extractor, ocr_info, geometry)
    fields = _fields(chosen, typed)
    return Document(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        page_count=chosen.page_count,
        blocks=typed.blocks,
        metadata=fields,
        extractor=chosen.extractor,
        quality=verdict.score,
        filename=filename,
        warnings=warnings,
        layout="structure" if typed.structure else "geometry",
        ocr=ocr_info,
    )


#: A page with fewer non-space characters than this has no text layer to speak of (a scan).
MIN_PAGE_CHARS = 20


def _blank(text: str) -> bool:
    return sum(1 for ch in text if not ch.isspace()) < MIN_PAGE_CHARS


def _page_needs_ocr(text: str, document_score: float) -> bool:
    """A page is read from its image when it has (almost) no text, or text the gate rejects."""
    if _blank(text):
        return True
    page = quality.score(text).score
    return page < quality.ACCEPT or (document_score < quality.ACCEPT and page < quality.GOOD)


def _script_models(pages_text: list[str], ocr: OcrSettings | None) -> str:
    """The Tesseract models for lines of this document: the configured ones, or the script its
    good text is written in (more Traditional-only than Simplified-only characters, or not)."""
    if ocr is not None and ocr.languages:
        return ocr.languages
    t2s, s2t = ocr_module.converters()
    sample = "".join(pages_text)[:20000]
    traditional = sum(1 for a, b in zip(sample, t2s.convert(sample), strict=False) if a != b)
    simplified = sum(1 for a, b in zip(sample, s2t.convert(sample), strict=False) if a != b)
    return ocr_module.SIMPLIFIED if simplified > traditional else ocr_module.TRADITIONAL


def _read_garbled_lines(data: bytes, password: str | None, pages_text: list[str], geometry: list[Any],
                        ocr_pages: set[int], ocr: OcrSettings | None, deadline: float | None,
                        warnings: list[str]) -> int:
    """Lines whose text layer is font-map garbage on pages that kept it (a heading set in a font
    whose ToUnicode map is broken) are read with OCR where they are printed; what OCR cannot read
    loses its garbage characters.  Returns how many lines OCR read."""
    found = [(i, line) for i, lines in enumerate(geometry) if i + 1 not in ocr_pages
             for line in lines or () if line.exact and line.x0 is not None and quality.garbled_line(line.text)]
    # The same garbage on several pages is a running head (layout strips it as one): not read.
    seen = Counter(line.text for _, line in found)
    garbled: dict[int, list[Any]] = {}
    for i, line in found:
        if seen[line.text] < 3:
            garbled.setdefault(i, []).append(line)
    if not garbled:
        return 0
    got: dict[int, tuple[str, float]] = {}
    if ocr_module.available():
        try:
            got = ocr_module.read_lines(data, password, garbled, _script_models(pages_text, ocr), ocr, deadline)
        except ocr_module.OcrUnavailable:
            got = {}
    read = dropped = 0
    for index, lines in garbled.items():
        for line in lines:
            text, conf = got.get(id(line), ("", 0.0))
            if text.strip() and conf >= ocr_module.MIN_CONFIDENCE and not quality.garbled_line(text):
                line.text, line.source, line.confidence = text, "ocr", conf
                read += 1
            else:
                line.text = "".join(ch for ch in line.text if not quality.odd_character(ch)).strip()
                dropped += 1
        pages_text[index] = "\n".join(line.text for line in geometry[index])
    if dropped:
        warnings.append(f"{dropped} line{'s' if dropped != 1 else ''} of font-map garbage could not be read "
                        "with OCR; their garbage characters were left out")
    return read


def _mark_sources(blocks: list[Any], extractor: str, ocr_info: dict[str, Any], geometry: list[Any]) -> None:
    """Each block's ``source``; an OCR'd block's ``confidence``, from the lines it holds."""
    ocr_pages = set(ocr_info.get("pages", []))
    kept = "pdfium" if extractor == "pypdfium2" else "pdf"
    line_conf: dict[int, list[tuple[str, float]]] = {}
    for index, lines in enumerate(geometry):
        if index + 1 in ocr_pages and lines:
            line_conf[index + 1] = [(normalize_line(line.text), line.confidence) for line in lines]
    read_lines = [(index + 1, normalize_line(line.text), line.confidence) for index, lines in enumerate(geometry)
                  if index + 1 not in ocr_pages for line in lines or () if line.source == "ocr"]
    for block in blocks:
        if not ocr_pages.intersection(block.pages):
            block.source = kept
            squashed = "".join(block.text.split())
            mine = [(len(t), c) for page, t, c in read_lines if page in block.pages and t
                    and "".join(t.split()) in squashed]
            if mine:  # a line read with OCR (its text layer was garbage)
                block.source = "ocr"
                block.confidence = round(sum(n * c for n, c in mine) / sum(n for n, _ in mine), 1)
            continue
        block.source = "ocr"
        squashed = "".join(block.text.split())
        weights = [(len(text), conf) for page in block.pages for text, conf in line_conf.get(page, [])
                   if text and "".join(text.split()) in squashed]
        if weights:
            block.confidence = round(sum(n * c for n, c in weights) / sum(n for n, _ in weights), 1)


def _no_pages(data: bytes, password: str | None, warnings: list[str]) -> IngestError:
    """Why no page could be read at all (not a scan: there is nothing to OCR either)."""
    tree = page_tree(data, password)
    if tree is not None and tree.looped:
        return IngestError("the page tree is damaged (a /Kids entry refers back up the tree); "
                           "no pages could be read")
    if tree is not None and tree.depth > DEEP_PAGE_TREE:
        return IngestError(f"the page tree is damaged or nested too deeply ({tree.depth} levels); "
                           "no pages could be read")
    if tree is not None and tree.pages == 0:
        return IngestError("no pages: the page tree is empty or damaged")
    detail = f" ({warnings[-1]})" if warnings else ""
    return IngestError(f"no pages could be read{detail}")


def _fields(chosen: PdfText, typed: layout.Typed) -> dict[str, Field]:
    """Info fields first where they are trustworthy, the text's for the rest.

    The title from Info wins unless it is junk (authors set it on purpose);
    the byline in the text wins over Info's author, which is usually the
    account name of whoever saved the file.
    """
    fields = metadata.info_fields(chosen.info)
    found = dict(typed.found)
    found.pop("_date_labelled", None)  # layout's note of which dateline it took
    if "author" in found:
        fields.pop("author", None)
    if "title" in fields:
        found.pop("title", None)
    for key, value in found.items():
        if value:
            fields.setdefault(key, Field(value, "text"))
    body = "\n".join(b.text for b in typed.blocks)
    fields.update(metadata.script_and_language(body))
    return {key: fields[key] for key in METADATA_KEYS if key in fields}
