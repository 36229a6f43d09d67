"""The passage page (``/p/<passage_id>``): a permanent link to one paragraph.

The service decides where an old id lands (``current``, ``revised`` or
``gone``); this page says so plainly and never shows a silently wrong anchor.
Its JSON twin is a W3C Web Annotation whose target survives re-ingestion.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app

from archive.cite.plain import citation
from archive.web import cite, http, urls
from archive.web.render import render

bp = Blueprint("passages", __name__)


@bp.route("/p/<passage_id>")
@bp.route("/p/<passage_id>.json", endpoint="show_json")
def show(passage_id: str) -> Response:
    """Where an old or current passage link lands now, with a ready citation."""
    archive = current_app.extensions["archive"]
    view = archive.resolve_passage(passage_id)
    if view is None:
        abort(404, description="找不到這個段落；連結可能打錯了，或文件已從典藏移除。")
    permalink = urls.passage_url(passage_id, absolute=True)
    doc = archive.get_document(view["doc_id"], view["version"])
    if doc is None:
        abort(404, description="找不到這個段落；連結可能打錯了，或文件已從典藏移除。")
    http.last_modified(doc.ingested_at)
    http.cache_kind("document")
    extras = cite.page_extras(doc, view["block"].get("id") or "")
    data: dict[str, Any] = {
        "status": view["status"],
        "url": permalink,
        "passage": view,
        "citation": citation(view, permalink),
        "citations": extras["citations"],
        "annotation": cite.annotation(view, permalink, doc),
        "annotation_url": urls.external("cite.annotation_jsonld", passage_id=passage_id),
        "text_url": cite.text_url(view["doc_id"], view["version"]),
    }
    if view["status"] == "gone":
        data["archived_url"] = urls.external(
            "documents.show", doc_id=view["doc_id"], version=view["version"], at=passage_id,
            _anchor=passage_id,
        )
    else:
        data["document_url"] = urls.external(
            "documents.show", doc_id=view["doc_id"], at=view["passage_id"], _anchor=view["passage_id"]
        )
    return render("passage.html", data, embedded=extras["embedded"], cite_files=extras["cite_files"])
