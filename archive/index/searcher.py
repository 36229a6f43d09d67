"""The :class:`SearchIndex`: open or create the index, one writer at a time, many readers.

What it owns and why: the object the rest of the archive holds (the service, the CLI,
archive.search): warm per-thread searchers, the incremental writer (add, replace,
remove; which segments its commits merge is :mod:`archive.index.merging`) and
:meth:`SearchIndex.rebuild`, which hands the documents to the bulk writer
(:mod:`archive.index.bulk`) and swaps the new directory in (:mod:`archive.index.directory`).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from archive.models import Document

from .bulk import _bulk_build
from .directory import IndexDirectory, _seal
from .documents import field_values
from .errors import IndexMissingError
from .merging import tiered_merge
from .schema import codec, make_schema
from .view import WhooshView

#: Attempts at opening a searcher while a writer replaces the files it was about to read.
OPEN_ATTEMPTS = 8


def _open_searcher(d: Path) -> Searcher:
    """A searcher on the newest generation in ``d``.  Whoosh's writer deletes the previous
    table of contents and the segments it merged away right after each commit, so a reader
    that listed them just before may find them gone: it then opens the new generation."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return whoosh_index.open_dir(str(d)).searcher()
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


class SearchIndex(IndexDirectory):
    """Opens or creates the index at ``path``; one writer at a time, many readers."""

    def __init__(
        self,
        path: Path | str,
        *,
        lock_timeout: float = 10.0,
        check_version: bool = True,
        create: bool = True,
    ) -> None:
        """``create=False``: a missing index is an error, not a new empty one (the service
        says so when the archive has documents an empty index would silently not find)."""
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if check_version and self.path.is_symlink() and not self.path.exists():
            raise IndexMissingError(
                f"the search index link {self.path.name} points to a missing directory "
                f"({os.readlink(self.path)}): run archive reindex"
            )
        if not create and not self.path.exists():
            raise IndexMissingError(f"the search index ({self.path.name}/) is missing: run archive reindex")
        if not self.path.exists() and not self.path.is_symlink():
            with self._lock():
                if not self.path.exists():
                    target = self._new_dir()
                    self._create_in(target)
                    self._point_to(target)
        if check_version:
            self._check_version(self.live_dir())

    @classmethod
    def rebuild_at(cls, path: Path | str, docs: Iterable[Document], **kwargs: Any) -> int:
        """Rebuild the index at ``path`` whatever state it is in (old schema, unreadable)."""
        return cls(path, check_version=False).rebuild(docs, **kwargs)

    # -- reading -------------------------------------------------------------
    def searcher(self) -> Searcher:
        """A warm searcher for this thread, reopened when the index changed or was swapped."""
        loc = self._local
        target = os.readlink(self.path) if self.path.is_symlink() else str(self.path)
        s: Searcher | None = getattr(loc, "searcher", None)
        if s is not None and loc.target == target and s.up_to_date():
            return s
        # Open afresh rather than ``refresh()``: Whoosh's refresh reuses segment readers by
        # segment id and so keeps serving documents deleted since (stale deletion sets).
        # The old searcher is not closed: a caller may still hold it (it closes when freed).
        d = self.live_dir()
        self._check_version(d)
        s = _open_searcher(d)
        loc.target = target
        loc.searcher = s
        return s

    def view(self) -> WhooshView:
        """This thread's view of the index for :mod:`archive.search` (the engine seam,
        :mod:`archive.index.engine`): the same one until the index changes."""
        return WhooshView.for_searcher(self.searcher())

    def doc_ids(self) -> set[str]:
        """Ids of all live documents (for the service's consistency check)."""
        r = self.searcher().reader()
        return {fields["doc_id"] for _n, fields in r.iter_docs()}

    def has_document(self, doc_id: str) -> bool:
        return self.searcher().document_number(doc_id=doc_id) is not None

    def doc_versions(self) -> dict[str, int | None]:
        """doc_id → the archive version indexed (for ``archive check``)."""
        r = self.searcher().reader()
        out: dict[str, int | None] = {}
        for _n, fields in r.iter_docs():
            out[fields["doc_id"]] = json.loads(fields.get("meta") or "{}").get("version")
        return out

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    # -- writing -------------------------------------------------------------
    def add_document(self, doc: Document) -> None:
        self.add_documents([doc])

    def add_documents(self, docs: Iterable[Document]) -> int:
        """Add or replace (by ``doc_id``) documents; returns how many were written."""
        with self._lock():
            ix = whoosh_index.open_dir(str(self.live_dir()))
            w = ix.writer(limitmb=256, codec=codec())
            try:
                n = _write(w, docs, update=True)
            except BaseException:
                w.cancel()
                raise
            w.commit(mergetype=tiered_merge)
            _seal(self.live_dir())
            return n

    def remove_document(self, doc_id: str) -> None:
        with self._lock():
            ix = whoosh_index.open_dir(str(self.live_dir()))
            w = ix.writer(codec=codec())
            w.delete_by_term("doc_id", doc_id)
            w.commit(mergetype=tiered_merge)
            _seal(self.live_dir())

    def rebuild(self, docs: Iterable[Document], *, workers: int | None = None) -> int:
        """Build a fresh index from ``docs`` next to the live one and swap it in atomically.

        Searches keep using the old index until the swap; a failure leaves the
        live index untouched (the half-built directory is removed).
        """
        with self._lock():
            new = self._new_dir()
            try:
                whoosh_index.create_in(str(new), self.schema)
                workers = workers if workers is not None else min(2, os.cpu_count() or 1)
                n = _bulk_build(new, self.schema, docs, workers)
                self._write_version(new)
                _seal(new)
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            old = self.live_dir() if self.path.exists() else None
            self._point_to(new)
            self._cleanup({new.resolve()} | ({old} if old else set()))
            return n


def _write(w: Any, docs: Iterable[Document], *, update: bool) -> int:
    n = 0
    for doc in docs:
        fields = field_values(doc)
        if update:
            w.delete_by_term("doc_id", doc.doc_id)
        w.add_document(**fields)
        n += 1
    return n
