"""Atom feeds (the newest documents, or any search followed over time), the sitemap and
robots.txt.

``/feed.atom`` takes the search page's parameters (``q``, facet filters, ``bridge``): a
researcher subscribes to "every new piece that mentions 印太" in a feed reader.  Entries
are the matching documents, newest first, each with its best matching passage as the
summary.  ``updated`` is the version's ingest time (the catalogue keeps microseconds and
never gives two versions one instant), so readers see a new revision as new.  The
feed's own ``updated`` is its newest entry's, never "now", so an unchanged feed has an
unchanged ETag and a poll is answered 304 (:mod:`archive.web.http`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from archive.web import http, urls
from archive.web.errors import BAD_QUERY, refuse

bp = Blueprint("feeds", __name__)

FEED_SIZE = 30
#: A feed with no entries has been unchanged since... (Atom requires some ``updated``).
_EPOCH = "1970-01-01T00:00:00+00:00"


def _atom_time(value: str | None) -> str:
    """RFC 3339 for Atom from the catalogue's ISO times (microseconds kept when present)."""
    if value:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            return dt.isoformat(timespec="microseconds" if dt.microsecond else "seconds")
        except ValueError:
            pass
    return _EPOCH


def _current_ingest(archive: Any, doc_id: str) -> str | None:
    versions = archive.document_versions(doc_id)
    current = next((v for v in versions if v.get("current")), versions[-1] if versions else None)
    return current.get("ingested_at") if current else None


def _search_entries(archive: Any, state: urls.SearchState) -> list[dict[str, Any]]:
    result = archive.search(state.q, filters=state.filter_lists() or None, sort="newest", page=1,
                            per_page=FEED_SIZE, bridge=state.bridge)
    entries = []
    for hit in result.get("hits") or []:
        passages = hit.get("passages") or []
        entries.append({
            "id": hit["id"], "title": hit.get("title"), "author": hit.get("author"),
            "foundation": hit.get("foundation"), "series": hit.get("series"), "date": hit.get("date"),
            "updated_rfc3339": _atom_time(_current_ingest(archive, hit["id"])),
            "summary": passages[0].get("snippet") if passages else None,
            "passage_id": passages[0]["id"] if passages else None,
        })
    return entries


@bp.route("/feed.atom")
def atom() -> Response:
    archive = current_app.extensions["archive"]
    state = urls.parse_search_args(request.args)
    followed = bool(state.q or state.has_filters())
    if followed:
        try:
            docs = _search_entries(archive, state)
        except ValueError as exc:
            refuse(400, str(exc), BAD_QUERY)
    else:
        docs = archive.list_documents(limit=FEED_SIZE)
        for d in docs:
            d["updated_rfc3339"] = _atom_time(d.get("ingested_at"))
    updated = max((d["updated_rfc3339"] for d in docs), default=_EPOCH)
    params = urls.search_params(state)
    params.pop("page", None)
    params.pop("sort", None)
    body = render_template("feed.atom.xml", docs=docs, updated=updated, followed=followed,
                           query=state.q, params=params)
    http.cache_kind("feed")
    return Response(body, mimetype="application/atom+xml")


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    from archive import analysis
    from archive.entities import KINDS
    from archive.models import split_names

    archive = current_app.extensions["archive"]
    docs = archive.list_documents()
    merged = archive.merges.key_maps()  # merged names are one page, under the shown name
    named: dict[tuple[str, str], str] = {}
    for d in docs:
        d["lastmod"] = _atom_time(d.get("ingested_at"))[:10]
        for kind in KINDS:
            values = split_names(d.get(kind) or "") if kind == "author" else [d.get(kind) or ""]
            for v in values:
                if v:
                    key = analysis.keyword(v)
                    key, v = merged.get(kind, {}).get(key, (key, v))
                    named.setdefault((kind, key), v)
    entity_pages = sorted((kind, name) for (kind, _key), name in named.items())
    body = render_template("sitemap.xml", docs=docs, entities=entity_pages)
    return Response(body, mimetype="application/xml")


@bp.route("/robots.txt")
def robots() -> Response:
    """Crawl the documents and passages; not the endless space of search URLs or the
    archivists' pages; the sitemap lists every document."""
    lines = [
        "User-agent: *",
        "Disallow: /*?q=",
        "Disallow: /*&q=",
        "Disallow: /export.",
        "Disallow: /upload",
        "Disallow: /login",
        "Disallow: /jobs",
        "Allow: /",
        f"Sitemap: {urls.external('feeds.sitemap')}",
        "",
    ]
    http.cache_kind("text")
    return Response("\n".join(lines), mimetype="text/plain")
