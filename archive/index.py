"""The Whoosh index: derived data, rebuilt from the archive by ``archive reindex``.

This is the only module that imports :mod:`whoosh`.  Text becomes tokens in
:mod:`archive.analysis`; here those tokens are written as postings.

Layout on disk: ``path`` is a symlink to a sibling directory
``<name>-<stamp>/`` holding the Whoosh files and a ``SCHEMA_VERSION`` file.
:meth:`SearchIndex.rebuild` writes a fresh sibling and swaps the symlink with
one ``rename`` (atomic), so searches never see a half-built index and searchers
that are still open keep reading the old files.  A ``<name>.lock`` file next to
``path`` is the single-writer lock (``fcntl.flock``); failing to get it raises
:class:`IndexBusyError` and touches nothing.

Size: the recall field ``body`` stores one posting per distinct bigram per
document.  Whoosh's stock ``Positions`` format pickles each position list (about
16 bytes a posting); :class:`CompactPositions` stores delta-coded positions as
a 1-byte tag plus a packed ``array`` of 1-, 2- or 4-byte deltas, decoded at C
speed.  No field stores text except short metadata for the hit list.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import threading
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.columns import VarBytesColumn
from whoosh.fields import ID, FieldType, Schema
from whoosh.formats import Existence, Frequency, Positions
from whoosh.matching import AndNotMatcher
from whoosh.multiproc import MpWriter
from whoosh.searching import Searcher
from whoosh.system import pack_uint

from archive import analysis
from archive.models import Document

#: Bump when the schema or the analysis changes: old indexes must be rebuilt.
SCHEMA_VERSION = 4
VERSION_FILE = "SCHEMA_VERSION"

#: Metadata fields that are searchable (``title:`` …) and, apart from title, facets.
TEXT_FIELDS = ("title", "author", "foundation", "series")
FACET_FIELDS = ("author", "foundation", "series", "year")

#: Position gap between blocks, so a phrase never spans two blocks.
BLOCK_GAP = 16

#: Whether the jieba word field is written.  See bench/README.md for the
#: DRCD figures that decide it.
USE_WORDS = os.environ.get("ARCHIVE_INDEX_WORDS", "1") != "0"

#: Per-field BM25F parameters and query-time weights (see archive.search).
FIELD_B = {"body": 0.75, "words": 0.75, "title": 0.5, "author": 0.3, "foundation": 0.3, "series": 0.3}


class IndexError_(Exception):
    """Base of the index's errors (a user-facing one-line message)."""


class IndexVersionError(IndexError_):
    """The index on disk was written by another schema version."""


class IndexBusyError(IndexError_):
    """Another writer holds the index lock."""


# --------------------------------------------------------------------------
# Postings formats and field types


class CompactPositions(Positions):
    """Positions as a tag byte + packed delta array (B/H/I), instead of a pickle.

    The frequency is implied by the length, so no count is stored either.
    """

    _WIDTH = {98: 1, 72: 2, 73: 4}  # ord("b"), ord("H"), ord("I")

    def encode(self, poslist: list[int]) -> bytes:
        deltas = [poslist[0]] + [b - a for a, b in zip(poslist, poslist[1:], strict=False)]
        top = max(deltas)
        code = "b" if top < 128 else "H" if top < 65536 else "I"
        return code.encode() + array(code, deltas).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        a = array(chr(valuestring[0]))
        a.frombytes(valuestring[1:])
        return list(accumulate(a))

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // self._WIDTH[valuestring[0]]

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost

    def combine(self, vs: list[bytes]) -> bytes:
        s: set[int] = set()
        for v in vs:
            s.update(self.decode_positions(v))
        return self.encode(sorted(s))


class BigramTokenizer(Tokenizer):
    """Whoosh face of :func:`archive.analysis.bigram_tokens` (fold, then bigrams + words)."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any
                 ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term, pos in analysis.bigram_tokens(analysis.fold(value)):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            yield t


class WordTokenizer(Tokenizer):
    """Whoosh face of :func:`archive.analysis.word_tokens`."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any
                 ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, term in enumerate(analysis.word_tokens(analysis.fold(value))):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            yield t


