"""The concordance page (``/concordance?q=…``), its JSON twin and its CSV export.

Every occurrence of the query with its left and right context, sortable by either,
each linked to its passage.  The work is :mod:`archive.concordance`'s; this module
reads the parameters and renders.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, request, stream_with_context

from archive import concordance as kwic
from archive.search import highlight_blocks
from archive.web import http, urls
from archive.web.errors import BAD_QUERY, NO_QUERY, refuse
from archive.web.render import render

bp = Blueprint("concordance", __name__)

SORT_LABELS = {"document": "依文件（新到舊）", "left": "依左側文字", "right": "依右側文字", "match": "依命中詞"}
#: Lines on one page; the CSV export has up to ``export_max_results`` × 20.
PAGE_LINES = 500


def _result(limit: int) -> tuple[urls.SearchState, str, dict[str, Any]]:
    state = urls.parse_search_args(request.args)
    asked = request.args.get("sort") or ""
    sort = asked if asked in kwic.SORTS else "document"
    if not state.q:
        return state, sort, {"query": "", "sort": sort, "lines": [], "count": 0, "documents": 0,
                             "total_documents": 0, "truncated": False, "limit": limit}
    archive = current_app.extensions["archive"]
    try:
        data = kwic.concordance(archive, state.q, highlight=highlight_blocks,
                                filters=state.filter_lists() or None, sort=sort, limit=limit,
                                bridge=state.bridge)
    except ValueError as exc:
        refuse(400, str(exc), BAD_QUERY)
    return state, sort, data


@bp.route("/concordance")
@bp.route("/concordance.json", endpoint="show_json")
def show() -> Response:
    state, sort, data = _result(PAGE_LINES)
    for line in data["lines"]:
        line["url"] = urls.passage_url(line["passage_id"])
    http.etag_from(data)
    return render("concordance.html", data, state=state, sort=sort, sort_labels=SORT_LABELS)


@bp.route("/concordance.csv")
def export() -> Response:
    state, sort, data = _result(int(current_app.extensions["archive"].settings.export_max_results) * 20)
    if not state.q:
        refuse(400, "請先輸入搜尋條件，再匯出逐詞索引。", NO_QUERY)

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        out.writerow(["left", "match", "right", "title", "date", "page", "passage_url"])
        for line in data["lines"]:
            out.writerow([_cell(line["left"]), _cell(line["match"]), _cell(line["right"]),
                          _cell(line["title"]), line["date"], line["page"] or "",
                          urls.passage_url(line["passage_id"], absolute=True)])
        yield buf.getvalue()

    resp = Response(stream_with_context(rows()), content_type="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = http.content_disposition(
        f"concordance-{state.q}", "concordance", attachment=True, suffix=".csv")
    return resp


def _cell(text: str) -> str:
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text
