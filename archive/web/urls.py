"""Every URL that carries state is built here.

The search page's URL encodes its whole state (query, filters, sort, page,
bridging) so that it can be shared and reloaded; permanent URLs use the
configured ``base_url`` when there is one, so citations do not depend on
whichever host name a reader happened to use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from flask import current_app, request, url_for
from werkzeug.datastructures import MultiDict

# The facets of the sidebar (display order; each is also a query parameter) and the sort
# orders the page offers: defined once, in the search core.
from archive.search import FACETS, SORTS

#: How many hits one page shows.
PER_PAGE = 10

#: The largest page number accepted from a URL (deeper paging is refused politely).
MAX_PAGE = 1000


@dataclass(frozen=True)
class SearchState:
    """Everything the search page shows, as read from (and written to) its URL."""

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    bridge: bool = True

    def filter_lists(self) -> dict[str, list[str]]:
        """Filters in the service's shape: facet -> list of values."""
        return {k: list(v) for k, v in self.filters.items() if v}

    def has_filters(self) -> bool:
        return any(self.filters.values())


def parse_search_args(args: MultiDict[str, str]) -> SearchState:
    """Read the search state from query parameters, tolerating any junk."""
    q = (args.get("q") or "").strip()
    filters: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        values = tuple(dict.fromkeys(v.strip() for v in args.getlist(facet) if v.strip()))
        if values:
            filters[facet] = values
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        sort = "relevance"
    try:
        page = int(args.get("page") or 1)
    except ValueError:
        page = 1
    page = min(max(page, 1), MAX_PAGE)
    bridge = (args.get("bridge") or "1") not in ("0", "false", "off", "no")
    return SearchState(q=q, filters=filters, sort=sort, page=page, bridge=bridge)


def search_params(state: SearchState) -> dict[str, Any]:
    """Query parameters for ``state``, leaving defaults out so URLs stay short."""
    params: dict[str, Any] = {}
    if state.q:
        params["q"] = state.q
    for facet in FACETS:
        if state.filters.get(facet):
            params[facet] = list(state.filters[facet])
    if state.sort != "relevance":
        params["sort"] = state.sort
    if state.page != 1:
        params["page"] = state.page
    if not state.bridge:
        params["bridge"] = "0"
    return params


def search_url(state: SearchState, **changes: Any) -> str:
    """The URL of ``state`` with ``changes`` applied (``page`` resets unless given)."""
    if "page" not in changes and set(changes) - {"page"}:
        changes["page"] = 1
    return url_for("search.page", **search_params(replace(state, **changes)))


def with_filter(state: SearchState, facet: str, value: str) -> str:
    """The URL that adds one facet value to the filters."""
    filters = dict(state.filters)
    filters[facet] = tuple(dict.fromkeys((*filters.get(facet, ()), value)))
    return search_url(state, filters=filters)


def without_filter(state: SearchState, facet: str, value: str) -> str:
    """The URL that removes one facet value (the chip's ✕)."""
    filters = dict(state.filters)
    filters[facet] = tuple(v for v in filters.get(facet, ()) if v != value)
    return search_url(state, filters={k: v for k, v in filters.items() if v})


def external(endpoint: str, **values: Any) -> str:
    """An absolute URL, on ``settings.base_url`` when it is configured."""
    base = (current_app.extensions["archive"].settings.base_url or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def document_url(
    doc_id: str,
    *,
    version: int | None = None,
    q: str | None = None,
    anchor: str | None = None,
) -> str:
    """The document page, optionally an older version, with terms to highlight."""
    values: dict[str, Any] = {"doc_id": doc_id}
    if version is not None:
        values["version"] = version
    if q:
        values["q"] = q
    if anchor:
        # ``at`` picks the part of a long document that holds the passage; the fragment
        # then scrolls to it.
        values["at"] = anchor
        values["_anchor"] = anchor
    return url_for("documents.show", **values)


def pdf_url(doc_id: str, version: int | None = None, *, page: int | None = None,
            download: bool = False) -> str:
    """The stored original; ``page`` opens it at that page (``#page=N``)."""
    values: dict[str, Any] = {"doc_id": doc_id}
    if version is not None:
        values["version"] = version
    if download:
        values["download"] = 1
    if page:
        values["_anchor"] = f"page={page}"
    return url_for("documents.original", **values)


def passage_url(passage_id: str, *, absolute: bool = False) -> str:
    """The passage's permanent URL (relative unless ``absolute``)."""
    if absolute:
        return external("passages.show", passage_id=passage_id)
    return url_for("passages.show", passage_id=passage_id)


def _followed_params(state: SearchState) -> dict[str, Any]:
    params = search_params(state)
    params.pop("page", None)
    params.pop("sort", None)
    return params


def follow_url(state: SearchState) -> str:
    """The Atom feed of this search (newest first, whatever the page's sort)."""
    return url_for("feeds.atom", **_followed_params(state))


def export_url(state: SearchState, fmt: str) -> str:
    """This search's results as a file: csv, jsonl, bibtex, ris or csl."""
    params = search_params(state)
    params.pop("page", None)
    return url_for("cite.results", fmt=fmt, **params)


def search_json_url() -> str:
    """The JSON twin of the current search page, built from the app's own parameters only.

    Never from the raw query string: ``url_for`` takes ``_anchor``, ``_scheme``,
    ``_external`` and ``_method`` as instructions, not as parameters.
    """
    return url_for("search.page_json", **search_params(parse_search_args(request.args)))


def init_app(app: Any) -> None:
    """Expose the URL helpers to every template."""
    app.jinja_env.globals.update(
        search_url=search_url,
        search_json_url=search_json_url,
        follow_url=follow_url,
        export_url=export_url,
        with_filter=with_filter,
        without_filter=without_filter,
        document_url=document_url,
        pdf_url=pdf_url,
        passage_url=passage_url,
        external_url=external,
    )
