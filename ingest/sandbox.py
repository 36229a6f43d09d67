"""Extraction in separate, resource-limited processes.

A decompression bomb, a self-referencing object graph or a pathological page
must not hang or kill the server.  :class:`ExtractorPool` keeps a few
long-lived children (:class:`ingest.child.ChildProcess`, the archive's one child-process
protocol, running :func:`ingest.worker.serve`), each of which caps its own address space
(RLIMIT_AS) and lifetime CPU time (RLIMIT_CPU) once, at start; the parent
enforces a wall-clock timeout per file and kills a child that runs out,
crashes or runs out of memory, and starts a fresh one for the next file.
Starting a child once per worker instead of once per file takes the per-file
cost from a fork (~16 ms) to one round trip over a socket (well under a
millisecond).

Children are fresh interpreters, not forks: a fork inherits the parent's
heap, whose free space the child could fill without mapping anything new, so
RLIMIT_AS would not bound it (and forking a threaded web server is fragile).
Starting one costs ~0.3 s, once per worker.

The boundary is one-way trusted: the parent sends pickled jobs, but reads the
child's answer as JSON bytes only, so a child subverted by a hostile PDF
cannot make the parent unpickle anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Collection
from typing import Any

from archive.models import Document

from .child import ChildProcess
from .errors import IngestCrash, IngestError, IngestTimeout
from .ocr import PAGE_TIMEOUT as OCR_PAGE_TIMEOUT

#: A child serves this many files, then is replaced (bounds heap fragmentation).
MAX_TASKS = 500
#: Largest answer accepted from a child (a Document as JSON).
MAX_REPLY = 256 * 1024 * 1024


def cpu_budget(timeout: float) -> float:
    """A child's lifetime RLIMIT_CPU: a backstop, far above any one file's wall-clock limit."""
    return max(600.0, 20.0 * timeout)


def lower_priority(nice: int) -> None:
    """Raise this process's niceness by ``nice`` (Unix): ingest is background work, and a
    search server on the same cores answers its readers first.  A no-op where unsupported."""
    if nice > 0 and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(nice)


class _Worker(ChildProcess):
    """One extraction child (:func:`ingest.worker.serve`) and how many files it has done."""

    def __init__(self, memory_mb: int, cpu_seconds: float, nice: int = 0) -> None:
        super().__init__("ingest.worker:serve_child", str(memory_mb), str(cpu_seconds), str(nice))
        self.tasks = 0


def _progress_of(raw: bytes) -> str | None:
    """A child's interim message ("OCR page 3 of 40"), or None for its answer."""
    if not raw.startswith(b'{"progress"'):
        return None
    try:
        note = json.loads(raw).get("progress")
    except ValueError:
        return None
    return str(note)[:200] if note is not None else None


def _stop_all(workers: set[_Worker]) -> None:
    for worker in list(workers):
        worker.stop()
    workers.clear()


