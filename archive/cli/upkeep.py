"""Commands that keep the archive: ``reindex``, ``check``, ``export``, ``import``, ``sample``
and ``serve``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.config import INDEX_ENGINES
from archive.service import Archive, ServiceError

from .base import CliContext, dump, fail, main, pass_ctx

#: The sample PDFs ``archive sample`` ingests (``make run``).
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample"


# -- maintenance ---------------------------------------------------------------------------------
@main.command()
@click.option("--engine", type=click.Choice(INDEX_ENGINES), default=None,
              help="Build this engine and record it as config.toml's index_engine (default: the configured one).")
@pass_ctx
def reindex(c: CliContext, engine: str | None) -> None:
    """Rebuild the search index from the archive and swap it in atomically."""
    c.archive.lower_priority()
    try:
        r = c.archive.reindex(engine)
    except ServiceError as exc:
        fail(str(exc))
    click.echo(f"reindexed {r['documents']} documents in {r['seconds']} s ({r['engine']})")


@main.command()
@click.option("--repair", is_flag=True, help="Fix what can be fixed from the archive.")
@click.option("--quick", is_flag=True, help="Compare originals' sizes instead of hashing them.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def check(c: CliContext, repair: bool, quick: bool, as_json: bool) -> None:
    """Verify the catalogue, every stored document and original, and the index.

    A repair never discards an original: a damaged or empty catalogue is set aside
    and rebuilt from the originals; a damaged index is rebuilt from the catalogue.
    """
    try:
        r = c.any_archive.check(repair=repair, quick=quick)
    except ServiceError as exc:
        fail(str(exc))
    if as_json:
        click.echo(dump(r))
    else:
        for p in r["problems"]:
            detail = " ".join(f"{k}={v}" for k, v in p.items() if k != "kind")
            click.echo(f"problem: {p['kind']} {detail}")
        for line in r["repaired"]:
            click.echo(f"repaired: {line}")
        state = "clean" if r["clean"] else "NOT clean"
        click.echo(f"{r['documents']} documents, {r['versions']} versions: {state}")
    sys.exit(0 if r["clean"] else 1)


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def export_(c: CliContext, file: Path) -> None:
    """Write the whole archive (catalogue and originals) to a .tar.gz file.

    The archive is checked first (every original hashed); a damaged one is not exported.
    """
    try:
        r = c.archive.export(file)
    except ServiceError as exc:
        fail(str(exc), 1)
    click.echo(f"exported {r['documents']} documents to {r['file']} ({r['bytes']} bytes)")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--with-users", is_flag=True,
              help="Also import the export's archivist accounts (not imported by default).")
@pass_ctx
def import_(c: CliContext, file: Path, with_users: bool) -> None:
    """Restore an export into an empty instance and rebuild its index.

    Everything is verified before anything lands: the members' names and sizes, the
    catalogue's integrity, every document, every original's hash.
    """
    try:
        r = c.archive.import_archive(file, with_users=with_users)
    except ServiceError as exc:
        fail(str(exc), 1)
    click.echo(f"imported {r['documents']} documents")


@main.command()
@pass_ctx
def sample(c: CliContext) -> None:
    """Ingest the bundled sample documents if the archive is empty."""
    archive = c.archive
    _upgrade_index(archive)
    if archive.list_documents(limit=1):
        click.echo(f"{c.path}: already has documents; sample data not added")
        return
    files = sorted(SAMPLE_DIR.glob("*.pdf"))
    for out in archive.ingest_files(files):
        click.echo(out.line())


def _upgrade_index(archive: Archive) -> None:
    """An index from an older release is rebuilt before use (say so: it takes a while)."""
    try:
        done = archive.upgrade_index()
    except ServiceError as exc:
        fail(str(exc))
    if done:
        click.echo(f"{done['reason']}; rebuilt it from the archive: "
                   f"{done['documents']} documents in {done['seconds']} s", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--debug", is_flag=True)
@pass_ctx
def serve(c: CliContext, host: str, port: int, debug: bool) -> None:
    """Serve the web app for local use (use gunicorn in production; see the README)."""
    from archive.config import LOOPBACK_HOSTS
    from archive.web import create_app

    settings = c.archive.settings
    if host not in (*LOOPBACK_HOSTS, "::1") and not (settings.base_url or settings.trusted_hosts):
        fail(f"serving on {host} needs base_url (or trusted_hosts) in {c.path}/config.toml: "
              "the names other machines reach this one by; without them only loopback is answered")
    _upgrade_index(c.archive)
    app = create_app({"INSTANCE": str(c.path), "WARM_UP": True})
    click.echo(f"serving {c.path} on http://{host}:{port}/", err=True)
    app.run(host=host, port=port, debug=debug, threaded=True, use_reloader=False)
