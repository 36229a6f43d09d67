"""The seam between :mod:`archive.search` and a search engine: what an engine must provide.

Why: :mod:`archive.search` evaluates the query AST (phrases, AND/OR/NOT, fields, dates,
bridged variants), counts facets exactly, sorts, pages, and finds related documents.  It
does all of it through the :class:`IndexView` below, which names no engine type, so an
engine can change behind :mod:`archive.index` alone (today Whoosh:
:class:`archive.index.view.WhooshView`).

An engine's index object (:class:`Engine`) hands out a *view*: one consistent snapshot of
the index, cheap to ask for repeatedly (the same view until the index changes).  In a view
a document is a *docnum*, an ``int`` valid in that view only; ``doc_id`` is the archive's
id.  Everything crossing the seam is a plain value: ints, floats, strings, dicts, lists.

What a view must provide:

* ``live``: the docnums of every live (not deleted) document; ``doc_count()`` their number.
* ``term_tf(field, tokens)``: docnum → occurrences of a whole term (its query tokens,
  :func:`archive.analysis.query_bigrams`, at consecutive positions: a phrase), live
  documents only.  ``field`` is one of :data:`TEXT_FIELDS` or ``"body"``.
* ``word_tf(word)``: docnum → frequency of one word in the ranking field (``{}`` when the
  index has none: ``has_words`` is False).
* ``bm25(field, tf, weight)``: the one BM25 of the archive (constants in
  :mod:`archive.index.evaluate`) given a term's frequencies; ``bm25f({field: (tf,
  weight)})`` the same over several fields, saturated once.
* ``dates()``: per docnum, the ISO date (``""`` when undated); what date clauses and the
  date sorts read.
* ``facet_rows(facet)``: per docnum, the document's ``(key, shown)`` pairs for ``facet``
  (one of :data:`FACETS`); the year facet gives :data:`NO_DATE` for undated documents.
  Keys are :func:`archive.analysis.keyword` of the value (the year as it is).
* ``stored(docnum)``: the hit list's metadata (``doc_id``, title, author, …).
* ``docnum_of(doc_id)``, ``doc_frequency(field, term)``, ``key_words(docnum)`` (the key
  words stored at ingest, ``None`` when the index keeps none): for related documents.

A view may instead run the whole plan (a :class:`PlanRunner`: ``run(plan)`` and
``related(terms, exclude, limit)``).  Why: an engine that keeps its postings to itself
(Tantivy, :mod:`archive.index.tantivy_view`) cannot hand out ``docnum → tf`` for every
matching document without fetching every hit; it can count, aggregate facets, sort by a
fast field and return one page in a few calls.  :mod:`archive.search` then gives it the
parsed query (the AST of :mod:`archive.query`), the filters, the sort and the page, and
gets back a :class:`PlanResult`: the total, every facet's exact counts (per key, with a
display form), the undated documents a top-level date clause left out, and the page's
``(docnum, score)``.  Match *sets*, totals and facet counts must be the ones the
term-frequency path computes for the same index (the parametrised tests of both engines
assert it); scores and so the order within a relevance sort may differ (the engine's own
BM25).  Only term-frequency views (Whoosh) need the methods above; ``stored`` and
``doc_frequency``, ``docnum_of``, ``key_words`` serve both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

#: The facets, in display order; each is also a filter (and a query parameter on the web).
FACETS = ("author", "foundation", "series", "year")

#: Sort orders of a result list.
SORTS = ("relevance", "newest", "oldest")

#: The year facet's value for documents without a publication date (they are counted, and
#: can be filtered to, rather than silently missing from every year).
NO_DATE = "無日期"

#: One token of a query term: (text, position, kind), see archive.analysis.query_bigrams.
Token = tuple[str, int, str]
FacetRow = tuple[tuple[str, str], ...]


class IndexView(Protocol):
    """One consistent snapshot of the index (see the module docstring)."""

    live: frozenset[int]
    has_words: bool

    def doc_count(self) -> int: ...
    def term_tf(self, fieldname: str, tokens: Sequence[Token]) -> dict[int, int]: ...
    def word_tf(self, word: str) -> dict[int, int]: ...
    def bm25(self, fieldname: str, tf: dict[int, int], weight: float = 1.0) -> dict[int, float]: ...

    def bm25f(self, fields: dict[str, tuple[dict[int, float], float]]) -> dict[int, float]: ...
    def dates(self) -> list[str]: ...
    def docs_where(self, column_name: str, pred: Callable[[str], bool]) -> set[int]: ...
    def facet_rows(self, facet: str) -> list[FacetRow]: ...
    def stored(self, docnum: int) -> dict[str, Any]: ...
    def docnum_of(self, doc_id: str) -> int | None: ...
    def doc_frequency(self, fieldname: str, term: str) -> int: ...
    def key_words(self, docnum: int) -> list[tuple[str, int]] | None: ...


class Engine(Protocol):
    """An index :mod:`archive.search` can query."""

    def view(self) -> IndexView: ...


@dataclass(frozen=True)
class Plan:
    """One search for a :class:`PlanRunner`.

    ``node``: the parsed query (an :mod:`archive.query` node; ``None``: every document).
    ``filters``: facet → values (cleaned: known facets, non-empty), matched by key.
    ``facets``: count them (disjunctively: a filtered facet is counted without its own
    filter).  ``undated_rest``: when ``count_undated``, the query without its top-level
    date clause (``None``: every document); the result's ``undated`` counts the undated
    documents matching it.  ``limit`` ``None``: every hit, unordered (``match_ids``).
    ``bonus``: add the ranking field's word bonus (scores only).
    """

    node: Any
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    offset: int = 0
    limit: int | None = 10
    facets: bool = True
    count_undated: bool = False
    undated_rest: Any = None
    bonus: bool = True


@dataclass
class PlanResult:
    """What a :class:`PlanRunner` returns for a :class:`Plan`: ``facets`` maps each facet to
    ``(key, shown, count)`` triples, uncut and unordered (:mod:`archive.search` orders and
    cuts them as for the term-frequency path)."""

    total: int
    hits: list[tuple[int, float]]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    undated: int = 0
    #: with ``facets``: ``(date, count)`` of the documents the year facet counts (each
    #: distinct date, ``""`` for undated), for the timeline (:mod:`archive.timeline`)
    dates: list[tuple[str, int]] = field(default_factory=list)


@runtime_checkable
class PlanRunner(Protocol):
    """A view that evaluates a whole :class:`Plan` itself (see the module docstring)."""

    def run(self, plan: Plan) -> PlanResult: ...
    def related(self, terms: Sequence[str], exclude: int | None, limit: int) -> list[tuple[int, float]]: ...
    def stored(self, docnum: int) -> dict[str, Any]: ...
