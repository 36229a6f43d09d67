"""The catalogue: :class:`Store`, every statement the archive runs against its SQLite file,
and the stored originals it names.

Why one class over 500 lines: a version, its passages and their aliases are written in one
transaction, and the reads that must agree with those writes (the current version, the
passages a link may name, the originals a check walks) sit beside them, so that a change
to the catalogue's shape is made and reviewed in one place.  The schema itself is
:mod:`.schema`; files and passwords are :mod:`.files` and :mod:`.passwords`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError
from archive.integrity import file_sha256, is_digest, open_read_only
from archive.models import Document, Field, base_name

from .files import atomic_write, now_iso
from .passwords import check_password, dummy_hash, hash_password
from .schema import SCHEMA, SCHEMA_VERSION, migrate_to_2
from .sqlite_wal import enable_wal


class StoreError(ArchiveError):
    """A catalogue problem stated in one line (e.g. a newer schema)."""

    code = "catalogue"


class CatalogueLost(StoreError):
    """The catalogue is missing or empty while originals exist: opening it would start an
    empty archive beside them (and a repair would then treat every original as an orphan)."""

    code = "catalogue-lost"


def _document(payload: str, doc_id: str, version: object = None) -> Document:
    """A stored version's document; a damaged record is a one-line StoreError, not a 500."""
    try:
        return Document.from_dict(json.loads(payload))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        which = f"{doc_id} version {version}" if version is not None else doc_id
        raise StoreError(
            f"the stored record of document {which} is damaged ({type(exc).__name__}); "
            "run archive check"
        ) from exc


@dataclass
class Alias:
    """Where an old passage id leads in a later version."""

    passage_id: str
    doc_id: str
    from_version: int
    to_version: int
    target_id: str | None
    confidence: float | None
    status: str  # "revised" | "gone"


