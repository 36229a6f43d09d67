"""Citing and exporting from the web: text sources, annotations and reference files.

* ``/d/<id>/v<N>.txt``: a version's text exactly as annotation selectors count it
  (blocks joined by a blank line), ``text/plain``, the same bytes forever;
* ``/p/<id>.jsonld``: the passage's W3C Web Annotation, ``application/ld+json`` with
  the Web Annotation profile;
* ``/d/<id>/cite.<fmt>``, ``/p/<id>/cite.<fmt>``: BibTeX, RIS or CSL-JSON;
* ``/export.<fmt>``: a search's results (the search page's parameters), streamed,
  at most ``export_max_results`` documents, as BibTeX, RIS, CSL-JSON, CSV or JSON Lines.

The references themselves come from :mod:`archive.cite`; this module only builds
URLs and responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, stream_with_context

from archive import cite, passages
from archive.cite import tables
from archive.cite.annotation import annotation as web_annotation
from archive.cite.reference import Reference
from archive.models import Document
from archive.web import http, urls
from archive.web.errors import BAD_QUERY, FORMAT, NO_QUERY, refuse

bp = Blueprint("cite", __name__)

#: The profile that tells a client the JSON-LD is a Web Annotation (W3C Web Annotation Protocol §4.2).
ANNOTATION_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
#: Documents per search page while exporting (each page is one search).
_EXPORT_PAGE = 100
_TABLE_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def _archive() -> Any:
    return current_app.extensions["archive"]


def text_url(doc_id: str, version: int) -> str:
    return urls.external("cite.text", doc_id=doc_id, version=version)


def reference(doc: Document, block_id: str = "") -> Reference:
    """The reference the pages, exports and embedded metadata share for ``doc`` (or its passage)."""
    block = next((b for b in doc.blocks if b.id == block_id), None) if block_id else None
    url = (urls.passage_url(block_id, absolute=True) if block is not None
           else urls.external("documents.show", doc_id=doc.doc_id))
    return cite.from_document(
        doc, url=url, accessed=datetime.now(UTC).date(), block=block,
        pdf_url=urls.external("documents.original", doc_id=doc.doc_id, version=doc.version),
    )


def annotation(view: dict[str, Any], permalink: str, doc: Document) -> dict[str, Any]:
    """The passage's W3C Web Annotation (:func:`archive.cite.annotation.annotation`) with
    this site's URLs: its versioned text as source, its page as scope."""
    doc_id, version = view["doc_id"], view["version"]
    scope = (urls.external("documents.show", doc_id=doc_id, version=version) if view["status"] == "gone"
             else urls.external("documents.show", doc_id=doc_id))
    return web_annotation(view, permalink, doc, source=text_url(doc_id, version), scope=scope,
                          homepage=urls.external("search.page"))


def _version() -> int | None:
    raw = request.args.get("version") or ""
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 1_000_000 else None


@bp.route("/d/<doc_id>/v<int:version>.txt")
def text(doc_id: str, version: int) -> Response:
    """The version's text, the annotation source (positions count its code points)."""
    doc = _archive().get_document(doc_id, version) if 0 < version <= 1_000_000 else None
    if doc is None or doc.version != version:
        abort(404, description="找不到這份文件（或這個版本）。")
    body, _ = passages.full_text(doc)
    http.last_modified(doc.ingested_at)
    http.cache_kind("text")
    resp = Response(body, mimetype="text/plain")
    resp.headers["Content-Language"] = doc.meta("language") or "zh"
    resp.headers["Link"] = f'<{urls.external("documents.show", doc_id=doc_id, version=version)}>; rel="alternate"'
    return resp


@bp.route("/p/<passage_id>.jsonld")
def annotation_jsonld(passage_id: str) -> Response:
    """The passage's annotation alone, as the Web Annotation Protocol serves one."""
    view = _archive().resolve_passage(passage_id)
    doc = _archive().get_document(view["doc_id"], view["version"]) if view else None
    if view is None or doc is None:
        abort(404, description="找不到這個段落；連結可能打錯了，或文件已從典藏移除。")
    http.last_modified(doc.ingested_at)
    body = current_app.json.dumps(annotation(view, urls.passage_url(passage_id, absolute=True), doc))
    resp = Response(body, content_type=ANNOTATION_TYPE)
    resp.headers["Link"] = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
    return resp


def _reference_file(refs: list[Reference], fmt: str, name: str) -> Response:
    if fmt not in cite.WRITERS:
        refuse(404, "不支援的匯出格式；可用 bibtex、ris 或 csl。", FORMAT)
    resp = Response(cite.export(refs, fmt), content_type=cite.MEDIA_TYPES[fmt])
    resp.headers["Content-Disposition"] = http.content_disposition(
        name, "citation", attachment=bool(request.args.get("download")), suffix="." + cite.EXTENSIONS[fmt])
    return resp


@bp.route("/d/<doc_id>/cite.<fmt>")
def document_file(doc_id: str, fmt: str) -> Response:
    doc = _archive().get_document(doc_id, _version())
    if doc is None:
        abort(404, description="找不到這份文件（或這個版本）。")
    http.last_modified(doc.ingested_at)
    return _reference_file([reference(doc)], fmt, doc.meta("title") or doc_id)


@bp.route("/p/<passage_id>/cite.<fmt>")
def passage_file(passage_id: str, fmt: str) -> Response:
    view = _archive().resolve_passage(passage_id)
    if view is None:
        abort(404, description="找不到這個段落；連結可能打錯了，或文件已從典藏移除。")
    doc = _archive().get_document(view["doc_id"], view["version"])
    if doc is None:
        abort(404, description="找不到這個段落。")
    block_id = view["block"].get("id") or ""
    return _reference_file([reference(doc, block_id)], fmt, doc.meta("title") or passage_id)


