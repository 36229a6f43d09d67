"""The original page at a passage: ``/p/<id>/page`` (page image with the passage outlined),
``/p/<id>/page.png`` and the JSON twin ``/p/<id>/page.json`` (the boxes, in image pixels and
PDF points).

The page is rendered and searched by :mod:`ingest.pageview` in a limited child process:
the web process never parses a PDF.  The last few renderings are kept in memory, so the
page and its image cost one rendering.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from typing import Any

from flask import Blueprint, Response, abort, current_app, request

from archive.web import http, urls
from archive.web.render import render
from ingest.pageview import PageViewError, render_passage

bp = Blueprint("pageview", __name__)

_CACHE: OrderedDict[tuple[str, int, str], dict[str, Any]] = OrderedDict()
_CACHE_SIZE = 16
_LOCK = threading.Lock()


def _view(passage_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    archive = current_app.extensions["archive"]
    view = archive.resolve_passage(passage_id)
    if view is None:
        abort(404, description="找不到這個段落；連結可能打錯了，或文件已從典藏移除。")
    block = view["block"]
    if not block.get("pages"):
        abort(404, description="這個段落沒有頁碼，無法顯示原始頁面。")
    doc = archive.get_document(view["doc_id"], view["version"])
    if doc is None:
        abort(404, description="找不到這個段落。")
    asked = request.args.get("page") or ""
    page = int(asked) if asked.isdigit() and int(asked) in block["pages"] else int(block["pages"][0])
    key = (doc.sha256, page, block["text"])
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
    if found is None:
        try:
            found = render_passage(archive.original_path(doc.sha256), page, block["text"],
                                   timeout=float(archive.settings.extract_timeout_s) / 4 or 20.0)
        except PageViewError as exc:
            current_app.logger.warning("page view of %s failed: %s", passage_id, exc)
            abort(503, description="目前無法顯示原始頁面（檔案可能受密碼保護或已損壞），請改用 PDF 下載。")
        with _LOCK:
            _CACHE[key] = found
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    http.last_modified(doc.ingested_at)
    http.cache_kind("document")
    return view, found


@bp.route("/p/<passage_id>/page")
@bp.route("/p/<passage_id>/page.json", endpoint="show_json")
def show(passage_id: str) -> Response:
    view, found = _view(passage_id)
    data = {k: v for k, v in found.items() if k != "png"}
    data.update({"passage_id": passage_id, "doc_id": view["doc_id"], "version": view["version"],
                 "image_url": urls.external("pageview.image", passage_id=passage_id, page=found["page"]),
                 "pages": view["block"]["pages"],
                 "passage_url": urls.passage_url(passage_id, absolute=True)})
    http.etag_from(data)
    return render("pageview.html", data, block=view["block"], document=view["document"])


@bp.route("/p/<passage_id>/page.png")
def image(passage_id: str) -> Response:
    _view_, found = _view(passage_id)
    resp = Response(base64.b64decode(found["png"]), mimetype="image/png")
    return resp
