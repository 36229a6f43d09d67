"""The upload queue: one background worker feeding the archive's single writer.

Requests must not block on extraction, and only one ingest can write at a
time anyway, so uploads become jobs processed in order by one thread.  Each
job's state is pollable so the upload page can show progress.  The bytes
stay in memory until the job runs; a user's file name is only ever a label.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

#: Job states before the archive's outcome is known.
PENDING = ("queued", "working")

#: How many finished jobs are remembered for polling.
KEEP_FINISHED = 500


@dataclass
class Job:
    """One uploaded file on its way through the writer."""

    id: str
    filename: str
    size: int
    user: str
    replaces: str | None = None
    status: str = "queued"  # queued | working | ingested | unchanged | updated | failed
    doc_id: str | None = None
    version: int | None = None
    reason: str | None = None
    queued_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    data: bytes | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def done(self) -> bool:
        return self.status not in PENDING

    def to_dict(self, position: int | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "filename": self.filename,
            "size": self.size,
            "status": self.status,
            "done": self.done,
            "position": position,
            "doc_id": self.doc_id,
            "version": self.version,
            "reason": self.reason,
            "replaces": self.replaces,
        }


class JobQueue:
    """A FIFO of ingest jobs with one worker thread (started lazily)."""

    def __init__(self, archive: Any, *, start: bool = True) -> None:
        self.archive = archive
        self._queue: queue.Queue[Job] = queue.Queue()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._order: list[str] = []  # ids still pending, in queue order
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._autostart = start

    # -- producer side -------------------------------------------------------
    def submit(
        self,
        data: bytes,
        *,
        filename: str,
        user: str,
        password: str | None = None,
        replaces: str | None = None,
    ) -> Job:
        job = Job(
            id=secrets.token_urlsafe(12),
            filename=filename,
            size=len(data),
            user=user,
            replaces=replaces,
            data=data,
            password=password,
        )
        with self._lock:
            self._jobs[job.id] = job
            self._order.append(job.id)
        self._queue.put(job)
        if self._autostart:
            self.start()
        return job

    def reject(self, *, filename: str, size: int, user: str, reason: str) -> Job:
        """Record a file refused before queueing, so it reports like any other."""
        job = Job(id=secrets.token_urlsafe(12), filename=filename, size=size, user=user,
                  status="failed", reason=reason, finished_at=time.time())
        with self._lock:
            self._jobs[job.id] = job
            self._trim()
        return job

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            position = self._order.index(job_id) if job_id in self._order else None
            return job.to_dict(position)

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
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            self._process(job)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            self._process(job)

    def _process(self, job: Job) -> None:
        job.status = "working"
        try:
            outcome = self.archive.ingest_bytes(
                job.data or b"", filename=job.filename, password=job.password,
                replaces=job.replaces,
            )
            job.doc_id = outcome.doc_id or None
            job.version = outcome.version or None
            job.reason = outcome.reason or None
            job.status = outcome.status
        except Exception as exc:  # a bug in ingest must not kill the worker
            log.exception("ingest of upload %s failed", job.id)
            job.status = "failed"
            job.reason = f"internal error: {type(exc).__name__}"
        finally:
            job.data = None
            job.password = None
            job.finished_at = time.time()
            with self._lock:
                if job.id in self._order:
                    self._order.remove(job.id)
                self._trim()
            self._queue.task_done()

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.done]
        for key in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[key]
