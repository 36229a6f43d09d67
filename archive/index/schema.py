"""The index's shape: field formats, tokenizers, the Whoosh schema and its version.

What it owns and why: everything that decides the bytes an index holds, so that a
change here is the one place where :data:`SCHEMA_VERSION` must be bumped.  Text
becomes tokens in :mod:`archive.analysis`; the field types here turn those tokens
into postings (:func:`positional`, :func:`word_counts`).

Size: the recall field ``body`` stores one posting per distinct bigram per
document.  Whoosh's stock ``Positions`` format pickles each position list (about
16 bytes a posting); :class:`CompactPositions` stores delta-coded positions as
a 1-byte tag plus a packed ``array`` of 1-, 2- or 4-byte deltas, decoded at C
speed.  No field stores text except short metadata for the hit list.
"""

from __future__ import annotations

import os
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import VarBytesColumn
from whoosh.fields import ID, FieldType, Schema
from whoosh.formats import Existence, Frequency, Positions

from archive import analysis

from . import whoosh_fixes  # noqa: F401  (the inline term info codec() relies on)
from .engine import FACETS

#: Bump when the schema or the analysis changes: old indexes must be rebuilt.
SCHEMA_VERSION = 6
VERSION_FILE = "SCHEMA_VERSION"

#: Metadata fields that are searchable (``title:`` …) and, apart from title, facets.
TEXT_FIELDS = ("title", "author", "foundation", "series")
FACET_FIELDS = FACETS  # the one definition: archive.index.engine
#: Separates a facet's display values in its stored column.
FACET_SEP = "\x1f"

#: Position gap between blocks, so a phrase never spans two blocks.
BLOCK_GAP = 16

#: Whether the jieba word field is written.  See bench/README.md for the
#: DRCD figures that decide it.
USE_WORDS = os.environ.get("ARCHIVE_INDEX_WORDS", "1") != "0"

#: Posting lists up to this long live inline in the term dictionary.
INLINE_LIMIT = 16


def codec() -> W3Codec:
    return W3Codec(inlinelimit=INLINE_LIMIT)


# --------------------------------------------------------------------------
# Postings formats and field types


def decode_compact(valuestring: bytes) -> list[int]:
    """The positions :meth:`CompactPositions.encode` packed (a function: the evaluator decodes
    posting values without a format object)."""
    a = array(chr(valuestring[0]))
    a.frombytes(valuestring[1:])
    return list(accumulate(a))


class CompactPositions(Positions):
    """Positions as a tag byte + packed delta array (B/H/I), instead of a pickle.

    The frequency is implied by the length, so no count is stored either.
    """

    _WIDTH = {98: 1, 72: 2, 73: 4}  # ord("b"), ord("H"), ord("I")

    def encode(self, poslist: list[int]) -> bytes:
        if len(poslist) == 1:  # most bigrams occur once in a document
            p = poslist[0]
            if p < 128:
                return bytes((98, p))
            return (b"H" + p.to_bytes(2, "little")) if p < 65536 else (b"I" + p.to_bytes(4, "little"))
        deltas = [poslist[0]] + [b - a for a, b in zip(poslist, poslist[1:], strict=False)]
        top = max(deltas)
        code = "b" if top < 128 else "H" if top < 65536 else "I"
        return code.encode() + array(code, deltas).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return decode_compact(valuestring)

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // self._WIDTH[valuestring[0]]

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost

    def combine(self, vs: list[bytes]) -> bytes:
        s: set[int] = set()
        for v in vs:
            s.update(self.decode_positions(v))
        return self.encode(sorted(s))


class WordCounts(Frequency):
    """A term frequency carried by the posting's weight alone: no value bytes per posting
    (whoosh's ``Frequency`` stores the count twice, as the weight and as a packed value)."""

    def encode(self, freq: int) -> bytes:
        return b""

    def fixed_value_size(self) -> int:
        return 0


class _AnalysisTokenizer(Tokenizer):
    """A Whoosh tokenizer over one of :mod:`archive.analysis`'s token generators."""

    def terms(self, folded: str) -> Iterator[tuple[str, int]]:  # (term, position)
        raise NotImplementedError

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any
                 ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term, pos in self.terms(analysis.fold(value)):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            yield t


