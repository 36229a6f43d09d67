"""The child side of sandboxed extraction: limits first, then extract, then report.

Runs inside a long-lived child of :class:`ingest.sandbox.ExtractorPool` (or
as ``python -m ingest.worker`` with the PDF on stdin for debugging by hand).
It lowers its own address-space and CPU-time limits once, before parsing
anything, so a decompression bomb or a pathological page kills only this
process.  Each result goes back as one JSON message: the Document, an
IngestError reason, or an internal crash with its traceback.
"""

from __future__ import annotations

import json
import logging
import re
import resource
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any


def warm_up() -> None:
    """Build the gate's character sets once in the fork server, not in every child."""
    from .quality import charsets

    charsets()


warm_up()


def _mapped_bytes() -> int:
    """This process's current address-space size (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def set_limits(memory_mb: int, cpu_seconds: float) -> None:
    """Cap this process's address space and CPU time (soft limit sends SIGXCPU).

    ``memory_mb`` is the allowance on top of what the interpreter and the
    libraries have already mapped, not a total.
    """
    if memory_mb:
        limit = _mapped_bytes() + int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cpu_seconds:
        soft = max(1, int(cpu_seconds + 0.999))
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))


def _force(value: Any) -> bool | frozenset[int]:
    if isinstance(value, list):
        return frozenset(int(n) for n in value)
    return bool(value)


def run(data: bytes, password: str | None, filename: str, max_bytes: int | None,
        memory_mb: int, ocr: dict[str, Any] | None = None,
        progress: Any = None) -> dict[str, Any]:
    """Extract and describe the outcome as a JSON-able message.

    ``ocr``: the pool's OCR options (``dpi``, ``page_timeout``, ``languages``, ``force`` (true,
    or the 1-based pages to read from their images),
    ``timeout`` for the whole document, seconds).
    """
    import time

    from . import IngestError, extract_document
    from .ocr import OcrSettings

    ocr = ocr or {}
    settings = OcrSettings(**{k: ocr[k] for k in ("dpi", "page_timeout", "languages") if ocr.get(k) is not None})
    deadline = time.monotonic() + float(ocr["timeout"]) if ocr.get("timeout") else None
    try:
        doc = extract_document(data, password=password, filename=filename, max_bytes=max_bytes,
                               ocr=settings, force_ocr=_force(ocr.get("force")), progress=progress,
                               ocr_deadline=deadline)
        return {"ok": doc.to_dict()}
    except IngestError as exc:
        return {"error": exc.reason}
    except MemoryError:
        return {"error": f"out of memory (limit {memory_mb} MB)"}
    except RecursionError:
        return {"error": "corrupt PDF: object graph nested too deeply"}
    except Exception as exc:
        return {"crash": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serve(conn: Any, memory_mb: int, cpu_seconds: float, nice: int = 0) -> None:
    """A pool child's loop: set limits once, then answer jobs until the pipe closes.

    Each job is ``(password, filename, max_bytes)`` then the PDF's bytes; each
    answer is one JSON message.  After an out-of-memory error, or when the
    lifetime CPU budget is nearly spent, the answer carries ``"retire": true``
    and the child exits so the pool starts a fresh one.
    """
    from .sandbox import lower_priority

    set_limits(memory_mb, cpu_seconds)
    lower_priority(nice)
    logging.disable(logging.WARNING)  # pypdf's complaints about damaged files: the outcome says it
    while True:
        try:
            job = conn.recv()
            password, filename, max_bytes = job[:3]
            ocr = job[3] if len(job) > 3 else None
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return

        def progress(message: str) -> None:  # interim messages; the parent waits on after each
            conn.send_bytes(_utf8(json.dumps({"progress": message}, ensure_ascii=False)))

        try:
            result = run(data, password, filename, max_bytes, memory_mb, ocr, progress)
            message = _utf8(json.dumps(result, ensure_ascii=False))
        except MemoryError:  # the Document did not fit as JSON
            result, message = {"error": f"out of memory (limit {memory_mb} MB)"}, b""
        del data
        retire = str(result.get("error", "")).startswith("out of memory") or (
            bool(cpu_seconds) and _cpu_used() > 0.5 * cpu_seconds)
        if retire:
            result["retire"] = True
        if retire or not message:
            message = _utf8(json.dumps(result, ensure_ascii=False))
        conn.send_bytes(message)
        if retire:
            conn.close()
            return


#: Lone UTF-16 surrogates: a PDF string decoded leniently can carry one; UTF-8 cannot.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8(text: str) -> bytes:
    """The result as UTF-8, a lone surrogate anywhere in it (text or metadata) shown as U+FFFD."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode()


def serve_child(conn: Connection, memory_mb: str, cpu_seconds: str, nice: str = "0") -> None:
    """:func:`serve` as the pool starts it (:class:`ingest.child.ChildProcess`: string args)."""
    serve(conn, int(memory_mb), float(cpu_seconds), int(nice))


def main() -> int:
    """``python -m ingest.worker [--password PW] < file.pdf``: print the outcome as JSON
    (the pool's children run :func:`serve_child` instead, see :mod:`ingest.sandbox`)."""
    password = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--password" else None
    result = run(sys.stdin.buffer.read(), password, "", None, 0)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if "ok" in result else 1


if __name__ == "__main__":
    sys.exit(main())
