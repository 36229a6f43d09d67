"""The scoring engine: exact evaluation of query terms and their BM25 scores.

What it owns and why: term → {docnum: score} with set algebra (:mod:`archive.search`
combines the results).  Whoosh's Phrase builds a Span object per position and scores
every posting through a tree of Python matchers; totals and facets need every match, not
the top ten.  Here a term is evaluated eagerly per segment: posting lists are read block
by block (ids at C speed), the rarest token's ids are intersected with the others as sets,
and positions are decoded only for the documents in that intersection.  The term is then
scored as *one unit* with BM25: tf = occurrences of the whole term (phrase frequency),
df = documents containing it, so a word is not scored as the sum of its bigrams (which
over-rewards accidental bigram hits; see bench/README.md for the DRCD figures).

Constants (unchanged by the split of archive/index.py; they decide every score):

* :meth:`Evaluator.bm25`: ``K1 = 0.8``; ``b`` per field from :data:`FIELD_B` (body and
  words 0.75, title 0.5, author/foundation/series 0.3), :data:`DEFAULT_B` = 0.75 for any
  other field; idf = ``ln(N / (df + 1)) + 1`` times the caller's weight.
* :meth:`Evaluator.bm25f`: the same constants, the fields' weighted, length-normalised
  frequencies summed before one saturation: what a plain term across body and metadata
  is scored with.
* Query-time weights :mod:`archive.search` passes in: :data:`FIELD_WEIGHTS` (body 1,
  title 4, author 3, foundation and series 1.5) and :data:`WORDS_WEIGHT` = 0.5 for the
  ranking-field word bonus.
* A single-character (prefix) token expands to at most :data:`MAX_PREFIX_TERMS` = 4096
  bigrams; :attr:`Evaluator.PREFIX_CACHE` = 64 such terms are kept per searcher.

This is the archive's one BM25: every score (search, related documents, with or without
the word field) comes from :meth:`Evaluator.bm25`; no query runs through Whoosh's own
scoring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from whoosh.searching import Searcher

from archive import analysis

from .cache import _tf_cached, leaf_cached
from .facets import column
from .schema import USE_WORDS, decode_compact

#: Per-field BM25F parameters and query-time weights (see archive.search).
FIELD_B = {"body": 0.75, "words": 0.75, "title": 0.5, "author": 0.3, "foundation": 0.3, "series": 0.3}

#: Query-time weight of each field for a plain term (title and author weigh more).
FIELD_WEIGHTS = {"body": 1.0, "title": 4.0, "author": 3.0, "foundation": 1.5, "series": 1.5}
WORDS_WEIGHT = 0.5
MAX_PREFIX_TERMS = 4096

K1 = 0.8
DEFAULT_B = 0.75


def _read_postings(leaf: Any, fieldname: str, tbytes: bytes, values: bool
                   ) -> tuple[Any, Any, Any]:
    """All postings of one term in one segment: ``(ids, weights, values or None)``."""
    from whoosh.matching import ListMatcher
    from whoosh.reading import TermNotFound

    try:
        m = leaf.postings(fieldname, tbytes)
    except (TermNotFound, KeyError):
        return (), (), ()
    while not isinstance(m, ListMatcher) and hasattr(m, "child"):
        m = m.child  # deletions are filtered by the caller
    if isinstance(m, ListMatcher):
        return m._ids, m._weights, (m._values if values else None)
    ids: list[int] = []
    weights: list[float] = []
    vals: list[bytes] = []
    while m.is_active():
        m._read_ids()
        m._read_weights()
        ids.extend(m._ids)
        weights.extend(m._weights)
        if values:
            m._read_values()
            vals.extend(m._values)
        m._next_block()
    return ids, weights, (vals if values else None)


def _segment_word_tf(leaf: Any, tb: bytes) -> dict[int, int]:
    ids, ws, _v = _read_postings(leaf, "words", tb, False)
    return {d: int(w) for d, w in zip(ids, ws, strict=False)}


class Evaluator:
    """Exact, unscored-then-scored evaluation of recall-field terms over one searcher.

    Results are global docnums.  One evaluator per searcher (cached in :meth:`for_searcher`)
    holds the per-field document lengths and the live-document set.
    """

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.leaves = list(reader.leaf_readers())
        self.n_all = reader.doc_count_all()
        self.n = max(1, reader.doc_count())
        live: set[int] = set()
        for leaf, off in self.leaves:
            if leaf.has_deletions():
                live.update(off + d for d in range(leaf.doc_count_all()) if not leaf.is_deleted(d))
            else:
                live.update(range(off, off + leaf.doc_count_all()))
        self.live = frozenset(live)
        self._lengths: dict[str, list[int]] = {}
        self._avg: dict[str, float] = {}
        self._prefix_cache: dict[tuple[Any, ...], dict[int, int]] = {}

    @classmethod
    def for_searcher(cls, searcher: Searcher) -> Evaluator:
        ev = getattr(searcher, "_archive_evaluator", None)
        if ev is None:
            ev = searcher._archive_evaluator = cls(searcher)
        return ev

    def lengths(self, fieldname: str) -> list[int]:
        if fieldname not in self._lengths:
            out: list[int] = []
            for leaf, _off in self.leaves:
                def compute(leaf: Any, fieldname: str = fieldname) -> list[int]:
                    dfl = leaf.doc_field_length
                    return [dfl(d, fieldname, 0) for d in range(leaf.doc_count_all())]

                out.extend(leaf_cached(leaf, ("lengths", fieldname), compute))
            self._lengths[fieldname] = out
            total = self.searcher.reader().field_length(fieldname)
            self._avg[fieldname] = (total / self.n) or 1.0
        return self._lengths[fieldname]

    def _segment_tf(self, leaf: Any, fieldname: str, tokens: Sequence[tuple[str, int, str]]
                    ) -> dict[int, int]:
        """Segment docnum → occurrences of the whole term (consecutive token positions)."""
        single = len(tokens) == 1
        lists = []
        for term, pos, kind in tokens:
            if kind == analysis.PREFIX:
                merged: dict[int, Any] = {}
                for i, bt in enumerate(leaf.expand_prefix(fieldname, term)):
                    if i >= MAX_PREFIX_TERMS:
                        break
                    ids, ws, vs = _read_postings(leaf, fieldname, bt, not single)
                    if single:
                        for d, w in zip(ids, ws, strict=False):
                            merged[d] = merged.get(d, 0) + w
                    else:
                        for d, v in zip(ids, vs, strict=False):
                            merged.setdefault(d, []).append(v)
                lists.append((pos, merged, True))
            else:
                ids, ws, vs = _read_postings(leaf, fieldname, term.encode("utf-8"), not single)
                if not ids:
                    return {}
                lists.append((pos, dict(zip(ids, ws if single else vs, strict=False)), False))
            if not lists[-1][1]:
                return {}
        if single:
            return {d: int(w) for d, w in lists[0][1].items()}
        lists.sort(key=lambda x: len(x[1]))
        cand = set(lists[0][1])
        for _p, dv, _m in lists[1:]:
            cand.intersection_update(dv.keys())
            if not cand:
                return {}
        decode = decode_compact
        out: dict[int, int] = {}
        for d in cand:
            starts: set[int] | None = None
            for pos, dv, multi in lists:
                v = dv[d]
                if multi:
                    ps = {p - pos for vv in v for p in decode(vv)}
                else:
                    ps = {p - pos for p in decode(v)}
                starts = ps if starts is None else starts & ps
                if not starts:
                    break
            if starts:
                out[d] = len(starts)
        return out

    #: Terms with a single-character (prefix) token expand to every bigram the character
    #: starts; their results are kept (per searcher) for the most recent few.
    PREFIX_CACHE = 64

    def term_tf(self, fieldname: str, tokens: Sequence[tuple[str, int, str]]) -> dict[int, int]:
        """Global docnum → occurrences of the term in ``fieldname`` (live documents only)."""
        if not tokens or fieldname not in self.searcher.schema:
            return {}
        if any(kind == analysis.PREFIX for _t, _p, kind in tokens):
            key = (fieldname, tuple(tokens))
            hit = self._prefix_cache.pop(key, None)
            if hit is None:
                hit = self._term_tf(fieldname, tokens)
            self._prefix_cache[key] = hit  # most recent last
            while len(self._prefix_cache) > self.PREFIX_CACHE:
                del self._prefix_cache[next(iter(self._prefix_cache))]
            return hit
        return self._term_tf(fieldname, tokens)

    def _term_tf(self, fieldname: str, tokens: Sequence[tuple[str, int, str]]) -> dict[int, int]:
        out: dict[int, int] = {}
        for leaf, off in self.leaves:
            seg = _tf_cached(leaf, (fieldname, tuple(tokens)),
                             lambda lf: self._segment_tf(lf, fieldname, tokens))
            if not seg:
                continue
            if leaf.has_deletions():
                seg = {d: t for d, t in seg.items() if not leaf.is_deleted(d)}
            if off:
                out.update((d + off, t) for d, t in seg.items())
            else:
                out.update(seg)
        return out

    def bm25(self, fieldname: str, tf: dict[int, int], weight: float = 1.0) -> dict[int, float]:
        """BM25 of a term given its per-document frequencies (df = documents matched)."""
        if not tf:
            return {}
        lengths = self.lengths(fieldname)
        avg = self._avg[fieldname]
        b = FIELD_B.get(fieldname, DEFAULT_B)
        idf = (math.log(self.n / (len(tf) + 1)) + 1.0) * weight
        k1 = K1
        c0 = k1 * (1 - b)
        c1 = k1 * b / avg
        num = idf * (k1 + 1)
        return {d: num * t / (t + c0 + c1 * lengths[d]) for d, t in tf.items()}

    def bm25f(self, fields: dict[str, tuple[dict[int, float], float]]) -> dict[int, float]:
        """BM25F of one term over several fields (Robertson and Zaragoza's form): each field's
        frequency is normalised by that field's length (its own ``b``) and weighted, the
        results are summed into one pseudo-frequency per document, and that is saturated
        once with ``K1``.  So a title hit counts as several body hits, but one title hit
        cannot outweigh many body hits, as per-field BM25 summed would let it (each field
        saturating on its own).  With one field it equals :meth:`bm25`."""
        acc: dict[int, float] = {}
        for fieldname, (tf, weight) in fields.items():
            if not tf:
                continue
            lengths = self.lengths(fieldname)
            avg = self._avg[fieldname]
            b = FIELD_B.get(fieldname, DEFAULT_B)
            for d, t in tf.items():
                acc[d] = acc.get(d, 0.0) + weight * t / (1 - b + b * lengths[d] / avg)
        if not acc:
            return {}
        idf = math.log(self.n / (len(acc) + 1)) + 1.0
        num = idf * (K1 + 1)
        return {d: num * x / (x + K1) for d, x in acc.items()}

    def word_tf(self, word: str) -> dict[int, int]:
        """Global docnum → frequency of one word in the ranking field."""
        if not USE_WORDS:
            return {}
        out: dict[int, int] = {}
        tb = word.encode("utf-8")
        for leaf, off in self.leaves:
            seg = _tf_cached(leaf, ("words", word), lambda lf: _segment_word_tf(lf, tb))
            if leaf.has_deletions():
                out.update((d + off, w) for d, w in seg.items() if not leaf.is_deleted(d))
            else:
                out.update((d + off, w) for d, w in seg.items())
        return out

    def column_docs(self, name: str, pred: Any) -> set[int]:
        """Live docnums whose column value satisfies ``pred``."""
        col = column(self.searcher, name)
        return {d for d in self.live if pred(col[d])}
