"""Error pages with JSON twins: a user's input never produces a traceback."""

from __future__ import annotations

import json
import logging
import sqlite3

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)

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
        body = json.dumps({"error": {"status": 400, "title": TITLES[400], "message": message}},
                          ensure_ascii=False)
        return Response(body, status=400, mimetype="application/json")
    return Response(message + "\n", status=400, mimetype="text/plain")


def handle_http(exc: HTTPException) -> Response:
    if isinstance(exc, SecurityError):
        return _untrusted_host(exc)
    code = exc.code or 500
    data = {"error": {"status": code, "title": TITLES.get(code, exc.name), "message": _message(exc)}}
    headers = {}
    if code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
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
    return handle_http(ServiceUnavailable(description=web))


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(StoreError, handle_damage)
    app.register_error_handler(sqlite3.DatabaseError, handle_damage)
    app.register_error_handler(ServiceError, handle_damage)
    app.register_error_handler(Exception, handle_unexpected)
