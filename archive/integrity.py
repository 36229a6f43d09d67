"""What ``archive check``, ``export`` and ``import`` verify about a catalogue and its originals.

The catalogue and the originals are the source of truth, so the checks read
them the way the service will: SQLite's own integrity check over every page,
every version row's document parsed as the pages will parse it, every
original named by a plain hex digest and hashed.  They work on a catalogue
file by path (read-only), so the same code vets the live instance and an
export staged for import before anything lands.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from archive.models import Document

#: A stored original is named by its SHA-256: 64 lower-case hex digits and nothing else.
DIGEST = re.compile(r"[0-9a-f]{64}")

#: The tables a catalogue must have (the schema's own, see archive.store).
REQUIRED_TABLES = frozenset({"meta", "documents", "versions", "passages", "aliases", "users"})

#: How many lines of SQLite's integrity report are kept in a problem.
REPORT_LINES = 3


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read a mebibyte at a time (originals and index files alike)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_digest(value: object) -> bool:
    """True for a plain SHA-256 hex digest (the only thing a path is built from)."""
    return isinstance(value, str) and DIGEST.fullmatch(value) is not None


def open_read_only(db_path: Path, *, any_thread: bool = False) -> sqlite3.Connection:
    """A read-only connection that never creates or rewrites the file: ``mode=ro``, where
    SQLite can share the WAL index with a writer; on a read-only file system without one,
    ``immutable=1`` (nothing can change the file there)."""
    uri = f"file:{db_path.resolve().as_posix()}?mode=ro"
    last: sqlite3.Error | None = None
    for attempt in (uri, uri + "&immutable=1"):
        conn = sqlite3.connect(attempt, uri=True, timeout=30.0, isolation_level=None,
                               check_same_thread=not any_thread)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            conn.close()
            last = exc
            continue
        except sqlite3.DatabaseError:
            conn.close()
            raise
        conn.row_factory = sqlite3.Row
        return conn
    raise last or sqlite3.OperationalError("unable to open database file")


@contextmanager
def read_only(db_path: Path) -> Iterator[sqlite3.Connection]:
    """:func:`open_read_only`, closed afterwards."""
    with closing(open_read_only(db_path)) as conn:
        yield conn


def catalogue_problems(db_path: Path, *, schema_version: int) -> list[dict]:
    """Damage to the catalogue file itself: not a database, pages SQLite reports as
    corrupt, missing tables, a newer schema.  Empty when the file is sound."""
    if not db_path.exists():
        return [{"kind": "catalogue-missing", "path": db_path.name}]
    if db_path.stat().st_size == 0:
        return [{"kind": "catalogue-empty", "path": db_path.name}]
    try:
        with read_only(db_path) as conn:
            report = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            if report != ["ok"]:
                return [{"kind": "catalogue-damaged", "detail": "; ".join(report[:REPORT_LINES])}]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            missing = REQUIRED_TABLES - tables
            if missing:
                return [{"kind": "catalogue-damaged",
                         "detail": f"tables missing: {', '.join(sorted(missing))}"}]
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            found = int(row[0]) if row and str(row[0]).isdigit() else None
            if found is None or found > schema_version:
                return [{"kind": "catalogue-schema",
                         "detail": f"schema {found}, this program reads up to {schema_version}"}]
    except sqlite3.DatabaseError as exc:
        return [{"kind": "catalogue-damaged", "detail": str(exc)}]
    return []


def document_problem(row: sqlite3.Row) -> dict | None:
    """A version row whose stored document the pages could not show, or that names
    another document, version or original than its row."""
    base = {"doc_id": row["doc_id"], "version": row["version"]}
    try:
        doc = Document.from_dict(json.loads(row["document"]))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return {"kind": "document-unreadable", **base, "detail": f"{type(exc).__name__}: {exc}"[:200]}
    if (doc.doc_id, doc.version, doc.sha256) != (row["doc_id"], row["version"], row["sha256"]):
        return {"kind": "document-mismatch", **base,
                "detail": "the stored document names another id, version or original"}
    return None


def version_problems(
    conn: sqlite3.Connection,
    original: Callable[[str], Path],
    *,
    hash_file: Callable[[Path], str] | None,
) -> tuple[list[dict], set[str]]:
    """Every version row checked against its original and its document.

    ``original`` maps a digest to its file; ``hash_file`` hashes one (None: compare
    sizes only, for ``check --quick``).  Returns the problems and the digests named.
    """
    problems: list[dict] = []
    named: set[str] = set()
    for row in conn.execute(
        "SELECT doc_id, version, sha256, size, document FROM versions ORDER BY doc_id, version"
    ):
        base = {"doc_id": row["doc_id"], "version": row["version"]}
        if not is_digest(row["sha256"]):
            problems.append({"kind": "invalid-sha256", **base, "sha256": str(row["sha256"])[:80]})
            continue
        named.add(row["sha256"])
        bad = document_problem(row)
        if bad:
            problems.append(bad)
        path = original(row["sha256"])
        if not path.is_file():
            problems.append({"kind": "missing-original", **base, "sha256": row["sha256"]})
        elif hash_file is None:
            if path.stat().st_size != row["size"]:
                problems.append({"kind": "size-mismatch", **base, "sha256": row["sha256"]})
        elif hash_file(path) != row["sha256"]:
            problems.append({"kind": "checksum-mismatch", **base, "sha256": row["sha256"]})
    for row in conn.execute(
        "SELECT d.doc_id FROM documents d LEFT JOIN versions v "
        "ON v.doc_id=d.doc_id AND v.version=d.current_version WHERE v.doc_id IS NULL"
    ):
        problems.append({"kind": "no-current-version", "doc_id": row["doc_id"]})
    return problems, named
