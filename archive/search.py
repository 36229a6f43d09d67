"""Running a query: AST → index hits → best passages → highlights in the original text → facets.

Nothing here knows the engine: the index is reached through the seam of
:mod:`archive.index.engine` (an :class:`~archive.index.engine.IndexView`: term
frequencies, the one BM25, dates, facet rows, stored fields), so the engine can
change behind :mod:`archive.index` alone.  A view that is a
:class:`~archive.index.engine.PlanRunner` (Tantivy) gets the whole plan instead (parsed
query, filters, sort, page) and returns the total, facet counts and the page; passages,
snippets and highlights are cut here for both, from the stored documents.  Query terms arrive folded once, in
:class:`archive.query.Form` (folded text, tokens, words, highlight pattern).

The index holds no text.  Passages and snippets are cut at query time, for the
hits on the page only, from the documents themselves (any ``source`` with
``get_document(doc_id)``), by :mod:`archive.highlights` (re-exported here).
"""

from __future__ import annotations

import heapq
import math
import operator
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from archive import analysis
from archive import index as ix
from archive.highlights import (
    _matchers,
    best_passages,
    find_spans,
    highlight_blocks,
    make_snippet,
    passages_and_counts,
    term_pattern,
)
from archive.index.engine import (
    FACETS,
    NO_DATE,
    SORTS,
    Engine,
    FacetRow,
    IndexView,
    Plan,
    PlanRunner,
)
from archive.models import Document
from archive.notices import Notice
from archive.query import And, DateRange, Node, Not, Or, Parsed, Term, parse, positive_terms
from archive.timeline import timeline, timeline_of_counts

__all__ = ["FACETS", "NO_DATE", "SORTS", "Limits", "best_passages", "evaluate", "find_spans",
           "highlight_blocks", "make_snippet", "match_ids", "more_like_this", "passages_and_counts",
           "search", "term_pattern"]

FACET_LIMIT = 50


class DocumentSource(Protocol):
    def get_document(self, doc_id: str) -> Document | None: ...


@dataclass(frozen=True)
class Limits:
    """Guards against expensive queries; exceeded limits become notices, never errors."""

    max_chars: int = 500
    max_terms: int = 32
    timeout_s: float = 5.0


# --------------------------------------------------------------------------
# Evaluating the AST: exact match sets with scores (see archive.index.Evaluator)


class _Evaluation:
    """One query's evaluation state: the index view, the deadline, notices."""

    def __init__(self, ev: IndexView, limits: Limits, notices: list[Notice]) -> None:
        self.ev = ev
        self.deadline = time.perf_counter() + limits.timeout_s if limits.timeout_s else None
        self.limits = limits
        self.notices = notices
        self.timed_out = False

    def out_of_time(self) -> bool:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            if not self.timed_out:
                self.timed_out = True
                self.notices.append(Notice(
                    f"搜尋在 {self.limits.timeout_s:g} 秒後停止，結果可能不完整。",
                    f"The search stopped after {self.limits.timeout_s:g} s: results may be incomplete."))
            return True
        return False


def _term_scores(t: Term, ctx: _Evaluation, bonus: bool) -> dict[int, float] | None:
    """Documents containing ``t`` (or one of its regional alternatives) with BM25 scores.

    A plain term is looked for in the body and every metadata field (title and author weigh
    more); the score is the whole term's BM25F over those fields (one saturation, so one
    title hit does not outrank a document that discusses the term throughout).  Alternatives are OR'd (the
    better score counts).  ``None`` means the time limit ran out before the term was read.
    """
    if ctx.out_of_time():
        return None
    ev = ctx.ev
    out: dict[int, float] = {}
    for form in t.forms:
        toks = form.tokens
        if not toks:
            continue
        fields = {t.field: 1.0} if t.field else ix.FIELD_WEIGHTS
        acc = ev.bm25f({f: (dict(ev.term_tf(f, toks)), w) for f, w in fields.items()})
        if bonus and ev.has_words and not t.field and acc:
            # The ranking field's words, scored on their own (their own df) as a bonus for
            # the documents the term matched.
            for word in form.words:
                for d, s in ev.bm25("words", ev.word_tf(word), ix.WORDS_WEIGHT).items():
                    if d in acc:
                        acc[d] += s
        for d, s in acc.items():
            if s > out.get(d, -1.0):
                out[d] = s
    return out


