"""The search page (``/``) and its JSON twin (``/search.json``).

The JSON is exactly what ``archive search --json`` prints: the service's
dictionary, untouched.  Only page furniture (URLs, labels, suggestions for
loosening a query that found nothing) is added, and only to the HTML.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, request

from archive.service import ServiceError
from archive.web import http, urls
from archive.web.render import render, with_snippet_html

bp = Blueprint("search", __name__)

FACET_LABELS = {"author": "作者", "foundation": "機構", "series": "系列", "year": "年份"}
SORT_LABELS = {"relevance": "相關度", "newest": "日期（新到舊）", "oldest": "日期（舊到新）"}


def empty_result(state: urls.SearchState, notices: list[str] | None = None) -> dict[str, Any]:
    """The search shape with no hits (no query yet, or a query the service refused)."""
    return {
        "query": state.q,
        "total": 0,
        "page": state.page,
        "per_page": current_app.config.get("PER_PAGE", urls.PER_PAGE),
        "pages": 0,
        "sort": state.sort,
        "took_ms": 0.0,
        "notices": list(notices or []),
        "also_searched": [],
        "bridge": state.bridge,
        "filters": state.filter_lists(),
        "facets": {f: [] for f in urls.FACETS},
        "hits": [],
    }


def loosen(state: urls.SearchState) -> list[dict[str, str]]:
    """Ways to widen a query that found nothing, each as a label and a URL."""
    out: list[dict[str, str]] = []
    if state.has_filters():
        out.append({"label": "移除所有篩選條件", "url": urls.search_url(state, filters={})})
    if not state.bridge:
        out.append({"label": "一併搜尋兩岸用語（簡繁、異稱）",
                    "url": urls.search_url(state, bridge=True)})
    if '"' in state.q or "「" in state.q:
        plain = re.sub(r'["「」]', " ", state.q).strip()
        out.append({"label": f"不限定詞組：{plain}", "url": urls.search_url(state, q=plain)})
    words = [w for w in re.split(r"\s+", re.sub(r'["「」()]', " ", state.q)) if w
             and w.upper() not in ("AND", "OR", "NOT") and not w.startswith("-")]
    if len(words) > 1:
        any_of = " OR ".join(words)
        out.append({"label": f"任一詞符合：{any_of}", "url": urls.search_url(state, q=any_of)})
        for w in words:
            out.append({"label": f"只搜尋：{w}", "url": urls.search_url(state, q=w)})
    return out


@bp.route("/")
@bp.route("/search.json", endpoint="index_json")
def index() -> Response:
    """Search, or (with no query) the newest documents and the query syntax."""
    archive = current_app.extensions["archive"]
    state = urls.parse_search_args(request.args)
    recent: list[dict[str, Any]] = []
    status = 200
    if state.q or state.has_filters():
        try:
            result = archive.search(
                state.q,
                filters=state.filter_lists() or None,
                sort=state.sort,
                page=state.page,
                per_page=current_app.config.get("PER_PAGE", urls.PER_PAGE),
                bridge=state.bridge,
            )
            with_snippet_html(result)
        except ValueError as exc:  # the service's refusal is a notice, not a crash
            result = empty_result(state, [str(exc)])
        except ServiceError as exc:  # e.g. the index is being rebuilt: say so, keep the page
            current_app.logger.warning("search unavailable: %s", exc)
            result = empty_result(state, [f"搜尋暫時無法使用：{exc.web or '請稍後再試。'}"])
            status = 503
    else:
        result = empty_result(state)
        recent = archive.list_documents(limit=10)
        result["recent"] = recent
    http.etag_from({k: v for k, v in result.items() if k != "took_ms"})
    return render(
        "search.html",
        result,
        status=status,
        state=state,
        recent=recent,
        loosen=loosen(state) if state.q and not result.get("total") else [],
        facet_labels=FACET_LABELS,
        sort_labels=SORT_LABELS,
        facets_order=urls.FACETS,
    )