class Store:
    """Originals on disk by SHA-256 and a SQLite catalogue of documents, versions and passages."""

    def __init__(self, instance: Path, *, rebuilding: bool = False) -> None:
        self.instance = Path(instance)
        self.originals = self.instance / "originals"
        self.db_path = self.instance / "catalogue.sqlite3"
        self._local = threading.local()
        #: A read-only instance (a read-only mount, a copy on a DVD, a folder the server's user
        #: may not write) is served as it is: the catalogue opens read-only, every write says so.
        self.read_only = self.instance.is_dir() and not os.access(self.instance, os.W_OK)
        if self.read_only:
            if not rebuilding:
                self._refuse_lost_catalogue()
            if not self.db_path.is_file():
                raise StoreError(f"{self.instance} is read-only and holds no catalogue")
            self._check_schema_read_only()
            return
        self.instance.mkdir(parents=True, exist_ok=True)
        self.originals.mkdir(exist_ok=True)
        if not rebuilding:
            self._refuse_lost_catalogue()
        # Private: the catalogue holds the archivists' password hashes (SQLite gives its
        # -wal and -shm files the same mode).  Created here only when absent: closing any
        # descriptor of a database file drops every POSIX lock this process holds on it,
        # so an existing catalogue is never opened outside SQLite.
        with suppress(FileExistsError):
            os.close(os.open(self.db_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        if self.db_path.stat().st_mode & 0o077:
            os.chmod(self.db_path, 0o600)
        self._init_schema()

    def _refuse_lost_catalogue(self) -> None:
        """Never create a fresh catalogue beside originals an old one named."""
        if self.db_path.exists() and self.db_path.stat().st_size > 0:
            return
        found = len(self.original_files())
        if found:
            state = "empty" if self.db_path.exists() else "missing"
            raise CatalogueLost(
                f"{self.db_path.name} is {state} but originals/ holds {found} PDFs; "
                "run archive check --repair to rebuild the catalogue from them"
            )

    # -- connection ----------------------------------------------------------
    def connect(self, *, any_thread: bool = False) -> sqlite3.Connection:
        """A new connection: WAL lets readers run during a write.  ``any_thread`` for a
        cursor handed to another thread (one user at a time)."""
        if self.read_only:
            return self._connect_read_only(any_thread=any_thread)
        conn = sqlite3.connect(
            self.db_path, timeout=30.0, isolation_level=None, check_same_thread=not any_thread
        )
        conn.row_factory = sqlite3.Row
        enable_wal(conn)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection, kept open: opening and closing one per call (each close
        of the last connection checkpoints the WAL) cost more than the queries."""
        local = self._local
        if getattr(local, "conn", None) is None or local.pid != os.getpid():
            local.conn, local.pid = self.connect(), os.getpid()
        return local.conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise StoreError(f"{self.instance.name}: the instance folder is read-only; "
                             "reading works, changes need write access to it")
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        yield self._conn()

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _connect_read_only(self, *, any_thread: bool = False) -> sqlite3.Connection:
        try:
            return open_read_only(self.db_path, any_thread=any_thread)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.db_path.name}: cannot be read on this read-only instance "
                             f"({exc})") from exc

    def _check_schema_read_only(self) -> None:
        conn = self._connect_read_only()
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        finally:
            conn.close()
        if row is not None and int(row["value"]) > SCHEMA_VERSION:
            raise StoreError(f"{self.db_path}: catalogue schema {row['value']} is newer than this "
                             f"program's ({SCHEMA_VERSION}); upgrade the program")

    def _init_schema(self) -> None:
        conn = self.connect()
        try:
            conn.executescript(SCHEMA)  # idempotent: every statement is IF NOT EXISTS
        finally:
            conn.close()
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
                )
            elif int(row["value"]) > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.db_path}: catalogue schema {row['value']} is newer than this "
                    f"program's ({SCHEMA_VERSION}); upgrade the program"
                )
            elif int(row["value"]) < 2:
                migrate_to_2(conn)

    # -- originals -------------------------------------------------------------
    def original_path(self, sha256: str) -> Path:
        """Where the original with this digest lives.  Only a plain hex digest makes a path:
        a catalogue row naming anything else (an absolute path, ``..``) is refused."""
        if not is_digest(sha256):
            raise StoreError(f"not a SHA-256 digest: {str(sha256)[:80]!r}; run archive check")
        return self.originals / sha256[:2] / f"{sha256}.pdf"

    def put_original(self, data: bytes, sha256: str) -> Path:
        """Store the PDF's bytes under their hash (idempotent; rewritten if damaged)."""
        path = self.original_path(sha256)
        if path.exists() and path.stat().st_size == len(data) and self.file_sha256(path) == sha256:
            return path
        atomic_write(path, data, mode=0o444)
        return path

    file_sha256 = staticmethod(file_sha256)

    def original_files(self) -> list[Path]:
        """Stored originals: ``<aa>/<digest>.pdf`` files (anything else there is a stray)."""
        return self.stored_originals(self.originals)

    @staticmethod
    def stored_originals(folder: Path) -> list[Path]:
        """The ``<aa>/<digest>.pdf`` regular files under ``folder`` (no symlinks)."""
        return sorted(
            p for p in folder.glob("*/*.pdf")
            if is_digest(p.stem) and p.parent.name == p.stem[:2]
            and p.is_file() and not p.is_symlink()
        )

    def stray_files(self) -> list[Path]:
        """Files under ``originals/`` that are not named as originals are (for ``check``)."""
        kept = set(self.original_files())
        return sorted(
            p for p in self.originals.rglob("*")
            if (p.is_file() or p.is_symlink()) and p not in kept and not p.name.startswith(".tmp-")
        )

    # -- reads -----------------------------------------------------------------
    def version_by_sha(self, sha256: str) -> sqlite3.Row | None:
        with self.reading() as conn:
            return conn.execute(
                "SELECT doc_id, version FROM versions WHERE sha256=? ORDER BY version DESC", (sha256,)
            ).fetchone()

    def find_by_identity(self, identity: str) -> str | None:
        with self.reading() as conn:
            row = conn.execute(
                "SELECT doc_id FROM documents WHERE identity=? ORDER BY updated_at DESC LIMIT 1",
                (identity,),
            ).fetchone()
        return row["doc_id"] if row else None

    def has_document(self, doc_id: str) -> bool:
        with self.reading() as conn:
            return (
                conn.execute("SELECT 1 FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
                is not None
            )

    def current_version(self, doc_id: str) -> int | None:
        with self.reading() as conn:
            row = conn.execute(
                "SELECT current_version FROM documents WHERE doc_id=?", (doc_id,)
            ).fetchone()
        return int(row["current_version"]) if row else None

    def get(self, doc_id: str, version: int | None = None) -> Document | None:
        """A stored version (the current one by default), blocks with their passage ids."""
        with self.reading() as conn:
            if version is None:
                row = conn.execute(
                    "SELECT v.document FROM versions v JOIN documents d "
                    "ON d.doc_id=v.doc_id AND d.current_version=v.version WHERE d.doc_id=?",
                    (doc_id,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT document FROM versions WHERE doc_id=? AND version=?",
                    (doc_id, version),
                ).fetchone()
        return self.with_edits(_document(row["document"], doc_id, version)) if row else None

    def iter_current(self) -> Iterator[Document]:
        """Every document's current version, oldest first (streamed, for reindexing)."""
        conn = self.connect(any_thread=True)  # a reindex may consume it in a feeder thread
        try:
            cur = conn.execute(
                "SELECT v.doc_id, v.document FROM versions v JOIN documents d "
                "ON d.doc_id=v.doc_id AND d.current_version=v.version ORDER BY d.created_at, d.doc_id"
            )
            for row in cur:
                try:
                    doc = _document(row["document"], row["doc_id"])
                except StoreError:
                    continue  # a damaged record is check's to report, not reindex's to stop on
                yield self.with_edits(doc, conn)
        finally:
            conn.close()

    def current_ids(self) -> dict[str, int]:
        with self.reading() as conn:
            return {
                r["doc_id"]: int(r["current_version"])
                for r in conn.execute("SELECT doc_id, current_version FROM documents")
            }

    def summaries(self, limit: int | None = None) -> list[dict]:
        """One row per document for listings, newest ingest first."""
        sql = (
            "SELECT d.doc_id, d.current_version, d.created_at, d.updated_at, v.document, "
            "v.sha256, v.filename FROM documents d JOIN versions v "
            "ON v.doc_id=d.doc_id AND v.version=d.current_version "
            "ORDER BY d.updated_at DESC, d.doc_id"
        )
        params: tuple = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (int(limit),)
        out = []
        with self.reading() as conn:
            for r in conn.execute(sql, params):
                try:
                    doc = self.with_edits(_document(r["document"], r["doc_id"]), conn)
                except StoreError:
                    continue  # listed again once `archive check` has dealt with it
                out.append(
                    {
                        "id": r["doc_id"],
                        "title": doc.title,
                        "author": doc.meta("author"),
                        "foundation": doc.meta("foundation"),
                        "series": doc.meta("series"),
                        "date": doc.meta("date"),
                        "version": int(r["current_version"]),
                        "page_count": doc.page_count,
                        "sha256": r["sha256"],
                        "filename": base_name(r["filename"]),
                        "created_at": r["created_at"],
                        "ingested_at": r["updated_at"],
                    }
                )
        return out

    def versions(self, doc_id: str) -> list[dict]:
        with self.reading() as conn:
            cur = conn.execute("SELECT current_version FROM documents WHERE doc_id=?", (doc_id,))
            row = cur.fetchone()
            if row is None:
                return []
            current = int(row["current_version"])
            rows = conn.execute(
                "SELECT version, sha256, size, filename, ingested_at, "
                "json_extract(document, '$.page_count') AS page_count "
                "FROM versions WHERE doc_id=? ORDER BY version",
                (doc_id,),
            ).fetchall()
        return [
            {
                "version": int(r["version"]),
                "sha256": r["sha256"],
                "size": int(r["size"]),
                "filename": base_name(r["filename"]),
                "ingested_at": r["ingested_at"],
                "page_count": r["page_count"],
                "current": int(r["version"]) == current,
            }
            for r in rows
        ]

    def all_versions(self) -> list[sqlite3.Row]:
        with self.reading() as conn:
            return conn.execute(
                "SELECT doc_id, version, sha256, size FROM versions ORDER BY doc_id, version"
            ).fetchall()

    def passage_versions(self, passage_id: str) -> list[tuple[str, int, int]]:
        """(doc_id, version, ordinal) of every version that holds this passage id, newest first."""
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT doc_id, version, ordinal FROM passages WHERE passage_id=? "
                "ORDER BY version DESC",
                (passage_id,),
            ).fetchall()
        return [(r["doc_id"], int(r["version"]), int(r["ordinal"])) for r in rows]

    def alias(self, passage_id: str) -> Alias | None:
        with self.reading() as conn:
            r = conn.execute("SELECT * FROM aliases WHERE passage_id=?", (passage_id,)).fetchone()
        return Alias(**dict(r)) if r else None

    def known_passages(self, doc_id: str) -> dict[str, int]:
        """Every passage id this document ever had, with the newest version that held it."""
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT passage_id, MAX(version) AS v FROM passages WHERE doc_id=? "
                "GROUP BY passage_id",
                (doc_id,),
            ).fetchall()
        return {r["passage_id"]: int(r["v"]) for r in rows}

    def count(self) -> int:
        with self.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    # -- writes ----------------------------------------------------------------
    def add_version(
        self,
        doc: Document,
        *,
        identity: str | None,
        aliases: Sequence[Alias] = (),
    ) -> None:
        """Record ``doc`` (doc_id, version, passage ids set) as the document's current version.

        The original must already be on disk (``put_original``): this is the commit point.
        """
        if not self.original_path(doc.sha256).exists():
            raise StoreError(f"original {doc.sha256} is not stored; store it before the catalogue")
        payload = json.dumps(doc.to_dict(), ensure_ascii=False)
        with self.transaction() as conn:
            if doc.version == 1:
                conn.execute(
                    "INSERT INTO documents(doc_id, current_version, identity, created_at, updated_at) "
                    "VALUES (?, 1, ?, ?, ?)",
                    (doc.doc_id, identity, doc.ingested_at, doc.ingested_at),
                )
            else:
                conn.execute(
                    "UPDATE documents SET current_version=?, identity=?, updated_at=? WHERE doc_id=?",
                    (doc.version, identity, doc.ingested_at, doc.doc_id),
                )
            conn.execute(
                "INSERT INTO versions(doc_id, version, sha256, size, filename, ingested_at, document) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.doc_id,
                    doc.version,
                    doc.sha256,
                    doc.size,
                    doc.filename,
                    doc.ingested_at,
                    payload,
                ),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO passages(passage_id, doc_id, version, ordinal) VALUES (?,?,?,?)",
                [(b.id, doc.doc_id, doc.version, i) for i, b in enumerate(doc.blocks)],
            )
            # An id that is live again in this version is no longer an alias.
            conn.executemany(
                "DELETE FROM aliases WHERE passage_id=?", [(b.id,) for b in doc.blocks]
            )
            conn.executemany(
                "INSERT OR REPLACE INTO aliases(passage_id, doc_id, from_version, to_version, "
                "target_id, confidence, status) VALUES (?,?,?,?,?,?,?)",
                [
                    (
                        a.passage_id,
                        a.doc_id,
                        a.from_version,
                        a.to_version,
                        a.target_id,
                        a.confidence,
                        a.status,
                    )
                    for a in aliases
                ],
            )

    # -- archivists' corrections ---------------------------------------------------
    def with_edits(self, doc: Document, conn: sqlite3.Connection | None = None) -> Document:
        """``doc`` with the archivists' corrections over what ingest found.  They belong to
        the document, not a version, so a re-ingest of a new version keeps them."""
        conn = conn or self._conn()
        try:
            rows = conn.execute(
                "SELECT field, value FROM edits WHERE id IN "
                "(SELECT MAX(id) FROM edits WHERE doc_id=? GROUP BY field)", (doc.doc_id,)
            ).fetchall()
        except sqlite3.OperationalError:  # a read-only catalogue from before edits existed
            return doc
        for row in rows:
            if row["value"] is None:
                doc.metadata.pop(row["field"], None)
            else:
                doc.metadata[row["field"]] = Field(row["value"], "archivist")
        return doc

    def add_edits(self, doc_id: str, changes: dict[str, str | None], user: str,
                  old: dict[str, str | None]) -> None:
        """Record corrections (None: the field is removed) in one transaction."""
        at = now_iso()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO edits(doc_id, field, value, old_value, user, at) VALUES (?,?,?,?,?,?)",
                [(doc_id, k, v, old.get(k), user, at) for k, v in changes.items()],
            )

    def edit_history(self, doc_id: str) -> list[dict]:
        """Every correction of a document, newest first: field, value, old value, who, when."""
        try:
            with self.reading() as conn:
                rows = conn.execute(
                    "SELECT field, value, old_value, user, at FROM edits WHERE doc_id=? "
                    "ORDER BY id DESC", (doc_id,)
                ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [dict(r) for r in rows]

    def rewrite_version(self, doc: Document) -> None:
        """Replace a version's stored document (a repair re-extracted it from its original);
        the version's passage rows follow it."""
        payload = json.dumps(doc.to_dict(), ensure_ascii=False)
        with self.transaction() as conn:
            done = conn.execute(
                "UPDATE versions SET document=? WHERE doc_id=? AND version=? AND sha256=?",
                (payload, doc.doc_id, doc.version, doc.sha256),
            ).rowcount
            if done != 1:
                raise StoreError(f"no version {doc.version} of {doc.doc_id} with that original")
            conn.execute("DELETE FROM passages WHERE doc_id=? AND version=?",
                         (doc.doc_id, doc.version))
            conn.executemany(
                "INSERT OR IGNORE INTO passages(passage_id, doc_id, version, ordinal) VALUES (?,?,?,?)",
                [(b.id, doc.doc_id, doc.version, i) for i, b in enumerate(doc.blocks)],
            )

    def delete_document(self, doc_id: str) -> list[str]:
        """Remove a document from the catalogue; returns the hashes of originals no longer named."""
        with self.transaction() as conn:
            shas = [
                r["sha256"]
                for r in conn.execute("SELECT sha256 FROM versions WHERE doc_id=?", (doc_id,))
            ]
            conn.execute("DELETE FROM aliases WHERE doc_id=?", (doc_id,))
            conn.execute("DELETE FROM edits WHERE doc_id=?", (doc_id,))
            conn.execute("DELETE FROM passages WHERE doc_id=?", (doc_id,))
            conn.execute("DELETE FROM versions WHERE doc_id=?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
        return shas

    # -- users -------------------------------------------------------------------
    def set_user(self, name: str, password: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO users(name, password_hash, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET password_hash=excluded.password_hash",
                (name, hash_password(password), now_iso()),
            )

    def verify_user(self, name: str, password: str) -> bool:
        password = unicodedata.normalize("NFKC", password)  # as archive.accounts hashed it
        with self.reading() as conn:
            row = conn.execute("SELECT password_hash FROM users WHERE name=?", (name,)).fetchone()
        if row is None:
            # One hash, as for a real name, so that timing does not tell which names exist.
            check_password(dummy_hash(), password)
            return False
        return check_password(row["password_hash"], password)

    def user_stamp(self, name: str) -> str | None:
        """A fingerprint of the user's current password hash; None once the user is removed.

        A web session remembers the stamp it was opened with: a password change
        or a removal changes it, and every session of that user ends.
        """
        with self.reading() as conn:
            row = conn.execute("SELECT password_hash FROM users WHERE name=?", (name,)).fetchone()
        if row is None:
            return None
        return hashlib.sha256(str(row["password_hash"]).encode()).hexdigest()[:32]

    def users(self) -> list[str]:
        with self.reading() as conn:
            return [r["name"] for r in conn.execute("SELECT name FROM users ORDER BY name")]

    def delete_user(self, name: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM users WHERE name=?", (name,)).rowcount > 0