def _date_docs(node: DateRange, ctx: _Evaluation) -> dict[int, float]:
    lo, hi = node.lo, (node.hi + "\uffff") if node.hi else ""
    return dict.fromkeys(
        ctx.ev.docs_where("date", lambda v: bool(v) and (not lo or v >= lo) and (not hi or v <= hi)),
        0.0)


def evaluate(node: Node | None, ctx: _Evaluation, *, bonus: bool = True) -> dict[int, float] | None:
    """Live docnum → score of every document matching ``node`` (``None``: every document).

    Returns ``None`` for a part skipped because the time limit ran out; callers leave
    such parts out (so a timed-out search may return more or fewer hits, with a notice).
    """
    if node is None:
        return dict.fromkeys(ctx.ev.live, 0.0)
    if isinstance(node, Term):
        return _term_scores(node, ctx, bonus)
    if isinstance(node, DateRange):
        return _date_docs(node, ctx)
    if isinstance(node, Not):
        neg = evaluate(node.child, ctx, bonus=False)
        allm = dict.fromkeys(ctx.ev.live, 0.0)
        if neg:
            for d in neg:
                allm.pop(d, None)
        return allm
    if isinstance(node, And):
        pos = [p for p in (evaluate(c, ctx, bonus=bonus) for c in node.children if not isinstance(c, Not))
               if p is not None]
        negs = [evaluate(c.child, ctx, bonus=False) for c in node.children if isinstance(c, Not)]
        if pos:
            pos.sort(key=len)
            acc = dict(pos[0])
            for p in pos[1:]:
                acc = {d: s + p[d] for d, s in acc.items() if d in p}
                if not acc:
                    break
        else:
            acc = dict.fromkeys(ctx.ev.live, 0.0)
        for n in negs:
            if n:
                acc = {d: s for d, s in acc.items() if d not in n}
        return acc
    if isinstance(node, Or):
        acc = {}
        for c in node.children:
            r = evaluate(c, ctx, bonus=bonus)
            for d, s in (r or {}).items():
                acc[d] = acc.get(d, 0.0) + s
        return acc
    raise TypeError(node)


def _undated_rest(node: Node | None) -> tuple[bool, Node | None]:
    """Whether the query has a date clause at the top (alone or ANDed), and the query
    without it (``None``: every document)."""
    if isinstance(node, DateRange):
        return True, None
    if isinstance(node, And) and any(isinstance(c, DateRange) for c in node.children):
        others = tuple(c for c in node.children if not isinstance(c, DateRange))
        return True, (others[0] if len(others) == 1 else And(others) if others else None)
    return False, None


def _undated_left_out(node: Node | None, ctx: _Evaluation) -> int:
    """How many undated documents match a query's other parts but not its date: a date
    clause at the top (alone or ANDed) never silently hides them."""
    applies, rest = _undated_rest(node)
    if not applies:
        return 0
    table = ctx.ev.facet_rows("year")
    matched = evaluate(rest, ctx, bonus=False) or {}
    return sum(1 for d in matched if table[d] == ((NO_DATE, NO_DATE),))


#: Per facet, a merged name's key → (its group's key, its group's shown name): the
#: archivists' merges (:mod:`archive.merges`), applied when filtering and counting.
Merges = Mapping[str, Mapping[str, tuple[str, str]]]


def _filter_docs(view: IndexView, facet: str, values: list[str],
                 merged: Mapping[str, tuple[str, str]] | None = None) -> set[int]:
    """Docnums whose ``facet`` has any of ``values`` (compared by key, merges applied)."""
    keys = {v.strip() if facet == "year" else analysis.keyword(v) for v in values}
    table = view.facet_rows(facet)
    if merged:
        keys = {merged[k][0] if k in merged else k for k in keys}
        return {d for d, pairs in enumerate(table)
                if any((merged[k][0] if k in merged else k) in keys for k, _shown in pairs)}
    return {d for d, pairs in enumerate(table) if any(k in keys for k, _shown in pairs)}


