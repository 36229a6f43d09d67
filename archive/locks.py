"""One exclusive file lock (``fcntl.flock``) with a deadline: the archive's single writer
and the index's writer both hold theirs through :func:`exclusive`.

A lock is a file opened beside what it guards; closing the descriptor releases
it, so a crashed holder never leaves it held.  Waiting polls every 50 ms until
the deadline, then calls ``busy()`` for the error the caller wants raised.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

POLL_S = 0.05


@contextlib.contextmanager
def exclusive(path: Path, timeout: float | None, busy: Callable[[], BaseException]) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing); wait at most ``timeout``
    seconds (None: for ever), then raise ``busy()``.  ``OSError`` opening the file
    (e.g. a read-only folder) is the caller's to explain."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise busy() from None
                time.sleep(POLL_S)
        yield
    finally:
        os.close(fd)  # closing releases the flock
