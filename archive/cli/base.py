"""The ``archive`` group itself: its ``--instance`` option, the context every command gets
(:class:`CliContext`: the instance folder and the archive, opened once), and the two ways a
command speaks (:func:`dump` for ``--json``, :func:`fail` for the one-line error).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from archive.config import ENV_VAR, resolve_instance
from archive.service import Archive, ServiceError


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"archive: {message}", err=True)
    sys.exit(code)


class CliContext:
    """What every command is given: the instance folder and the archive over it."""

    def __init__(self, instance: str | None) -> None:
        self.instance_arg = instance
        self._archive: Archive | None = None

    @property
    def path(self) -> Path:
        return resolve_instance(self.instance_arg)

    @property
    def archive(self) -> Archive:
        """The archive; a catalogue that cannot be opened stops here with what to run."""
        archive = self.any_archive
        if archive.store_error:
            fail(f"{self.path}: {archive.store_error}")
        return archive

    @property
    def any_archive(self) -> Archive:
        """The archive even when its catalogue is damaged (for ``archive check``)."""
        if self._archive is None:
            try:
                self._archive = Archive(self.path)
            except (ServiceError, ValueError, OSError) as exc:
                fail(str(exc))
        return self._archive


pass_ctx = click.make_pass_decorator(CliContext)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--instance",
    metavar="DIR",
    help=f"The instance folder (default: ${ENV_VAR}, else ./instance).",
)
@click.pass_context
def main(ctx: click.Context, instance: str | None) -> None:
    """Archive and search Chinese-language policy commentary PDFs."""
    ctx.obj = CliContext(instance)