def _clean_filters(filters: dict[str, list[str]] | None, notices: list[Notice]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, vals in (filters or {}).items():
        if k not in FACETS:
            notices.append(Notice(f"不明的篩選條件 {k!r}，已略過。",
                                  f"Unknown filter {k!r}: ignored."))
            continue
        vs = [v for v in (vals if isinstance(vals, list | tuple) else [vals]) if str(v).strip()]
        if vs:
            out[k] = [str(v) for v in vs]
    return out


# --------------------------------------------------------------------------
# Facets, sorting


def _count(view: IndexView, facet: str, docnums: Any,
           merged: Mapping[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    table: list[FacetRow] = view.facet_rows(facet)
    counts: Counter[str] = Counter()
    display: dict[str, str] = {}
    for d in docnums:
        pairs = table[d]
        if merged:  # a document naming two names of one group counts once for it
            pairs = tuple(dict(merged.get(key, (key, shown)) for key, shown in pairs).items())
        for key, shown in pairs:
            counts[key] += 1
            display.setdefault(key, shown)
    return _facet_list(facet, counts, display)


def _facet_list(facet: str, counts: Counter[str] | dict[str, int], display: dict[str, str]
                ) -> list[dict[str, Any]]:
    """A facet's counts in display order, cut at ``FACET_LIMIT``."""
    if facet == "year":  # newest first, the undated last
        items = sorted(counts.items(), key=lambda kv: (kv[0] != NO_DATE, kv[0]), reverse=True)
    else:
        items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"value": display[k], "count": c} for k, c in items[:FACET_LIMIT]]


def _runner_facet(facet: str, rows: list[tuple[str, str, int]],
                  merged: Mapping[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """A plan runner's ``(key, shown, count)`` rows as :func:`_count` gives them: counts per
    key (a merged name's under its group's key and name); of several display forms of one
    key, the most frequent (then the first in order).  A document naming two names of one
    group counts for each here (the runner's counts are per name)."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for key, shown, c in rows:
        if merged and key in merged:
            key, shown = merged[key]
        counts[key] += c
        forms.setdefault(key, Counter())[shown] += c
    display = {k: min(f.items(), key=lambda kv: (-kv[1], kv[0]))[0] for k, f in forms.items()}
    return _facet_list(facet, counts, display)


def _order(view: IndexView, hits: list[tuple[int, float]], sort: str,
           k: int | None = None) -> list[tuple[int, float]]:
    """Hits in display order; with ``k``, only the first ``k`` (a partial sort)."""
    dates = view.dates()
    if sort == "relevance":
        # Higher score first; newer first among equal scores.
        key = lambda h: (round(h[1], 6), dates[h[0]])  # noqa: E731
        if k is not None and k < len(hits):
            return heapq.nlargest(k, hits, key=key)
        return sorted(hits, key=key, reverse=True)
    hits = sorted(hits, key=lambda h: h[1], reverse=True)
    dated = [h for h in hits if dates[h[0]]]
    undated = [h for h in hits if not dates[h[0]]]
    dated.sort(key=lambda h: dates[h[0]], reverse=(sort == "newest"))
    return dated + undated


# --------------------------------------------------------------------------
# Entry points


def _evaluate_page(view: IndexView, parsed: Parsed, filters: dict[str, list[str]], sort: str,
                   page: int, per_page: int, limits: Limits, notices: list[Notice],
                   merges: Merges) -> tuple[int, int, list[tuple[int, float]],
                                            dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """The term-frequency path (a view without ``run``): the query evaluated here, exactly;
    returns the undated left out, the total, the page's hits, the facets and the timeline."""
    ctx = _Evaluation(view, limits, notices)
    base = evaluate(parsed.node, ctx) or {}
    undated = _undated_left_out(parsed.node, ctx)
    fsets = {f: _filter_docs(view, f, vals, merges.get(f)) for f, vals in filters.items()}
    matched = base
    for fs in fsets.values():
        matched = {d: s for d, s in matched.items() if d in fs}

    facets: dict[str, list[dict[str, Any]]] = {}
    when: Any = matched  # the documents the timeline counts: the year filter left out, as its facet
    for f in FACETS:
        if f in filters:  # disjunctive: the counts this facet would have without its own filter
            docnums = set(base)
            for g, fs in fsets.items():
                if g != f:
                    docnums &= fs
            facets[f] = _count(view, f, docnums, merges.get(f))
            if f == "year":
                when = docnums
        else:
            facets[f] = _count(view, f, matched, merges.get(f))
    dates = view.dates()
    time_line = timeline(dates[d] for d in when)

    window = _order(view, list(matched.items()), sort, k=page * per_page)
    return (undated, len(matched), window[(page - 1) * per_page : page * per_page], facets,
            time_line)


def _merged_filters(filters: dict[str, list[str]], merges: Merges) -> dict[str, list[str]]:
    """Filters with each merged name's whole group (for a plan runner, which filters by key:
    the keys are folded already, and folding a key again gives the key)."""
    out: dict[str, list[str]] = {}
    for facet, values in filters.items():
        merged = merges.get(facet) or {}
        wanted = list(values)
        for v in values:
            group = merged.get(analysis.keyword(v), (None, ""))[0]
            if group is not None:
                wanted.extend(k for k, (g, _shown) in merged.items() if g == group)
                wanted.append(group)
        out[facet] = list(dict.fromkeys(wanted))
    return out


def search(index: Engine, source: DocumentSource | None, q: str, *,
           filters: dict[str, list[str]] | None = None, sort: str = "relevance", page: int = 1,
           per_page: int = 10, bridge: bool = True, max_passages: int = 3,
           limits: Limits | None = None, merges: Merges | None = None) -> dict[str, Any]:
    """Search ``q`` and return the JSON-ready result (see docs/architecture.md for the shape);
    ``merges`` makes merged names one facet value and one filter."""
    t0 = time.perf_counter()
    limits = limits or Limits()
    parsed: Parsed = parse(q, bridge=bridge, max_chars=limits.max_chars, max_terms=limits.max_terms)
    notices = list(parsed.notices)
    if sort not in SORTS:
        notices.append(Notice(f"不明的排序方式 {sort!r}，已依相關度排序。",
                              f"Unknown sort {sort!r}: sorted by relevance."))
        sort = "relevance"
    page = max(1, int(page or 1))
    per_page = max(1, min(100, int(per_page or 10)))
    filters = _clean_filters(filters, notices)
    merges = merges or {}
    view = index.view()
    if isinstance(view, PlanRunner):
        applies, rest = _undated_rest(parsed.node)
        res = view.run(Plan(parsed.node, _merged_filters(filters, merges), sort,
                            (page - 1) * per_page, per_page, count_undated=applies,
                            undated_rest=rest))
        undated, total, window = res.undated, res.total, res.hits
        facets = {f: _runner_facet(f, res.facets.get(f, []), merges.get(f)) for f in FACETS}
        time_line = timeline_of_counts(res.dates)
    else:
        undated, total, window, facets, time_line = _evaluate_page(
            view, parsed, filters, sort, page, per_page, limits, notices, merges)
    if undated:
        notices.append(Notice(f"另有 {undated} 份沒有出版日期的文件符合其餘條件，未列入日期範圍"
                              f"（可用年份篩選「{NO_DATE}」查看）。",
                              f"{undated} more undated document(s) match the rest of the query but "
                              f"not its date range (filter by year {NO_DATE!r} to see them)."))
    matchers = _matchers(positive_terms(parsed.node))
    out_hits = []
    for docnum, score in window:
        meta = view.stored(docnum)
        hit = {"id": meta["doc_id"], "title": meta.get("title", ""), "score": round(score, 4),
               "author": meta.get("author", ""), "foundation": meta.get("foundation", ""),
               "series": meta.get("series", ""), "date": meta.get("date", ""), "passages": []}
        if source is not None and matchers and max_passages > 0:
            doc = source.get_document(meta["doc_id"])
            if doc is not None:
                hit["passages"], hit["matches"], hit["matching_passages"] = passages_and_counts(
                    doc, matchers, max_passages)
        out_hits.append(hit)
    return {
        "query": q, "total": total, "page": page, "per_page": per_page,
        "pages": max(1, math.ceil(total / per_page)), "sort": sort,
        "took_ms": round((time.perf_counter() - t0) * 1000, 1), "notices": notices,
        "also_searched": parsed.also_searched, "bridge": bridge, "filters": filters,
        "facets": facets, "timeline": time_line, "hits": out_hits,
    }


def match_ids(index: Engine, q: str, *, bridge: bool = False,
              limits: Limits | None = None) -> set[str]:
    """Every matching document id, unranked (benchmarks and consistency checks)."""
    limits = limits or Limits(timeout_s=60.0)
    parsed = parse(q, bridge=bridge, max_chars=limits.max_chars, max_terms=limits.max_terms)
    view = index.view()
    if isinstance(view, PlanRunner):
        res = view.run(Plan(parsed.node, limit=None, facets=False, bonus=False))
        return {view.stored(d)["doc_id"] for d, _s in res.hits}
    ctx = _Evaluation(view, limits, [])
    hits = evaluate(parsed.node, ctx, bonus=False) or {}
    return {view.stored(d)["doc_id"] for d in hits}


#: How many of a document's distinctive words "related documents" matches on.
MLT_TERMS = 16
#: Words in more than 1/this of a large archive's documents say little about any one of them.
MLT_MAX_DF_SHARE = 10


def more_like_this(index: Engine, source: DocumentSource | None, doc_id: str,
                   limit: int = 5, *, with_passages: bool = False) -> list[dict[str, Any]]:
    """Documents that share the most distinctive words (tf·idf) with ``doc_id``.

    The candidates are the document's key words stored in the index at ingest (its most
    frequent words); an index without the word field uses the stored text's bigrams.
    The ``MLT_TERMS`` rarest-weighted ones are scored with the one BM25 on the ranking field
    (on the recall field's tokens without it).
    """
    view = index.view()
    n = max(1, view.doc_count())
    docnum = view.docnum_of(doc_id)
    counts = view.key_words(docnum) if docnum is not None else None
    field = "words" if view.has_words else "body"
    if counts is None:  # an index without the word field keeps no key words: use bigrams
        doc = source.get_document(doc_id) if source is not None else None
        if doc is None:
            return []
        counts = list(Counter(t for b in doc.blocks
                              for t, _p in analysis.bigram_tokens(analysis.fold(b.text))
                              if len(t) >= 2).items())
    weighted = []
    # A small archive keeps words in up to half its documents (or 20), a large one a tenth.
    max_df = max(2, n // MLT_MAX_DF_SHARE, min(n // 2, 20))
    for term, c in counts:
        df = view.doc_frequency(field, term)
        if 1 < df <= max_df:
            weighted.append((c * math.log(n / df), term))
    weighted.sort(reverse=True)
    terms = [t for _w, t in weighted[:MLT_TERMS]]
    if not terms:
        return []
    if isinstance(view, PlanRunner):  # the engine scores the terms itself (its BM25)
        return [_mlt_hit(view.stored(d), s) for d, s in view.related(terms, docnum, limit)]
    # One BM25 for both (archive.index.evaluate): the words of the ranking field, or the
    # recall field's single tokens in an index without it.
    scores: dict[int, float] = {}
    for term in terms:
        tf = view.word_tf(term) if view.has_words else view.term_tf(field, ((term, 0, analysis.EXACT),))
        for d, v in view.bm25(field, tf).items():
            scores[d] = scores.get(d, 0.0) + v
    if docnum is not None:
        scores.pop(docnum, None)
    # The best few by score alone (cheap), then the display order with its tie-breaks.
    best = heapq.nlargest(limit * 4, scores.items(), key=operator.itemgetter(1))
    hits = _order(view, best, "relevance", limit)
    return [_mlt_hit(view.stored(d), score) for d, score in hits]


def _mlt_hit(meta: dict[str, Any], score: float) -> dict[str, Any]:
    return {"id": meta["doc_id"], "title": meta.get("title", ""), "score": round(score, 4),
            "author": meta.get("author", ""), "foundation": meta.get("foundation", ""),
            "series": meta.get("series", ""), "date": meta.get("date", ""), "passages": []}
