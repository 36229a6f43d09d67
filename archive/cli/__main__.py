"""``python -m archive.cli``: the ``archive`` command."""

from archive.cli import run

run()
