"""Extraction in separate, resource-limited processes.

A decompression bomb, a self-referencing object graph or a pathological page
must not hang or kill the server.  :class:`ExtractorPool` keeps a few
long-lived children (:func:`ingest.worker.serve`), each of which caps its own
address space (RLIMIT_AS) and lifetime CPU time (RLIMIT_CPU) once, at start;
the parent enforces a wall-clock timeout per file and kills a child that runs
out, crashes or runs out of memory, and starts a fresh one for the next file.
Forking once per worker instead of once per file takes the per-file cost from
a fork (~16 ms) to one round trip over a pipe (well under a millisecond).

The boundary is one-way trusted: the parent sends pickled jobs, but reads the
child's answer as JSON bytes only, so a child subverted by a hostile PDF
cannot make the parent unpickle anything.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import threading
import weakref
from typing import Any

from archive.models import Document

from .errors import IngestCrash, IngestError, IngestTimeout
from .worker import serve

_CONTEXT_LOCK = threading.Lock()
_context: Any = None
_SPAWN_LOCK = threading.Lock()  # one fork at a time, so no child inherits another's pipe end

#: "fork" (default on Linux), "forkserver" or "spawn"; override with ARCHIVE_SANDBOX_START.
START_METHOD_ENV = "ARCHIVE_SANDBOX_START"
#: A child serves this many files, then is replaced (bounds heap fragmentation).
MAX_TASKS = 500
#: Largest answer accepted from a child (a Document as JSON).
MAX_REPLY = 256 * 1024 * 1024


def _get_context() -> Any:
    """The multiprocessing context for children (created once per process).

    "fork" costs a few milliseconds.  Python 3.11's fork server does not
    preload ``__main__`` (its ``main_path`` key is never filled), so every
    child re-imports the main script — the CLI or the web app, hundreds of
    milliseconds each.  Forking a threaded server is safe enough here: the
    child only takes locks that :func:`ingest.worker.serve` re-creates
    (and logging re-creates its own after a fork).
    """
    global _context
    with _CONTEXT_LOCK:
        if _context is None:
            methods = multiprocessing.get_all_start_methods()
            wanted = os.environ.get(START_METHOD_ENV) or ("fork" if "fork" in methods else "spawn")
            ctx = multiprocessing.get_context(wanted)
            if wanted == "forkserver":
                ctx.set_forkserver_preload(["ingest", "ingest.worker"])
            _context = ctx
        return _context


def cpu_budget(timeout: float) -> float:
    """A child's lifetime RLIMIT_CPU: a backstop, far above any one file's wall-clock limit."""
    return max(600.0, 20.0 * timeout)


class _Worker:
    """One child process and the parent's end of its pipe."""

    def __init__(self, memory_mb: int, cpu_seconds: float) -> None:
        ctx = _get_context()
        with _SPAWN_LOCK:
            self.conn, child_end = ctx.Pipe(duplex=True)
            self.process = ctx.Process(target=serve, args=(child_end, memory_mb, cpu_seconds), daemon=True)
            self.process.start()
            child_end.close()
        self.tasks = 0

    def stop(self) -> None:
        """Kill the child (it holds no state worth a graceful exit) and reap it."""
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


def _stop_all(workers: set[_Worker]) -> None:
    for worker in list(workers):
        worker.stop()
    workers.clear()


class ExtractorPool:
    """Long-lived sandboxed extraction processes, shared safely by any number of threads.

    ``extract`` has :func:`ingest.extract_document`'s contract and errors, plus
    ``IngestTimeout`` when a file takes longer than ``timeout`` seconds of wall
    clock and ``IngestError("out of memory ...")`` / ``IngestCrash`` when the
    child dies; that child is replaced.  At most ``workers`` files are
    extracted at once; more callers wait for a free child.
    """

    def __init__(self, workers: int = 1, timeout: float = 60.0, memory_mb: int = 1024) -> None:
        self.timeout = float(timeout)
        self.memory_mb = int(memory_mb)
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
            worker = _Worker(self.memory_mb, cpu_budget(self.timeout))
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
                max_bytes: int | None = None) -> Document:
        """Extract one PDF in a child; see the class docstring for the errors."""
        if not data:
            raise IngestError("empty file")
        for attempt in (1, 2):
            worker = self._acquire()
            healthy = False
            try:
                reply = self._ask(worker, data, password, filename, max_bytes)
                worker.tasks += 1
                healthy = not reply.get("retire") and worker.tasks < MAX_TASKS
                break
            except OSError:  # could not even send the job: the idle child had died; use a fresh one
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
             max_bytes: int | None) -> dict[str, Any]:
        """Send one job and wait for the answer; a child that does not answer is killed."""
        raw: bytes | None = None
        worker.conn.send((password, filename, max_bytes))  # OSError: the idle child had died
        worker.conn.send_bytes(data)
        answered = False
        try:
            answered = worker.conn.poll(self.timeout)
            if answered:
                raw = worker.conn.recv_bytes(MAX_REPLY)
        except (EOFError, OSError):
            raw = None
        if raw is None:
            if answered:  # the pipe closed: it died on its own; let it finish dying
                worker.process.join(2)
            worker.stop()  # kill and reap before reading its exit code
            raise self._death(worker.process.exitcode)
        try:
            reply = json.loads(raw)
        except ValueError:
            worker.stop()
            raise IngestCrash("extraction crashed (unreadable reply)") from None
        if not isinstance(reply, dict):
            worker.stop()
            raise IngestCrash("extraction crashed (unreadable reply)")
        return reply

    def _death(self, code: int | None) -> IngestError:
        """What a child that gave no answer died of, as the one-line error."""
        if code in (-signal.SIGXCPU, -signal.SIGKILL, None):
            return IngestTimeout(f"timed out after {self.timeout:g} s")
        if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
            # native code that cannot get memory under RLIMIT_AS aborts rather than raising
            return IngestError(
                f"out of memory (limit {self.memory_mb} MB; the PDF library died with signal {-code})")
        return IngestCrash(f"extraction crashed (exit code {code})")


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
