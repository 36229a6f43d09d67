"""An Atom feed of the newest documents and a sitemap of every document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template

bp = Blueprint("feeds", __name__)

FEED_SIZE = 30


def _atom_time(value: str | None) -> str:
    """RFC 3339 for Atom; the catalogue's ISO times, or now when missing."""
    if value:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            return dt.isoformat(timespec="seconds")
        except ValueError:
            pass
    return datetime.now(UTC).isoformat(timespec="seconds")


@bp.route("/feed.atom")
def atom() -> Response:
    docs: list[dict[str, Any]] = current_app.extensions["archive"].list_documents(limit=FEED_SIZE)
    for d in docs:
        d["updated_rfc3339"] = _atom_time(d.get("ingested_at"))
    updated = docs[0]["updated_rfc3339"] if docs else _atom_time(None)
    body = render_template("feed.atom.xml", docs=docs, updated=updated)
    return Response(body, mimetype="application/atom+xml")


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    docs = current_app.extensions["archive"].list_documents()
    for d in docs:
        d["lastmod"] = _atom_time(d.get("ingested_at"))[:10]
    body = render_template("sitemap.xml", docs=docs)
    return Response(body, mimetype="application/xml")
