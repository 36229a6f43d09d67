"""The web app's writer: a niced child interpreter that stores and indexes uploads.

Storing a PDF is quick, but indexing it (word segmentation, Whoosh's writer)
is pure Python.  Run in a thread of a web worker, it would hold that worker's
interpreter lock against the requests the worker is serving, and readers
would wait on every upload.  So each web process hands its upload jobs, one at
a time, to a child of its own (``python -m archive.web.writer --serve ...``)
that opens the archive once, keeps the word segmenter loaded, and runs at the
lower CPU priority of ``ingest_nice``.  The archive's write lock serialises
the writers of all processes, as it does for the command line.

The child is this program's own code: jobs go to it pickled, outcomes come
back as JSON.  A child that dies is replaced, and the job it held is retried
once on the new one (storing is idempotent: the same bytes again are
``unchanged``, never a second copy).  If the web process dies, the child
reads end-of-file and exits; after ``IDLE_EXIT_S`` without a job it exits too,
giving its memory back, and the next upload starts a new one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
import threading
import weakref
from pathlib import Path
from typing import Any

from archive.config import Settings
from ingest.sandbox import ChildProcess, lower_priority

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
            child = ChildProcess("archive.web.writer", str(self.instance))
            child.conn.send((dataclasses.asdict(self.settings), self.idle_exit_s))
            self._child = child
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _stop, [child])
        return self._child

    def _stop_child(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None

    def ingest(self, data: bytes, *, filename: str, password: str | None = None,
               replaces: str | None = None) -> dict[str, Any]:
        """``Archive.ingest_bytes`` in the child: the outcome as a dict (``Outcome.to_dict``)."""
        with self._lock:
            for attempt in (1, 2):
                child = self._start()
                try:
                    child.conn.send((filename, password, replaces))
                    child.conn.send_bytes(data)
                    if not child.conn.poll(self.timeout):
                        self._stop_child()
                        return _failed(filename, f"timed out after {self.timeout:g} s")
                    return json.loads(child.conn.recv_bytes())
                except (EOFError, OSError, ValueError):
                    self._stop_child()
                    if attempt == 2:
                        return _failed(filename, "internal error: the writer process died")
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        with self._lock:
            self._stop_child()


def _failed(filename: str, reason: str) -> dict[str, Any]:
    return {"status": "failed", "filename": filename, "doc_id": None, "version": None,
            "reason": reason, "title": None, "warnings": []}


def _stop(holder: list[ChildProcess | None]) -> None:
    for child in holder:
        if child is not None:
            child.stop()


def serve(conn: Any, instance: Path) -> None:
    """The child's loop: settings first, then jobs until the socket closes."""
    from archive.service import Archive

    fields, idle_exit_s = conn.recv()
    settings = Settings(**fields)
    lower_priority(settings.ingest_nice)
    archive = Archive(instance, settings)
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


def main() -> int:
    """``python -m archive.web.writer --serve FD INSTANCE`` (started by :class:`WriterProcess`)."""
    if len(sys.argv) != 4 or sys.argv[1] != "--serve":
        print("usage: python -m archive.web.writer --serve FD INSTANCE", file=sys.stderr)
        return 2
    from multiprocessing.connection import Connection

    serve(Connection(int(sys.argv[2])), Path(sys.argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
