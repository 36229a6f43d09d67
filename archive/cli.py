"""The ``archive`` command: a thin face over :mod:`archive.service`.

Every command that prints data has ``--json``, which prints the same
dictionaries the web app serves.  Errors are one line on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from archive import advice
from archive.cite import FORMATS
from archive.config import ENV_VAR, INDEX_ENGINES, resolve_instance
from archive.index.engine import FACETS, SORTS
from archive.notices import english
from archive.service import Archive, Outcome, ServiceError, find_pdfs
from archive.store import StoreError

SAMPLE_DIR = Path(__file__).parent / "sample"


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"archive: {message}", err=True)
    sys.exit(code)


class _Ctx:
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
            _fail(f"{self.path}: {archive.store_error}")
        return archive

    @property
    def any_archive(self) -> Archive:
        """The archive even when its catalogue is damaged (for ``archive check``)."""
        if self._archive is None:
            try:
                self._archive = Archive(self.path)
            except (ServiceError, ValueError, OSError) as exc:
                _fail(str(exc))
        return self._archive


pass_ctx = click.make_pass_decorator(_Ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--instance",
    metavar="DIR",
    help=f"The instance folder (default: ${ENV_VAR}, else ./instance).",
)
@click.pass_context
def main(ctx: click.Context, instance: str | None) -> None:
    """Archive and search Chinese-language policy commentary PDFs."""
    ctx.obj = _Ctx(instance)


# -- ingest -----------------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--password", help="User password for encrypted PDFs.")
@click.option("--replaces", metavar="DOC_ID", help="The input is a new version of this document.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Extract this many at once.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file.")
@pass_ctx
def ingest(
    c: _Ctx,
    paths: tuple[str, ...],
    password: str | None,
    replaces: str | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Ingest PDF files and folders (recursively, *.pdf)."""
    files, missing = find_pdfs(paths)
    if replaces and len(files) != 1:
        _fail("--replaces takes exactly one PDF")
    archive = c.archive
    archive.lower_priority()  # batch work: a server here answers first
    counts: dict[str, int] = {}

    def report(out: Outcome) -> None:
        counts[out.status] = counts.get(out.status, 0) + 1
        if archive.progress is not None:
            click.echo("\r\033[K", err=True, nl=False)  # clear the progress line
        if as_json:
            click.echo(_dump(out.to_dict()))
        else:
            click.echo(out.line())
            for w in out.warnings:
                click.echo(f"  warning: {w}", err=True)

    for out in missing:
        report(out)
    if sys.stderr.isatty() and not as_json:
        def progress(name: str, note: str) -> None:  # OCR's page-by-page progress, on the terminal
            click.echo(f"\r{Path(name).name}: {note}\033[K", err=True, nl=False)

        archive.progress = progress
    outcomes = archive.ingest_files(files, password=password, replaces=replaces, jobs=jobs)
    show_bar = len(files) > 1 and sys.stderr.isatty() and not as_json
    if show_bar:
        with click.progressbar(length=len(files), label="ingesting", file=sys.stderr) as bar:
            for out in outcomes:
                report(out)
                bar.update(1)
    else:
        for out in outcomes:
            report(out)
    total = sum(counts.values())
    summary = ", ".join(
        f"{counts[k]} {k}" for k in ("ingested", "updated", "unchanged", "failed") if counts.get(k)
    )
    if not as_json:
        click.echo(f"{total} file{'s' if total != 1 else ''}: {summary or 'nothing to do'}")
    sys.exit(1 if counts.get("failed") else 0)


# -- reading ------------------------------------------------------------------------------------
@main.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=click.IntRange(1), default=None)
@pass_ctx
def list_(c: _Ctx, as_json: bool, limit: int | None) -> None:
    """List stored documents, newest first."""
    docs = c.archive.list_documents(limit)
    if as_json:
        click.echo(_dump(docs))
        return
    for d in docs:
        who = " · ".join(x for x in (d["author"], d["date"], d["series"]) if x)
        click.echo(f"{d['id']}  v{d['version']}  {d['title']}" + (f"  ({who})" if who else ""))
    click.echo(f"{len(docs)} document{'s' if len(docs) != 1 else ''}")


