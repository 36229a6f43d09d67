"""Commands on who and what has a name: archivists (``user``), the archive's own search
aliases (``alias``) and merged entity names (``entity``)."""

from __future__ import annotations

import os
import sys

import click

from archive.service import ServiceError

from .base import CliContext, dump, fail, main, pass_ctx


# -- users ----------------------------------------------------------------------------------------
@main.group()
def user() -> None:
    """Manage archivist accounts (who may upload and delete)."""


@user.command("add")
@click.argument("name")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (for scripts)."
)
@click.option("--reset", is_flag=True, help="Set a new password for an existing archivist.")
@pass_ctx
def user_add(c: CliContext, name: str, password_stdin: bool, reset: bool) -> None:
    """Add an archivist (or, with --reset, set a new password: their sessions end).

    Passwords: at least 12 characters, not easy to guess (a passphrase of a few
    unrelated words is best).
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        c.archive.add_user(name, password, reset=reset)
    except ServiceError as exc:
        fail(str(exc), 1)
    click.echo(f"user {name} {'password reset' if reset else 'added'}")


@user.command("list")
@pass_ctx
def user_list(c: CliContext) -> None:
    for name in c.archive.users():
        click.echo(name)


@user.command("remove")
@click.argument("name")
@pass_ctx
def user_remove(c: CliContext, name: str) -> None:
    if not c.archive.remove_user(name):
        fail(f"no user {name}", 1)
    click.echo(f"user {name} removed")


@main.group()
def alias() -> None:
    """The archive's own aliases: names and terms searched as one beyond the published tables."""


@alias.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def alias_list(c: CliContext, as_json: bool) -> None:
    """List the learned aliases, the archivists' and the pairs marked as different."""
    listing = c.archive.aliases.listing()
    if as_json:
        click.echo(dump(listing))
        return
    for key in ("added", "learned"):
        for g in listing[key]:
            gloss = f"  ({g['gloss']})" if g["gloss"] else ""
            click.echo(f"{key}: {' = '.join(g['forms'])}{gloss}")
    for a, b in listing["removed"]:
        click.echo(f"removed: {a} != {b}")


@alias.command("add")
@click.argument("forms", nargs=-1, required=True)
@pass_ctx
def alias_add(c: CliContext, forms: tuple[str, ...]) -> None:
    """Make FORMS one name or term in every search (e.g. archive alias add 朝鲜 北韓)."""
    from archive.aliases import AliasError

    try:
        group = c.archive.add_alias(forms)
    except AliasError as exc:
        fail(str(exc), 1)
    click.echo("alias added: " + " = ".join(group.forms))


@alias.command("remove")
@click.argument("a")
@click.argument("b")
@pass_ctx
def alias_remove(c: CliContext, a: str, b: str) -> None:
    """Say that A and B are not one (whatever table, document or archivist made them one)."""
    from archive.aliases import AliasError

    try:
        c.archive.remove_alias(a, b)
    except AliasError as exc:
        fail(str(exc), 1)
    click.echo(f"marked as different: {a} != {b}")


@alias.command("learn")
@pass_ctx
def alias_learn(c: CliContext) -> None:
    """Learn aliases from the names the stored documents gloss alike (reindex does this too)."""
    learned = c.archive.learn_aliases()
    click.echo(f"{len(learned)} aliases learned from glossed names")
    for g in learned:
        click.echo(f"  {' = '.join(g.forms)}  ({g.gloss})")


@main.group()
def entity() -> None:
    """Merged names: spellings of one author, institution or series shown as one page."""


def _kind(kind: str) -> str:
    """KIND checked here, for a one-line error (click's choice error is a usage block)."""
    from archive.merges import check_kind

    try:
        return check_kind(kind)
    except ServiceError as exc:
        fail(str(exc), 2)


@entity.command("merge")
@click.argument("kind", metavar="KIND")
@click.argument("names", nargs=-1, required=True)
@click.option("--as", "who", metavar="NAME", help="Who is merging (default: your login name).")
@pass_ctx
def entity_merge(c: CliContext, kind: str, names: tuple[str, ...], who: str | None) -> None:
    """Make NAMES one entity of KIND, shown as the first (archive entity merge foundation
    台灣智庫 財團法人台灣智庫); facets, filters and the entity page count them as one at once."""
    kind = _kind(kind)
    user = who or f"cli:{os.environ.get('USER') or os.environ.get('LOGNAME') or 'unknown'}"
    try:
        group = c.archive.merge_entities(kind, names, by=user)
    except ServiceError as exc:
        fail(str(exc), 1)
    click.echo(f"merged {kind}: " + " = ".join(group.names))


@entity.command("split")
@click.argument("kind", metavar="KIND")
@click.argument("name")
@pass_ctx
def entity_split(c: CliContext, kind: str, name: str) -> None:
    """Take NAME out of its merge: it is its own entity again."""
    kind = _kind(kind)
    try:
        left = c.archive.split_entity(kind, name)
    except ServiceError as exc:
        fail(str(exc), 1)
    rest = f"; still merged: {' = '.join(left.names)}" if left else ""
    click.echo(f"split {kind}: {' '.join(name.split())}{rest}")


@entity.command("list")
@click.argument("kind", metavar="KIND")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def entity_list(c: CliContext, kind: str, as_json: bool) -> None:
    """List the merges of KIND (the shown name first), with who made them and when."""
    kind = _kind(kind)
    groups = c.archive.merges.listing(kind)[kind]
    if as_json:
        click.echo(dump(groups))
        return
    for g in groups:
        by = f"  ({g['by']}, {g['at'][:10]})" if g["by"] else ""
        click.echo(" = ".join(g["names"]) + by)
