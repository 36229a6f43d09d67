"""The ``archive`` command: a thin face over :mod:`archive.service`.

Every command that prints data has ``--json``, which prints the same
dictionaries the web app serves.  Errors are one line on stderr and a
non-zero exit, never a traceback.

Modules: :mod:`.base` (the group, its context, ``dump`` and ``fail``), and the commands by
what they act on: :mod:`.documents`, :mod:`.upkeep` (index, checks, backups, the server),
:mod:`.people` (users, aliases, entity merges).  Importing this package registers them all.
"""

from __future__ import annotations

import os
import sys

import click

from archive.service import ServiceError
from archive.store import StoreError

from . import documents, people, upkeep  # noqa: F401  (each registers its commands on main)
from .base import main

__all__ = ["main", "run"]


def run() -> None:
    """Console entry: an unexpected error is one line (set ARCHIVE_DEBUG=1 for the traceback)."""
    try:
        main(prog_name=os.path.basename(sys.argv[0]) or "archive", standalone_mode=True)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except (ServiceError, StoreError) as exc:  # a damaged record met outside `check`
        click.echo(f"archive: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("ARCHIVE_DEBUG"):
            raise
        click.echo(
            f"archive: internal error: {type(exc).__name__}: {exc} "
            "(set ARCHIVE_DEBUG=1 for details and report it)",
            err=True,
        )
        sys.exit(3)

