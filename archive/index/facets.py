"""Column values per document: what facet counting and date filters read.

What it owns and why: facets (author, foundation, series, year) and dates are Whoosh
columns written by :func:`archive.index.documents.field_values` (several display values joined
by :data:`archive.index.schema.FACET_SEP`).  Reading them per segment and memoising the
result (:mod:`archive.index.cache`) is what keeps facet counts cheap; the counting itself
(the per-document facet table, disjunctive counts) is :mod:`archive.search`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.searching import Searcher

from .cache import leaf_cached


def leaf_column(name: str) -> Callable[[Any], list[str]]:
    def compute(leaf: Any) -> list[str]:
        # A segment whose documents all lack the field has no column at all (and Whoosh's
        # multi-segment column reader then silently drops its documents).
        if not leaf.has_column(name):
            return [""] * leaf.doc_count_all()
        cr = leaf.column_reader(name, translate=False)
        return [v.decode("utf-8") if isinstance(v, bytes) else (v or "") for v in cr]

    return compute


def column(searcher: Searcher, name: str) -> list[str]:
    """Per-docnum values of a column field (``""`` where absent), cached per searcher and,
    piecewise, per segment."""
    cache = getattr(searcher, "_archive_cache", None)
    if cache is None:
        cache = searcher._archive_cache = {}
    if name not in cache:
        values: list[str] = []
        for leaf, _offset in searcher.reader().leaf_readers():
            values.extend(leaf_cached(leaf, ("column", name), leaf_column(name)))
        cache[name] = values
    return cache[name]
