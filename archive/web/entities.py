"""Pages for people, institutions and series: ``/a/<name>``, ``/f/<name>``, ``/s/<name>``.

Each has a JSON twin (``.json``) and is listed in the sitemap.  The view is
:mod:`archive.entities`'; here are the routes and labels.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, url_for

from archive import entities
from archive.web import http
from archive.web.render import render

bp = Blueprint("entities", __name__)

LABELS = {"author": "作者", "foundation": "機構", "series": "系列"}
CONTACT_LABELS = {"address": "地址", "phone": "電話", "fax": "傳真", "email": "電子郵件", "website": "網站"}
#: The longest name a URL may carry (longer is no facet value of ours).
MAX_NAME = 200


def entity_url(kind: str, name: str) -> str:
    return url_for(f"entities.{kind}", name=name)


def _show(kind: str, name: str) -> Response:
    if len(name) > MAX_NAME:
        abort(404, description=f"找不到這個{LABELS[kind]}。")
    view = entities.entity(current_app.extensions["archive"], kind, name)
    if view is None:
        abort(404, description=f"典藏中沒有{LABELS[kind]}「{name[:40]}」的文件。")
    http.etag_from(view)
    http.cache_kind("document")
    peak = max((y["count"] for y in view["years"]), default=1)
    return render("entity.html", view, label=LABELS[kind], contact_labels=CONTACT_LABELS, peak=peak)


def _routes(kind: str, letter: str) -> None:
    def page(name: str) -> Any:
        return _show(kind, name)

    page.__name__ = kind
    bp.add_url_rule(f"/{letter}/<name>", kind, page)
    bp.add_url_rule(f"/{letter}/<name>.json", f"{kind}_json", page)


for _kind, _letter in entities.KINDS.items():
    _routes(_kind, _letter)


def init_app(app: Any) -> None:
    app.jinja_env.globals.update(entity_url=entity_url)
