"""The README says what the code does: its configuration table names every setting with its
default, and its command table names every ``archive`` command (as Datasette's test_docs does)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click

from archive import cli
from archive.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(title)
    end = README.index("\n#", start + len(title))
    return README[start:end]


def _rows(section: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split(" | ")]
            for line in section.splitlines() if line.startswith("| `")]


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[]" if not value else repr(list(value))
    if value == "":
        return '""'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_configuration_table_names_every_setting_with_its_default() -> None:
    documented: dict[str, str] = {}
    for keys, defaults, *_ in _rows(_section("### Configuration: `instance/config.toml`")):
        names = re.findall(r"`([a-z_]+)`", keys)
        values = [v.strip() for v in defaults.split(",")]
        assert len(names) == len(values), f"row {keys!r}: {len(names)} keys but defaults {defaults!r}"
        documented.update(zip(names, values, strict=True))
    settings = {f.name: _shown(f.default) for f in dataclasses.fields(Settings)}
    assert set(documented) == set(settings), "README and archive/config.py name different settings"
    assert documented == settings


def _commands(group: click.Group, prefix: str = "archive") -> set[str]:
    out = set()
    for name, command in group.commands.items():
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            out |= _commands(command, f"{prefix} {name}")
        else:
            out.add(f"{prefix} {name}")
    return out


def test_the_command_table_names_every_command_and_its_options() -> None:
    table = "\n".join(line for line in README.splitlines() if line.startswith("| `archive"))
    for command in sorted(_commands(cli.main)):
        words = command.split()
        # (a row may name sub-commands after the first without the prefix: `user list`)
        assert f"`{command}" in table or f"`{' '.join(words[1:])}" in table, f"{command} is not in the README"
    leaves = [(name, command) for name, command in cli.main.commands.items() if not isinstance(command, click.Group)]
    leaves += [(f"{name} {sub}", c) for name, group in cli.main.commands.items() if isinstance(group, click.Group)
               for sub, c in group.commands.items()]
    for name, command in leaves:
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in table, f"archive {name} {opt} is not in the README's command table"
