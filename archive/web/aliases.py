"""The aliases page (``/aliases`` and its JSON twin): the names and terms the archive treats
as one beyond the published tables, and the archivists' forms to add and remove them.

Reading is public (a reader can see why 佩洛西 also found 裴洛西); adding and removing
need a signed-in archivist and the CSRF token, as every write does.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from archive.aliases import AliasError
from archive.web.errors import refuse_error
from archive.web.render import render, wants_json
from archive.web.security import login_required

bp = Blueprint("aliases", __name__)

_SPLIT = re.compile(r"[\s、，,;；/／=＝]+")


def _store():  # noqa: ANN202 - the archive's AliasStore
    return current_app.extensions["archive"].aliases


@bp.route("/aliases")
@bp.route("/aliases.json", endpoint="show_json")
def show() -> Response:
    return render("aliases.html", _store().listing())


def _done() -> BaseResponse:
    if wants_json():
        return jsonify(_store().listing())
    return redirect(url_for("aliases.show"), code=303)


@bp.route("/aliases/add", methods=["POST"])
@login_required
def add() -> BaseResponse:
    forms = [f for f in _SPLIT.split(request.form.get("forms", "")[:600]) if f]
    archive = current_app.extensions["archive"]
    try:
        with archive.write_lock():
            _store().add(forms)
    except AliasError as exc:
        refuse_error(400, exc)
    return _done()


@bp.route("/aliases/remove", methods=["POST"])
@login_required
def remove() -> BaseResponse:
    a, b = request.form.get("a", "")[:60], request.form.get("b", "")[:60]
    archive = current_app.extensions["archive"]
    try:
        with archive.write_lock():
            _store().remove(a, b)
    except AliasError as exc:
        refuse_error(400, exc)
    return _done()
