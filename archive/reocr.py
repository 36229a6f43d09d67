"""Reading a stored original again with OCR: ``archive reocr`` makes a new version of a document.

Why a version, not a repair: the archivist asks for another reading (another script's model, every
page from its image), and readers' links must keep working.  The original is the same bytes, so
the new version names the same stored file (catalogue schema 2 allows that); passage ids whose
text the new reading did not change stay the same (ids hash a passage's text), and the others
are re-anchored as for any new version.

Which pages: by default those the current version read with OCR or left out as unreadable;
``pages`` names others, ``every_page`` reads them all from their images.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from archive import passages
from archive.errors import ServiceError
from archive.ingesting import Outcome, identity_key
from archive.models import Document
from archive.store import now_iso, sha256_hex
from ingest import IngestError
from ingest import ocr as ocr_module

if TYPE_CHECKING:  # the service imports this module
    from archive.service import Archive

#: ``--lang`` values and the Tesseract models they stand for (None: both read, the surer kept).
LANGUAGES: dict[str, str | None] = {
    "auto": None,
    "tra": "chi_tra+eng",
    "sim": "chi_sim+eng",
}


def pages_to_read(doc: Document, pages: Collection[int] = (), every_page: bool = False) -> list[int] | bool:
    """The 1-based pages to read from their images (True: all); ValueError names what is wrong."""
    if every_page:
        return True
    if pages:
        wrong = sorted(n for n in pages if not 1 <= n <= max(1, doc.page_count))
        if wrong:
            raise ValueError(f"page {wrong[0]} is not in the document (it has {doc.page_count} pages)")
        return sorted(set(pages))
    info = doc.ocr or {}
    found = set(info.get("pages", [])) | {int(n) for n in info.get("missing", {})}
    if not found:
        raise ValueError("no page of it was read with OCR; name pages with --pages, or use --all-pages")
    return sorted(found)


def reocr(archive: Archive, doc_id: str, *, language: str = "auto", pages: Collection[int] = (),
          every_page: bool = False, password: str | None = None,
          progress: Callable[[str, str], None] | None = None) -> Outcome:
    """OCR a stored document's original again and store the reading as its next version;
    ``progress(filename, note)`` hears "OCR page 3 of 40"."""
    current = archive.store.get(doc_id)
    if current is None:
        raise ServiceError(f"no document {doc_id}; see archive list", web=f"找不到文件 {doc_id}")
    if language not in LANGUAGES:
        raise ServiceError(f"--lang {language}: use one of {', '.join(LANGUAGES)}",
                           web="辨識語言須為 auto、tra 或 sim")
    try:
        force = pages_to_read(current, pages, every_page)
    except ValueError as exc:
        raise ServiceError(f"{doc_id}: {exc}", web="無法辨識：指定的頁面不在文件中") from None
    if not ocr_module.available():
        raise ServiceError("OCR is not available: install tesseract-ocr with its chi_tra, chi_sim and "
                           "eng models (make setup)", web="本機未安裝 OCR（Tesseract）")
    path = archive.store.original_path(current.sha256)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ServiceError(f"{doc_id}: the original cannot be read ({exc.strerror}); run archive check",
                           web="原始檔無法讀取，請執行 archive check") from None
    if sha256_hex(data) != current.sha256:
        raise ServiceError(f"{doc_id}: the stored original does not match its checksum; run archive check",
                           web="原始檔與其雜湊值不符，請執行 archive check")
    try:
        doc = archive.extractor().extract(data, password=password, filename=current.filename,
                                          force_ocr=force, languages=LANGUAGES[language],
                                          progress=(lambda note: progress(current.filename, note)) if progress else None)
    except IngestError as exc:
        return Outcome("failed", current.filename, doc_id, reason=str(exc))
    with archive.write_lock():
        previous = archive.store.get(doc_id)
        if previous is None:
            return Outcome("failed", current.filename, doc_id, reason="deleted while it was being read")
        doc.doc_id, doc.version = doc_id, previous.version + 1
        doc.filename, doc.ingested_at = previous.filename, now_iso()
        passages.assign_ids(doc)
        aliases = archive.aliases_for(previous, doc)
        archive.store.add_version(doc, identity=identity_key(previous), aliases=aliases)
        archive.store.with_edits(doc)  # the archivist's corrections carry over
        out = Outcome("updated", current.filename, doc_id, doc.version, title=doc.title,
                      warnings=list(doc.warnings))
        out.warnings.extend(archive.index_document(doc))
    kept = len({b.id for b in doc.blocks} & {b.id for b in previous.blocks})
    out.warnings.insert(0, f"{kept} of {len(doc.blocks)} passages kept their ids")
    return out
