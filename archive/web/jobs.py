"""The upload queue: a background thread per server process feeding its writer process.

Requests must not block on extraction, and only one ingest can write at a
time anyway (the archive's write lock serialises the writers of every
process), so uploads become jobs processed in order, each stored and indexed
by this process's niced writer child (:mod:`archive.web.writer`).  Each job's state lives
in :mod:`archive.web.state`, shared by all server processes, so the upload
page can poll its progress from any of them.  The bytes stay in the memory
of the process that took the upload until its writer stores them; a user's
file name is only ever a label.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from archive.web.state import PENDING, SharedState, process_token
from archive.web.writer import WriterProcess

log = logging.getLogger(__name__)

__all__ = ["PENDING", "JobQueue"]


@dataclass
class _Work:
    """What the writer thread needs of one queued upload (never shared, never written)."""

    id: str
    filename: str
    data: bytes = field(repr=False)
    password: str | None = field(default=None, repr=False)
    replaces: str | None = None


#: The fields of a job the upload page and its JSON twin show.
SHOWN = ("id", "filename", "size", "status", "done", "position", "doc_id", "version", "reason",
         "replaces")


def _progress_zh(note: str) -> str:
    """Extraction's progress note in the web's language ("OCR page 3 of 40" -> 「OCR 第 3 頁，共 40 頁」)."""
    import re

    match = re.fullmatch(r"OCR page (\d+) of (\d+)", note)
    return f"OCR 第 {match.group(1)} 頁，共 {match.group(2)} 頁" if match else note


class JobQueue:
    """A FIFO of ingest jobs with one worker thread (started lazily)."""

    def __init__(self, archive: Any, state: SharedState | None = None, *,
                 start: bool = True) -> None:
        self.archive = archive
        self.state = state or SharedState(archive.instance)
        self.writer = WriterProcess(archive.instance, archive.settings)
        self._queue: queue.Queue[_Work] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._autostart = start
        self._owner = process_token()

    def _record(self, *, filename: str, size: int, user: str, status: str = "queued",
                reason: str | None = None, replaces: str | None = None,
                sha256: str | None = None) -> str:
        job_id = secrets.token_urlsafe(12)
        now = time.time()
        self.state.add_job({
            "id": job_id, "filename": filename, "size": size, "user": user,
            "replaces": replaces, "status": status, "reason": reason, "queued_at": now,
            "finished_at": None if status in PENDING else now, "owner": self._owner,
            # the bytes' digest: a job whose server died is looked up by it in the catalogue
            "sha256": sha256,
        })
        return job_id

    # -- producer side -------------------------------------------------------
    def submit(
        self,
        data: bytes,
        *,
        filename: str,
        user: str,
        password: str | None = None,
        replaces: str | None = None,
    ) -> dict[str, Any]:
        job_id = self._record(filename=filename, size=len(data), user=user, replaces=replaces,
                              sha256=hashlib.sha256(data).hexdigest())
        self._queue.put(_Work(job_id, filename, data, password, replaces))
        if self._autostart:
            self.start()
        return self.get(job_id) or {"id": job_id}

    def reject(self, *, filename: str, size: int, user: str, reason: str) -> dict[str, Any]:
        """Record a file refused before queueing, so it reports like any other."""
        job_id = self._record(filename=filename, size=size, user=user, status="failed",
                              reason=reason)
        return self.get(job_id) or {"id": job_id}

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job as shown (from any server process), or None if unknown or forgotten."""
        job = self.state.job(job_id)
        return {k: job[k] for k in SHOWN} if job else None

    # -- worker side ---------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ingest-worker",
                                                daemon=True)
                self._thread.start()

    def run_pending(self) -> None:
        """Process every queued job in this thread (tests without a worker)."""
        while True:
            try:
                work = self._queue.get_nowait()
            except queue.Empty:
                return
            self._process(work)

    def _run(self) -> None:
        while True:
            self._process(self._queue.get())

    def _process(self, work: _Work) -> None:
        result: dict[str, Any] = {}
        try:
            self.state.update_job(work.id, status="working")
            outcome = self.writer.ingest(
                work.data, filename=work.filename, password=work.password, replaces=work.replaces,
                progress=lambda note: self.state.update_job(work.id, reason=_progress_zh(note)))
            result = {"status": outcome["status"], "doc_id": outcome.get("doc_id") or None,
                      "version": outcome.get("version") or None,
                      "reason": outcome.get("reason") or None}
        except Exception as exc:  # a bug in ingest must not kill the worker
            log.exception("ingest of upload %s failed", work.id)
            result = {"status": "failed", "reason": f"internal error: {type(exc).__name__}"}
        finally:
            work.data, work.password = b"", None
            try:
                self.state.update_job(work.id, finished_at=time.time(),
                                      **(result or {"status": "failed",
                                                    "reason": "internal error"}))
            except Exception:  # the state file is unwritable: the archive has the outcome
                log.exception("could not record the outcome of upload %s", work.id)
            self._queue.task_done()
