"""Per-segment memos shared by every searcher.

What it owns and why: segments never change once written (deletions aside, which these
tables do not depend on), so what was computed for a segment stays true for every later
searcher that includes it: after an ingest adds a one-document segment, a new searcher
computes only that segment's part instead of rebuilding tables over the whole index.
:func:`leaf_cached` holds small tables (columns, facet rows, field lengths);
:func:`_tf_cached` holds decoded term frequencies for :mod:`archive.index.evaluate`,
bounded by postings held.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

#: (index directory, segment id, key) → table, least recently used first.
_LEAF_CACHE: OrderedDict[tuple[str, str, Any], Any] = OrderedDict()
_LEAF_CACHE_LOCK = threading.Lock()
LEAF_CACHE_MAX = 4096


def _leaf_ident(leaf: Any, key: Any) -> tuple[str, str, Any] | None:
    """(index directory, segment id, key), or None for a reader that is not one segment's."""
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    if segment is None:
        return None
    return (str(getattr(leaf.storage(), "folder", "")), segment.segment_id(), key)


def leaf_cached(leaf: Any, key: Any, compute: Callable[[Any], Any]) -> Any:
    """``compute(leaf)``, memoised per (index directory, segment, key)."""
    ident = _leaf_ident(leaf, key)
    if ident is None:
        return compute(leaf)
    with _LEAF_CACHE_LOCK:
        if ident in _LEAF_CACHE:
            _LEAF_CACHE.move_to_end(ident)
            return _LEAF_CACHE[ident]
    value = compute(leaf)
    with _LEAF_CACHE_LOCK:
        _LEAF_CACHE[ident] = value
        while len(_LEAF_CACHE) > LEAF_CACHE_MAX:
            _LEAF_CACHE.popitem(last=False)
    return value


# Decoded whole-term postings per segment (deletions are applied after, so they stay valid
# for the segment's life), bounded by the number of postings held, not of entries.
_TF_CACHE: OrderedDict[tuple[str, str, Any], dict[int, int]] = OrderedDict()
_TF_CACHE_POSTINGS = 0
TF_CACHE_MAX_POSTINGS = 1_500_000


def _tf_cached(leaf: Any, key: Any, compute: Callable[[Any], dict[int, int]]) -> dict[int, int]:
    global _TF_CACHE_POSTINGS
    ident = _leaf_ident(leaf, key)
    if ident is None:
        return compute(leaf)
    with _LEAF_CACHE_LOCK:
        hit = _TF_CACHE.get(ident)
        if hit is not None:
            _TF_CACHE.move_to_end(ident)
            return hit
    value = compute(leaf)
    with _LEAF_CACHE_LOCK:
        if ident not in _TF_CACHE:
            _TF_CACHE[ident] = value
            _TF_CACHE_POSTINGS += len(value)
        while _TF_CACHE_POSTINGS > TF_CACHE_MAX_POSTINGS and _TF_CACHE:
            _ident, old = _TF_CACHE.popitem(last=False)
            _TF_CACHE_POSTINGS -= len(old)
    return value