@main.command()
@click.argument("doc_id")
@click.option("--version", type=click.IntRange(1), default=None, help="An older version.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def show(c: _Ctx, doc_id: str, version: int | None, as_json: bool) -> None:
    """Show a stored document: metadata with provenance, then its blocks."""
    view = c.archive.document_view(doc_id, version)
    if view is None:
        _fail(f"no document {doc_id}" + (f" version {version}" if version else "") + "; see archive list", 1)
    if as_json:
        click.echo(_dump(view))
        return
    click.echo(f"{view['title']}  [{view['id']} v{view['version']}]")
    for key, f in view["metadata"].items():
        click.echo(f"  {key:13} {f['value']}  ({f['source']})")
    click.echo(f"  {'pages':13} {view['page_count']}   sha256 {view['sha256']}")
    for b in view["blocks"]:
        pages = ",".join(str(p) for p in b["pages"])
        click.echo(f"\n[{b['type']} p.{pages} {b['id']}]\n{b['text']}")


def _print_results(result: dict, *, has_filters: bool = False, bridge: bool = True) -> None:
    click.echo(f"{result['total']} result(s) for {result['query']!r} ({result['took_ms']} ms)")
    if not result["total"]:
        for way in advice.loosen(result["query"], has_filters=has_filters, bridge=bridge):
            click.echo(f"  try: {way.english}")
    for note in result.get("notices", []):
        click.echo(f"  note: {english(note)}")
    for extra in result.get("also_searched", []):
        click.echo(f"  also searched: {extra['term']} → {', '.join(extra['also'])}")
    for hit in result["hits"]:
        meta = " · ".join(x for x in (hit.get("author"), hit.get("date"), hit.get("series")) if x)
        click.echo(f"\n{hit['id']}  {hit['title']}" + (f"  ({meta})" if meta else ""))
        for p in hit["passages"]:
            snippet, out, last = p["snippet"], [], 0
            for s, e in p.get("highlights", []):
                out.append(snippet[last:s])
                out.append(click.style(snippet[s:e], bold=True, fg="yellow"))
                last = e
            out.append(snippet[last:])
            click.echo(f"  p.{p['page']} {p['id']}  {''.join(out)}")


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1)
@click.option("--sort", type=click.Choice(list(SORTS)), default="relevance")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FACET=VALUE",
    help="Narrow by a facet: author, foundation, series or year.",
)
@click.option("--no-bridge", is_flag=True, help="Do not also search regional variants.")
@pass_ctx
def search(
    c: _Ctx,
    query: str,
    as_json: bool,
    limit: int,
    page: int,
    sort: str,
    filters: tuple[str, ...],
    no_bridge: bool,
) -> None:
    """Search the archive.  QUERY '-' reads one query per line from standard input."""
    facet_filters: dict[str, list[str]] = {}
    for f in filters:
        key, sep, value = f.partition("=")
        if not sep or key not in FACETS:
            _fail(f"--filter {f!r}: use author=, foundation=, series= or year=")
        facet_filters.setdefault(key, []).append(value)
    archive = c.archive
    queries = (line.rstrip("\n") for line in sys.stdin) if query == "-" else iter([query])
    for q in queries:
        if query == "-" and not q.strip():
            continue
        try:
            result = archive.search(
                q,
                filters=facet_filters or None,
                sort=sort,
                page=page,
                per_page=limit,
                bridge=not no_bridge,
            )
        except ServiceError as exc:
            _fail(str(exc))
        if as_json:
            from archive.web.render import with_snippet_html  # the one <mark> renderer

            click.echo(_dump(with_snippet_html(result)))
            sys.stdout.flush()
        else:
            _print_results(result, has_filters=bool(facet_filters), bridge=not no_bridge)


# -- maintenance ---------------------------------------------------------------------------------
@main.command()
@click.option("--engine", type=click.Choice(INDEX_ENGINES), default=None,
              help="The engine to build (must be config.toml's index_engine; default: that one).")
@pass_ctx
def reindex(c: _Ctx, engine: str | None) -> None:
    """Rebuild the search index from the archive and swap it in atomically."""
    c.archive.lower_priority()
    try:
        r = c.archive.reindex(engine)
    except ServiceError as exc:
        _fail(str(exc))
    click.echo(f"reindexed {r['documents']} documents in {r['seconds']} s ({r['engine']})")


@main.command()
@click.option("--repair", is_flag=True, help="Fix what can be fixed from the archive.")
@click.option("--quick", is_flag=True, help="Compare originals' sizes instead of hashing them.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def check(c: _Ctx, repair: bool, quick: bool, as_json: bool) -> None:
    """Verify the catalogue, every stored document and original, and the index.

    A repair never discards an original: a damaged or empty catalogue is set aside
    and rebuilt from the originals; a damaged index is rebuilt from the catalogue.
    """
    try:
        r = c.any_archive.check(repair=repair, quick=quick)
    except ServiceError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(_dump(r))
    else:
        for p in r["problems"]:
            detail = " ".join(f"{k}={v}" for k, v in p.items() if k != "kind")
            click.echo(f"problem: {p['kind']} {detail}")
        for line in r["repaired"]:
            click.echo(f"repaired: {line}")
        state = "clean" if r["clean"] else "NOT clean"
        click.echo(f"{r['documents']} documents, {r['versions']} versions: {state}")
    sys.exit(0 if r["clean"] else 1)


@main.command()
@click.argument("doc_id")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="Correct a field (title, series, author, affiliation, foundation, address, "
                   "date, language); repeatable.")
