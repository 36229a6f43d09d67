"""Query helpers and per-document reads for :mod:`archive.search`, which never imports
Whoosh itself.

What it owns and why: the few Whoosh queries that still run through Whoosh's matchers
(more-like-this without the word field), the collector with a time limit (:func:`run`),
and the stored-field reads of the hit list.  Everything else is evaluated exactly by
:mod:`archive.index.evaluate`.
"""

from __future__ import annotations

import json
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from .whoosh_fixes import AndNot


def is_null(q: Any) -> bool:
    return q is wq.NullQuery


def q_any_term(fieldname: str, terms: list[str]) -> Any:
    return wq.Or([wq.Term(fieldname, t) for t in terms])


def q_exclude_doc(q: Any, doc_id: str) -> Any:
    return AndNot(q, wq.Term("doc_id", doc_id))


class SearchTimeout(Exception):
    """The time limit ran out; the partial results are in ``.hits``."""

    def __init__(self, hits: list[tuple[int, float]]) -> None:
        super().__init__("search time limit reached")
        self.hits = hits


def run(searcher: Searcher, q: Any, timeout_s: float | None = None) -> list[tuple[int, float]]:
    """Every matching (docnum, score); raises :class:`SearchTimeout` with partial hits."""
    from whoosh.collectors import TimeLimit, TimeLimitCollector

    if q is wq.NullQuery:
        return []
    c = searcher.collector(limit=None)
    if timeout_s:
        c = TimeLimitCollector(c, timelimit=timeout_s, use_alarm=False)
    try:
        searcher.search_with_collector(q, c)
    except TimeLimit:
        r = c.results()
        raise SearchTimeout([(d, s) for s, d in r.top_n]) from None
    r = c.results()
    return [(d, s) for s, d in r.top_n]
def stored(searcher: Searcher, docnum: int) -> dict[str, Any]:
    """The hit list's metadata of one document."""
    f = searcher.stored_fields(docnum)
    meta = json.loads(f.get("meta") or "{}")
    meta["doc_id"] = f.get("doc_id", "")
    return meta


def docnum_of(searcher: Searcher, doc_id: str) -> int | None:
    return searcher.document_number(doc_id=doc_id)


def doc_frequency(searcher: Searcher, fieldname: str, term: str) -> int:
    return searcher.doc_frequency(fieldname, term)


def stored_key_words(searcher: Searcher, docnum: int) -> list[tuple[str, int]] | None:
    """The key words stored with a document (:func:`key_words`); None if the index has none."""
    raw = searcher.stored_fields(docnum).get("keys")
    if not raw:
        return None
    try:
        return [(str(w), int(c)) for w, c in json.loads(raw)]
    except (ValueError, TypeError):
        return None