class BigramTokenizer(_AnalysisTokenizer):
    """Whoosh face of :func:`archive.analysis.bigram_tokens` (fold, then bigrams + words)."""

    def terms(self, folded: str) -> Iterator[tuple[str, int]]:
        return analysis.bigram_tokens(folded)


class WordTokenizer(_AnalysisTokenizer):
    """Whoosh face of :func:`archive.analysis.word_tokens`."""

    def terms(self, folded: str) -> Iterator[tuple[str, int]]:
        return ((term, i) for i, term in enumerate(analysis.word_tokens(folded)))


class PreTokenized(FieldType):
    """A field that accepts postings already cut by :func:`field_values` (term → positions/count).

    Tokenising happens in worker processes; the writer only encodes.  A plain
    string is accepted too and goes through the field's analyzer.
    """

    def __init__(self, fmt: Any, analyzer: Any, scorable: bool = True, stored: bool = False,
                 column: Any = None) -> None:
        self.format = fmt
        self.analyzer = analyzer
        self.scorable = scorable
        self.stored = stored
        self.unique = False
        self.vector = None
        self.column_type = column

    def postings(self, value: Any) -> Iterator[tuple[bytes, int, bytes]]:
        """``(term bytes, frequency, value bytes)`` of ``value``: a list of texts (blocks) for
        text fields, of keys otherwise.  The weight is the frequency (no field boosts)."""
        if isinstance(value, str):
            value = [value]
        fmt = self.format
        if isinstance(fmt, CompactPositions):
            enc = fmt.encode
            for term, poses in positional(value).items():
                yield term.encode("utf-8"), len(poses), enc(poses)
        elif isinstance(fmt, Frequency):
            words = value if isinstance(value, Counter) else word_counts(value)
            for term, n in words.items():
                yield term.encode("utf-8"), n, fmt.encode(n)
        else:
            for term in value:
                yield term.encode("utf-8"), 1, b""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        boost = self.format.field_boost
        for tb, n, vb in self.postings(value):
            yield tb, n, n * boost, vb

    def to_column_value(self, value: Any) -> bytes:
        return value.encode("utf-8") if isinstance(value, str) else b""

    def from_column_value(self, value: bytes) -> str:
        return value.decode("utf-8")

    def self_parsing(self) -> bool:
        return False


def make_schema() -> Schema:
    """The schema; its shape is part of :data:`SCHEMA_VERSION`."""
    bigram = BigramTokenizer()
    fields: dict[str, Any] = {
        "doc_id": ID(unique=True, stored=True),
        "body": PreTokenized(CompactPositions(), bigram),
        "date": PreTokenized(Existence(), None, scorable=False, column=VarBytesColumn()),
        "year": PreTokenized(Existence(), None, scorable=False, column=VarBytesColumn()),
        "meta": ID(stored=True),  # the hit list's title/author/… as one JSON string
    }
    for name in TEXT_FIELDS:
        fields[name] = PreTokenized(CompactPositions(), bigram)
    for name in FACET_FIELDS[:3]:
        fields[name + "_key"] = PreTokenized(Existence(), None, scorable=False,
                                             column=VarBytesColumn())
    if USE_WORDS:
        fields["words"] = PreTokenized(WordCounts(), WordTokenizer())
        # Stored only (no postings): the document's most frequent words, for "related documents".
        fields["keys"] = PreTokenized(Existence(), None, scorable=False, stored=True)
    return Schema(**fields)


# --------------------------------------------------------------------------
# Texts → postings (pure functions, run in worker processes)


def positional(texts: Iterable[str]) -> dict[str, list[int]]:
    """Recall-field postings, term → ascending positions, over several texts (blocks)
    with a position gap between them so that no phrase spans two blocks."""
    out: dict[str, list[int]] = defaultdict(list)
    base = 0
    for text in texts:
        last = -1
        for term, pos in analysis.bigram_tokens(analysis.fold(text)):
            out[term].append(base + pos)
            last = pos
        base += last + 1 + BLOCK_GAP
    return out


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """Occurrences of each ranking-field word over several texts (blocks)."""
    words: Counter[str] = Counter()
    for t in texts:
        words.update(analysis.word_tokens(analysis.fold(t)))
    return words
