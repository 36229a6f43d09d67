"""Tantivy behind the seam: :class:`TantivyView`, a :class:`~archive.index.engine.PlanRunner`.

Why a plan runner and not ``term_tf``: tantivy-py exposes no postings, so handing
:mod:`archive.search` ``docnum → tf`` for every matching document would mean fetching every
hit.  Instead the parsed query (the AST of :mod:`archive.query`) becomes one Tantivy query,
and the page, the total and the facets are a few calls on one searcher:

* a term: for each of its forms (as typed, regional alternatives) and the field it is looked
  for in (``body``, which also holds the metadata fields' copies weighted by
  :data:`FIELD_WEIGHTS`, so one BM25 saturates over all of them as BM25F does; one field for
  ``title:`` …), the form's query tokens (:func:`archive.analysis.query_bigrams`) at their
  positions: a term query for one token, a phrase query for several; a trailing
  single-character (``PREFIX``) token is a regex ``X.*`` (a regex phrase query inside a
  phrase), which matches every bigram the character starts and its run end, as Whoosh's
  prefix expansion does.  Forms are OR'd.  The ranking field's words are optional
  clauses of the term's query (a bonus for the documents the term matches, never a match of
  their own);
* AND / OR / NOT: boolean queries (must / should / must-not; a lone NOT is "every document
  but"); a date clause: a range on ``date_ord`` (:func:`~archive.index.tantivy_index.date_code`);
* filters: term queries on ``<facet>_key``; facets: terms aggregations on ``<facet>_facet``
  (``key`` + ``\\x1f`` + display form), exact (every bucket asked for); a filtered facet is
  counted over the query with the *other* filters, as the term-frequency path does;
* sorts: the score, or the fast fields ``date_ord`` (newest) and ``date_rev`` (oldest; the
  undated are 0 in both, so they come last either way).

A docnum is ``segment ordinal << 32 | document``: valid in this view (one searcher) only.
The search time limit (``Limits.timeout_s``) is the term-frequency path's: a plan runs to
its end (milliseconds; ``bench/search_bench.py``).  Facet display forms: of two values that
fold to one key (臺灣智庫, 台灣智庫) the more frequent among the matches is shown (Whoosh's
path shows the first it meets); a document naming the same value twice counts once here
(twice on Whoosh's path).
Scores are Tantivy's BM25 (not the archive's BM25F), so a relevance order may differ from
Whoosh's; match sets, totals and facet counts do not.  A date sort returns score 0.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import tantivy

from archive import analysis
from archive.query import And, DateRange, Not, Or, Term

from .engine import FACETS, NO_DATE, Plan, PlanResult
from .evaluate import FIELD_WEIGHTS, WORDS_WEIGHT
from .tantivy_index import DATE_MAX, KEY_SEP, date_code

Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
#: Tantivy's default aggregation limit; a facet with more distinct values among one
#: query's matches would be cut (far beyond any archive here).
MAX_BUCKETS = 65_000
#: The timeline's aggregation's name (no facet is called so).
_PERIODS = "timeline"


def _esc(token: str) -> str:
    """A token as a literal in Tantivy's regex syntax (tokens are letters and digits; ASCII
    punctuation is escaped all the same)."""
    return "".join("\\" + c if c.isascii() and not c.isalnum() else c for c in token)


def _count(res: tantivy.SearchResult) -> int:
    """A search's total (``count=True``; tantivy-py's stub does not declare the attribute)."""
    return int(getattr(res, "count", 0) or 0)


def _docnum(addr: tantivy.DocAddress) -> int:
    return (addr.segment_ord << 32) | addr.doc


def _addr(docnum: int) -> tantivy.DocAddress:
    return tantivy.DocAddress(docnum >> 32, docnum & 0xFFFFFFFF)


class TantivyView:
    """One searcher's view (see the module docstring)."""

    def __init__(self, searcher: tantivy.Searcher, schema: tantivy.Schema) -> None:
        self.searcher = searcher
        self.schema = schema
        self.n = searcher.num_docs
        self.has_words = self._has_field("words")
        self._stored: dict[int, dict[str, Any]] = {}

    def _has_field(self, name: str) -> bool:
        try:
            Q.term_query(self.schema, name, "x")
        except ValueError:
            return False
        return True

    def doc_count(self) -> int:
        return self.n

    # -- the query ---------------------------------------------------------------------
    def _tokens(self, field: str, tokens: Sequence[tuple[str, int, str]]) -> Any:
        s = self.schema
        if len(tokens) == 1:
            text, _pos, kind = tokens[0]
            if kind == analysis.PREFIX:
                return Q.regex_query(s, field, _esc(text) + ".*")
            return Q.term_query(s, field, text)
        if any(kind == analysis.PREFIX for _t, _p, kind in tokens):
            return Q.regex_phrase_query(s, field, [
                (p, _esc(t) + (".*" if kind == analysis.PREFIX else "")) for t, p, kind in tokens])
        return Q.phrase_query(s, field, [(p, t) for t, p, _k in tokens])

    def _term(self, t: Term, bonus: bool) -> Any:
        # An unfielded term is one query on ``body``, which holds the metadata fields'
        # weighted copies (tantivy_index.BODY_COPIES): one BM25 saturation over all of them.
        field = t.field or "body"
        if field != "body" and field not in FIELD_WEIGHTS:
            return Q.empty_query()
        forms = []
        for form in t.forms:
            if not form.tokens:
                continue
            q = self._tokens(field, form.tokens)
            if bonus and self.has_words and not t.field and form.words:
                q = Q.boolean_query([(MUST, q)] + [
                    (SHOULD, Q.boost_query(Q.term_query(self.schema, "words", w), WORDS_WEIGHT))
                    for w in form.words])
            forms.append(q)
        if not forms:
            return Q.empty_query()
        return forms[0] if len(forms) == 1 else Q.boolean_query([(SHOULD, q) for q in forms])

    def query(self, node: Any, bonus: bool = True) -> Any:
        """The Tantivy query of a parsed query (``None``: every document)."""
        if node is None:
            return Q.all_query()
        if isinstance(node, Term):
            return self._term(node, bonus)
        if isinstance(node, DateRange):
            lo = max(1, date_code(node.lo)) if node.lo else 1
            hi = date_code(node.hi, upper=True) if node.hi else DATE_MAX
            return Q.range_query(self.schema, "date_ord", tantivy.FieldType.Unsigned, lo, hi)
        if isinstance(node, Not):
            return Q.boolean_query([(MUST, Q.all_query()), (MUST_NOT, self.query(node.child, False))])
        if isinstance(node, And):
            pos = [(MUST, self.query(c, bonus)) for c in node.children if not isinstance(c, Not)]
            neg = [(MUST_NOT, self.query(c.child, False)) for c in node.children if isinstance(c, Not)]
            return Q.boolean_query((pos or [(MUST, Q.all_query())]) + neg)
        if isinstance(node, Or):
            if not node.children:
                return Q.empty_query()
            return Q.boolean_query([(SHOULD, self.query(c, bonus)) for c in node.children])
        raise TypeError(node)

    def _filter(self, facet: str, values: list[str]) -> Any:
        keys = sorted({v.strip() if facet == "year" else analysis.keyword(v) for v in values})
        return Q.term_set_query(self.schema, facet + "_key", keys)

    @staticmethod
    def _all_of(*queries: Any) -> Any:
        qs = [q for q in queries if q is not None]
        return qs[0] if len(qs) == 1 else Q.boolean_query([(MUST, q) for q in qs])

    def _aggregate(self, query: Any, facets: Sequence[str], dates: bool = False
                   ) -> tuple[dict[str, list[tuple[str, str, int]]], list[tuple[str, int]]]:
        """One pass over ``query``'s documents: ``(key, shown, count)`` rows per facet of
        ``facets`` by terms aggregations on ``<facet>_facet``, and, with ``dates``,
        ``(period, count)`` per period for the timeline (on ``period``)."""
        agg = {f: {"terms": {"field": f + "_facet", "size": MAX_BUCKETS,
                             "segment_size": MAX_BUCKETS}} for f in facets}
        if dates:
            agg[_PERIODS] = {"terms": {"field": "period", "size": MAX_BUCKETS,
                                       "segment_size": MAX_BUCKETS}}
        if not agg:
            return {}, []
        res = self.searcher.aggregate(query, agg)
        out: dict[str, list[tuple[str, str, int]]] = {}
        for f in facets:
            rows = []
            for b in res.get(f, {}).get("buckets", []):
                key, _sep, shown = str(b["key"]).partition(KEY_SEP)
                rows.append((key, shown, int(b["doc_count"])))
            out[f] = rows
        periods = [(str(b["key"]), int(b["doc_count"]))
                   for b in res.get(_PERIODS, {}).get("buckets", [])] if dates else []
        return out, periods

    # -- the plan ----------------------------------------------------------------------
    def run(self, plan: Plan) -> PlanResult:
        s = self.searcher
        base = self.query(plan.node, plan.bonus)
        fqs = {f: self._filter(f, vals) for f, vals in plan.filters.items()}
        matched = self._all_of(base, *fqs.values())
        if plan.limit is None:
            res = s.search(matched, limit=max(1, self.n), count=True)
            hits = [(_docnum(a), float(sc)) for sc, a in res.hits]
        elif plan.sort == "relevance":
            res = s.search(matched, limit=max(1, plan.limit), offset=plan.offset, count=True)
            hits = [(_docnum(a), float(sc)) for sc, a in res.hits]
        else:
            res = s.search(matched, limit=max(1, plan.limit), offset=plan.offset, count=True,
                           order_by_field="date_ord" if plan.sort == "newest" else "date_rev",
                           order=tantivy.Order.Desc)
            hits = [(_docnum(a), 0.0) for _v, a in res.hits]
        total = _count(res)
        facets: dict[str, list[tuple[str, str, int]]] = {}
        dates: list[tuple[str, int]] = []
        if plan.facets:
            # the timeline counts what the year facet counts: the year filter left out
            rows, dates = self._aggregate(matched, [f for f in FACETS if f not in fqs],
                                          dates="year" not in fqs)
            facets.update(rows)
            for f in fqs:
                others = [q for g, q in fqs.items() if g != f]
                rows, periods = self._aggregate(self._all_of(base, *others), [f], dates=f == "year")
                facets.update(rows)
                dates = periods if f == "year" else dates
        undated = 0
        if plan.count_undated:
            rest = self.query(plan.undated_rest, False)
            q = self._all_of(rest, Q.term_query(self.schema, "year_key", NO_DATE))
            undated = _count(s.search(q, limit=1, count=True))
        return PlanResult(total=total, hits=hits, facets=facets, undated=undated, dates=dates)

    def related(self, terms: Sequence[str], exclude: int | None, limit: int) -> list[tuple[int, float]]:
        """The best ``limit`` documents by the terms' summed BM25 on the ranking field (the
        recall field's tokens in an index without it), ``exclude`` left out."""
        field = "words" if self.has_words else "body"
        if not terms:
            return []
        q = Q.boolean_query([(SHOULD, Q.term_query(self.schema, field, t)) for t in terms])
        res = self.searcher.search(q, limit=limit + 1, count=False)
        out = [(_docnum(a), float(sc)) for sc, a in res.hits]
        return [h for h in out if h[0] != exclude][:limit]

    # -- documents ---------------------------------------------------------------------
    def all_docnums(self) -> list[int]:
        res = self.searcher.search(Q.all_query(), limit=max(1, self.n), count=False)
        return [_docnum(a) for _s, a in res.hits]

    def document(self, docnum: int) -> tantivy.Document:
        return self.searcher.doc(_addr(docnum))

    def stored(self, docnum: int) -> dict[str, Any]:
        hit = self._stored.get(docnum)
        if hit is None:
            doc = self.document(docnum)
            hit = json.loads(doc.get_first("meta") or "{}")
            hit["doc_id"] = doc.get_first("doc_id") or ""
            if len(self._stored) > 4096:
                self._stored.clear()
            self._stored[docnum] = hit
        return dict(hit)

    def docnum_of(self, doc_id: str) -> int | None:
        res = self.searcher.search(Q.term_query(self.schema, "doc_id", doc_id), limit=1, count=False)
        return _docnum(res.hits[0][1]) if res.hits else None

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return int(self.searcher.doc_freq(fieldname, term))

    def key_words(self, docnum: int) -> list[tuple[str, int]] | None:
        raw = self.document(docnum).get_first("keys") if self.has_words else None
        if not raw:
            return None
        try:
            return [(str(w), int(c)) for w, c in json.loads(raw)]
        except (ValueError, TypeError):
            return None
