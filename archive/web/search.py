"""The search page (``/``) and its JSON twin (``/search.json``).

The JSON is exactly what ``archive search --json`` prints: the service's
dictionary, untouched.  Only page furniture (URLs, labels, the links made of
:mod:`archive.advice`'s ways to loosen a query that found nothing) is added, and only to
the HTML.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from archive import advice
from archive.errors import ServiceError
from archive.query import QuerySyntaxError
from archive.web import http, timeline, urls
from archive.web.render import render, with_snippet_html

bp = Blueprint("search", __name__)

FACET_LABELS = {"author": "作者", "foundation": "機構", "series": "系列", "year": "年份"}
SORT_LABELS = {"relevance": "相關度", "newest": "日期（新到舊）", "oldest": "日期（舊到新）"}


def empty_result(state: urls.SearchState, notices: list[str] | None = None) -> dict[str, Any]:
    """The search shape with no hits, for this page's state (see :func:`archive.advice.empty_result`)."""
    return advice.empty_result(
        state.q, page=state.page, per_page=current_app.config.get("PER_PAGE", urls.PER_PAGE),
        sort=state.sort, bridge=state.bridge, filters=state.filter_lists(), notices=notices)


def loosen(state: urls.SearchState) -> list[dict[str, str]]:
    """Ways to widen a query that found nothing (:func:`archive.advice.loosen`), as links."""
    return [{"label": way.web, "url": urls.search_url(state, **way.changes)}
            for way in advice.loosen(state.q, has_filters=state.has_filters(), bridge=state.bridge)]


@bp.route("/", endpoint="page")
@bp.route("/search.json", endpoint="page_json")
def search_page() -> Response:
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
        except QuerySyntaxError as exc:  # the query's refusal is a notice, not a crash
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

    def period_url(period: str) -> str:
        """The search narrowed to one bar's period: a year is the year filter, a month a
        date clause added to the query."""
        if len(period) == 4:
            return urls.search_url(state, filters={**state.filters, "year": (period,)})
        return urls.search_url(state, q=f"{state.q} date:{period}".strip())

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
        drawn=timeline.drawing(result.get("timeline") or {}, period_url),
    )
