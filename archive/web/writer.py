"""The web app's writer: a niced child interpreter that stores and indexes uploads.

Storing a PDF is quick, but indexing it (word segmentation, Whoosh's writer)
is pure Python.  Run in a thread of a web worker, it would hold that worker's
interpreter lock against the requests the worker is serving, and readers
would wait on every upload.  So each web process hands its upload jobs, one at
a time, to a child of its own (:class:`ingest.child.ChildProcess` running :func:`serve`)
that opens the archive once, keeps the word segmenter loaded, and runs at the
lower CPU priority of ``ingest_nice``.  The archive's write lock serialises
the writers of all processes, as it does for the command line.

The child is this program's own code: jobs go to it pickled, outcomes come
back as JSON.  A child that dies is replaced, and the job it held is retried
once on the new one (storing is idempotent: the same bytes again are
``unchanged``, never a second copy).  If the web process dies, the child
reads end-of-file and exits; after ``IDLE_EXIT_S`` without a job it exits too,
giving its memory back, and the next upload starts a new one.

An outcome the child could not give names what happened to it: timed out
(this side stopped it), killed by a signal (which one: SIGKILL is what the
kernel's out-of-memory killer sends), or exited; and if the catalogue has the
upload's bytes all the same, the outcome says it was stored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import subprocess
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive.config import Settings
from archive.web.state import CatalogueUnreadable, stored_version
from ingest.child import ChildProcess
from ingest.sandbox import killed_by, lower_priority

#: A writer with no job for this long exits (with its extraction child); the next starts anew.
IDLE_EXIT_S = 300.0


class WriterProcess:
    """This process's writer child, started at the first job; thread-safe, one job at a time."""

    def __init__(self, instance: Path, settings: Settings, timeout: float | None = None,
                 idle_exit_s: float = IDLE_EXIT_S) -> None:
        self.instance = Path(instance)
        self.settings = settings
        self.idle_exit_s = idle_exit_s
        # Extraction has its own limit; storing and indexing one document take seconds.
        self.timeout = timeout or settings.extract_timeout_s + 300.0
        self._child: ChildProcess | None = None
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _stop, [None])

    @property
    def pid(self) -> int | None:
        return self._child.process.pid if self._child is not None else None

    def _start(self) -> ChildProcess:
        if self._child is None or self._child.process.poll() is not None:
            child = ChildProcess("archive.web.writer:serve", str(self.instance))
            child.conn.send((dataclasses.asdict(self.settings), self.idle_exit_s))
            self._child = child
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _stop, [child])
            # Reaped the moment it exits (idle, or killed), not left a zombie until the next
            # upload happens to look at it.
            threading.Thread(target=_reap, args=(child.process,), name="writer-reaper",
                             daemon=True).start()
        return self._child

    def _stop_child(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None

    def ingest(self, data: bytes, *, filename: str, password: str | None = None,
               replaces: str | None = None,
               progress: Callable[[str], None] | None = None) -> dict[str, Any]:
        """``Archive.ingest_bytes`` in the child: the outcome as a dict (``Outcome.to_dict``).

        ``progress`` hears the child's interim notes ("OCR page 3 of 40"); each one gives the
        child its timeout again."""
        started = time.time()
        with self._lock:
            for attempt in (1, 2):
                child = self._start()
                try:
                    child.conn.send((filename, password, replaces))
                    child.conn.send_bytes(data)
                    while True:
                        if not child.conn.poll(self.timeout):
                            self._stop_child()
                            return self._unanswered(data, filename, started, (
                                f"timed out after {self.timeout:g} s (the writer process did not "
                                "answer and was stopped)"))
                        answer = json.loads(child.conn.recv_bytes())
                        if isinstance(answer, dict) and set(answer) == {"progress"}:
                            if progress is not None:
                                with contextlib.suppress(Exception):
                                    progress(str(answer["progress"])[:200])
                            continue
                        return answer
                except ValueError:
                    cause = "the writer process gave an unreadable answer"
                except (EOFError, OSError):
                    cause = _death(child)
                self._stop_child()
                if attempt == 2:
                    return self._unanswered(data, filename, started, cause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _unanswered(self, data: bytes, filename: str, started: float, cause: str) -> dict[str, Any]:
        """The outcome of a job the writer did not answer: stored after all (the catalogue has
        its bytes), or failed, with ``cause``."""
        try:
            found = stored_version(self.instance, sha256=hashlib.sha256(data).hexdigest(),
                                   since=started)
        except CatalogueUnreadable:
            found = None
        if found is None:
            return _failed(filename, cause)
        return {"status": found["status"], "filename": filename, "doc_id": found["doc_id"],
                "version": found["version"], "reason": f"stored, but then {cause}", "title": None,
                "warnings": []}

    def close(self) -> None:
        with self._lock:
            self._stop_child()


def _reap(process: subprocess.Popen) -> None:
    with contextlib.suppress(Exception):
        process.wait()


def _death(child: ChildProcess) -> str:
    """What the writer child whose socket closed died of (it is given two seconds to exit)."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.process.wait(2)
    code = child.process.poll()
    if code is None:
        return "the writer process closed its connection without an answer"
    if code < 0:
        return killed_by(-code, "the writer process")
    return f"the writer process exited (status {code}) without an answer"


def _failed(filename: str, reason: str) -> dict[str, Any]:
    return {"status": "failed", "filename": filename, "doc_id": None, "version": None,
            "reason": reason, "title": None, "warnings": []}


def _stop(holder: list[ChildProcess | None]) -> None:
    for child in holder:
        if child is not None:
            child.stop()


def serve(conn: Any, instance: str | Path) -> None:
    """The child's loop: settings first, then jobs until the socket closes."""
    from archive.service import Archive

    fields, idle_exit_s = conn.recv()
    settings = Settings(**fields)
    lower_priority(settings.ingest_nice)
    archive = Archive(Path(instance), settings)

    def progress(_name: str, note: str) -> None:
        with contextlib.suppress(OSError):
            conn.send_bytes(json.dumps({"progress": note}, ensure_ascii=False).encode())

    archive.progress = progress
    try:
        while True:
            try:
                if not conn.poll(idle_exit_s):
                    return  # idle: give the memory back; the next upload starts a new writer
                filename, password, replaces = conn.recv()
                data = conn.recv_bytes()
            except (EOFError, OSError):
                return
            try:
                out = archive.ingest_bytes(data, filename=filename, password=password,
                                           replaces=replaces).to_dict()
            except Exception as exc:  # a bug in ingest must not kill the writer
                out = _failed(filename, f"internal error: {type(exc).__name__}")
            del data
            try:
                conn.send_bytes(json.dumps(out, ensure_ascii=False).encode())
            except OSError:  # the web process is gone; what was stored stays stored
                return
    finally:
        with contextlib.suppress(Exception):
            archive.close()