def _hits(state: urls.SearchState, cap: int) -> Iterator[dict[str, Any]]:
    """Every hit of the search, page by page, up to ``cap`` documents."""
    archive = _archive()
    seen = 0
    page = 1
    while seen < cap:
        result = archive.search(state.q, filters=state.filter_lists() or None, sort=state.sort,
                                page=page, per_page=_EXPORT_PAGE, bridge=state.bridge)
        for hit in result.get("hits") or []:
            if seen >= cap:
                return
            seen += 1
            yield hit
        if page >= int(result.get("pages") or 0):
            return
        page += 1


@bp.route("/export.<fmt>")
def results(fmt: str) -> Response:
    """A search's results as a file: the same parameters as the search page."""
    if fmt not in cite.WRITERS and fmt not in _TABLE_TYPES:
        refuse(404, "不支援的匯出格式；可用 bibtex、ris、csl、csv 或 jsonl。", FORMAT)
    state = urls.parse_search_args(request.args)
    if not (state.q or state.has_filters()):
        refuse(400, "請先輸入搜尋條件，再匯出結果。", NO_QUERY)
    archive = _archive()
    cap = int(archive.settings.export_max_results)
    # Run the first page now, so a refused query is a 400 notice rather than a broken stream.
    try:
        archive.search(state.q, filters=state.filter_lists() or None, sort=state.sort, page=1,
                       per_page=1, bridge=state.bridge)
    except ValueError as exc:
        refuse(400, str(exc), BAD_QUERY)
    hits = _hits(state, cap)

    def refs() -> Iterator[str]:
        for hit in hits:
            doc = archive.get_document(hit["id"])
            if doc is not None:
                yield cite.export([reference(doc)], fmt)

    if fmt in _TABLE_TYPES:
        rows = (tables.row(h, urls.external("documents.show", doc_id=h["id"]),
                           lambda pid: urls.passage_url(pid, absolute=True)) for h in hits)
        lines = tables.csv_lines(rows) if fmt == "csv" else tables.jsonl_lines(rows)
        body: Iterator[str] = lines
        content_type = _TABLE_TYPES[fmt]
    elif fmt == "csl":
        body = _csl_stream(archive, hits)
        content_type = cite.MEDIA_TYPES[fmt]
    else:
        body = refs()
        content_type = cite.MEDIA_TYPES[fmt]
    resp = Response(stream_with_context(body), content_type=content_type)
    suffix = "." + (fmt if fmt in _TABLE_TYPES else cite.EXTENSIONS[fmt])
    resp.headers["Content-Disposition"] = http.content_disposition(
        "search-results", "search-results", attachment=True, suffix=suffix)
    return resp


def _csl_stream(archive: Any, hits: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A CSL-JSON array written item by item (a streamed array stays one JSON value)."""
    import json

    from archive.cite.formats import csl_item

    yield "["
    first = True
    for hit in hits:
        doc = archive.get_document(hit["id"])
        if doc is None:
            continue
        yield ("" if first else ",") + "\n" + json.dumps(csl_item(reference(doc)), ensure_ascii=False)
        first = False
    yield "\n]\n"


def page_extras(doc: Document, block_id: str = "") -> dict[str, Any]:
    """What the document and passage pages embed and offer: the ``citation_*`` tags, COinS,
    JSON-LD and OpenGraph; each style's citation; the reference files to download."""
    from archive.cite import embedded

    ref = reference(doc, block_id)
    image = urls.external("cite.card", doc_id=doc.doc_id, version=doc.version)
    if block_id:
        files = [{"label": label, "url": urls.external("cite.passage_file", passage_id=block_id, fmt=fmt)}
                 for fmt, label in _FILE_LABELS]
    else:
        files = [{"label": label, "url": urls.external("cite.document_file", doc_id=doc.doc_id, fmt=fmt,
                                                        version=doc.version)}
                 for fmt, label in _FILE_LABELS]
    return {
        "embedded": {
            "highwire": embedded.highwire(ref),
            "opengraph": embedded.opengraph(ref, image_url=image) + [
                ("og:image:width", "1200"), ("og:image:height", "630"), ("og:image:alt", ref.title)],
            "coins": embedded.coins(ref),
            "json_ld": embedded.json_ld_text(embedded.json_ld(ref, image_url=image)),
        },
        "citations": cite.render_all(ref),
        "cite_files": files,
    }


_FILE_LABELS = (("bibtex", "BibTeX"), ("ris", "RIS"), ("csl", "CSL-JSON"))


@bp.route("/d/<doc_id>/card.png")
def card(doc_id: str) -> Response:
    """The link-preview image (``og:image``) of a document version."""
    from archive.cite.card import card_png

    doc = _archive().get_document(doc_id, _version())
    if doc is None:
        abort(404, description="找不到這份文件（或這個版本）。")
    ref = reference(doc)
    byline = "、".join(n.literal for n in ref.authors)
    source = " · ".join(p for p in (ref.publisher, ref.series, ref.date) if p)
    png = card_png(doc.title, byline=byline, source=source, language=ref.language, site="政策評論典藏")
    http.last_modified(doc.ingested_at)
    http.cache_kind("text")
    resp = Response(png, mimetype="image/png")
    resp.set_etag(f"{doc.sha256[:16]}-{doc.version}-{len(png)}")
    return resp
