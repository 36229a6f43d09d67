"""The index directory on disk: the writer lock, the atomic symlink swap, the version file
and the seal.

What it owns and why: everything about *where* and *whether* an index lives, apart from
what is inside the engine's files (Whoosh's, or Tantivy's: the engine-specific parts are
methods :class:`archive.index.tantivy_index.TantivyIndex` overrides).  Layout: ``path`` is a symlink to a sibling directory
``<name>-<stamp>/`` holding the engine's files, a :data:`VERSION_FILE` (the schema
version and the engine's name: an index of the other engine is refused with one line) and a
:data:`SEAL_FILE`.  A rebuild writes a fresh sibling and swaps the symlink with one
``rename`` (atomic), so searches never see a half-built index and searchers that are
still open keep reading the old files.  A ``<name>.lock`` file next to ``path`` is the
single-writer lock (``fcntl.flock``); failing to get it raises :class:`IndexBusyError`
and touches nothing.

:class:`IndexDirectory` is a base of :class:`archive.index.SearchIndex` (it expects the
``path``, ``lock_timeout`` and ``schema`` attributes that class sets).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import Schema

from archive import locks
from archive.integrity import file_sha256

from .errors import IndexBusyError, IndexEngineError, IndexVersionError
from .schema import SCHEMA_VERSION, VERSION_FILE

#: Size and SHA-256 of every file of the index as its last commit left it (see ``_seal``).
SEAL_FILE = "CHECKSUMS.json"


class IndexDirectory:
    """Layout, lock and integrity of the index at ``path`` (see the module docstring)."""

    path: Path
    lock_timeout: float
    schema: Schema
    #: The engine whose files the directory holds, and the version of its layout; both are
    #: written to :data:`VERSION_FILE` and checked on opening.
    engine = "whoosh"
    schema_version = str(SCHEMA_VERSION)

    # -- layout ------------------------------------------------------------
    def live_dir(self) -> Path:
        """The directory the index currently lives in (the symlink's target)."""
        return self.path.resolve()

    def _new_dir(self) -> Path:
        stamp = time.strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        d = self.path.with_name(f"{self.path.name}-{stamp}")
        d.mkdir()
        return d

    def _create_in(self, d: Path) -> None:
        whoosh_index.create_in(str(d), self.schema)
        self._write_version(d)
        _seal(d)

    def _point_to(self, target: Path) -> None:
        """Swap ``path`` to ``target`` atomically (rename of a fresh symlink over the old one)."""
        tmp = self.path.with_name(f".{self.path.name}.swap-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(target.name)
        if self.path.exists() and not self.path.is_symlink():
            # A plain directory from elsewhere: move it aside first (not atomic, once).
            self.path.rename(self.path.with_name(f"{self.path.name}-legacy-{int(time.time())}"))
        os.replace(tmp, self.path)

    def _write_version(self, d: Path) -> None:
        """The version file: ``<schema version> <engine>`` (an old Whoosh index wrote the
        version alone)."""
        (d / VERSION_FILE).write_text(f"{self.schema_version} {self.engine}")

    def _check_version(self, d: Path) -> None:
        found, engine = read_version(d)
        if found is not None and engine != self.engine:
            raise IndexEngineError(
                f"the search index at {self.path} was built by {engine}, but index_engine is "
                f"{self.engine!r}: run archive reindex (or set index_engine = {engine!r})"
            )
        if found != self.schema_version or not self._has_index_files(d):
            raise IndexVersionError(
                f"the search index at {self.path} has schema version {found}, this program "
                f"needs {self.schema_version}: run archive reindex"
            )

    def _has_index_files(self, d: Path) -> bool:
        # A table of contents names a Whoosh index (listing, not opening, which races writers).
        return any(d.glob("_MAIN_*.toc"))

    def _read_through(self, d: Path) -> list[str]:
        return _read_through(d)

    def _cleanup(self, keep: set[Path]) -> None:
        """Remove old index directories, keeping the live one and the one before it
        (searchers opened just before a swap may still be reading it)."""
        olds = sorted(
            (p for p in self.path.parent.glob(f"{self.path.name}-*") if p.is_dir()),
            key=lambda p: p.stat().st_mtime,
        )
        for p in olds[:-2]:
            if p.resolve() not in keep:
                shutil.rmtree(p, ignore_errors=True)

    # -- the lock ----------------------------------------------------------
    def _lock(self) -> contextlib.AbstractContextManager[None]:
        lockfile = self.path.with_name(self.path.name + ".lock")
        return locks.exclusive(lockfile, self.lock_timeout, lambda: IndexBusyError(
            f"the search index is busy (another writer holds {lockfile.name}); try again shortly"))

    # -- integrity -----------------------------------------------------------
    def verify(self) -> list[str]:
        """Damage to the index on disk, one line per finding (empty: sound).

        Every file is compared with the size and SHA-256 its last commit sealed
        (Whoosh never rewrites a file it has written, so any difference is damage);
        an index without a seal, or with files its seal does not name (a crash
        between commit and seal), is read through instead: every stored document,
        every term and its postings in every field.
        """
        if self.path.is_symlink() and not self.path.exists():
            return [f"the index link points to a missing directory ({os.readlink(self.path)})"]
        d = self.live_dir()
        try:
            sealed = json.loads((d / SEAL_FILE).read_text())
        except (OSError, ValueError):
            sealed = None
        found: list[str] = []
        unsealed = sealed is None
        if sealed is not None:
            present = _index_files(d)
            for name, (size, digest) in sorted(sealed.items()):
                f = d / name
                if name not in present:
                    found.append(f"{name}: missing")
                elif f.stat().st_size != size or file_sha256(f) != digest:
                    found.append(f"{name}: its bytes differ from what the last commit wrote")
            unsealed = bool(present - sealed.keys())
        if found or not unsealed:
            return found
        return self._read_through(d)


def _index_files(d: Path) -> set[str]:
    """The data files of an index directory (not its locks, not the seal itself)."""
    return {
        p.name for p in d.iterdir()
        if p.is_file() and p.name != SEAL_FILE and not p.name.endswith(("LOCK", ".lock"))
        and not p.name.startswith(".")
    }


def read_version(d: Path) -> tuple[str | None, str]:
    """The version file of the index in ``d``: ``(version, engine)``; ``(None, "whoosh")``
    when it is missing or unreadable, the engine ``"whoosh"`` when it names none."""
    try:
        parts = (d / VERSION_FILE).read_text().split()
    except OSError:
        return None, "whoosh"
    if not parts:
        return None, "whoosh"
    return parts[0], (parts[1] if len(parts) > 1 else "whoosh")


def _seal(d: Path, rehash: Callable[[str], bool] | None = None) -> None:
    """Record the size and digest of every file of ``d`` after a commit.  Only files new
    since the last seal are hashed (a Whoosh file, once written, never changes), and those
    ``rehash`` names (an engine's files that each commit rewrites)."""
    try:
        old = json.loads((d / SEAL_FILE).read_text())
    except (OSError, ValueError):
        old = {}
    seal = {}
    for name in sorted(_index_files(d)):
        size = (d / name).stat().st_size
        kept = None if rehash is not None and rehash(name) else old.get(name)
        seal[name] = kept if kept and kept[0] == size else [size, file_sha256(d / name)]
    tmp = d / f".{SEAL_FILE}.tmp"
    tmp.write_text(json.dumps(seal, sort_keys=True))
    os.replace(tmp, d / SEAL_FILE)


def _read_through(d: Path) -> list[str]:
    """Read every stored document and every posting of the index in ``d`` (the check for an
    index that has no seal): a damaged segment raises here rather than in someone's search."""
    try:
        with whoosh_index.open_dir(str(d)).searcher() as s:
            for leaf, _offset in s.reader().leaf_readers():
                for _n, _fields in leaf.iter_docs():
                    pass
                for fieldname in leaf.indexed_field_names():
                    for term in list(leaf.lexicon(fieldname)):
                        m = leaf.postings(fieldname, term)
                        while m.is_active():
                            m.value()
                            m.next()
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises is the finding
        return [f"reading the index failed: {type(exc).__name__}: {exc}"[:300]]
    return []
