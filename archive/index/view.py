"""Whoosh behind the seam: :class:`WhooshView`, the :class:`~archive.index.engine.IndexView`
of one Whoosh searcher.

Why: :mod:`archive.search` must not touch Whoosh readers or hang its caches on Whoosh
objects.  Everything it reads goes through this one object: exact term evaluation
(:class:`~archive.index.evaluate.Evaluator`), columns and facet rows (memoised per segment,
:mod:`archive.index.cache`), and stored fields.  A view lives as long as its
searcher (:meth:`SearchIndex.view` returns the same one until the index changes), so its
facet tables are built once per index generation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from whoosh.searching import Searcher

from archive import analysis

from .cache import leaf_cached
from .engine import NO_DATE, FacetRow, Token
from .evaluate import Evaluator
from .facets import column, leaf_column
from .queries import doc_frequency, docnum_of, stored, stored_key_words
from .schema import FACET_SEP, USE_WORDS


class WhooshView:
    """The index view of one Whoosh searcher (see :mod:`archive.index.engine`)."""

    has_words = USE_WORDS

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.ev = Evaluator.for_searcher(searcher)
        self.live = self.ev.live
        self._facets: dict[str, list[FacetRow]] = {}

    @classmethod
    def for_searcher(cls, searcher: Searcher) -> WhooshView:
        view = getattr(searcher, "_archive_view", None)
        if view is None:
            view = searcher._archive_view = cls(searcher)
        return view

    def doc_count(self) -> int:
        return self.searcher.doc_count()

    # -- terms and scores ------------------------------------------------------
    def term_tf(self, fieldname: str, tokens: Sequence[Token]) -> dict[int, int]:
        return self.ev.term_tf(fieldname, tokens)

    def word_tf(self, word: str) -> dict[int, int]:
        return self.ev.word_tf(word)

    def bm25(self, fieldname: str, tf: dict[int, int], weight: float = 1.0) -> dict[int, float]:
        return self.ev.bm25(fieldname, tf, weight)

    def bm25f(self, fields: dict[str, tuple[dict[int, float], float]]) -> dict[int, float]:
        return self.ev.bm25f(fields)

    # -- columns and facets ----------------------------------------------------
    def dates(self) -> list[str]:
        return column(self.searcher, "date")

    def docs_where(self, column_name: str, pred: Callable[[str], bool]) -> set[int]:
        return self.ev.column_docs(column_name, pred)

    def facet_rows(self, facet: str) -> list[FacetRow]:
        """Per docnum: the document's (key, display) pairs for ``facet``."""
        if facet not in self._facets:
            name = "year" if facet == "year" else facet + "_key"

            def compute(leaf: Any) -> list[FacetRow]:
                rows = []
                for raw in leaf_cached(leaf, ("column", name), leaf_column(name)):
                    vals = [v for v in raw.split(FACET_SEP) if v] if raw else []
                    if facet == "year" and not vals:
                        vals = [NO_DATE]
                    rows.append(tuple((v if facet == "year" else analysis.keyword(v), v) for v in vals))
                return rows

            table: list[FacetRow] = []
            for leaf, _offset in self.searcher.reader().leaf_readers():
                table.extend(leaf_cached(leaf, ("facet", facet), compute))
            self._facets[facet] = table
        return self._facets[facet]

    # -- documents -------------------------------------------------------------
    def stored(self, docnum: int) -> dict[str, Any]:
        return stored(self.searcher, docnum)

    def docnum_of(self, doc_id: str) -> int | None:
        return docnum_of(self.searcher, doc_id)

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return doc_frequency(self.searcher, fieldname, term)

    def key_words(self, docnum: int) -> list[tuple[str, int]] | None:
        return stored_key_words(self.searcher, docnum)
