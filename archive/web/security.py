"""Security policy in one place: headers, CSRF, sign-in gates, rate limits.

Extracted PDF text is hostile input, so the Content-Security-Policy allows no
inline script and no inline style at all; Jinja's autoescaping does the rest.
Writing needs a signed-in archivist; reading does too when
``Settings.require_login_for_read`` is on.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from archive.store import dummy_hash
from archive.web import throttle
from archive.web.errors import CSRF, refuse

F = TypeVar("F", bound=Callable[..., Any])

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

#: Endpoints anyone may reach even when reading needs sign-in.
PUBLIC_ENDPOINTS = {"auth.login", "static", "api.openapi"}

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


# -- CSRF ------------------------------------------------------------------
def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return str(token)


def check_csrf() -> None:
    """Refuse a write whose form field or header does not carry the session's token."""
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    if not expected or not hmac.compare_digest(str(expected), sent):
        refuse(400, "表單已過期或來源不明（CSRF 檢查未通過），請重新整理頁面後再試。", CSRF)


# -- sign-in gates ---------------------------------------------------------
def current_user() -> str | None:
    """The signed-in archivist, if the cookie names a live server-side session (checked once a request)."""
    if "archive_user" in g:
        return g.archive_user
    user, sid = session.get("user"), session.get("sid")
    name: str | None = None
    if user and sid:
        archive = current_app.extensions["archive"]
        state = current_app.extensions["web_state"]
        idle = max(60.0, float(archive.settings.session_idle_minutes) * 60)
        if state.session_user(str(sid), str(user), archive.user_stamp(str(user)), idle):
            name = str(user)
        else:
            session.pop("user", None)
            session.pop("sid", None)
    g.archive_user = name
    return name


def _wants_page() -> bool:
    from archive.web.render import wants_json

    return not wants_json()


def login_required(view: F) -> F:
    """Writers only: pages redirect to sign-in, JSON clients get 401."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if request.method == "GET" and _wants_page():
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            abort(401)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _read_gate() -> BaseResponse | None:
    """When reading needs sign-in, send strangers to the sign-in page."""
    settings = current_app.extensions["archive"].settings
    if not settings.require_login_for_read or current_user() is not None:
        return None
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.method == "GET" and _wants_page():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(401)


# -- wiring ----------------------------------------------------------------
def _add_headers(resp: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        resp.headers.setdefault(key, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if resp.mimetype == "text/html" and current_user():
        resp.headers.setdefault("Cache-Control", "private, no-store")
    return resp


def init_app(app: Flask) -> None:
    """Install headers, the read gate, the rate limiter and template helpers."""
    settings = app.extensions["archive"].settings
    throttle.init_app(app, app.extensions["web_state"], settings.login_attempts_per_minute)
    dummy_hash()  # made now, so that the first unknown name costs no more than a known one
    app.before_request(_read_gate)
    app.after_request(_add_headers)

    @app.before_request
    def _csrf_for_writes() -> None:
        g.user = current_user()
        # A write to a route that does not take it is a 405 with Allow (routing's answer),
        # not a CSRF refusal: only requests that reached a view are checked.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.routing_exception is None:
            check_csrf()

    app.jinja_env.globals.update(csrf_token=csrf_token, current_user=current_user)
