"""Commands on documents: ``ingest``, ``list``, ``show``, ``search``, ``edit``, ``reocr``,
``delete`` and ``cite``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from archive import advice
from archive.cite import FORMATS
from archive.index.engine import FACETS, SORTS
from archive.notices import english
from archive.service import Outcome, ServiceError, find_pdfs

from .base import CliContext, dump, fail, main, pass_ctx


# -- ingest -----------------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--password", help="User password for encrypted PDFs.")
@click.option("--replaces", metavar="DOC_ID", help="The input is a new version of this document.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Extract this many at once.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file.")
@pass_ctx
def ingest(
    c: CliContext,
    paths: tuple[str, ...],
    password: str | None,
    replaces: str | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Ingest PDF files and folders (recursively, *.pdf)."""
    files, missing = find_pdfs(paths)
    if replaces and len(files) != 1:
        fail("--replaces takes exactly one PDF")
    archive = c.archive
    archive.lower_priority()  # batch work: a server here answers first
    counts: dict[str, int] = {}

    def report(out: Outcome) -> None:
        counts[out.status] = counts.get(out.status, 0) + 1
        if archive.progress is not None:
            click.echo("\r\033[K", err=True, nl=False)  # clear the progress line
        if as_json:
            click.echo(dump(out.to_dict()))
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
def list_(c: CliContext, as_json: bool, limit: int | None) -> None:
    """List stored documents, newest first."""
    docs = c.archive.list_documents(limit)
    if as_json:
        click.echo(dump(docs))
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
def show(c: CliContext, doc_id: str, version: int | None, as_json: bool) -> None:
    """Show a stored document: metadata with provenance, then its blocks."""
    view = c.archive.document_view(doc_id, version)
    if view is None:
        fail(f"no document {doc_id}" + (f" version {version}" if version else "") + "; see archive list", 1)
    if as_json:
        click.echo(dump(view))
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
    c: CliContext,
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
            fail(f"--filter {f!r}: use author=, foundation=, series= or year=")
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
            fail(str(exc))
        if as_json:
            from archive.web.render import with_snippet_html  # the one <mark> renderer

            click.echo(dump(with_snippet_html(result)))
            sys.stdout.flush()
        else:
            _print_results(result, has_filters=bool(facet_filters), bridge=not no_bridge)


@main.command()
@click.argument("doc_id")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="Correct a field (title, series, author, affiliation, foundation, address, "
                   "date, language); repeatable.")
@click.option("--unset", "unsets", multiple=True, metavar="FIELD", help="Remove a field.")
@click.option("--as", "who", metavar="NAME", help="Who is editing (default: your login name).")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def edit(c: CliContext, doc_id: str, sets: tuple[str, ...], unsets: tuple[str, ...],
         who: str | None, as_json: bool) -> None:
    """Correct a document's metadata; the change is kept with who, when and the old value,
    survives re-ingests of new versions, and is searchable at once."""
    pairs: dict[str, str] = {}
    for item in sets:
        field, sep, value = item.partition("=")
        if not sep:
            fail(f"--set {item!r}: write FIELD=VALUE, e.g. --set date=2023-11-30", 1)
        pairs[field.strip()] = value
    user = who or f"cli:{os.environ.get('USER') or os.environ.get('LOGNAME') or 'unknown'}"
    try:
        view = c.archive.edit(doc_id, sets=pairs, unsets=unsets, user=user)
    except ServiceError as exc:
        fail(str(exc), 1)
    if as_json:
        click.echo(dump(view))
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
def reocr(c: CliContext, doc_id: str, language: str, pages: str | None, every_page: bool, password: str | None,
          as_json: bool) -> None:
    """OCR a stored document's original again, as its next version."""
    try:
        wanted = _page_list(pages) if pages else []
    except ValueError:
        fail(f"--pages {pages!r}: write page numbers like 3 or 2-5,8")
    archive = c.archive
    if sys.stderr.isatty() and not as_json:
        archive.progress = lambda name, note: click.echo(f"\r{doc_id}: {note}\033[K", err=True, nl=False)
    try:
        out = archive.reocr(doc_id, language=language, pages=wanted, every_page=every_page, password=password)
    except ServiceError as exc:
        fail(str(exc), 1)
    if archive.progress is not None:
        click.echo("\r\033[K", err=True, nl=False)
    if as_json:
        click.echo(dump(out.to_dict()))
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
def delete(c: CliContext, doc_id: str) -> None:
    """Remove a document (its originals are kept under deleted/)."""
    if not c.archive.delete_document(doc_id):
        fail(f"no document {doc_id}; see archive list", 1)
    click.echo(f"deleted {doc_id}")


@main.command("cite")
@click.argument("ident", metavar="DOC_ID|PASSAGE_ID")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True,
              help="A citation style (chicago, apa, gbt7714) or a reference file (bibtex, ris, csl).")
@click.option("--version", type=click.IntRange(1), default=None, help="Cite this version.")
@pass_ctx
def cite_(c: CliContext, ident: str, fmt: str, version: int | None) -> None:
    """Print a document's or passage's citation, as the web's cite menu gives it."""
    from archive.citing import cite_text

    try:
        click.echo(cite_text(c.archive, ident, fmt, version), nl=False)
    except ServiceError as exc:
        fail(str(exc), 1)
