"""Error pages with JSON twins: a user's input never produces a traceback.

Every error answer is ``{"error": {"status", "title", "message", "code"}}`` (the page shows the
same dictionary): ``code`` is a stable, machine-readable word.  It is the
:class:`~archive.errors.ArchiveError`'s own code when the failure came from one (``edit``,
``alias``, ``catalogue``, ``index-busy``…), the word a view gave with :func:`refuse`
(``csrf``, ``format``…), and otherwise the status's word in :data:`STATUS_CODES`.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from typing import NoReturn

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
    default_exceptions,
)

from archive.errors import ArchiveError
from archive.service import ServiceError
from archive.store import StoreError
from archive.web.render import render

log = logging.getLogger(__name__)

#: Titles in the UI's language for the statuses users can meet.
TITLES = {
    400: "請求有誤",
    401: "需要登入",
    403: "沒有權限",
    404: "找不到頁面",
    405: "不支援此操作",
    413: "檔案太大",
    429: "嘗試次數過多",
    500: "伺服器發生錯誤",
    503: "暫時無法服務",
}

#: An error body's ``code`` when nothing more particular is known than the HTTP status.
STATUS_CODES = {
    400: "bad-request",
    401: "sign-in-required",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    416: "range-not-satisfiable",
    429: "rate-limited",
    500: "internal",
    503: "unavailable",
}
#: The words views give with :func:`refuse` beyond the statuses' and the ArchiveErrors'.
CSRF = "csrf"                      # 400: no or a wrong CSRF token on a write
UNTRUSTED_HOST = "untrusted-host"  # 400: a Host header the app does not answer
BAD_QUERY = "bad-query"            # 400: a query the search refuses
NO_QUERY = "no-query"              # 400: an export without a query
BAD_VERSION = "bad-version"        # 400: a version that is not a positive integer
READ_ONLY = "read-only"            # 503: the instance folder cannot be written
FORMAT = "format"                  # 404: an unknown export format (the CLI's word for it)

def refuse(status: int, message: str, code: str | None = None) -> NoReturn:
    """``abort(status, description=message)``, the body's ``code`` being ``code`` (by default
    the status's word)."""
    exc = default_exceptions[status](description=message)
    if code:
        exc.archive_code = code  # type: ignore[attr-defined]  # our tag on werkzeug's exception, read by error_code()
    raise exc


def refuse_error(status: int, err: ArchiveError) -> NoReturn:
    """Answer ``status`` for an ArchiveError: its zh-Hant wording (else its English line) and
    its own code."""
    refuse(status, err.web or str(err), err.code)


def error_code(exc: HTTPException) -> str:
    """The ``code`` of ``exc``'s body: the one it carries, else its status's word."""
    given = getattr(exc, "archive_code", None)
    if isinstance(given, str) and given:
        return given
    status = exc.code or 500
    return STATUS_CODES.get(status) or re.sub(r"[^a-z0-9]+", "-", exc.name.lower()).strip("-")


#: What a reader sees when the catalogue (the source of truth) cannot be read.
DAMAGED = "典藏目錄有部分無法讀取，暫時無法顯示這裡；已通知管理員（請執行 archive check）。"


def _message(exc: HTTPException) -> str:
    """A one-line explanation; werkzeug's English defaults are replaced."""
    if isinstance(exc, SecurityError):
        return ("這個伺服器不接受此主機名稱（Host）；管理員請在 instance/config.toml 設定 "
                "base_url 或 trusted_hosts。")
    if exc.code == 413:
        limit = current_app.extensions["archive"].settings.max_upload_mb
        return f"上傳的檔案超過 {limit:g} MB 的上限。"
    default = type(exc).description
    if exc.description and exc.description != default:
        return str(exc.description)
    return {
        400: "無法處理這個請求。",
        401: "請先登入。",
        403: "您沒有執行這個操作的權限。",
        404: "這裡沒有內容；網址可能打錯了，或文件已移除。",
        405: f"此網址不接受 {request.method} 請求。",
        429: "請稍候再試。",
    }.get(exc.code or 500, "發生了未預期的錯誤；已記錄下來。")


def _untrusted_host(exc: SecurityError) -> Response:
    """No page for a Host the app does not answer: URLs cannot be built for it, so the
    answer is the one-line notice itself (JSON for a JSON client)."""
    message = _message(exc)
    if "json" in (request.headers.get("Accept") or "") or request.path.endswith(".json"):
        body = json.dumps({"error": {"status": 400, "title": TITLES[400], "message": message,
                                     "code": UNTRUSTED_HOST}}, ensure_ascii=False)
        return Response(body, status=400, mimetype="application/json")
    return Response(f"{message} ({UNTRUSTED_HOST})\n", status=400, mimetype="text/plain")


def handle_http(exc: HTTPException) -> Response:
    if isinstance(exc, SecurityError):
        return _untrusted_host(exc)
    code = exc.code or 500
    data = {"error": {"status": code, "title": TITLES.get(code, exc.name), "message": _message(exc),
                      "code": error_code(exc)}}
    headers = {}
    allowed = getattr(exc, "valid_methods", None)  # MethodNotAllowed's
    if code == 405 and allowed:
        headers["Allow"] = ", ".join(allowed)
    for key, value in exc.get_headers():
        if key == "Content-Range":  # a 416 says how long the file is (RFC 9110 §15.5.17)
            headers[key] = value
    retry = getattr(exc, "retry_after", None)
    if retry:
        headers["Retry-After"] = str(int(retry))
    return render("error.html", data, status=code, headers=headers)


def handle_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http(InternalServerError())


def handle_damage(exc: Exception) -> Response:
    """A damaged catalogue or stored record: a 503 notice naming the repair, logged."""
    log.error("archive data unreadable on %s %s: %s", request.method, request.path, exc)
    if isinstance(exc, ServiceError):
        web = exc.web or "目前無法完成這個請求，請稍後再試。"
    else:
        web = DAMAGED
    unavailable = ServiceUnavailable(description=web)
    # a StoreError's or ServiceError's own code; SQLite's own errors are the catalogue's
    unavailable.archive_code = (  # type: ignore[attr-defined]  # (as in refuse)
        exc.code if isinstance(exc, ArchiveError) else StoreError.code)
    return handle_http(unavailable)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(StoreError, handle_damage)
    app.register_error_handler(sqlite3.DatabaseError, handle_damage)
    app.register_error_handler(ServiceError, handle_damage)
    app.register_error_handler(Exception, handle_unexpected)
