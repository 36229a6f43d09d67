"""Extraction in a separate, resource-limited process.

A decompression bomb, a self-referencing object graph or a pathological page
must not hang or kill the server.  The child (:mod:`ingest.worker`) caps its
own address space (RLIMIT_AS) and CPU time (RLIMIT_CPU); the parent enforces
a wall-clock timeout and kills the child when it runs out.  Children are
forked from the calling process, which has already imported ingest, pypdf
and PDFium, so the per-file overhead is a fork plus one JSON message.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
from typing import Any

from archive.models import Document

from .errors import IngestCrash, IngestError, IngestTimeout
from .worker import child_main

_CONTEXT_LOCK = threading.Lock()
_context: Any = None

#: "fork" (default on Linux), "forkserver" or "spawn"; override with ARCHIVE_SANDBOX_START.
START_METHOD_ENV = "ARCHIVE_SANDBOX_START"


def _get_context() -> Any:
    """The multiprocessing context for children (created once per process).

    "fork" costs a few milliseconds.  Python 3.11's fork server does not
    preload ``__main__`` (its ``main_path`` key is never filled), so every
    child re-imports the main script — the CLI or the web app, hundreds of
    milliseconds each.  Forking a threaded server is safe enough here: the
    child only takes locks that :func:`ingest.worker.child_main` re-creates
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


def extract_in_subprocess(data: bytes, password: str | None = None, filename: str = "",
                          timeout: float = 60.0, memory_mb: int = 1024,
                          max_bytes: int | None = None) -> Document:
    """Like :func:`ingest.extract_document`, in a child with CPU, memory and wall-clock limits.

    Raises ``IngestError`` for bad input as extract_document does;
    ``IngestTimeout`` ("timed out after N s") and ``IngestCrash`` (an internal
    error, traceback in ``.detail``) are subclasses of it.
    """
    if not data:
        raise IngestError("empty file")
    ctx = _get_context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=child_main,
        args=(sender, data, password, filename, max_bytes, memory_mb, timeout),
        daemon=True,
    )
    child.start()
    sender.close()
    message: str | None = None
    try:
        if receiver.poll(timeout):
            message = receiver.recv()
    except (EOFError, OSError):
        message = None
    finally:
        receiver.close()
        if message is None and child.is_alive():
            child.kill()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if message is None:
        code = child.exitcode
        if code in (-signal.SIGXCPU, -signal.SIGKILL, None):
            raise IngestTimeout(f"timed out after {timeout:g} s")
        if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
            # native code that cannot get memory under RLIMIT_AS aborts rather than raising
            raise IngestError(f"out of memory (limit {memory_mb} MB; the PDF library died with signal {-code})")
        raise IngestCrash(f"extraction crashed (exit code {code})")
    result = json.loads(message)
    if "ok" in result:
        return Document.from_dict(result["ok"])
    if "error" in result:
        raise IngestError(result["error"])
    raise IngestCrash(f"internal error: {result.get('crash', 'unknown')}", result.get("traceback", ""))
