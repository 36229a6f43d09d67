"""Web state that every server process must see alike: upload jobs and sign-in attempts.

Production runs several gunicorn workers.  An upload is taken by one of them,
but the browser polls its progress from whichever worker answers, and a
password guesser must not get one allowance per worker.  So both live in one
small SQLite file in the instance folder (``web-state.sqlite3``), apart from
the catalogue: this is ephemeral state, not the archive, and it is written
with ``synchronous=NORMAL`` (a crash may forget the last moments of it, never
a document).

A job records the process that took it (pid and start time).  The bytes stay
in that process's memory until its writer thread stores them, so a job whose
process is gone while it was still pending can never finish: it is reported
as failed, with the reason, instead of "queued" for ever.  Unless the catalogue
shows it was stored all the same (the writer child finishes the file it holds
when the web process dies): then it is reported stored, with the document.
The catalogue is looked up by the upload's SHA-256 when the job has one, else
by its file name and size among the versions stored since it was queued.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.store.sqlite_wal import enable_wal

FILENAME = "web-state.sqlite3"
#: The archive's catalogue in the instance folder (``archive.store.Store.db_path``), read here
#: only, to tell whether an interrupted upload was stored.
CATALOGUE = "catalogue.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    user TEXT NOT NULL,
    replaces TEXT,
    status TEXT NOT NULL,
    doc_id TEXT,
    version INTEGER,
    reason TEXT,
    queued_at REAL NOT NULL,
    finished_at REAL,
    owner TEXT NOT NULL,
    sha256 TEXT
);
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs(status, queued_at);
CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts(key, at);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    stamp TEXT NOT NULL,
    created REAL NOT NULL,
    seen REAL NOT NULL
);
"""

#: Job states before the archive's outcome is known.
PENDING = ("queued", "working")
#: How many finished jobs are remembered for polling.
KEEP_FINISHED = 500
JOB_FIELDS = ("id", "filename", "size", "user", "replaces", "status", "doc_id", "version",
              "reason", "queued_at", "finished_at", "owner", "sha256")
#: A pending job whose process is gone, and the catalogue has no version of it.
INTERRUPTED = "interrupted: the server stopped before storing it; upload the file again"
#: ... and the catalogue could not be read to tell.
UNKNOWN_IF_STORED = ("interrupted: the server stopped while handling it, and the catalogue could "
                     "not be read to tell whether it was stored; upload the file again (the same "
                     "file is never stored twice)")
#: A pending job whose process is gone, but the catalogue has it.
STORED_UNCONFIRMED = "stored, but the server stopped before it could confirm the upload"
#: How long after a job was reported interrupted its upload is still looked for in the catalogue
#: (the orphaned writer child may still be finishing it).
RECHECK_S = 900.0


class CatalogueUnreadable(Exception):
    """The catalogue could not be read: whether an upload was stored is unknown."""


