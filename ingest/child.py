"""The one protocol of the archive's child processes: a fresh interpreter on a socket.

Why: three jobs run outside the process that asks for them — extraction (a hostile PDF
must not hang or kill the caller: :mod:`ingest.sandbox`, serving :func:`ingest.worker.serve`),
the index rebuild's workers (pure-Python indexing on every core:
:mod:`archive.index.bulk`), and the web app's writer (uploads indexed at a lower priority,
off the web worker's interpreter lock: :mod:`archive.web.writer`).  All three start the
same way, through :class:`ChildProcess`:

* a *fresh interpreter*, never a fork: a fork inherits the parent's heap (so an address
  space limit would not bound the child), its threads' locks (the web server is threaded)
  and its ``__main__``;
* started as ``python -c "…launch()" MODULE:FUNCTION FD ARGS...``; :func:`launch` imports
  ``MODULE`` and calls ``FUNCTION(conn, *ARGS)`` with a
  :class:`multiprocessing.connection.Connection` on the socket ``FD`` (``-c`` rather than
  ``-m MODULE``: running a module of an already-imported package as ``__main__`` would
  import it twice);
* the import path is the folder holding ``ingest`` and ``archive``, whatever the parent's
  working directory; stdin and stdout are closed to the child (what crosses is on the
  socket only; stderr stays the parent's, for tracebacks of a child that crashes).

What crosses the socket is each module's business: the extraction child answers in JSON
bytes only, so that a child subverted by a hostile PDF cannot make the parent unpickle
anything; the rebuild and writer children run the archive's own code on stored records and
answer pickled or JSON values.  The parent owns the child's lifetime: :meth:`stop` kills and
reaps it, and a child reads end-of-file and returns when the parent goes away.

This module is in :mod:`ingest` because ``ingest`` may import nothing of ``archive`` beyond
``archive.models``, while ``archive`` may import ``ingest``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

#: The folder holding the ``ingest`` and ``archive`` packages, for the child's import path.
ROOT = str(Path(__file__).resolve().parents[1])

_LAUNCH = "from ingest.child import launch; launch()"


class ChildProcess:
    """A fresh interpreter running ``FUNCTION(conn, *args)`` of ``MODULE`` (``target`` is
    ``"MODULE:FUNCTION"``), and :attr:`conn`, the parent's end of the socket to it."""

    def __init__(self, target: str, *args: str) -> None:
        module, _, function = target.partition(":")
        if not module or not function:
            raise ValueError(f"child target must be MODULE:FUNCTION, not {target!r}")
        mine, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH", "")) if p)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _LAUNCH, target, str(theirs.fileno()), *args],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                env=env, cwd=ROOT, close_fds=True,
            )
        finally:
            theirs.close()
        self.conn = Connection(mine.detach())

    @property
    def exitcode(self) -> int | None:
        return self.process.poll()

    def stop(self) -> None:
        """Kill the child (it holds no state worth a graceful exit) and reap it."""
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


def launch(argv: list[str] | None = None) -> None:
    """The child's side of :class:`ChildProcess`: ``MODULE:FUNCTION FD ARGS...`` in argv."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python -c 'from ingest.child import launch; launch()' "
              "MODULE:FUNCTION FD [ARGS...]", file=sys.stderr)
        raise SystemExit(2)
    module, _, function = args[0].partition(":")
    serve = getattr(importlib.import_module(module), function)
    serve(Connection(int(args[1])), *args[2:])