class PreTokenized(FieldType):
    """A field that accepts postings already cut by :func:`prepare` (term → positions/count).

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

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """Postings of ``value``: a list of texts (blocks) for text fields, of keys otherwise."""
        if isinstance(value, str):
            value = [value]
        fmt = self.format
        boost = fmt.field_boost
        if isinstance(fmt, CompactPositions):
            for term, poses in positional(value).items():
                yield term.encode("utf-8"), len(poses), len(poses) * boost, fmt.encode(poses)
        elif isinstance(fmt, Frequency):
            words: Counter[str] = Counter()
            for t in value:
                words.update(analysis.word_tokens(analysis.fold(t)))
            for term, n in words.items():
                yield term.encode("utf-8"), n, n * boost, pack_uint(n)
        else:
            for term in value:
                yield term.encode("utf-8"), 1, boost, b""

    def to_column_value(self, value: Any) -> bytes:
        return value.encode("utf-8") if isinstance(value, str) else b""

    def from_column_value(self, value: bytes) -> str:
        return value.decode("utf-8")

    def self_parsing(self) -> bool:
        return False


# whoosh-reloaded 2.7.5 calls ``set_inline`` but defines ``set_inlined``, so inlining short
# posting lists into the term dictionary crashed and is off by default.  Inlining is what
# keeps a bigram that occurs in a handful of documents from paying for a whole posting
# block (magic, pickled block info, a zlib stream: ~70 bytes before any posting).
# Inlined postings must carry a bytes value per posting: value-less formats (Existence) hand
# over None or nothing, which reads back as '' and makes the next segment merge fail
# (``AssertionError: vbytes=''`` in whoosh.writing).
def _set_inline(self: W3TermInfo, ids: Any, weights: Any, values: Any) -> None:
    ids = tuple(ids)
    vals = tuple(v if isinstance(v, bytes) else b"" for v in values) if values else ()
    self._inlined = (ids, tuple(weights), vals or (b"",) * len(ids))


W3TermInfo.set_inline = _set_inline  # type: ignore[attr-defined]

#: Posting lists up to this long live inline in the term dictionary.
INLINE_LIMIT = 16


def codec() -> W3Codec:
    return W3Codec(inlinelimit=INLINE_LIMIT)


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
        fields["words"] = PreTokenized(Frequency(), WordTokenizer())
    return Schema(**fields)


# --------------------------------------------------------------------------
# Documents → postings (pure function, runs in worker processes)

FACET_SEP = "\x1f"


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


def prepare(doc: Document) -> dict[str, Any]:
    """The writer's field values for one document: texts and keys; the fields tokenise them."""
    meta = {k: (doc.meta(k) or "") for k in ("title", "author", "foundation", "series", "date")}
    meta["title"] = doc.title or ""
    meta["version"] = doc.version  # lets `archive check` see a stale entry
    texts = [b.text for b in doc.blocks if b.text]
    fields: dict[str, Any] = {"doc_id": doc.doc_id, "body": texts}
    for name in TEXT_FIELDS:
        if meta[name]:
            fields[name] = [meta[name]]
    for name in FACET_FIELDS[:3]:
        vals = analysis.split_values(meta[name])
        if vals:
            fields[name + "_key"] = sorted({analysis.keyword(v) for v in vals})
            fields["_stored_" + name + "_key"] = FACET_SEP.join(vals)
    date = meta["date"].strip()
    if date:
        fields["date"] = [date]
        fields["_stored_date"] = date
        if date[:4].isdigit():
            fields["year"] = [date[:4]]
            fields["_stored_year"] = date[:4]
    if USE_WORDS:
        fields["words"] = texts
    fields["meta"] = json.dumps(meta, ensure_ascii=False)
    return fields


# --------------------------------------------------------------------------
# The index