@click.option("--unset", "unsets", multiple=True, metavar="FIELD", help="Remove a field.")
@click.option("--as", "who", metavar="NAME", help="Who is editing (default: your login name).")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def edit(c: _Ctx, doc_id: str, sets: tuple[str, ...], unsets: tuple[str, ...],
         who: str | None, as_json: bool) -> None:
    """Correct a document's metadata; the change is kept with who, when and the old value,
    survives re-ingests of new versions, and is searchable at once."""
    pairs: dict[str, str] = {}
    for item in sets:
        field, sep, value = item.partition("=")
        if not sep:
            _fail(f"--set {item!r}: write FIELD=VALUE, e.g. --set date=2023-11-30", 1)
        pairs[field.strip()] = value
    user = who or f"cli:{os.environ.get('USER') or os.environ.get('LOGNAME') or 'unknown'}"
    try:
        view = c.archive.edit(doc_id, sets=pairs, unsets=unsets, user=user)
    except ServiceError as exc:
        _fail(str(exc), 1)
    if as_json:
        click.echo(_dump(view))
        return
    for name in [*pairs, *unsets]:
        shown = (view["metadata"].get(name) or {}).get("value")
        click.echo(f"{doc_id}: {name} = {shown!r}" if shown is not None else f"{doc_id}: {name} removed")


@main.command()
@click.argument("doc_id")
@click.option("--lang", "language", type=click.Choice(["auto", "tra", "sim"]), default="auto",
              show_default=True, help="Tesseract's Traditional or Simplified model, or both (the surer kept).")
@click.option("--pages", metavar="N,N-M", help="Pages to read from their images (default: those read by OCR).")
@click.option("--all-pages", "every_page", is_flag=True, help="Read every page from its image.")
@click.option("--password", help="User password, for an encrypted original.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def reocr(c: _Ctx, doc_id: str, language: str, pages: str | None, every_page: bool, password: str | None,
          as_json: bool) -> None:
    """OCR a stored document's original again, as its next version."""
    try:
        wanted = _page_list(pages) if pages else []
    except ValueError:
        _fail(f"--pages {pages!r}: write page numbers like 3 or 2-5,8")
    archive = c.archive
    if sys.stderr.isatty() and not as_json:
        archive.progress = lambda name, note: click.echo(f"\r{doc_id}: {note}\033[K", err=True, nl=False)
    try:
        out = archive.reocr(doc_id, language=language, pages=wanted, every_page=every_page, password=password)
    except ServiceError as exc:
        _fail(str(exc), 1)
    if archive.progress is not None:
        click.echo("\r\033[K", err=True, nl=False)
    if as_json:
        click.echo(_dump(out.to_dict()))
    else:
        click.echo(out.line())
        for w in out.warnings:
            click.echo(f"  {'note' if w.endswith('kept their ids') else 'warning'}: {w}", err=True)
    sys.exit(0 if out.ok else 1)


def _page_list(text: str) -> list[int]:
    """``"2-4,7"`` as [2, 3, 4, 7]; ValueError for anything else (or more than 10,000 pages)."""
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        lo, hi = int(first), int(last or first)
        if lo < 1 or hi < lo or hi - lo > 10_000 or len(out) > 10_000:
            raise ValueError(text)
        out.extend(range(lo, hi + 1))
    return out


@main.command()
@click.argument("doc_id")
@pass_ctx
def delete(c: _Ctx, doc_id: str) -> None:
    """Remove a document (its originals are kept under deleted/)."""
    if not c.archive.delete_document(doc_id):
        _fail(f"no document {doc_id}; see archive list", 1)
    click.echo(f"deleted {doc_id}")


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def export_(c: _Ctx, file: Path) -> None:
    """Write the whole archive (catalogue and originals) to a .tar.gz file.

    The archive is checked first (every original hashed); a damaged one is not exported.
    """
    try:
        r = c.archive.export(file)
    except ServiceError as exc:
        _fail(str(exc), 1)
    click.echo(f"exported {r['documents']} documents to {r['file']} ({r['bytes']} bytes)")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--with-users", is_flag=True,
              help="Also import the export's archivist accounts (not imported by default).")
