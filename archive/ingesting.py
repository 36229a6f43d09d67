"""Ingesting: an input read, extracted in the sandbox, stored and indexed.

Owns the words of an ingest (:class:`Outcome`), the extracted input waiting
for the writer (:class:`Extracted`), what makes two PDFs the same document
(:func:`identity_key`), batch ingest with its index batching, and the passage
aliases a new version writes.  It touches the store (originals and versions,
under the archive's write lock), the index (through ``index_document``) and
the archive's sandboxed extractor; nothing here knows about the web or the CLI.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive import passages
from archive.errors import ServiceError
from archive.models import Document
from archive.store import Alias, now_iso, sha256_hex
from ingest import IngestError

if TYPE_CHECKING:
    from archive.service import Archive

PDF_SUFFIXES = (".pdf",)
#: A batch ingest indexes this many stored documents per index commit …
INDEX_BATCH = 64
#: … or whatever it has stored after this many seconds, whichever comes first.
INDEX_BATCH_SECONDS = 5.0


@dataclass
class Outcome:
    """What happened to one input file: the same words on the command line and the web."""

    status: str  # "ingested" | "unchanged" | "updated" | "failed"
    filename: str = ""
    doc_id: str | None = None
    version: int | None = None
    reason: str | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def line(self) -> str:
        """The one line ``archive ingest`` prints for this file."""
        if self.status == "failed":
            return f"{self.filename}: failed: {self.reason}"
        tail = f" {self.doc_id} v{self.version}" if self.doc_id else ""
        return f"{self.filename}: {self.status}{tail}"

    def to_dict(self) -> dict:
        return asdict(self)



@dataclass
class Extracted:
    """An input read and extracted (text and metadata), waiting for the writer."""

    filename: str
    data: bytes
    sha256: str
    doc: Document | None = None
    outcome: Outcome | None = None  # set when the input already failed or is unchanged
    password: str | None = None


def identity_key(doc: Document) -> str | None:
    """What makes two PDFs "the same document": its title with its author, series or foundation.

    Only a title found in the PDF (its text or Info) counts; without one a PDF
    is never merged into another document.
    """
    title = doc.metadata.get("title")
    if title is None or title.source == "inferred":
        return None
    who = doc.meta("author") or doc.meta("series") or doc.meta("foundation") or ""

    def norm(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s).casefold().split())

    return f"{norm(title.value)}|{norm(who)}"


def find_pdfs(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Outcome]]:
    """Expand files and folders (recursively, ``*.pdf``) into files; missing paths fail."""
    files: list[Path] = []
    missing: list[Outcome] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(
                sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in PDF_SUFFIXES)
            )
        elif p.is_file():
            files.append(p)
        else:
            missing.append(Outcome("failed", str(p), reason="no such file or folder"))
    return files, missing



def _storage_error(archive: Archive, exc: BaseException, where: Path) -> str:
    """Why a file could not be stored, naming the place (relative to the instance's
    parent, never more of the server's paths) and the cause."""
    place = f"{archive.instance.name}/{where.relative_to(archive.instance)}" if where.is_relative_to(
        archive.instance) else archive.instance.name
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "disk is full" in text:
        cause = "no space left on device"
    elif isinstance(exc, OSError) and exc.errno == errno.EROFS or "readonly" in text:
        cause = "read-only file system"
    elif isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
        cause = "permission denied"
    elif isinstance(exc, OSError) and exc.errno == errno.EDQUOT:
        cause = "disk quota exceeded"
    else:
        cause = (exc.strerror if isinstance(exc, OSError) and exc.strerror else text) or "error"
    return f"not stored: {cause}: {place} (nothing was lost; free space or fix, then ingest it again)"



def _read_input(archive: Archive, filename: str, data: bytes) -> Extracted:
    item = Extracted(filename=filename, data=data, sha256=sha256_hex(data))
    limit = archive.settings.max_upload_bytes
    if len(data) > limit:
        item.outcome = Outcome(
            "failed",
            filename,
            reason=f"too large: {len(data) / 2**20:.1f} MB "
            f"(limit {limit / 2**20:.1f} MB; raise max_upload_mb in config.toml)",
        )
        return item
    seen = archive.store.version_by_sha(item.sha256)
    if seen is not None:
        item.outcome = Outcome("unchanged", filename, seen["doc_id"], int(seen["version"]))
    return item

def _extract(archive: Archive, item: Extracted) -> Extracted:
    if item.doc is not None:
        return item
    if item.outcome is not None:
        if item.outcome.status == "failed" or archive.store.version_by_sha(item.sha256):
            return item
        item.outcome = None  # was unchanged when read, deleted since: extract after all
    try:
        item.doc = archive.extractor().extract(
            item.data, password=item.password, filename=item.filename,
            progress=_progress_for(archive.progress, item.filename),
        )
    except IngestError as exc:
        item.outcome = Outcome("failed", item.filename, reason=str(exc))
    return item

def extract_bytes(archive: Archive, data: bytes, filename: str, password: str | None = None) -> Extracted:
    """Check and extract one input without the write lock (safe to run in parallel)."""
    item = _read_input(archive, filename, data)
    item.password = password
    return _extract(archive, item)

def extract_file(archive: Archive, path: Path, password: str | None = None) -> Extracted:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Extracted(
            str(path), b"", "", outcome=Outcome("failed", str(path), reason=exc.strerror)
        )
    return archive.extract_bytes(data, str(path), password)

def ingest_bytes(
    archive: Archive,
    data: bytes,
    filename: str = "",
    password: str | None = None,
    replaces: str | None = None,
) -> Outcome:
    """Ingest one PDF given as bytes; the outcome names what happened."""
    return archive.commit(archive.extract_bytes(data, filename, password), replaces=replaces)

def ingest_files(
    archive: Archive,
    files: list[Path],
    *,
    password: str | None = None,
    replaces: str | None = None,
    jobs: int | None = None,
) -> Iterator[Outcome]:
    """Ingest files, extracting ``jobs`` at once (in the archive's sandboxed processes).

    Outcomes come in the order the files finish.  The writer is one at a
    time; extraction, the slow part, uses every core.  Each file is stored
    (the source of truth) as soon as it is extracted; the index, derived, is
    written in batches of up to ``INDEX_BATCH`` documents or
    ``INDEX_BATCH_SECONDS``, one Whoosh commit each, and a file's outcome is
    reported once its batch is indexed.  A crash between the two leaves
    stored-but-unindexed documents, which a re-run or ``archive check
    --repair`` indexes.
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    archive.extractor(jobs)
    pending = list(files)
    pending.reverse()
    batch: list[tuple[Outcome, Document | None]] = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        running: set[Future[Extracted]] = set()
        while pending or running:
            while pending and len(running) < jobs * 2:
                running.add(pool.submit(archive.extract_file, pending.pop(), password))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                item = fut.result()
                out = archive.commit(item, replaces=replaces, defer_index=True)
                stored = out.status in ("ingested", "updated")
                batch.append((out, item.doc if stored else None))
            full = len(batch) >= INDEX_BATCH
            if full or time.monotonic() - started > INDEX_BATCH_SECONDS or not running:
                yield from _flush_index(archive, batch)
                batch, started = [], time.monotonic()
    yield from _flush_index(archive, batch)

def _flush_index(archive: Archive, batch: list[tuple[Outcome, Document | None]]) -> Iterator[Outcome]:
    """Index a batch of just-stored documents in one commit, then report their outcomes."""
    docs = [doc for _out, doc in batch if doc is not None]
    if docs:
        try:
            with archive.write_lock():
                archive.index.add_documents(docs)
        except Exception as exc:  # derived data: the archive already holds every document
            for out, doc in batch:
                if doc is not None:
                    out.warnings.append(f"not indexed ({exc}); run archive check --repair")
    for out, _doc in batch:
        yield out

def _new_doc_id(archive: Archive, sha256: str) -> str:
    for width in (12, 16, 20, 64):
        candidate = sha256[:width]
        if not archive.store.has_document(candidate):
            return candidate
    raise ServiceError("cannot allocate a document id")  # pragma: no cover - sha256 exhausted

def commit(
    archive, item: Extracted, replaces: str | None = None, *, defer_index: bool = False
) -> Outcome:
    """Store an extracted input as a new document or a new version, under the write lock.

    ``defer_index`` leaves the index to a later ``reindex`` (bulk loads); ``archive
    check`` reports such documents as not indexed until then.
    """
    if item.outcome is not None and item.outcome.status == "failed":
        return item.outcome
    with archive.write_lock():
        seen = archive.store.version_by_sha(item.sha256)
        if seen is not None:  # identical bytes: nothing to store, but finish indexing
            out = Outcome("unchanged", item.filename, seen["doc_id"], int(seen["version"]))
            out.warnings.extend(_ensure_indexed(archive, seen["doc_id"]))
            return out
        if item.doc is None:  # it was unchanged when read, and has been deleted since
            _extract(archive, item)
            if item.doc is None:
                return item.outcome or Outcome("failed", item.filename, reason="not extracted")
        doc = item.doc
        identity = identity_key(doc)
        if replaces:
            if not archive.store.has_document(replaces):
                return Outcome(
                    "failed",
                    item.filename,
                    reason=f"--replaces {replaces}: no such document (see archive list)",
                )
            doc_id: str | None = replaces
        else:
            doc_id = (identity and archive.store.find_by_identity(identity)) or None
        previous = archive.store.get(doc_id) if doc_id else None
        doc.doc_id = doc_id or _new_doc_id(archive, item.sha256)
        doc.version = (previous.version + 1) if previous else 1
        doc.ingested_at = now_iso()
        passages.assign_ids(doc)
        aliases = archive.aliases_for(previous, doc) if previous else []
        try:
            archive.store.put_original(item.data, item.sha256)
        except OSError as exc:
            where = archive.store.original_path(item.sha256).parent
            return Outcome("failed", item.filename, reason=_storage_error(archive, exc, where))
        try:
            archive.store.add_version(doc, identity=identity, aliases=aliases)
        except (OSError, sqlite3.OperationalError) as exc:
            # The original is on disk without a row: an orphan that check reports; the
            # same upload again stores it (put_original is idempotent).
            return Outcome("failed", item.filename,
                           reason=_storage_error(archive, exc, archive.store.db_path))
        archive.store.with_edits(doc)  # an archivist's corrections carry over to the new version
        out = Outcome(
            "updated" if previous else "ingested",
            item.filename,
            doc.doc_id,
            doc.version,
            title=doc.title,
            warnings=list(doc.warnings),
        )
        if not defer_index:
            out.warnings.extend(archive.index_document(doc))
        return out

def aliases_for(archive: Archive, previous: Document, new: Document) -> list[Alias]:
    """Re-anchor every passage id this document ever had that the new version lacks."""
    live = {b.id for b in new.blocks}
    by_version: dict[int, list[str]] = {}
    for pid, version in archive.store.known_passages(new.doc_id).items():
        if pid not in live:
            by_version.setdefault(version, []).append(pid)
    aliases: list[Alias] = []
    for version, pids in sorted(by_version.items()):
        old = previous if version == previous.version else archive.store.get(new.doc_id, version)
        if old is None:
            continue
        for a in passages.reanchor(old, pids, new):
            aliases.append(
                Alias(
                    passage_id=a.passage_id,
                    doc_id=new.doc_id,
                    from_version=version,
                    to_version=new.version,
                    target_id=a.target,
                    confidence=a.confidence,
                    status="revised" if a.target else "gone",
                )
            )
    return aliases

def index_document(archive: Archive, doc: Document) -> list[str]:
    """Index one stored document; a failure is a warning (the archive already has it)."""
    try:
        archive.index.add_document(doc)
    except Exception as exc:  # the index is derived: never lose the archive's write over it
        return [f"not indexed ({exc}); run archive check --repair"]
    return []


def _ensure_indexed(archive: Archive, doc_id: str) -> list[str]:
    try:
        if archive.index.has_document(doc_id):
            return []
    except Exception as exc:
        return [f"index unavailable ({exc}); run archive reindex"]
    doc = archive.store.get(doc_id)
    return archive.index_document(doc) if doc else []



#: The old name, kept for ``scripts/loadtest.py``.
Prepared = Extracted


def _progress_for(hook: Callable[[str, str], None] | None, filename: str) -> Callable[[str], None] | None:
    """The extraction's progress callback for one file, when the CLI listens."""
    if hook is None:
        return None
    return lambda note: hook(filename, note)