class SearchIndex:
    """Opens or creates the index at ``path``; one writer at a time, many readers."""

    def __init__(
        self, path: Path | str, *, lock_timeout: float = 10.0, check_version: bool = True
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists() and not self.path.is_symlink():
            with self._lock():
                if not self.path.exists():
                    target = self._new_dir()
                    self._create_in(target)
                    self._point_to(target)
        if check_version:
            self._check_version(self.live_dir())

    @classmethod
    def rebuild_at(cls, path: Path | str, docs: Iterable[Document], **kwargs: Any) -> int:
        """Rebuild the index at ``path`` whatever state it is in (old schema, unreadable)."""
        return cls(path, check_version=False).rebuild(docs, **kwargs)

    # -- layout ------------------------------------------------------------
    def live_dir(self) -> Path:
        """The directory the index currently lives in (the symlink's target)."""
        return self.path.resolve()

    def _new_dir(self) -> Path:
        stamp = time.strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        d = self.path.with_name(f"{self.path.name}-{stamp}")
        d.mkdir()
        return d

    def _create_in(self, d: Path) -> None:
        whoosh_index.create_in(str(d), self.schema)
        (d / VERSION_FILE).write_text(str(SCHEMA_VERSION))

    def _point_to(self, target: Path) -> None:
        """Swap ``path`` to ``target`` atomically (rename of a fresh symlink over the old one)."""
        tmp = self.path.with_name(f".{self.path.name}.swap-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(target.name)
        if self.path.exists() and not self.path.is_symlink():
            # A plain directory from elsewhere: move it aside first (not atomic, once).
            self.path.rename(self.path.with_name(f"{self.path.name}-legacy-{int(time.time())}"))
        os.replace(tmp, self.path)

    def _check_version(self, d: Path) -> None:
        vf = d / VERSION_FILE
        try:
            found = int(vf.read_text().strip())
        except (OSError, ValueError):
            found = None
        if found != SCHEMA_VERSION or not whoosh_index.exists_in(str(d)):
            raise IndexVersionError(
                f"the search index at {self.path} has schema version {found}, this program "
                f"needs {SCHEMA_VERSION}: run archive reindex"
            )

    def _cleanup(self, keep: set[Path]) -> None:
        """Remove old index directories, keeping the live one and the one before it
        (searchers opened just before a swap may still be reading it)."""
        olds = sorted(
            (p for p in self.path.parent.glob(f"{self.path.name}-*") if p.is_dir()),
            key=lambda p: p.stat().st_mtime,
        )
        for p in olds[:-2]:
            if p.resolve() not in keep:
                shutil.rmtree(p, ignore_errors=True)

    # -- the lock ----------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        lockfile = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lockfile, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.lock_timeout
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusyError(
                            f"the search index is busy (another writer holds {lockfile.name}); "
                            "try again shortly"
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # -- reading -------------------------------------------------------------
    def searcher(self) -> Searcher:
        """A warm searcher for this thread, reopened when the index changed or was swapped."""
        loc = self._local
        target = os.readlink(self.path) if self.path.is_symlink() else str(self.path)
        s: Searcher | None = getattr(loc, "searcher", None)
        if s is not None and loc.target == target and s.up_to_date():
            return s
        # Open afresh rather than ``refresh()``: Whoosh's refresh reuses segment readers by
        # segment id and so keeps serving documents deleted since (stale deletion sets).
        # The old searcher is not closed: a caller may still hold it (it closes when freed).
        d = self.live_dir()
        self._check_version(d)
        s = whoosh_index.open_dir(str(d)).searcher(weighting=weighting())
        loc.target = target
        loc.searcher = s
        loc.cache = {}
        return s

    def cache(self) -> dict[str, Any]:
        """Per-searcher memo (facet columns, dates) for :mod:`archive.search`."""
        self.searcher()
        return self._local.cache

    def doc_ids(self) -> set[str]:
        """Ids of all live documents (for the service's consistency check)."""
        r = self.searcher().reader()
        return {fields["doc_id"] for _n, fields in r.iter_docs()}

    def has_document(self, doc_id: str) -> bool:
        return self.searcher().document_number(doc_id=doc_id) is not None

    def doc_versions(self) -> dict[str, int | None]:
        """doc_id → the archive version indexed (for ``archive check``)."""
        r = self.searcher().reader()
        out: dict[str, int | None] = {}
        for _n, fields in r.iter_docs():
            out[fields["doc_id"]] = json.loads(fields.get("meta") or "{}").get("version")
        return out

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    # -- writing -------------------------------------------------------------
    def add_document(self, doc: Document) -> None:
        self.add_documents([doc])

    def add_documents(self, docs: Iterable[Document]) -> int:
        """Add or replace (by ``doc_id``) documents; returns how many were written."""
        with self._lock():
            ix = whoosh_index.open_dir(str(self.live_dir()))
            w = ix.writer(limitmb=256, codec=codec())
            try:
                n = _write(w, docs, update=True)
            except BaseException:
                w.cancel()
                raise
            w.commit()
            return n

    def remove_document(self, doc_id: str) -> None:
        with self._lock():
            ix = whoosh_index.open_dir(str(self.live_dir()))
            w = ix.writer(codec=codec())
            w.delete_by_term("doc_id", doc_id)
            w.commit()

    def rebuild(self, docs: Iterable[Document], *, workers: int | None = None) -> int:
        """Build a fresh index from ``docs`` next to the live one and swap it in atomically.

        Searches keep using the old index until the swap; a failure leaves the
        live index untouched (the half-built directory is removed).
        """
        with self._lock():
            new = self._new_dir()
            try:
                whoosh_index.create_in(str(new), self.schema)
                ix = whoosh_index.open_dir(str(new))
                workers = workers if workers is not None else min(2, os.cpu_count() or 1)
                if workers > 1:
                    # Each sub-process tokenises and writes its own segment; no merge.
                    w = MpWriter(ix, procs=workers, batchsize=64, multisegment=True,
                                 limitmb=256, codec=codec())
                else:
                    w = ix.writer(limitmb=256, codec=codec())
                try:
                    n = _write(w, docs, update=False)
                except BaseException:
                    w.cancel()
                    raise
                w.commit()
                (new / VERSION_FILE).write_text(str(SCHEMA_VERSION))
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            old = self.live_dir() if self.path.exists() else None
            self._point_to(new)
            self._cleanup({new.resolve()} | ({old} if old else set()))
            return n

    @staticmethod
    def clear_cache() -> None:
        """Nothing global to clear; present for symmetry with the service's reset hooks."""


def _write(w: Any, docs: Iterable[Document], *, update: bool) -> int:
    n = 0
    for doc in docs:
        fields = prepare(doc)
        if update:
            w.delete_by_term("doc_id", doc.doc_id)
        w.add_document(**fields)
        n += 1
    return n


def weighting() -> scoring.WeightingModel:
    """BM25F with per-field length normalisation (B), shared by every searcher."""
    return scoring.BM25F(B=0.75, K1=1.2, **{f"{k}_B": v for k, v in FIELD_B.items()})


# --------------------------------------------------------------------------
# Query building blocks (archive.search compiles its AST with these; it never sees Whoosh)

#: Query-time weight of each field for a plain term (title and author weigh more).
FIELD_WEIGHTS = {"body": 1.0, "title": 4.0, "author": 3.0, "foundation": 1.5, "series": 1.5}
WORDS_WEIGHT = 1.0
MAX_PREFIX_TERMS = 4096


def q_text(fieldname: str, tokens: list[tuple[str, int, str]], boost: float = 1.0) -> Any:
    """A recall-field match of one query term: ``tokens`` from
    :func:`archive.analysis.query_bigrams` (consecutive positions = exact substring)."""
    if not tokens:
        return wq.NullQuery
    if len(tokens) == 1:
        term, _pos, kind = tokens[0]
        if kind == analysis.PREFIX:
            return _Prefix(fieldname, term, boost=boost)
        return wq.Term(fieldname, term, boost=boost)
    if all(kind == analysis.EXACT for _t, _p, kind in tokens):
        return wq.Phrase(fieldname, [t for t, _p, _k in tokens], slop=1, boost=boost)
    subs = [_Prefix(fieldname, t) if k == analysis.PREFIX else wq.Term(fieldname, t)
            for t, _p, k in tokens]
    return wq.Sequence(subs, slop=1, ordered=True, boost=boost)


class _AndNotMatcher(AndNotMatcher):
    """Whoosh's AndNotMatcher only skips the excluded matcher forward at the start when both
    sit on the same document; if the excluded one starts *earlier* the first candidate is
    never checked and a document containing the excluded term slips through."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _AndNot(wq.AndNot):
    """``a AND NOT b`` with the fixed matcher."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scoredm = self.a.matcher(searcher, context)
        notm = self.b.matcher(searcher, searcher.boolean_context())
        return _AndNotMatcher(scoredm, notm)


class _Prefix(wq.Prefix):
    """A prefix query with a bounded expansion (a single CJK character)."""

    def _btexts(self, ixreader: Any) -> Iterator[bytes]:
        for i, t in enumerate(super()._btexts(ixreader)):
            if i >= MAX_PREFIX_TERMS:
                return
            yield t


def q_words(words: list[str], boost: float = WORDS_WEIGHT) -> Any:
    """The ranking-field bonus for the words of a term (absent field: nothing)."""
    if not USE_WORDS or not words:
        return wq.NullQuery
    return wq.And([wq.Term("words", w) for w in words], boost=boost)


def q_with_bonus(required: Any, bonus: Any) -> Any:
    """``required`` decides matching; ``bonus`` only adds score."""
    if bonus is wq.NullQuery:
        return required
    return wq.AndMaybe(required, bonus)


def q_or(subs: list[Any]) -> Any:
    subs = [s for s in subs if s is not wq.NullQuery]
    if not subs:
        return wq.NullQuery
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def q_and(subs: list[Any]) -> Any:
    if any(s is wq.NullQuery for s in subs):
        return wq.NullQuery
    return subs[0] if len(subs) == 1 else wq.And(subs)


def q_and_not(pos: list[Any], neg: list[Any]) -> Any:
    """All of ``pos`` (everything when empty) and none of ``neg``."""
    base = q_and(pos) if pos else wq.Every()
    neg = [n for n in neg if n is not wq.NullQuery]
    if not neg:
        return base
    return _AndNot(base, neg[0] if len(neg) == 1 else wq.Or(neg))


def q_every() -> Any:
    return wq.Every()


def q_null() -> Any:
    return wq.NullQuery


def is_null(q: Any) -> bool:
    return q is wq.NullQuery


def q_date(lo: str, hi: str) -> Any:
    """Dates within ISO prefixes ``lo``..``hi`` (either may be "" for open)."""
    return wq.TermRange("date", lo or None, (hi + "\uffff") if hi else None,
                        constantscore=True)


def q_facet(facet: str, values: list[str]) -> Any:
    """Exact facet filter: any of ``values`` (display values; keys are derived here)."""
    if facet == "year":
        return q_or([wq.Term("year", v.strip()) for v in values])
    return q_or([wq.Term(facet + "_key", analysis.keyword(v)) for v in values])


def q_any_term(fieldname: str, terms: list[str]) -> Any:
    return wq.Or([wq.Term(fieldname, t) for t in terms])


def q_exclude_doc(q: Any, doc_id: str) -> Any:
    return _AndNot(q, wq.Term("doc_id", doc_id))


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


def column(searcher: Searcher, name: str) -> list[str]:
    """Per-docnum values of a column field (``""`` where absent), cached per searcher."""
    cache = getattr(searcher, "_archive_cache", None)
    if cache is None:
        cache = searcher._archive_cache = {}  # type: ignore[attr-defined]
    if name not in cache:
        # Leaf by leaf: a segment whose documents all lack the field has no column at all,
        # and Whoosh's multi-segment column reader then silently drops its documents.
        values: list[str] = []
        for leaf, _offset in searcher.reader().leaf_readers():
            if leaf.has_column(name):
                cr = leaf.column_reader(name, translate=False)
                values.extend(v.decode("utf-8") if isinstance(v, bytes) else (v or "") for v in cr)
            else:
                values.extend([""] * leaf.doc_count_all())
        cache[name] = values
    return cache[name]


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