class ExtractorPool:
    """Long-lived sandboxed extraction processes, shared safely by any number of threads.

    ``extract`` has :func:`ingest.extract_document`'s contract and errors, plus
    ``IngestTimeout`` when a file takes longer than ``timeout`` seconds of wall
    clock (or the child's CPU-time limit runs out) and ``IngestError("out of
    memory ...")`` / ``IngestCrash`` when the child dies: killed by a signal
    that was not the pool's own timeout kill, it says which (``the ingest
    process was killed (signal SIGKILL) — possibly out of memory``: SIGKILL is
    what the kernel's out-of-memory killer sends).  That child is replaced.  At most ``workers`` files are
    extracted at once; more callers wait for a free child.  ``nice`` lowers the children's
    CPU priority (background work: a server on the same cores answers readers first).
    """

    def __init__(self, workers: int = 1, timeout: float = 60.0, memory_mb: int = 1024,
                 nice: int = 0, ocr: dict[str, Any] | None = None) -> None:
        self.timeout = float(timeout)
        #: OCR options for the children (see ``ingest.worker.run``); each OCR'd page may take up
        #: to its ``page_timeout`` (times the turns and scripts tried) past the file's timeout.
        self.ocr = dict(ocr or {})
        self.memory_mb = int(memory_mb)
        self.nice = int(nice)
        self._capacity = max(1, int(workers))
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._live = 0  # idle + busy + being started
        self._all: set[_Worker] = set()
        self._closed = False
        # Kill the children when the pool is collected or the interpreter exits.
        self._finalizer = weakref.finalize(self, _stop_all, self._all)

    @property
    def workers(self) -> int:
        return self._capacity

    def resize(self, workers: int) -> None:
        """Change how many children may run; extra ones stop as they become idle."""
        with self._cond:
            self._capacity = max(1, int(workers))
            surplus = []
            while self._idle and self._live > self._capacity:
                surplus.append(self._idle.pop())
                self._live -= 1
            self._cond.notify_all()
        for worker in surplus:
            self._forget(worker)

    def close(self) -> None:
        """Stop every child; later calls to ``extract`` raise ``IngestError``."""
        with self._cond:
            self._closed = True
            self._idle.clear()
            self._cond.notify_all()
        self._finalizer()

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- workers --------------------------------------------------------------
    def _acquire(self) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise IngestError("extractor pool closed")
                if self._idle:
                    return self._idle.pop()
                if self._live < self._capacity:
                    self._live += 1
                    break
                self._cond.wait()
        try:
            worker = _Worker(self.memory_mb, cpu_budget(self.timeout), self.nice)
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise
        self._all.add(worker)
        return worker

    def _release(self, worker: _Worker, healthy: bool) -> None:
        with self._cond:
            keep = healthy and not self._closed and self._live <= self._capacity
            if keep:
                self._idle.append(worker)
            else:
                self._live -= 1
            self._cond.notify()
        if not keep:
            self._forget(worker)

    def _forget(self, worker: _Worker) -> None:
        worker.stop()
        self._all.discard(worker)

    # -- the one verb ---------------------------------------------------------
    def extract(self, data: bytes, *, password: str | None = None, filename: str = "",
                max_bytes: int | None = None, force_ocr: bool | Collection[int] = False,
                languages: str | None = None,
                progress: Callable[[str], None] | None = None) -> Document:
        """Extract one PDF in a child; see the class docstring for the errors.

        ``progress`` hears the child's interim messages ("OCR page 3 of 40").
        """
        if not data:
            raise IngestError("empty file")
        ocr = dict(self.ocr, force=force_ocr if isinstance(force_ocr, bool) else sorted(force_ocr))
        if languages:
            ocr["languages"] = languages
        for attempt in (1, 2):
            worker = self._acquire()
            healthy = False
            try:
                reply = self._ask(worker, data, password, filename, max_bytes, ocr, progress)
                worker.tasks += 1
                healthy = not reply.get("retire") and worker.tasks < MAX_TASKS
                break
            except (OSError, _StaleWorker):  # the idle child had died; use a fresh one
                if attempt == 2:
                    raise IngestCrash("extraction crashed (cannot reach the extractor process)") from None
            finally:
                self._release(worker, healthy)
        if "ok" in reply:
            return Document.from_dict(reply["ok"])
        if "error" in reply:
            raise IngestError(reply["error"])
        raise IngestCrash(f"internal error: {reply.get('crash', 'unknown')}", reply.get("traceback", ""))

    def _ask(self, worker: _Worker, data: bytes, password: str | None, filename: str,
             max_bytes: int | None, ocr: dict[str, Any] | None = None,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
        """Send one job and wait for the answer; a child that does not answer is killed.

        The child may send progress messages first; after each, it has the OCR page limit
        (three tries of ``page_timeout``: turns and scripts) plus the file's timeout again.
        """
        raw: bytes | None = None
        started = time.monotonic()
        worker.conn.send((password, filename, max_bytes, ocr or {}))  # OSError: the idle child had died
        worker.conn.send_bytes(data)
        timed_out = False  # silent at the limit: killed by us, whatever its exit code then says
        wait = self.timeout
        try:
            while True:
                timed_out = not worker.conn.poll(wait)
                if timed_out:
                    break
                raw = worker.conn.recv_bytes(MAX_REPLY)
                note = _progress_of(raw)
                if note is None:
                    break
                raw = None
                if progress is not None:
                    with contextlib.suppress(Exception):  # a listener's failure is not the file's
                        progress(note)
                wait = self.timeout + 6 * float((ocr or {}).get("page_timeout") or OCR_PAGE_TIMEOUT)
        except (EOFError, OSError):
            raw = None
        if raw is None:
            code = None
            if not timed_out:  # the socket closed: it died on its own; let it finish dying
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.process.wait(2)
                code = worker.exitcode  # what it died of, before stop() kills what is left
            worker.stop()  # kill and reap
            if code == -signal.SIGKILL and time.monotonic() - started < 0.5:
                # Killed from outside while idle (the send went into the socket buffer before
                # the socket closed): not this PDF's doing.
                raise _StaleWorker
            raise self._death(code, timed_out, wait)
        try:
            reply = json.loads(raw)
        except ValueError:
            worker.stop()
            raise IngestCrash("extraction crashed (unreadable reply)") from None
        if not isinstance(reply, dict):
            worker.stop()
            raise IngestCrash("extraction crashed (unreadable reply)")
        return reply

    def _death(self, code: int | None, timed_out: bool, waited: float | None = None) -> IngestError:
        """What a child that gave no answer died of, as the one-line error.

        ``timed_out``: it was still silent at the wall-clock limit and the pool killed it (with
        SIGKILL, so its exit code alone cannot tell this from a kill by anyone else, such as
        the kernel's out-of-memory killer).
        """
        if timed_out:
            return IngestTimeout(f"timed out after {waited if waited is not None else self.timeout:g} s")
        if code == -signal.SIGXCPU:
            return IngestTimeout(f"timed out: the ingest process used up its CPU-time limit "
                                 f"({cpu_budget(self.timeout):g} s)")
        if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
            # native code that cannot get memory under RLIMIT_AS aborts rather than raising
            return IngestError(
                f"out of memory (limit {self.memory_mb} MB; the PDF library died with signal {-code})")
        if code is not None and code < 0:
            return IngestCrash(killed_by(-code))
        if code is None:
            return IngestCrash("extraction crashed (the ingest process closed its connection "
                               "without an answer)")
        return IngestCrash(f"extraction crashed (exit code {code})")


def signal_name(number: int) -> str:
    """``SIGKILL`` for 9; the number itself for one with no name here."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def killed_by(number: int, process: str = "the ingest process") -> str:
    """The reason for a child that a signal (not our own timeout) ended."""
    reason = f"{process} was killed (signal {signal_name(number)})"
    if number == signal.SIGKILL:  # what the kernel's out-of-memory killer sends
        reason += " — possibly out of memory"
    return reason


class _StaleWorker(Exception):
    """The child was already dead when the job reached it."""


def extract_in_subprocess(data: bytes, password: str | None = None, filename: str = "",
                          timeout: float = 60.0, memory_mb: int = 1024,
                          max_bytes: int | None = None) -> Document:
    """One-shot :func:`ingest.extract_document` in a fresh child with CPU, memory and time limits.

    For many files use an :class:`ExtractorPool`, which keeps its children.
    Raises ``IngestError`` for bad input as extract_document does;
    ``IngestTimeout`` ("timed out after N s") and ``IngestCrash`` (an internal
    error, traceback in ``.detail``) are subclasses of it.
    """
    if not data:
        raise IngestError("empty file")
    with ExtractorPool(1, timeout=timeout, memory_mb=memory_mb) as pool:
        return pool.extract(data, password=password, filename=filename, max_bytes=max_bytes)
