"""The search index (Whoosh, or Tantivy by ``index_engine``): derived data, rebuilt from the
archive by ``archive reindex``.

This package is the only place that imports :mod:`whoosh` and :mod:`tantivy`.  Text becomes tokens in
:mod:`archive.analysis`; here those tokens are written as postings and read back.
The rest of the archive imports from ``archive.index`` only; this module re-exports
the names it uses.  One module per concern:

* :mod:`.schema`: field formats, tokenizers, the Whoosh schema, ``SCHEMA_VERSION``.
* :mod:`.whoosh_fixes`: every patch of / workaround for Whoosh internals (applied on import).
* :mod:`.documents`: a document → the writer's field values (:func:`field_values`).
* :mod:`.directory`: the directory on disk: lock, atomic symlink swap, version file, seal.
* :mod:`.bulk`: the rebuild's bulk writer and its worker processes.
* :mod:`.engine`: the seam :mod:`archive.search` queries through (:class:`IndexView`:
  what any engine must provide), and the facet and sort names (``FACETS``, ``SORTS``).
* :mod:`.view`: :class:`WhooshView`, that seam over one Whoosh searcher.
* :mod:`.searcher`: :class:`SearchIndex`, the object everything else holds.
* :mod:`.merging`: which segments an incremental commit merges (tiered, bounded).
* :mod:`.evaluate`: the scoring engine (:class:`Evaluator`, BM25 and its constants).
* :mod:`.cache`: per-segment memos; :mod:`.facets`: column values for facets and dates.
* :mod:`.queries`: stored-field reads of a searcher.
* :mod:`.tantivy_index` / :mod:`.tantivy_view`: the other engine (``index_engine =
  "tantivy"``): :class:`TantivyIndex`, the same contract as :class:`SearchIndex`, and its
  view, which runs whole plans (:class:`~archive.index.engine.PlanRunner`).  They are the
  only modules that import :mod:`tantivy`, loaded when that engine is asked for
  (:func:`engine_class`).
"""

from __future__ import annotations

from typing import Any

from archive.config import INDEX_ENGINES

from . import whoosh_fixes  # noqa: F401  (first: the patches every other module relies on)
from .bulk import SEGMENT_POSTINGS, _bulk_build
from .cache import LEAF_CACHE_MAX, TF_CACHE_MAX_POSTINGS, leaf_cached
from .directory import SEAL_FILE, IndexDirectory
from .documents import KEY_WORDS, field_values, key_words
from .engine import FACETS, NO_DATE, SORTS, Engine, IndexView, Plan, PlanResult, PlanRunner
from .errors import (
    IndexBusyError,
    IndexEngineError,
    IndexError_,
    IndexMissingError,
    IndexVersionError,
)
from .evaluate import (
    DEFAULT_B,
    FIELD_B,
    FIELD_WEIGHTS,
    K1,
    MAX_PREFIX_TERMS,
    WORDS_WEIGHT,
    Evaluator,
)
from .facets import column, leaf_column
from .queries import doc_frequency, docnum_of, stored, stored_key_words
from .schema import (
    BLOCK_GAP,
    FACET_FIELDS,
    FACET_SEP,
    INLINE_LIMIT,
    SCHEMA_VERSION,
    TEXT_FIELDS,
    USE_WORDS,
    VERSION_FILE,
    BigramTokenizer,
    CompactPositions,
    PreTokenized,
    WordCounts,
    WordTokenizer,
    codec,
    make_schema,
    positional,
    word_counts,
)
from .searcher import OPEN_ATTEMPTS, SearchIndex
from .view import WhooshView

#: The engines ``index_engine`` may name (the first is the default): archive.config's tuple.
ENGINES = INDEX_ENGINES


def engine_class(name: str) -> Any:
    """The index class of engine ``name`` (:data:`ENGINES`): :class:`SearchIndex` or
    :class:`~archive.index.tantivy_index.TantivyIndex` (imported only when asked for)."""
    if name == "whoosh":
        return SearchIndex
    if name == "tantivy":
        from .tantivy_index import TantivyIndex

        return TantivyIndex
    raise ValueError(f"unknown index engine {name!r}; known: {', '.join(ENGINES)}")

__all__ = [
    "BLOCK_GAP", "DEFAULT_B", "FACET_FIELDS", "FACET_SEP", "FIELD_B", "FIELD_WEIGHTS",
    "INLINE_LIMIT", "K1", "KEY_WORDS", "LEAF_CACHE_MAX", "MAX_PREFIX_TERMS", "OPEN_ATTEMPTS",
    "SCHEMA_VERSION", "SEAL_FILE", "SEGMENT_POSTINGS", "TEXT_FIELDS", "TF_CACHE_MAX_POSTINGS",
    "USE_WORDS", "VERSION_FILE", "WORDS_WEIGHT",
    "BigramTokenizer", "CompactPositions", "Evaluator", "IndexBusyError", "IndexDirectory",
    "IndexError_", "IndexMissingError", "IndexVersionError", "PreTokenized", "SearchIndex",
    "WordCounts", "WordTokenizer",
    "_bulk_build", "codec", "column", "doc_frequency", "docnum_of",
    "key_words", "leaf_cached", "leaf_column", "make_schema", "positional", "field_values",
    "stored", "stored_key_words",
    "word_counts", "FACETS", "NO_DATE", "SORTS", "Engine", "IndexView", "WhooshView",
    "ENGINES", "IndexEngineError", "Plan", "PlanResult", "PlanRunner", "engine_class",
]
