"""Writing files so that a crash leaves the old file or the whole new one, and the clock the
catalogue stamps versions with.

Why apart: originals, sealed index versions, JSON settings files (aliases, entity merges)
and exports all need the same write-then-rename with fsyncs; one helper, here.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

_last_now = ""
_now_lock = threading.Lock()


def now_iso() -> str:
    """The current UTC time to the microsecond, strictly later than the last one this process
    gave: two versions stored in one second still get distinct times (feeds order by them)."""
    global _last_now
    with _now_lock:
        now = datetime.now(UTC)
        text = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
        if text <= _last_now:
            last = datetime.fromisoformat(_last_now.replace("Z", "+00:00"))
            text = (last + timedelta(microseconds=1)).isoformat(timespec="microseconds").replace("+00:00", "Z")
        _last_now = text
        return text


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def file_stamp(path: Path) -> tuple[int, int] | None:
    """``(mtime_ns, size)`` of ``path``, or None when it does not exist: what the small JSON
    settings files (aliases, entity merges) compare to read themselves again only when changed."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size
