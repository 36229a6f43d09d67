"""WAL mode for the archive's SQLite files (the catalogue and the web state).

Why its own function: switching the journal mode takes a moment's exclusive lock, and SQLite
may answer ``database is locked`` at once rather than through the busy timeout, so processes
opening one file together (gunicorn's workers booting on a fresh instance) failed to start.
"""
from __future__ import annotations

import sqlite3
import time


def enable_wal(conn: sqlite3.Connection, wait_s: float = 30.0) -> None:
    """Put ``conn``'s file in WAL mode, retrying while another process holds it locked."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
