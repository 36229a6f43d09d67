"""Uploading PDFs (``/ingest``): signed-in archivists only, queued behind the one writer.

Each file reports the same outcome as ``archive ingest`` (ingested /
unchanged / updated / failed: reason).  The page's JSON twin, polled with the
job ids, is how the browser shows progress.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from archive.web.errors import READ_ONLY, refuse
from archive.web.render import render, wants_json
from archive.web.security import current_user, login_required
from ingest.extract import header_problem

bp = Blueprint("upload", __name__)

MAX_FILES = 50
MAX_JOB_IDS = 100

STATUS_LABELS = {
    "queued": "排隊中",
    "working": "處理中",
    "ingested": "已收錄",
    "unchanged": "未變更（已有相同檔案）",
    "updated": "已更新為新版本",
    "failed": "失敗",
}


def display_name(raw: str | None) -> str:
    """A label for a user's file name: last path part, no control characters, bounded.

    It is only ever shown and recorded as text, never used as a path.
    """
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:200] or "upload.pdf"


def _jobs_for(ids: list[str]) -> list[dict[str, Any]]:
    queue = current_app.extensions["jobs"]
    jobs = []
    for job_id in ids[:MAX_JOB_IDS]:
        job = queue.get(job_id)
        if job is not None:
            jobs.append(job)
    return jobs


def _page_data(ids: list[str]) -> dict[str, Any]:
    settings = current_app.extensions["archive"].settings
    jobs = _jobs_for(ids)
    return {
        "user": current_user(),
        "max_upload_bytes": settings.max_upload_bytes,
        "max_files": MAX_FILES,
        "jobs": jobs,
        "done": all(j["done"] for j in jobs),
    }


@bp.route("/ingest", methods=["GET"])
@bp.route("/ingest.json", methods=["GET"], endpoint="form_json")
@login_required
def form() -> Response:
    """The upload form, and the state of the jobs named by ``?job=``."""
    ids = request.args.getlist("job")
    replaces = (request.args.get("replaces") or "").strip()[:64]
    return render("upload.html", _page_data(ids), replaces=replaces,
                  status_labels=STATUS_LABELS)


@bp.route("/ingest", methods=["POST"])
@login_required
def submit() -> BaseResponse:
    """Queue every uploaded file; refuse non-PDFs at once with the CLI's words."""
    if current_app.extensions["archive"].read_only:
        refuse(503, "這個典藏資料夾是唯讀的：可以閱讀與搜尋，但無法上傳或修改。", READ_ONLY)
    files = [f for f in request.files.getlist("files") if f and (f.filename or f.content_length)]
    if not files:
        abort(400, description="請選擇至少一個 PDF 檔案。")
    if len(files) > MAX_FILES:
        abort(400, description=f"一次最多上傳 {MAX_FILES} 個檔案。")
    replaces = (request.form.get("replaces") or "").strip() or None
    password = request.form.get("password") or None
    queue = current_app.extensions["jobs"]
    user = current_user() or ""
    ids: list[str] = []
    for upload in files:
        name = display_name(upload.filename)
        data = upload.read()
        problem = header_problem(data)
        if problem is not None:
            job = queue.reject(filename=name, size=len(data), user=user, reason=problem.reason)
        else:
            job = queue.submit(data, filename=name, user=user, password=password,
                               replaces=replaces)
        ids.append(job["id"])
    if wants_json():
        return render("upload.html", _page_data(ids), status=202,
                      status_labels=STATUS_LABELS)
    return redirect(url_for("upload.form", job=ids), code=303)
