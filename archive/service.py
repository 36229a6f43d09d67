"""The archive's verbs, where ingest, store, passages and index meet.

The command line and the web app are two thin faces over this one class, so
the upload page and ``archive ingest`` cannot drift apart.  Every write goes
through :meth:`Archive.write_lock`: one writer at a time across processes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import pickle
import shutil
import sqlite3
import struct
import tarfile
import tempfile
import threading
import time
import unicodedata
import weakref
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archive import passages
from archive.config import Settings, load_settings
from archive.errors import ArchiveError
from archive.models import Document
from archive.store import (
    SCHEMA_VERSION,
    Alias,
    CatalogueLost,
    Store,
    StoreError,
    now_iso,
    sha256_hex,
)
from ingest import IngestError
from ingest.sandbox import ExtractorPool

log = logging.getLogger(__name__)

PDF_SUFFIXES = (".pdf",)
#: What Whoosh raises when an index file's bytes are damaged (short reads, bad seeks,
#: unpacking, decompression, decoding): a search meeting one gets a notice, not a 500.
INDEX_DAMAGE: tuple[type[BaseException], ...] = (
    OSError, EOFError, struct.error, zlib.error, ValueError, IndexError, KeyError,
    UnicodeDecodeError, pickle.UnpicklingError,
)
#: How long a document's "related documents" are remembered, and for how many documents.
RELATED_TTL_S = 600.0
RELATED_CACHE_MAX = 4096
#: A batch ingest indexes this many stored documents per index commit …
INDEX_BATCH = 64
#: … or whatever it has stored after this many seconds, whichever comes first.
INDEX_BATCH_SECONDS = 5.0


class ServiceError(ArchiveError):
    """A problem the user can act on, stated in one line (English, for the command line).

    ``web`` is the same in the web's language, without server paths; the web
    shows it, or a generic notice when it is not set.
    """

    code = "service"


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
class Prepared:
    """An input read and extracted, waiting for the writer."""

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


class Archive:
    """One instance folder: its store, its index and its settings."""

    def __init__(self, instance: Path | str, settings: Settings | None = None) -> None:
        self.instance = Path(instance)
        self.instance.mkdir(parents=True, exist_ok=True)
        self.settings = settings or load_settings(self.instance)
        self._store: Store | None = None
        self.store_error: str | None = None
        try:
            self._store = Store(self.instance)
        except (StoreError, sqlite3.DatabaseError) as exc:
            # Kept openable so that `archive check` can report and repair it; every other
            # use of the catalogue fails with this one line (see the `store` property).
            self.store_error = str(exc) if isinstance(exc, CatalogueLost) else (
                f"cannot open the catalogue: {exc}; run archive check"
            )
        self._index = None
        self._index_lock = threading.Lock()
        #: Told of extraction's progress, (file name, "OCR page 3 of 40"): the CLI prints it on a
        #: terminal, the web shows it on the upload's status page.
        self.progress: Callable[[str, str], None] | None = None
        index = self.instance / "index"
        fresh = self._store is not None and not self._store.read_only and not self._store.count()
        if fresh and not (index.exists() or index.is_symlink()):
            _ = self.index  # a new archive's empty index, made before its first document
        # "Related documents" cost a scan of the document's terms: remembered for a while
        # per document version (new documents join the list within RELATED_TTL_S).
        self._related: dict[tuple[str, int, int], tuple[float, list[dict]]] = {}
        self._related_lock = threading.Lock()
        self._thread_lock = threading.RLock()

    @property
    def store(self) -> Store:
        """The catalogue and originals; a catalogue that could not be opened is a one-line
        ServiceError naming what to run, wherever it is first needed."""
        if self._store is None:
            raise ServiceError(
                self.store_error or "the catalogue is not open; run archive check",
                web="典藏目錄無法開啟，暫時無法顯示；請管理員執行 archive check。",
            )
        return self._store

    # -- the index (derived; opened lazily so that a bad index never blocks the archive) ------
    @property
    def index(self):  # -> archive.index.SearchIndex
        from archive.index import SearchIndex

        with self._index_lock:
            if self._index is None:
                path = self.instance / "index"
                # A new archive gets a new index; one with documents never silently does.
                fresh = path.exists() or path.is_symlink() or not self.store.count()
                self._index = SearchIndex(path, create=fresh)
            return self._index

    def _index_error(self, exc: Exception) -> ServiceError:
        from archive.index import IndexBusyError, IndexMissingError

        if isinstance(exc, IndexBusyError):
            return ServiceError(f"search index unavailable: {exc}", web="索引正在更新，請稍後再試。")
        if isinstance(exc, IndexMissingError):
            return ServiceError(f"search index unavailable: {exc}",
                                web="搜尋索引不見了；請管理員執行 archive reindex。")
        return ServiceError(f"search index unavailable: {exc}",
                            web="搜尋索引需要重建；請管理員執行 archive reindex。")

    def _index_damage(self, exc: BaseException) -> ServiceError:
        """What a damaged index file raised while being read: logged with its traceback,
        told to the user as a notice naming the repair (never a 500)."""
        log.error("reading the search index failed", exc_info=exc)
        return ServiceError(
            f"search index unreadable ({type(exc).__name__}); run archive check --repair",
            web="搜尋索引無法讀取；請管理員執行 archive check --repair。",
        )

    def _storage_error(self, exc: BaseException, where: Path) -> str:
        """Why a file could not be stored, naming the place (relative to the instance's
        parent, never more of the server's paths) and the cause."""
        place = f"{self.instance.name}/{where.relative_to(self.instance)}" if where.is_relative_to(
            self.instance) else self.instance.name
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

    # -- the one writer ---------------------------------------------------------------------
    @contextmanager
    def write_lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the archive's single-writer lock (threads and processes alike)."""
        with self._thread_lock:
            path = self.instance / "write.lock"
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                    raise ServiceError(
                        f"{self.instance}: the instance folder is read-only "
                        f"({exc.strerror.lower()}); reading works, changes need write access",
                        web="這個典藏資料夾是唯讀的：可以閱讀與搜尋，但無法上傳或修改。",
                    ) from exc
                raise
            try:
                deadline = None if timeout is None else time.monotonic() + timeout
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if deadline is not None and time.monotonic() > deadline:
                            raise ServiceError(
                                "the archive is busy with another write; try again shortly"
                            ) from None
                        time.sleep(0.05)
                yield
            finally:
                os.close(fd)  # closing releases the flock

    # -- ingest -----------------------------------------------------------------------------
    _pool: ExtractorPool | None = None
    _pool_lock = threading.Lock()  # guards the lazy creation of any Archive's pool (rare, brief)

    def extractor(self, jobs: int | None = None) -> ExtractorPool:
        """The archive's sandboxed extraction processes, started on first use.

        One pool per Archive, shared by the CLI's batch and the web's upload
        threads; ``jobs`` (default: every core) sets how many run at once.
        It is closed by :meth:`close`, when the Archive is collected, or at exit.
        """
        with self._pool_lock:
            if self._pool is None:
                self._pool = ExtractorPool(
                    jobs or os.cpu_count() or 1,
                    timeout=self.settings.extract_timeout_s,
                    memory_mb=self.settings.extract_memory_mb,
                    nice=self.settings.ingest_nice,
                    ocr={"dpi": self.settings.ocr_dpi, "page_timeout": self.settings.ocr_page_timeout_s,
                         "timeout": self.settings.ocr_timeout_s},
                )
                weakref.finalize(self, self._pool.close)
            elif jobs and jobs != self._pool.workers:
                self._pool.resize(jobs)
            return self._pool

    def close(self) -> None:
        """Stop the extraction processes (the next ingest starts new ones); close this
        thread's catalogue connection."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        if self._store is not None:
            self._store.close()

    def _read_input(self, filename: str, data: bytes) -> Prepared:
        prep = Prepared(filename=filename, data=data, sha256=sha256_hex(data))
        limit = self.settings.max_upload_bytes
        if len(data) > limit:
            prep.outcome = Outcome(
                "failed",
                filename,
                reason=f"too large: {len(data) / 2**20:.1f} MB "
                f"(limit {limit / 2**20:.1f} MB; raise max_upload_mb in config.toml)",
            )
            return prep
        seen = self.store.version_by_sha(prep.sha256)
        if seen is not None:
            prep.outcome = Outcome("unchanged", filename, seen["doc_id"], int(seen["version"]))
        return prep

    def _extract(self, prep: Prepared) -> Prepared:
        if prep.doc is not None:
            return prep
        if prep.outcome is not None:
            if prep.outcome.status == "failed" or self.store.version_by_sha(prep.sha256):
                return prep
            prep.outcome = None  # was unchanged when read, deleted since: extract after all
        try:
            prep.doc = self.extractor().extract(
                prep.data, password=prep.password, filename=prep.filename,
                progress=(lambda note: self.progress(prep.filename, note)) if self.progress else None,
            )
        except IngestError as exc:
            prep.outcome = Outcome("failed", prep.filename, reason=str(exc))
        return prep

    def prepare_bytes(self, data: bytes, filename: str, password: str | None = None) -> Prepared:
        """Check and extract one input without the write lock (safe to run in parallel)."""
        prep = self._read_input(filename, data)
        prep.password = password
        return self._extract(prep)

    def prepare_file(self, path: Path, password: str | None = None) -> Prepared:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Prepared(
                str(path), b"", "", outcome=Outcome("failed", str(path), reason=exc.strerror)
            )
        return self.prepare_bytes(data, str(path), password)

    def ingest_bytes(
        self,
        data: bytes,
        filename: str = "",
        password: str | None = None,
        replaces: str | None = None,
    ) -> Outcome:
        """Ingest one PDF given as bytes; the outcome names what happened."""
        return self.commit(self.prepare_bytes(data, filename, password), replaces=replaces)

    def ingest_files(
        self,
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
        self.extractor(jobs)
        pending = list(files)
        pending.reverse()
        batch: list[tuple[Outcome, Document | None]] = []
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            running: set[Future[Prepared]] = set()
            while pending or running:
                while pending and len(running) < jobs * 2:
                    running.add(pool.submit(self.prepare_file, pending.pop(), password))
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    prep = fut.result()
                    out = self.commit(prep, replaces=replaces, defer_index=True)
                    stored = out.status in ("ingested", "updated")
                    batch.append((out, prep.doc if stored else None))
                full = len(batch) >= INDEX_BATCH
                if full or time.monotonic() - started > INDEX_BATCH_SECONDS or not running:
                    yield from self._flush_index(batch)
                    batch, started = [], time.monotonic()
        yield from self._flush_index(batch)

    def _flush_index(self, batch: list[tuple[Outcome, Document | None]]) -> Iterator[Outcome]:
        """Index a batch of just-stored documents in one commit, then report their outcomes."""
        docs = [doc for _out, doc in batch if doc is not None]
        if docs:
            try:
                with self.write_lock():
                    self.index.add_documents(docs)
            except Exception as exc:  # derived data: the archive already holds every document
                for out, doc in batch:
                    if doc is not None:
                        out.warnings.append(f"not indexed ({exc}); run archive check --repair")
        for out, _doc in batch:
            yield out

    def _new_doc_id(self, sha256: str) -> str:
        for width in (12, 16, 20, 64):
            candidate = sha256[:width]
            if not self.store.has_document(candidate):
                return candidate
        raise ServiceError("cannot allocate a document id")  # pragma: no cover - sha256 exhausted

    def commit(
        self, prep: Prepared, replaces: str | None = None, *, defer_index: bool = False
    ) -> Outcome:
        """Store an extracted input as a new document or a new version, under the write lock.

        ``defer_index`` leaves the index to a later ``reindex`` (bulk loads); ``archive
        check`` reports such documents as not indexed until then.
        """
        if prep.outcome is not None and prep.outcome.status == "failed":
            return prep.outcome
        with self.write_lock():
            seen = self.store.version_by_sha(prep.sha256)
            if seen is not None:  # identical bytes: nothing to store, but finish indexing
                out = Outcome("unchanged", prep.filename, seen["doc_id"], int(seen["version"]))
                out.warnings.extend(self._ensure_indexed(seen["doc_id"]))
                return out
            if prep.doc is None:  # it was unchanged when read, and has been deleted since
                self._extract(prep)
                if prep.doc is None:
                    return prep.outcome or Outcome("failed", prep.filename, reason="not extracted")
            doc = prep.doc
            identity = identity_key(doc)
            if replaces:
                if not self.store.has_document(replaces):
                    return Outcome(
                        "failed",
                        prep.filename,
                        reason=f"--replaces {replaces}: no such document (see archive list)",
                    )
                doc_id = replaces
            else:
                doc_id = (identity and self.store.find_by_identity(identity)) or None
            previous = self.store.get(doc_id) if doc_id else None
            doc.doc_id = doc_id or self._new_doc_id(prep.sha256)
            doc.version = (previous.version + 1) if previous else 1
            doc.ingested_at = now_iso()
            passages.assign_ids(doc)
            aliases = self.aliases_for(previous, doc) if previous else []
            try:
                self.store.put_original(prep.data, prep.sha256)
            except OSError as exc:
                where = self.store.original_path(prep.sha256).parent
                return Outcome("failed", prep.filename, reason=self._storage_error(exc, where))
            try:
                self.store.add_version(doc, identity=identity, aliases=aliases)
            except (OSError, sqlite3.OperationalError) as exc:
                # The original is on disk without a row: an orphan that check reports; the
                # same upload again stores it (put_original is idempotent).
                return Outcome("failed", prep.filename,
                               reason=self._storage_error(exc, self.store.db_path))
            self.store.with_edits(doc)  # an archivist's corrections carry over to the new version
            out = Outcome(
                "updated" if previous else "ingested",
                prep.filename,
                doc.doc_id,
                doc.version,
                title=doc.title,
                warnings=list(doc.warnings),
            )
            if not defer_index:
                out.warnings.extend(self.index_document(doc))
            return out

    def aliases_for(self, previous: Document, new: Document) -> list[Alias]:
        """Re-anchor every passage id this document ever had that the new version lacks."""
        live = {b.id for b in new.blocks}
        by_version: dict[int, list[str]] = {}
        for pid, version in self.store.known_passages(new.doc_id).items():
            if pid not in live:
                by_version.setdefault(version, []).append(pid)
        aliases: list[Alias] = []
        for version, pids in sorted(by_version.items()):
            old = previous if version == previous.version else self.store.get(new.doc_id, version)
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

    def index_document(self, doc: Document) -> list[str]:
        """Index one stored document; a failure is a warning (the archive already has it)."""
        try:
            self.index.add_document(doc)
        except Exception as exc:  # the index is derived: never lose the archive's write over it
            return [f"not indexed ({exc}); run archive check --repair"]
        return []

    def reocr(self, doc_id: str, *, language: str = "auto", pages: Collection[int] = (),
              every_page: bool = False, password: str | None = None) -> Outcome:
        """Read a stored original again with OCR as the document's next version (see
        :mod:`archive.reocr`); ``ServiceError`` for a request that cannot be done."""
        from archive import reocr

        return reocr.reocr(self, doc_id, language=language, pages=pages, every_page=every_page,
                           password=password, progress=self.progress)

    def _ensure_indexed(self, doc_id: str) -> list[str]:
        try:
            if self.index.has_document(doc_id):
                return []
        except Exception as exc:
            return [f"index unavailable ({exc}); run archive reindex"]
        doc = self.store.get(doc_id)
        return self.index_document(doc) if doc else []

    # -- reading ----------------------------------------------------------------------------
    def list_documents(self, limit: int | None = None) -> list[dict]:
        return self.store.summaries(limit)

    def get_document(self, doc_id: str, version: int | None = None) -> Document | None:
        return self.store.get(doc_id, version)

    def document_versions(self, doc_id: str) -> list[dict]:
        return self.store.versions(doc_id)

    def document_view(self, doc_id: str, version: int | None = None) -> dict | None:
        """The JSON of ``archive show`` and of the document page."""
        doc = self.store.get(doc_id, version)
        if doc is None:
            return None
        view = doc.to_dict()
        view["id"] = doc.doc_id
        view["title"] = doc.title
        view["versions"] = self.store.versions(doc_id)
        view["current"] = self.store.current_version(doc_id) == doc.version
        view["edits"] = self.store.edit_history(doc_id)
        view["authors"] = doc.authors()
        return view

    def original_path(self, sha256: str) -> Path:
        return self.store.original_path(sha256)

    # -- archivists' corrections --------------------------------------------------------------
    def edit(self, doc_id: str, *, sets: dict[str, str] | None = None,
             unsets: Iterable[str] = (), user: str) -> dict:
        """Correct a document's metadata: ``sets`` field → value, ``unsets`` removed.

        Values are checked by :mod:`archive.edits` (a date must parse; 民國 years are
        converted); each change is recorded with who, when and the old value, outlives
        re-ingests of new versions, and is in the index at once.  Returns the document view.
        """
        from archive import edits

        try:
            changes = edits.validate(sets or {}, unsets)
        except edits.EditError as exc:
            raise ServiceError(str(exc), web=exc.web) from exc
        with self.write_lock():
            doc = self.store.get(doc_id)
            if doc is None:
                raise ServiceError(f"no document {doc_id}; see archive list",
                                   web="找不到這份文件。")
            old = {k: doc.meta(k) for k in changes}
            changed = {k: v for k, v in changes.items() if old[k] != v}
            if changed:
                self.store.add_edits(doc_id, changed, user, old)
                warnings = self.index_document(self.store.get(doc_id))
                if warnings:
                    log.warning("edit of %s: %s", doc_id, "; ".join(warnings))
        with self._related_lock:
            self._related.clear()
        view = self.document_view(doc_id)
        assert view is not None
        return view

    def resolve_passage(self, passage_id: str) -> dict | None:
        """Where a passage link lands now: the same passage, its revision, or an honest "gone"."""
        held = self.store.passage_versions(passage_id)
        if not held:
            return None
        doc_id, newest, ordinal = held[0]
        current = self.store.current_version(doc_id)
        if current is None:
            return None
        doc = self.store.get(doc_id)
        assert doc is not None
        if newest == current:
            return self._passage_view("current", passage_id, doc, ordinal, None, None)
        archived_doc = self.store.get(doc_id, newest)
        assert archived_doc is not None
        archived = archived_doc.blocks[ordinal]
        alias = self.store.alias(passage_id)
        if alias is None or alias.to_version != current:
            # Aliases are written with every new version; recompute if one is missing.
            found = passages.reanchor(archived_doc, [passage_id], doc)
            target = found[0].target if found else None
            confidence = found[0].confidence if found else None
        else:
            target, confidence = alias.target_id, alias.confidence
        if target:
            idx = next(i for i, b in enumerate(doc.blocks) if b.id == target)
            return self._passage_view(
                "revised", passage_id, doc, idx, archived_doc, confidence, archived
            )
        view = self._passage_view("gone", passage_id, archived_doc, ordinal, archived_doc, confidence)
        view["current_version"] = current
        return view

    def _passage_view(
        self,
        status: str,
        requested: str,
        doc: Document,
        index: int,
        archived_doc: Document | None,
        confidence: float | None,
        archived_block=None,
    ) -> dict:
        block = doc.blocks[index]
        view = {
            "status": status,
            "requested": requested,
            "passage_id": block.id if status != "gone" else None,
            "doc_id": doc.doc_id,
            "version": doc.version,
            "confidence": confidence,
            "block": block.to_dict(),
            "index": index,
            "before": [b.to_dict() for b in doc.blocks[max(0, index - 2) : index]],
            "after": [b.to_dict() for b in doc.blocks[index + 1 : index + 3]],
            "selector": passages.quote_selector(doc, index),
            "document": {
                k: doc.meta(k)
                for k in ("title", "author", "affiliation", "series", "foundation", "date")
            }
            | {"title": doc.title, "page_count": doc.page_count, "sha256": doc.sha256},
        }
        if archived_doc is not None:
            view["archived_version"] = archived_doc.version
            view["archived"] = (archived_block or block).to_dict()
        return view

    # -- search -----------------------------------------------------------------------------
    def _limits(self):
        from archive.search import Limits

        s = self.settings
        return Limits(
            max_chars=s.query_max_chars, max_terms=s.query_max_terms, timeout_s=s.search_timeout_s
        )

    def search(
        self,
        q: str,
        *,
        filters: dict[str, list[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        bridge: bool = True,
    ) -> dict:
        from archive import search as search_mod
        from archive.index import IndexError_

        try:
            return search_mod.search(
                self.index,
                self,
                q,
                filters=filters,
                sort=sort,
                page=page,
                per_page=per_page,
                bridge=bridge,
                limits=self._limits(),
            )
        except IndexError_ as exc:
            raise self._index_error(exc) from exc
        except INDEX_DAMAGE as exc:
            raise self._index_damage(exc) from exc

    def highlight_blocks(self, doc_id: str, q: str) -> dict[str, list[list[int]]]:
        from archive import search as search_mod

        doc = self.store.get(doc_id)
        return search_mod.highlight_blocks(doc, q) if doc else {}

    def more_like_this(self, doc_id: str, limit: int = 5) -> list[dict]:
        from archive import search as search_mod
        from archive.index import IndexError_

        doc = self.store.get(doc_id)
        if doc is None:
            return []
        key = (doc_id, doc.version, limit)
        now = time.monotonic()
        with self._related_lock:
            hit = self._related.get(key)
            if hit is not None and now - hit[0] < RELATED_TTL_S:
                return hit[1]
        try:
            related = search_mod.more_like_this(self.index, self, doc_id, limit=limit)
        except IndexError_:
            return []
        except INDEX_DAMAGE as exc:  # the document still shows; its related list waits
            self._index_damage(exc)
            return []
        with self._related_lock:
            self._related[key] = (now, related)
            while len(self._related) > RELATED_CACHE_MAX:
                self._related.pop(next(iter(self._related)))
        return related

    # -- maintenance --------------------------------------------------------------------------
    def reindex(self) -> dict:
        """Rebuild the index from the archive into a new directory and swap it in."""
        from archive.index import SearchIndex

        started = time.monotonic()
        with self.write_lock():
            count = SearchIndex.rebuild_at(self.instance / "index", self.store.iter_current())
            with self._index_lock:
                self._index = None
        return {"documents": count, "seconds": round(time.monotonic() - started, 2)}

    def upgrade_index(self) -> dict | None:
        """Rebuild the index from the archive when it was written by another schema version
        (after an upgrade); None when it is current.  The index is derived data."""
        from archive.index import IndexMissingError, IndexVersionError

        try:
            self.index.doc_count()
            return None
        except (IndexVersionError, IndexMissingError) as exc:
            return {"reason": str(exc).split(": run ")[0], **self.reindex()}

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document from the catalogue and index; its originals move to ``deleted/``."""
        with self.write_lock():
            if not self.store.has_document(doc_id):
                return False
            shas = self.store.delete_document(doc_id)
            for sha in shas:
                src = self.store.original_path(sha)
                if src.exists():
                    dest = self.instance / "deleted" / src.name
                    dest.parent.mkdir(exist_ok=True)
                    os.replace(src, dest)
            with contextlib.suppress(Exception):  # `archive check` repairs a stale entry
                self.index.remove_document(doc_id)
        return True

    def check(self, repair: bool = False, *, quick: bool = False) -> dict:
        """Does the archive agree with itself and with the index?  Optionally repair from the archive.

        Checked: the catalogue file (SQLite's integrity check over every page), every
        stored document (parsed as the pages parse it), every original (present, and
        hashed unless ``quick``), stray and temporary files, and every index segment
        read through.  A repair never discards an original: an empty or damaged
        catalogue is set aside and rebuilt by re-ingesting the originals.
        """
        from archive.integrity import catalogue_problems

        if self.read_only and repair:
            with self.write_lock():  # says that the instance is read-only
                pass
        with self._check_lock():
            originals = Store.stored_originals(self.instance / "originals")
            broken = catalogue_problems(self.instance / "catalogue.sqlite3",
                                        schema_version=SCHEMA_VERSION)
            if self._store is None and not broken:
                broken = [{"kind": "catalogue-unopenable", "detail": self.store_error or ""}]
            if not broken and originals and not self.store.all_versions():
                # A fresh catalogue beside originals: they are not orphans, it is lost.
                broken = [{"kind": "catalogue-empty",
                           "detail": f"no documents, {len(originals)} originals"}]
            if broken and not (broken[0]["kind"] == "catalogue-missing" and not originals):
                if not repair:
                    return self._report(broken, [], documents=0, versions=0)
            else:
                broken = []
        if broken:
            return self._rebuild_catalogue(broken, originals)
        with self._check_lock():
            return self._check_rows(repair=repair, quick=quick)

    @property
    def read_only(self) -> bool:
        """Whether the instance folder cannot be written (reading and checking still work)."""
        return not os.access(self.instance, os.W_OK)

    def _check_lock(self) -> contextlib.AbstractContextManager[None]:
        """The writer's lock, or nothing on a read-only instance (no one can write it)."""
        return contextlib.nullcontext() if self.read_only else self.write_lock()

    @staticmethod
    def _report(problems: list[dict], repaired: list[str], *, documents: int, versions: int,
                repairable: bool = False) -> dict:
        unrepairable = {"missing-original", "checksum-mismatch", "size-mismatch",
                        "invalid-sha256", "document-unreadable", "document-mismatch",
                        "no-current-version", "stray-file"}
        remaining = (
            [p for p in problems if p["kind"] in unrepairable and not p.get("repaired")]
            if repairable else problems
        )
        return {
            "documents": documents,
            "versions": versions,
            "problems": problems,
            "repaired": repaired,
            "clean": not remaining,
        }

    def _check_rows(self, *, repair: bool, quick: bool) -> dict:
        from archive.index import IndexMissingError, IndexVersionError, SearchIndex
        from archive.integrity import version_problems

        problems: list[dict] = []
        repaired: list[str] = []
        store = self.store
        with store.reading() as conn:
            found, named = version_problems(
                conn, store.original_path, hash_file=None if quick else store.file_sha256
            )
        problems += found
        if repair:
            repaired += self._reextract([p for p in found if p["kind"].startswith("document-")])
        for tmp in store.originals.glob("*/.tmp-*"):
            problems.append({"kind": "temporary-file", "path": f"originals/{tmp.parent.name}/{tmp.name}"})
            if repair:
                tmp.unlink(missing_ok=True)
                repaired.append(f"removed {tmp.name}")
        for stray in store.stray_files():
            problems.append({"kind": "stray-file", "path": str(stray.relative_to(self.instance))})
        for path in store.original_files():
            if path.stem not in named:
                problems.append({"kind": "orphan-original", "sha256": path.stem})
                if repair:
                    dest = self.instance / "lost+found" / path.name
                    dest.parent.mkdir(exist_ok=True)
                    os.replace(path, dest)
                    repaired.append(f"moved orphan {path.stem[:12]} to lost+found/")
        current = store.current_ids()
        rebuild = False
        try:
            with self._index_lock:
                self._index = None
            damage = self.index.verify()
            if damage:
                problems.append({"kind": "index-damaged", "detail": damage[0]})
                indexed, rebuild = {}, True
            else:
                indexed = self.index.doc_versions()
        except IndexVersionError as exc:
            problems.append({"kind": "index-schema", "detail": str(exc)})
            indexed, rebuild = {}, True
        except IndexMissingError as exc:
            problems.append({"kind": "index-missing", "detail": str(exc)})
            indexed, rebuild = {}, True
        except Exception as exc:  # noqa: BLE001 - any failure to read the index is damage
            problems.append({"kind": "index-unreadable", "detail": f"{type(exc).__name__}: {exc}"})
            indexed, rebuild = {}, True
        if not rebuild:
            for doc_id, version in current.items():
                if doc_id not in indexed:
                    problems.append({"kind": "not-indexed", "doc_id": doc_id})
                elif indexed[doc_id] != version:
                    problems.append({"kind": "stale-index", "doc_id": doc_id})
            for doc_id in indexed.keys() - current.keys():
                problems.append({"kind": "index-orphan", "doc_id": doc_id})
        if repair:
            if rebuild:
                SearchIndex.rebuild_at(self.instance / "index", store.iter_current())
                with self._index_lock:
                    self._index = None
                repaired.append("rebuilt the index")
            else:
                for p in problems:
                    if p["kind"] in ("not-indexed", "stale-index"):
                        doc = store.get(p["doc_id"])
                        if doc is not None:
                            self.index.add_document(doc)
                            repaired.append(f"indexed {p['doc_id']}")
                    elif p["kind"] == "index-orphan":
                        self.index.remove_document(p["doc_id"])
                        repaired.append(f"removed {p['doc_id']} from the index")
        return self._report(problems, repaired, documents=len(current), versions=len(named),
                            repairable=repair)

    def _reextract(self, damaged: list[dict]) -> list[str]:
        """Rewrite versions whose stored document is unreadable from their originals (the
        source of truth), keeping the document id, version and ingest time."""
        done = []
        for p in damaged:
            with self.store.reading() as conn:
                row = conn.execute(
                    "SELECT sha256, filename, ingested_at FROM versions WHERE doc_id=? AND version=?",
                    (p["doc_id"], p["version"]),
                ).fetchone()
            path = self.store.original_path(row["sha256"])
            if not path.is_file() or self.store.file_sha256(path) != row["sha256"]:
                continue
            try:
                doc = self.extractor().extract(path.read_bytes(), filename=row["filename"])
            except (IngestError, OSError):
                continue  # e.g. an encrypted original (its password is not kept): stays reported
            doc.doc_id, doc.version = p["doc_id"], int(p["version"])
            doc.filename, doc.ingested_at = row["filename"], row["ingested_at"]
            passages.assign_ids(doc)
            self.store.rewrite_version(doc)
            p["repaired"] = True
            if self.store.current_version(doc.doc_id) == doc.version:
                with contextlib.suppress(Exception):  # the index check below catches up
                    self.index.add_document(doc)
            done.append(f"re-extracted {doc.doc_id} v{doc.version} from its original")
        return done

    def _rebuild_catalogue(self, broken: list[dict], originals: list[Path]) -> dict:
        """Set the damaged or empty catalogue aside (kept, never deleted) and rebuild it by
        re-ingesting every original, oldest first, so versions line up again by identity."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        repaired: list[str] = []
        with self.write_lock():
            if self._store is not None:
                self._store.close()
                self._store = None
            db = self.instance / "catalogue.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{db}{suffix}")
                if part.exists():
                    aside = part.with_name(f"{part.name}.damaged-{stamp}")
                    os.replace(part, aside)
                    if not suffix:
                        repaired.append(f"set the catalogue aside as {aside.name}")
            # The rebuild reads the originals in place; they are never moved or rewritten.
            self._store = Store(self.instance, rebuilding=True)
            self.store_error = None
        ordered = sorted(originals, key=lambda p: (p.stat().st_mtime, p.name))
        failed = []
        stored = 0
        for out in self.ingest_files(ordered):
            if out.ok:
                stored += 1
            else:
                failed.append({"kind": "original-not-reingested", "sha256": Path(out.filename).stem,
                               "detail": out.reason or out.status})
        repaired.append(f"rebuilt the catalogue from {stored} of {len(ordered)} originals "
                        "(each as version 1 of its own record unless its identity matches an earlier one)")
        self.reindex()
        repaired.append("rebuilt the index")
        return self._report(broken + failed, repaired, documents=self.store.count(),
                            versions=len(self.store.all_versions()), repairable=True)

    # -- users ------------------------------------------------------------------------------
    def add_user(self, name: str, password: str, *, reset: bool = False) -> None:
        """Add an archivist, or with ``reset`` set a new password for an existing one (every
        session of theirs ends).  Names and passwords are vetted by :mod:`archive.accounts`."""
        from archive import accounts

        try:
            name = accounts.check_name(name)
            password = accounts.check_password(password, name)
        except accounts.AccountError as exc:
            raise ServiceError(str(exc)) from exc
        exists = name in self.store.users()
        if exists and not reset:
            raise ServiceError(f"user {name} exists; to set a new password use user add --reset")
        if reset and not exists:
            raise ServiceError(f"no user {name} to reset (see archive user list)")
        self.store.set_user(name, password)

    def verify_user(self, name: str, password: str) -> bool:
        return self.store.verify_user(name, password)

    def user_stamp(self, name: str) -> str | None:
        return self.store.user_stamp(name)

    # -- backup -----------------------------------------------------------------------------
    def export(self, dest: Path) -> dict:
        """Write a tar archive of the catalogue (a consistent SQLite backup) and every original.

        The archive is checked first, every original hashed: a backup of a damaged
        archive would fail on import, so none is written.  The file is private (0600):
        it holds the archivists' password hashes.
        """
        from archive.integrity import catalogue_problems, version_problems

        with self.write_lock(), tempfile.TemporaryDirectory() as tmp:
            problems = catalogue_problems(self.store.db_path, schema_version=SCHEMA_VERSION)
            if not problems:
                with self.store.reading() as conn:
                    problems, _named = version_problems(
                        conn, self.store.original_path, hash_file=self.store.file_sha256
                    )
            if problems:
                kinds = ", ".join(sorted({p["kind"] for p in problems}))
                raise ServiceError(
                    f"{self.instance}: not exported: the archive is damaged "
                    f"({len(problems)} problems: {kinds}); run archive check"
                )
            snapshot = Path(tmp) / "catalogue.sqlite3"
            src = self.store.connect()
            try:
                out = sqlite3.connect(snapshot)
                src.backup(out)
                out.close()
            finally:
                src.close()
            part = dest.with_name(f".{dest.name}.part")
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                    tar.add(snapshot, arcname="catalogue.sqlite3")
                    for path in self.store.original_files():
                        tar.add(path, arcname=f"originals/{path.parent.name}/{path.name}")
                os.chmod(part, 0o600)
                os.replace(part, dest)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    part.unlink()
                raise
        return {"file": str(dest), "documents": self.store.count(), "bytes": dest.stat().st_size}

    def import_archive(self, src: Path, *, with_users: bool = False) -> dict:
        """Restore an export into this (empty) instance, then rebuild the index.

        Nothing lands until everything is verified: every member's name and size
        (checked from its header, before it is read), every original's hash, the
        catalogue's integrity, every version row's digest, original and document.
        Archivist accounts come along only with ``with_users``.  A failed import
        leaves the instance as it was.
        """
        from archive import backup

        if self.store.count() or self.store.original_files():
            raise ServiceError(f"{self.instance}: not empty; import into a new instance folder")
        with self.write_lock():
            try:
                staged = backup.stage(src, self.instance,
                                      max_original=self.settings.max_upload_bytes)
            except backup.ImportRefused as exc:
                raise ServiceError(str(exc)) from exc
            try:
                report = backup.verify(src, staged, with_users=with_users,
                                       schema_version=SCHEMA_VERSION)
                db_path = self.store.db_path
                self.store.close()
                self._store = None
                backup.swap_in(staged, self.instance, db_path, report.named)
            except backup.ImportRefused as exc:
                raise ServiceError(str(exc)) from exc
            finally:
                shutil.rmtree(staged.root, ignore_errors=True)
                if self._store is None:
                    self._store = Store(self.instance)
        result = self.reindex()
        return {"documents": result["documents"], "users": report.users,
                "skipped_originals": report.skipped}