def _iso(epoch: float) -> str:
    """``epoch`` as the catalogue writes times (``archive.store.now_iso``: UTC, whole seconds)."""
    return datetime.fromtimestamp(epoch, UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def stored_version(instance: Path, *, sha256: str | None = None, filename: str | None = None,
                   size: int | None = None, since: float | None = None) -> dict[str, Any] | None:
    """The catalogue's version of an upload, or None if it was not stored.

    By ``sha256`` when known (then a version stored before ``since`` is the same bytes stored
    earlier: ``"unchanged"``); else the latest version of that ``filename`` and ``size``
    stored since ``since``.  Returns ``{"status", "doc_id", "version"}``; raises
    :class:`CatalogueUnreadable` when it cannot tell.
    """
    path = Path(instance) / CATALOGUE
    if not path.exists():
        return None  # no catalogue, no documents
    floor = _iso(since) if since is not None else ""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            if sha256:
                row = conn.execute("SELECT doc_id, version, ingested_at FROM versions WHERE sha256 = ?",
                                   (sha256,)).fetchone()
            elif filename is not None and size is not None:
                row = conn.execute(
                    "SELECT doc_id, version, ingested_at FROM versions WHERE filename = ? AND size = ? "
                    "AND ingested_at >= ? ORDER BY ingested_at DESC, version DESC LIMIT 1",
                    (filename, size, floor)).fetchone()
            else:
                raise CatalogueUnreadable("nothing to look the upload up by")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise CatalogueUnreadable(str(exc)) from exc
    if row is None:
        return None
    doc_id, version, ingested_at = row[0], int(row[1]), str(row[2])
    status = "unchanged" if ingested_at < floor else "updated" if version > 1 else "ingested"
    return {"status": status, "doc_id": doc_id, "version": version}


def process_token(pid: int | None = None) -> str:
    """``pid:start`` naming one process for its lifetime (a reused pid has another start)."""
    pid = os.getpid() if pid is None else pid
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            start = fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        start = "?"
    return f"{pid}:{start}"


def _alive(token: str) -> bool:
    pid_text, _sep, start = token.partition(":")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # someone else's process with that pid: cannot tell, assume alive
    return start == "?" or process_token(pid) == token


class SharedState:
    """The jobs and attempts tables; one connection per thread, opened lazily."""

    def __init__(self, instance: Path) -> None:
        self.instance = Path(instance)
        self.path = self.instance / FILENAME
        if self.instance.is_dir() and not os.access(self.instance, os.W_OK):
            # A read-only instance: the state (no uploads can happen; sign-in attempts still
            # count) lives in the temporary folder, one file per instance, shared by workers.
            import hashlib
            import tempfile

            digest = hashlib.sha256(str(self.instance.resolve()).encode()).hexdigest()[:16]
            self.path = Path(tempfile.gettempdir()) / f"archive-web-state-{digest}.sqlite3"
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
            if "sha256" not in columns:  # a state file from before jobs kept the upload's digest
                with contextlib.suppress(sqlite3.OperationalError):  # another process added it first
                    conn.execute("ALTER TABLE jobs ADD COLUMN sha256 TEXT")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            enable_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    # -- jobs -----------------------------------------------------------------
    def add_job(self, job: dict[str, Any]) -> None:
        row = [job.get(k) for k in JOB_FIELDS]
        conn = self._conn()
        conn.execute(f"INSERT INTO jobs({', '.join(JOB_FIELDS)}) VALUES "
                     f"({', '.join('?' * len(JOB_FIELDS))})", row)
        self._trim(conn)

    def update_job(self, job_id: str, **fields: Any) -> None:
        names = [k for k in fields if k in JOB_FIELDS and k != "id"]
        self._conn().execute(
            f"UPDATE jobs SET {', '.join(f'{k} = ?' for k in names)} WHERE id = ?",
            [fields[k] for k in names] + [job_id],
        )

    def job(self, job_id: str) -> dict[str, Any] | None:
        """A job as the upload page shows it, with its place in the queue while pending."""
        conn = self._conn()
        row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            return None
        job = dict(row)
        if job["status"] in PENDING and not _alive(job["owner"]):
            job.update(self._lost(job), finished_at=time.time())
            conn.execute("UPDATE jobs SET status = ?, reason = ?, doc_id = ?, version = ?, "
                         "finished_at = ? WHERE id = ? AND status IN ('queued', 'working')",
                         (job["status"], job["reason"], job["doc_id"], job["version"],
                          job["finished_at"], job_id))
        elif (job["status"] == "failed" and job["reason"] in (INTERRUPTED, UNKNOWN_IF_STORED)
              and time.time() - (job["finished_at"] or 0.0) < RECHECK_S):
            found = self._lost(job)  # the orphaned writer may have finished it since
            if found["status"] != "failed" or found["reason"] != job["reason"]:
                job.update(found)
                conn.execute("UPDATE jobs SET status = ?, reason = ?, doc_id = ?, version = ? "
                             "WHERE id = ? AND status = 'failed'",
                             (job["status"], job["reason"], job["doc_id"], job["version"], job_id))
        position = None
        if job["status"] in PENDING:
            position = conn.execute(
                "SELECT count(*) FROM jobs WHERE status IN ('queued', 'working') AND "
                "(queued_at < ? OR (queued_at = ? AND id < ?))",
                (job["queued_at"], job["queued_at"], job_id),
            ).fetchone()[0]
        job["position"] = position
        job["done"] = job["status"] not in PENDING
        return job

    def _lost(self, job: dict[str, Any]) -> dict[str, Any]:
        """The outcome of a job whose process is gone: stored after all, or interrupted."""
        try:
            found = stored_version(self.instance, sha256=job.get("sha256"), filename=job["filename"],
                                   size=job["size"], since=job["queued_at"])
        except CatalogueUnreadable:
            return {"status": "failed", "reason": UNKNOWN_IF_STORED, "doc_id": None, "version": None}
        if found is None:
            return {"status": "failed", "reason": INTERRUPTED, "doc_id": None, "version": None}
        return {**found, "reason": STORED_UNCONFIRMED}

    def _trim(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "DELETE FROM jobs WHERE status NOT IN ('queued', 'working') AND id NOT IN "
            "(SELECT id FROM jobs WHERE status NOT IN ('queued', 'working') "
            "ORDER BY queued_at DESC LIMIT ?)",
            (KEEP_FINISHED,),
        )

    # -- sign-in failures (archive.web.throttle decides what they mean) ------------
    #: Failures older than this are forgotten (the longest memory a throttle key has).
    FAILURE_MEMORY_S = 24 * 3600.0

    def now(self) -> float:
        """The clock the throttle reads (one place, so that every key agrees)."""
        return time.time()

    def failures(self, key: str, window: float) -> tuple[int, float | None]:
        """How many failures ``key`` has had in the last ``window`` seconds, and the latest."""
        count, last = self._conn().execute(
            "SELECT count(*), max(at) FROM attempts WHERE key = ? AND at > ?",
            (key, self.now() - window)).fetchone()
        return int(count), last

    def wait_for(self, key: str, limit: int, window: float) -> float:
        """0 if ``key`` has had fewer than ``limit`` failures in ``window`` seconds, else the
        seconds until its oldest one in the window leaves it."""
        now = self.now()
        rows = self._conn().execute(
            "SELECT at FROM attempts WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?",
            (key, now - window, max(1, limit))).fetchall()
        if len(rows) < max(1, limit):
            return 0.0
        return max(0.001, window - (now - rows[-1][0]))

    def record_failure(self, keys: list[str]) -> None:
        now = self.now()
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM attempts WHERE at <= ?", (now - self.FAILURE_MEMORY_S,))
            conn.executemany("INSERT INTO attempts(key, at) VALUES (?, ?)", [(k, now) for k in keys])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def clear_failures(self, key: str) -> None:
        self._conn().execute("DELETE FROM attempts WHERE key = ?", (key,))

    # -- sessions ---------------------------------------------------------------
    def open_session(self, user: str, stamp: str) -> str:
        """A new server-side session for ``user``; its id goes in the signed cookie."""
        sid = secrets.token_urlsafe(24)
        now = time.time()
        self._conn().execute("INSERT INTO sessions(id, user, stamp, created, seen) VALUES (?, ?, ?, ?, ?)",
                             (sid, user, stamp, now, now))
        return sid

    def session_user(self, sid: str, user: str, stamp: str | None, idle_s: float) -> bool:
        """Is ``sid`` a live session of ``user`` opened with the password stamp ``stamp``?

        A session ends when it is signed out, when it has been idle longer than
        ``idle_s``, and when its user is removed or changes password (the stamp
        differs).  A live session's last use is refreshed (at most once a minute).
        """
        conn = self._conn()
        row = conn.execute("SELECT user, stamp, seen FROM sessions WHERE id = ?", (sid,)).fetchone()
        now = time.time()
        if row is None:
            return False
        if row["user"] != user or stamp is None or row["stamp"] != stamp or now - row["seen"] > idle_s:
            conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))
            return False
        if now - row["seen"] > 60:
            conn.execute("UPDATE sessions SET seen = ? WHERE id = ?", (now, sid))
        return True

    def end_session(self, sid: str | None) -> None:
        if sid:
            self._conn().execute("DELETE FROM sessions WHERE id = ?", (sid,))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
