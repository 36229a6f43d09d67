"""Signing archivists in and out (accounts are made with ``archive user add``)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response as BaseResponse

from archive.web.render import render, wants_json
from archive.web.security import current_user

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target:
        return url_for("search.page")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("search.page")
    return target


def _client_key() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    """Sign in.  Failures are throttled per (name, address) with backoff, per address, per
    name and overall (see :mod:`archive.web.throttle`); a known or unknown name costs the
    same one password hash, and the answer is the same."""
    next_url = _safe_next(request.values.get("next"))
    data: dict[str, Any] = {"user": current_user(), "error": None, "next": next_url}
    if request.method == "GET":
        return render("login.html", data)
    gate = current_app.extensions["signin_throttle"]
    name = (request.form.get("name") or "").strip()[:200]
    password = (request.form.get("password") or "")[:1024]
    address = _client_key()
    device = gate.known_device(request, name)
    wait = gate.wait(name, address, device=device)
    if wait:
        exc = TooManyRequests(f"登入嘗試次數過多，請 {math.ceil(wait)} 秒後再試。")
        exc.retry_after = math.ceil(wait)
        raise exc
    archive = current_app.extensions["archive"]
    if archive.verify_user(name, password):
        gate.succeeded(name, address)
        session.clear()  # a fresh session (and CSRF token) on sign-in
        state = current_app.extensions["web_state"]
        session["user"] = name
        session["sid"] = state.open_session(name, archive.user_stamp(name) or "")
        session.permanent = False
        g.pop("archive_user", None)
        resp: BaseResponse
        if wants_json():
            resp = render("login.html", {"user": name, "error": None, "next": next_url})
        else:
            resp = redirect(next_url, code=303)
        gate.remember_device(request, resp, name, bool(current_app.config["SESSION_COOKIE_SECURE"]))
        return resp
    gate.failed(name, address, device=device)
    data["error"] = "帳號或密碼不正確。"
    return render("login.html", data, status=401)


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    current_app.extensions["web_state"].end_session(session.get("sid"))
    session.clear()
    g.pop("archive_user", None)
    if wants_json():
        return render("login.html", {"user": None, "error": None, "next": None})
    return redirect(url_for("search.page"), code=303)
