"""Pages for people, institutions and series: ``/a/<name>``, ``/f/<name>``, ``/s/<name>``.

Each has a JSON twin (``.json``) and is listed in the sitemap.  The view is
:mod:`archive.entities`'; here are the routes and labels.  ``/entities/merges`` (and its
twin) lists the archivists' merges of names (:mod:`archive.merges`); merging and splitting
(``POST /entities/merge``, ``/entities/split``) need a signed-in archivist and the CSRF
token, as every write does, and show on the entity page at once.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from archive import entities
from archive.merges import MergeError
from archive.web import http, timeline
from archive.web.render import render, wants_json
from archive.web.security import current_user, login_required

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
    def period_url(period: str) -> str:
        """The search filtered to this entity and one bar's period."""
        if len(period) == 4:  # a year: the year facet
            return url_for("search.page", **{kind: view["name"], "year": period})
        return url_for("search.page", q=f"date:{period}", **{kind: view["name"]})

    drawn = timeline.drawing(view["timeline"], period_url)
    return render("entity.html", view, label=LABELS[kind], contact_labels=CONTACT_LABELS,
                  drawn=drawn)


def _routes(kind: str, letter: str) -> None:
    def page(name: str) -> Any:
        return _show(kind, name)

    page.__name__ = kind
    bp.add_url_rule(f"/{letter}/<name>", kind, page)
    bp.add_url_rule(f"/{letter}/<name>.json", f"{kind}_json", page)


for _kind, _letter in entities.KINDS.items():
    _routes(_kind, _letter)


#: Names in the merge form: one a line, or set apart by 、 ， ; ／ (not by spaces: a name
#: may hold one, "John Smith").
_SPLIT = re.compile(r"[\r\n、，,;；／|]+")


@bp.route("/entities/merges")
@bp.route("/entities/merges.json", endpoint="merges_json")
def merges() -> Response:
    return render("merges.html", current_app.extensions["archive"].merges.listing(), labels=LABELS)


def _form_kind() -> str:
    kind = request.form.get("kind", "")
    if kind not in entities.KINDS:
        abort(400, description="種類必須是作者、機構或系列。")
    return kind


def _done(kind: str, name: str) -> BaseResponse:
    archive = current_app.extensions["archive"]
    if wants_json():
        return jsonify({"kind": kind, "name": name, "merged": archive.entity_group(kind, name),
                        "merges": archive.merges.listing(kind)[kind]})
    return redirect(entity_url(kind, name), code=303)


@bp.route("/entities/merge", methods=["POST"])
@login_required
def merge() -> BaseResponse:
    kind = _form_kind()
    # The entity page sends its own name as a first ``names`` field, then the others.
    given = "\n".join(request.form.getlist("names"))[:4000]
    names = [n for n in _SPLIT.split(given) if n.strip()]
    try:
        group = current_app.extensions["archive"].merge_entities(kind, names, by=current_user() or "")
    except MergeError as exc:
        abort(400, description=exc.web or str(exc))
    return _done(kind, group.names[0])


@bp.route("/entities/split", methods=["POST"])
@login_required
def split() -> BaseResponse:
    kind = _form_kind()
    name = request.form.get("name", "")[:MAX_NAME]
    try:
        current_app.extensions["archive"].split_entity(kind, name)
    except MergeError as exc:
        abort(400, description=exc.web or str(exc))
    return _done(kind, " ".join(name.split()))


def init_app(app: Any) -> None:
    app.jinja_env.globals.update(entity_url=entity_url)
