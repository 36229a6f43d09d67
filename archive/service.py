"""The archive's verbs, where ingest, store, passages and index meet: a thin facade.

The command line and the web app are two thin faces over :class:`Archive`, so
the upload page and ``archive ingest`` cannot drift apart.  ``Archive`` holds
an instance's open resources (its catalogue, its index, its extraction
processes, the single-writer lock) and hands each verb to the module named
for what it does:

* :mod:`archive.ingesting`: reading, extracting, storing and indexing inputs;
* :mod:`archive.views`: documents, passages, search results, related documents;
* :mod:`archive.edits`: archivists' corrections;
* :mod:`archive.maintenance`: reindex, delete, check and repair;
* :mod:`archive.accounts`: archivists' accounts;
* :mod:`archive.backup`: export and import.

Every write goes through :meth:`Archive.write_lock`: one writer at a time
across processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.index import SearchIndex

import errno
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from archive import accounts, backup, edits, ingesting, locks, maintenance, reocr, views, vocabulary
from archive.aliases import AliasStore
from archive.config import Settings, load_settings
from archive.errors import ServiceError
from archive.ingesting import Extracted, Outcome, Prepared, find_pdfs, identity_key
from archive.merges import Group, MergeError, MergeStore
from archive.models import Document
from archive.store import Alias, CatalogueLost, Store, StoreError
from ingest.sandbox import ExtractorPool, lower_priority

__all__ = ["Archive", "Extracted", "Outcome", "Prepared", "ServiceError", "find_pdfs",
           "identity_key"]


class Archive:
    """One instance folder: its store, its index and its settings."""

    def __init__(self, instance: Path | str, settings: Settings | None = None) -> None:
        self.instance = Path(instance)
        self.instance.mkdir(parents=True, exist_ok=True)
        self.settings = settings or load_settings(self.instance)
        self._store: Store | None = None
        self.store_error: str | None = None
        #: the code of what kept the catalogue shut (``catalogue``, ``catalogue-lost``)
        self.store_error_code = StoreError.code
        try:
            self._store = Store(self.instance)
        except (StoreError, sqlite3.DatabaseError) as exc:
            if isinstance(exc, StoreError):
                self.store_error_code = exc.code
            # Kept openable so that `archive check` can report and repair it; every other
            # use of the catalogue fails with this one line (see the `store` property).
            self.store_error = str(exc) if isinstance(exc, CatalogueLost) else (
                f"cannot open the catalogue: {exc}; run archive check"
            )
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        #: Told of extraction's progress, (file name, "OCR page 3 of 40"): the CLI prints it on a
        #: terminal, the web shows it on the upload's status page.
        self.progress: Callable[[str, str], None] | None = None
        index = self.instance / "index"
        fresh = self._store is not None and not self._store.read_only and not self._store.count()
        if fresh and not (index.exists() or index.is_symlink()):
            _ = self.index  # a new archive's empty index, made before its first document
        self.related = views.RelatedCache()
        self._thread_lock = threading.RLock()
        #: The archive's own aliases (instance/aliases.json), installed for the query parser.
        self.aliases = AliasStore(self.instance)
        self.aliases.refresh()
        #: Archivists' merges of entity names (instance/merges.json), applied by search.
        self.merges = MergeStore(self.instance)

    # -- the catalogue ------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The catalogue and originals; a catalogue that could not be opened is a one-line
        ServiceError naming what to run, wherever it is first needed."""
        if self._store is None:
            raise ServiceError(
                self.store_error or "the catalogue is not open; run archive check",
                web="典藏目錄無法開啟，暫時無法顯示；請管理員執行 archive check。",
                code=self.store_error_code,
            )
        return self._store

    @property
    def catalogue_open(self) -> bool:
        return self._store is not None

    def swap_store(self, store: Store | None) -> None:
        """Close the open catalogue and use ``store`` (None: none, until one is swapped in)."""
        if self._store is not None and self._store is not store:
            self._store.close()
        self._store = store
        if store is not None:
            self.store_error = None

    @property
    def read_only(self) -> bool:
        """Whether the instance folder cannot be written (reading and checking still work)."""
        return not os.access(self.instance, os.W_OK)

    # -- the index (derived; opened lazily so that a bad index never blocks the archive) ------
    @property
    def index(self):  # -> archive.index.SearchIndex or TantivyIndex (settings.index_engine)
        from archive.index import engine_class

        with self._index_lock:
            if self._index is None:
                path = self.instance / "index"
                # A new archive gets a new index; one with documents never silently does.
                fresh = path.exists() or path.is_symlink() or not self.store.count()
                self._index = engine_class(self.settings.index_engine)(path, create=fresh)
            return self._index

    def drop_index(self) -> None:
        """Forget the open index (after a rebuild or a swap); the next use opens it again."""
        with self._index_lock:
            self._index = None

    # -- the one writer ---------------------------------------------------------------------
    @contextmanager
    def write_lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the archive's single-writer lock (threads and processes alike)."""
        with self._thread_lock, ExitStack() as held:
            try:
                held.enter_context(locks.exclusive(self.instance / "write.lock", timeout, lambda: ServiceError(
                    "the archive is busy with another write; try again shortly",
                    web="典藏正在處理另一項寫入，請稍後再試。", code="busy")))
            except OSError as exc:
                if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                    raise ServiceError(
                        f"{self.instance}: the instance folder is read-only "
                        f"({(exc.strerror or 'read-only').lower()}); reading works, changes need "
                        "write access",
                        web="這個典藏資料夾是唯讀的：可以閱讀與搜尋，但無法上傳或修改。",
                        code="read-only",
                    ) from exc
                raise
            yield

    # -- the extraction processes -----------------------------------------------------------
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

    def lower_priority(self) -> None:
        """Run this process below interactive work by ``ingest_nice`` (batch work: a server on
        the same machine answers first)."""
        lower_priority(self.settings.ingest_nice)

    def close(self) -> None:
        """Stop the extraction processes (the next ingest starts new ones); close this
        thread's catalogue connection."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        if self._store is not None:
            self._store.close()

    # -- ingest (archive.ingesting) ---------------------------------------------------------
    def extract_bytes(self, data: bytes, filename: str, password: str | None = None) -> Extracted:
        """Check and extract one input without the write lock (safe to run in parallel)."""
        return ingesting.extract_bytes(self, data, filename, password)

    def extract_file(self, path: Path, password: str | None = None) -> Extracted:
        return ingesting.extract_file(self, path, password)

    def ingest_bytes(self, data: bytes, filename: str = "", password: str | None = None,
                     replaces: str | None = None) -> Outcome:
        """Ingest one PDF given as bytes; the outcome names what happened."""
        return ingesting.ingest_bytes(self, data, filename, password, replaces)

    def ingest_files(self, files: list[Path], *, password: str | None = None,
                     replaces: str | None = None, jobs: int | None = None) -> Iterator[Outcome]:
        """Ingest files, extracting ``jobs`` at once; see :func:`archive.ingesting.ingest_files`."""
        return ingesting.ingest_files(self, files, password=password, replaces=replaces, jobs=jobs)

    def commit(self, item: Extracted, replaces: str | None = None, *,
               defer_index: bool = False) -> Outcome:
        """Store an extracted input as a new document or a new version, under the write lock."""
        return ingesting.commit(self, item, replaces, defer_index=defer_index)

    def aliases_for(self, previous: Document, new: Document) -> list[Alias]:
        return ingesting.aliases_for(self, previous, new)

    def index_document(self, doc: Document) -> list[str]:
        return ingesting.index_document(self, doc)

    def reocr(self, doc_id: str, *, language: str = "auto", pages: Collection[int] = (),
              every_page: bool = False, password: str | None = None) -> Outcome:
        """Read a stored original again with OCR as the document's next version (see
        :mod:`archive.reocr`); ``ServiceError`` for a request that cannot be done."""
        return reocr.reocr(self, doc_id, language=language, pages=pages, every_page=every_page,
                           password=password, progress=self.progress)

    # -- reading (archive.views) --------------------------------------------------------------
    def list_documents(self, limit: int | None = None) -> list[dict]:
        return self.store.summaries(limit)

    def get_document(self, doc_id: str, version: int | None = None) -> Document | None:
        return self.store.get(doc_id, version)

    def document_versions(self, doc_id: str) -> list[dict]:
        return self.store.versions(doc_id)

    def document_view(self, doc_id: str, version: int | None = None) -> dict | None:
        """The JSON of ``archive show`` and of the document page."""
        return views.document_view(self, doc_id, version)

    def original_path(self, sha256: str) -> Path:
        return self.store.original_path(sha256)

    def resolve_passage(self, passage_id: str) -> dict | None:
        """Where a passage link lands now: the same passage, its revision, or an honest "gone"."""
        return views.resolve_passage(self, passage_id)

    def search(self, q: str, *, filters: dict[str, list[str]] | None = None,
               sort: str = "relevance", page: int = 1, per_page: int = 10,
               bridge: bool = True) -> dict:
        self.aliases.refresh()  # another process may have changed them (one stat)
        return views.search(self, q, filters=filters, sort=sort, page=page, per_page=per_page,
                            bridge=bridge)

    def highlight_blocks(self, doc_id: str, q: str) -> dict[str, list[list[int]]]:
        self.aliases.refresh()
        return views.highlight_blocks(self, doc_id, q)

    # -- aliases (archive.aliases) --------------------------------------------------------------
    def learn_aliases(self) -> list[vocabulary.Alias]:
        """Find the names every stored document glosses alike (裴洛西（Nancy Pelosi）, 佩洛西
        （Nancy Pelosi）) and make them the learned aliases."""
        with self.write_lock():
            def texts() -> Iterator[str]:
                for row in self.store.summaries():
                    doc = self.store.get(row["id"])
                    if doc is not None:
                        yield "\n".join(b.text for b in doc.blocks)

            return self.aliases.learn(texts())

    def add_alias(self, forms: Iterable[str]) -> vocabulary.Alias:
        with self.write_lock():
            return self.aliases.add(forms)

    def remove_alias(self, a: str, b: str) -> None:
        with self.write_lock():
            self.aliases.remove(a, b)

    # -- merged entity names (archive.merges) -------------------------------------------------
    def entity_group(self, kind: str, name: str) -> list[str]:
        """The names merged with ``name`` of ``kind``, the shown one first ([]: none)."""
        return self.merges.group(kind, name)

    def merge_entities(self, kind: str, names: Iterable[str], *, by: str = "") -> Group:
        """Make ``names`` one entity of ``kind`` (shown as the first); each must name one
        document's ``kind`` at least, so that a typo is refused rather than kept."""
        from archive.merges import check_kind, clean_names

        check_kind(kind)
        wanted = clean_names(names)
        for name in wanted:
            if not self.search("", filters={kind: [name]}, per_page=1).get("total"):
                raise MergeError(f"no document has the {kind} {name[:40]!r}",
                                 web=f"典藏中沒有這個名稱的文件：「{name[:40]}」。")
        with self.write_lock():
            return self.merges.merge(kind, wanted, by=by)

    def split_entity(self, kind: str, name: str) -> Group | None:
        """Take ``name`` out of its merge; what is left of the group (None: gone)."""
        with self.write_lock():
            return self.merges.split(kind, name)

    def more_like_this(self, doc_id: str, limit: int = 5) -> list[dict]:
        return views.more_like_this(self, doc_id, limit)

    # -- corrections (archive.edits) ----------------------------------------------------------
    def edit(self, doc_id: str, *, sets: dict[str, str] | None = None,
             unsets: Iterable[str] = (), user: str) -> dict:
        """Correct a document's metadata; see :func:`archive.edits.apply`."""
        return edits.apply(self, doc_id, sets=sets, unsets=unsets, user=user)

    # -- maintenance (archive.maintenance) ------------------------------------------------------
    def reindex(self, engine: str | None = None) -> dict:
        """Rebuild the index from the archive into a new directory and swap it in, and learn
        the aliases the documents gloss alike.  ``engine``: the one ``index_engine`` names
        (given, it must be that one: an index of another engine would not open)."""
        out = maintenance.reindex(self, engine)
        out["aliases_learned"] = len(self.learn_aliases())
        return out

    def upgrade_index(self) -> dict | None:
        return maintenance.upgrade_index(self)

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document from the catalogue and index; its originals move to ``deleted/``."""
        return maintenance.delete_document(self, doc_id)

    def check(self, repair: bool = False, *, quick: bool = False) -> dict:
        """Does the archive agree with itself and with the index?  See :mod:`archive.maintenance`."""
        return maintenance.check(self, repair, quick=quick)

    # -- users (archive.accounts) -------------------------------------------------------------
    def add_user(self, name: str, password: str, *, reset: bool = False) -> None:
        accounts.add_user(self, name, password, reset=reset)

    def verify_user(self, name: str, password: str) -> bool:
        return accounts.verify_user(self, name, password)

    def user_stamp(self, name: str) -> str | None:
        return accounts.user_stamp(self, name)

    def users(self) -> list[str]:
        return accounts.list_users(self)

    def remove_user(self, name: str) -> bool:
        return accounts.remove_user(self, name)

    # -- backup (archive.backup) ------------------------------------------------------------
    def export(self, dest: Path) -> dict:
        """Write a tar archive of the catalogue and every original (see :mod:`archive.backup`)."""
        return backup.export(self, dest)

    def import_archive(self, src: Path, *, with_users: bool = False) -> dict:
        """Restore an export into this (empty) instance, then rebuild the index."""
        return backup.import_archive(self, src, with_users=with_users)
