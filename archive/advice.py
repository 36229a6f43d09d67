"""What to say when a search finds nothing: the empty result and ways to loosen the query.

Both faces use it: the search page turns each :class:`Loosening` into a link
(its zh-Hant label), ``archive search`` prints its English line.  A loosening
is a change to the search (``q``, ``filters`` or ``bridge``), not a URL, so
the core needs nothing of the web.  It reads only the query (through
:mod:`archive.query`'s lexer and parser, the one reading of the syntax) and the search's
options; it touches no store or index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive import query
from archive.search import FACETS


@dataclass(frozen=True)
class Loosening:
    """One way to widen a search that found nothing."""

    kind: str  # "no-filters" | "bridge" | "no-phrase" | "any-word" | "one-word"
    web: str  # the link's label on the search page (zh-Hant)
    english: str  # the line ``archive search`` prints
    changes: dict[str, Any] = field(default_factory=dict)  # q=, filters=, bridge=


def query_words(q: str) -> list[str]:
    """The query's positive terms as query text, in order, once each: what a matching
    document contains (not under NOT; no operators, no dates), read by the query parser
    (:func:`archive.query.parse`).  A phrase gives its words; a field keeps its prefix."""
    out: list[str] = []
    for term in query.positive_terms(query.parse(q, bridge=False).node):
        prefix = f"{term.field}:" if term.field else ""
        for word in term.text.split() if term.phrase else [term.text]:
            if prefix + word not in out:
                out.append(prefix + word)
    return out


def loosen(q: str, *, has_filters: bool = False, bridge: bool = True) -> list[Loosening]:
    """Ways to widen the search ``q`` (with or without filters and the regional bridge)."""
    out: list[Loosening] = []
    if has_filters:
        out.append(Loosening("no-filters", "移除所有篩選條件", "search without the filters",
                             {"filters": {}}))
    if not bridge:
        out.append(Loosening("bridge", "一併搜尋兩岸用語（簡繁、異稱）",
                             "search regional variants too (without --no-bridge)",
                             {"bridge": True}))
    plain = query.without_phrases(q)
    if plain is not None:
        out.append(Loosening("no-phrase", f"不限定詞組：{plain}", f"without the phrase: {plain}",
                             {"q": plain}))
    words = query_words(q)
    if len(words) > 1:
        any_of = " OR ".join(words)
        out.append(Loosening("any-word", f"任一詞符合：{any_of}", f"any of the words: {any_of}",
                             {"q": any_of}))
        for w in words:
            out.append(Loosening("one-word", f"只搜尋：{w}", f"only: {w}", {"q": w}))
    return out


def empty_result(q: str, *, page: int = 1, per_page: int = 10, sort: str = "relevance",
                 bridge: bool = True, filters: dict[str, list[str]] | None = None,
                 notices: list[str] | None = None) -> dict[str, Any]:
    """The search shape with no hits (no query yet, or a query the service refused)."""
    return {
        "query": q,
        "total": 0,
        "page": page,
        "per_page": per_page,
        "pages": 0,
        "sort": sort,
        "took_ms": 0.0,
        "notices": list(notices or []),
        "also_searched": [],
        "bridge": bridge,
        "filters": dict(filters or {}),
        "facets": {f: [] for f in FACETS},
        "timeline": {"unit": "year", "bars": [], "undated": 0, "dated": 0},
        "hits": [],
    }
