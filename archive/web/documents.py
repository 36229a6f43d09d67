"""The document page (``/d/<doc_id>``), its JSON twin and the stored original."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from archive.edits import LABELS as EDIT_LABELS
from archive.edits import EditError
from archive.models import EDITABLE, Document
from archive.service import ServiceError
from archive.web import cite, http, urls
from archive.web.errors import BAD_VERSION, refuse, refuse_error
from archive.web.render import render, wants_json
from archive.web.security import current_user, login_required

bp = Blueprint("documents", __name__)

#: Metadata shown in the panel, in order, with labels in the UI's language.
META_LABELS = {
    "series": "系列",
    "author": "作者",
    "affiliation": "作者單位",
    "foundation": "出版機構",
    "address": "地址",
    "phone": "電話",
    "fax": "傳真",
    "website": "網站",
    "email": "電子郵件",
    "date": "日期",
    "script": "字體",
    "language": "語言",
    "pdf_created": "PDF 檔案建立時間（非出版日期）",
    "pdf_author": "PDF 檔案的作者欄（存檔帳號，非作者）",
}
SCRIPT_LABELS = {"Traditional": "繁體", "Simplified": "簡體", "mixed": "繁簡混用"}
BLOCK_LABELS = {"caption": "圖說", "note": "附註", "back_matter": "文末資訊", "footnote": "註腳",
                "aside": "側欄", "toc": "目錄", "table": "表格"}


#: Larger numbers are not versions (and would overflow SQLite's integers).
MAX_VERSION = 1_000_000
#: A long document's page shows its text in parts of about this many characters (and at most
#: PART_BLOCKS blocks), so that the page stays near 300 KB and its panel is reachable on a
#: phone; the JSON twin always has every block.
PART_CHARS = 25_000
PART_BLOCKS = 200


def parts_of(blocks: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """[start, end) block ranges of the page's parts; a part ends before a heading when it
    can, so a section starts a part rather than trailing off the end of one."""
    parts: list[tuple[int, int]] = []
    start = size = 0
    for i, b in enumerate(blocks):
        n = len(b.get("text") or "")
        full = size + n > PART_CHARS or i - start >= PART_BLOCKS
        if i > start and (full or (size > PART_CHARS * 0.7 and b.get("type") == "heading")):
            parts.append((start, i))
            start, size = i, 0
        size += n
    parts.append((start, len(blocks)))
    return parts


def _part_arg(parts: list[tuple[int, int]], blocks: list[dict[str, Any]]) -> int:
    """The part asked for (``?part=N``), or the one holding ``?at=<passage id>``, else the first."""
    at = request.args.get("at") or ""
    if at:
        for n, (a, b) in enumerate(parts, 1):
            if any(blk.get("id") == at for blk in blocks[a:b]):
                return n
    raw = request.args.get("part") or ""
    return min(max(int(raw), 1), len(parts)) if raw.isdigit() and len(raw) < 7 else 1


def _version_arg() -> int | None:
    raw = request.args.get("version")
    if raw in (None, ""):
        return None
    try:
        version = int(raw)
    except ValueError:
        refuse(400, "版本號必須是正整數。", BAD_VERSION)
    if not 1 <= version <= MAX_VERSION:
        refuse(400, "版本號必須是正整數。", BAD_VERSION)
    return version


@bp.route("/d/<doc_id>")
@bp.route("/d/<doc_id>.json", endpoint="show_json")
def show(doc_id: str) -> Response:
    """Metadata, the rebuilt text with an anchor per passage, and highlights for ``?q=``."""
    archive = current_app.extensions["archive"]
    version = _version_arg()
    view = archive.document_view(doc_id, version)
    if view is None:
        abort(404, description="找不到這份文件（或這個版本）。")
    q = (request.args.get("q") or "").strip()[: archive.settings.query_max_chars]
    highlights: dict[str, list[list[int]]] = {}
    if q:
        try:
            highlights = archive.highlight_blocks(doc_id, q) or {}
        except ValueError:
            highlights = {}
    data: dict[str, Any] = dict(view)
    shown_version = data.get("version")
    current = next((v["version"] for v in data.get("versions", []) if v.get("current")),
                   shown_version)
    data["current_version"] = current
    data["url"] = urls.external("documents.show", doc_id=doc_id)
    data["original_url"] = urls.external("documents.original", doc_id=doc_id,
                                         version=shown_version)
    if q:
        data["query"] = q
        data["highlights"] = highlights
    hit_count = sum(len(v) for v in highlights.values())
    parts = parts_of(data["blocks"])
    part = _part_arg(parts, data["blocks"]) if not wants_json() else 1
    first, last = parts[part - 1]
    part_of = {b["id"]: n for n, (a, z) in enumerate(parts, 1) for b in data["blocks"][a:z]}
    hits_before = sum(len(highlights.get(b["id"], ())) for b in data["blocks"][:first])
    part_hits = [sum(len(highlights.get(b["id"], ())) for b in data["blocks"][a:z]) for a, z in parts]
    doc = Document.from_dict(view)  # the view is the stored document: no second read and parse
    extras = cite.page_extras(doc) if doc is not None else {"embedded": None, "citations": [], "cite_files": []}
    data["citations"] = extras["citations"]
    data["text_url"] = cite.text_url(doc_id, int(shown_version or 1))
    if doc is not None:
        http.last_modified(doc.ingested_at)
    http.cache_kind("document")
    return render(
        "document.html",
        data,
        q=q,
        hit_count=hit_count,
        highlights=highlights,
        is_current=shown_version == current,
        meta_labels=META_LABELS,
        script_labels=SCRIPT_LABELS,
        block_labels=BLOCK_LABELS,
        related=_related(archive, doc_id),
        editable=EDITABLE,
        edit_labels=EDIT_LABELS,
        embedded=extras["embedded"],
        cite_files=extras["cite_files"],
        parts=parts,
        part=part,
        part_url=lambda n: url_for("documents.show", doc_id=doc_id,
                                   version=None if shown_version == current else shown_version,
                                   q=q or None, part=n if n > 1 else None),
        shown_blocks=data["blocks"][first:last],
        part_of=part_of,
        hits_before=hits_before,
        part_hits=part_hits,
    )


def _related(archive: Any, doc_id: str) -> list[dict[str, Any]]:
    try:
        return list(archive.more_like_this(doc_id, limit=5))
    except Exception:  # related documents are a nicety, never a reason to fail the page
        current_app.logger.exception("more_like_this failed for %s", doc_id)
        return []


@bp.route("/d/<doc_id>/original.pdf")
def original(doc_id: str) -> Response:
    """The stored PDF byte for byte: inline (for ``#page=N``) or, with ``?download=1``, saved."""
    archive = current_app.extensions["archive"]
    version = _version_arg()
    doc = archive.get_document(doc_id, version)
    if doc is None:
        abort(404, description="找不到這份文件（或這個版本）。")
    path = archive.original_path(doc.sha256)
    if not path.is_file():
        abort(404, description="原始 PDF 不在典藏中。")
    disposition = http.content_disposition(
        doc.meta("title") or "", f"{doc_id}-v{doc.version}", attachment=bool(request.args.get("download")))
    several = http.multipart_ranges(path, "application/pdf", {
        "ETag": f'"{doc.sha256}"', "Cache-Control": "public, max-age=86400",
        "Content-Disposition": disposition})
    # If-Range with another validator asks for the whole (changed) file instead.
    stale = bool(request.if_range.date) or request.if_range.etag not in (None, doc.sha256)
    if several is not None and not stale:
        resp = several
    else:
        resp = send_file(
            path,
            mimetype="application/pdf",
            conditional=True,
            etag=doc.sha256,
            max_age=86400,
        )
        resp.headers["Content-Disposition"] = disposition
    # The pages' CSP would keep browsers' PDF viewers from showing the file.
    resp.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    return resp


@bp.route("/d/<doc_id>/edit", methods=["POST"])
@login_required
def edit(doc_id: str) -> BaseResponse:
    """An archivist's corrections from the document page's form (or a JSON client posting
    the same fields): a field left empty is removed, an unchanged one is left alone."""
    archive = current_app.extensions["archive"]
    current = archive.get_document(doc_id)
    if current is None:
        abort(404, description="找不到這份文件。")
    sets: dict[str, str] = {}
    unsets: list[str] = []
    for field in EDITABLE:
        if field not in request.form:
            continue
        value = request.form.get(field, "")[:2000].strip()
        if value:
            if value != (current.meta(field) or ""):
                sets[field] = value
        elif current.meta(field):
            unsets.append(field)
    if not sets and not unsets:
        refuse(400, "沒有要修改的欄位。", EditError.code)
    try:
        view = archive.edit(doc_id, sets=sets, unsets=unsets, user=current_user() or "")
    except ServiceError as exc:
        refuse_error(400, exc)
    if wants_json():
        return jsonify(view)
    return redirect(url_for("documents.show", doc_id=doc_id), code=303)


@bp.route("/d/<doc_id>/delete", methods=["POST"])
@login_required
def delete(doc_id: str) -> BaseResponse:
    """Remove a document (archivists only; the form asks for an explicit confirmation)."""
    if request.form.get("confirm") != "yes":
        abort(400, description="請勾選確認方塊後再刪除。")
    if not current_app.extensions["archive"].delete_document(doc_id):
        abort(404, description="找不到這份文件。")
    if wants_json():
        return jsonify({"deleted": doc_id})
    return redirect(url_for("search.page"), code=303)