@pass_ctx
def import_(c: _Ctx, file: Path, with_users: bool) -> None:
    """Restore an export into an empty instance and rebuild its index.

    Everything is verified before anything lands: the members' names and sizes, the
    catalogue's integrity, every document, every original's hash.
    """
    try:
        r = c.archive.import_archive(file, with_users=with_users)
    except ServiceError as exc:
        _fail(str(exc), 1)
    click.echo(f"imported {r['documents']} documents")


@main.command()
@pass_ctx
def sample(c: _Ctx) -> None:
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
        _fail(str(exc))
    if done:
        click.echo(f"{done['reason']}; rebuilt it from the archive: "
                   f"{done['documents']} documents in {done['seconds']} s", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--debug", is_flag=True)
@pass_ctx
def serve(c: _Ctx, host: str, port: int, debug: bool) -> None:
    """Serve the web app for local use (use gunicorn in production; see the README)."""
    from archive.config import LOOPBACK_HOSTS
    from archive.web import create_app

    settings = c.archive.settings
    if host not in (*LOOPBACK_HOSTS, "::1") and not (settings.base_url or settings.trusted_hosts):
        _fail(f"serving on {host} needs base_url (or trusted_hosts) in {c.path}/config.toml: "
              "the names other machines reach this one by; without them only loopback is answered")
    _upgrade_index(c.archive)
    app = create_app({"INSTANCE": str(c.path), "WARM_UP": True})
    click.echo(f"serving {c.path} on http://{host}:{port}/", err=True)
    app.run(host=host, port=port, debug=debug, threaded=True, use_reloader=False)


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
def user_add(c: _Ctx, name: str, password_stdin: bool, reset: bool) -> None:
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
        _fail(str(exc), 1)
    click.echo(f"user {name} {'password reset' if reset else 'added'}")


@user.command("list")
@pass_ctx
def user_list(c: _Ctx) -> None:
    for name in c.archive.users():
        click.echo(name)


@user.command("remove")
@click.argument("name")
@pass_ctx
def user_remove(c: _Ctx, name: str) -> None:
    if not c.archive.remove_user(name):
        _fail(f"no user {name}", 1)
    click.echo(f"user {name} removed")


@main.command("cite")
@click.argument("ident", metavar="DOC_ID|PASSAGE_ID")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True,
              help="A citation style (chicago, apa, gbt7714) or a reference file (bibtex, ris, csl).")
@click.option("--version", type=click.IntRange(1), default=None, help="Cite this version.")
@pass_ctx
def cite_(c: _Ctx, ident: str, fmt: str, version: int | None) -> None:
    """Print a document's or passage's citation, as the web's cite menu gives it."""
    from archive.citing import cite_text

    try:
        click.echo(cite_text(c.archive, ident, fmt, version), nl=False)
    except ServiceError as exc:
        _fail(str(exc), 1)


@main.group()
def alias() -> None:
    """The archive's own aliases: names and terms searched as one beyond the published tables."""


@alias.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def alias_list(c: _Ctx, as_json: bool) -> None:
    """List the learned aliases, the archivists' and the pairs marked as different."""
    listing = c.archive.aliases.listing()
    if as_json:
        click.echo(_dump(listing))
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
def alias_add(c: _Ctx, forms: tuple[str, ...]) -> None:
    """Make FORMS one name or term in every search (e.g. archive alias add 朝鲜 北韓)."""
    from archive.aliases import AliasError

    try:
        group = c.archive.add_alias(forms)
    except AliasError as exc:
        _fail(str(exc), 1)
    click.echo("alias added: " + " = ".join(group.forms))


@alias.command("remove")
@click.argument("a")
@click.argument("b")
@pass_ctx
def alias_remove(c: _Ctx, a: str, b: str) -> None:
    """Say that A and B are not one (whatever table, document or archivist made them one)."""
    from archive.aliases import AliasError

    try:
        c.archive.remove_alias(a, b)
    except AliasError as exc:
        _fail(str(exc), 1)
    click.echo(f"marked as different: {a} != {b}")


@alias.command("learn")
@pass_ctx
def alias_learn(c: _Ctx) -> None:
    """Learn aliases from the names the stored documents gloss alike (reindex does this too)."""
    learned = c.archive.learn_aliases()
    click.echo(f"{len(learned)} aliases learned from glossed names")
    for g in learned:
        click.echo(f"  {' = '.join(g.forms)}  ({g.gloss})")


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


if __name__ == "__main__":  # pragma: no cover
    run()
