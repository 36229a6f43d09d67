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
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
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
from whoosh.searching import Searcher
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from archive import analysis
from archive.integrity import file_sha256
from archive.models import Document

#: Bump when the schema or the analysis changes: old indexes must be rebuilt.
SCHEMA_VERSION = 6
VERSION_FILE = "SCHEMA_VERSION"
#: Size and SHA-256 of every file of the index as its last commit left it (see ``_seal``).
SEAL_FILE = "CHECKSUMS.json"

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


class IndexMissingError(IndexError_):
    """The index is gone (its link dangles, or it was removed while documents exist)."""


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


class WordCounts(Frequency):
    """A term frequency carried by the posting's weight alone: no value bytes per posting
    (whoosh's ``Frequency`` stores the count twice, as the weight and as a packed value)."""

    def encode(self, freq: int) -> bytes:  # type: ignore[override]
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

# Inlined postings were pickled with protocol 2, where every bytes value becomes a
# ``_codecs.encode(str, 'latin1')`` call (~20 bytes of overhead per posting): with the long
# tail of rare bigrams that made the term dictionary 3-4x the size of the postings file.
# Here they are packed arrays instead, flagged 2 in the term info's flags byte.
_INLINE_FLAG = 2
_W3_to_bytes = W3TermInfo.to_bytes
_W3_from_bytes = W3TermInfo.from_bytes.__func__  # type: ignore[attr-defined]


def _acode(top: int) -> str:
    return "B" if top < 256 else "H" if top < 65536 else "I"


def _pack_inline(ids: tuple[int, ...], weights: tuple[float, ...], values: tuple[bytes, ...]
                 ) -> bytes:
    deltas = [ids[0]] + [b - a for a, b in zip(ids, ids[1:], strict=False)]
    icode = _acode(max(deltas))
    if all(w == 1.0 for w in weights):
        wcode, wbytes = "-", b""
    elif all(w == int(w) and 0 <= w < 256 for w in weights):
        wcode, wbytes = "B", bytes(int(w) for w in weights)
    else:
        wcode, wbytes = "f", array("f", weights).tobytes()
    vals = values if values and any(values) else ()
    lcode = _acode(max(len(v) for v in vals)) if vals else "-"
    lbytes = array(lcode, [len(v) for v in vals]).tobytes() if vals else b""
    head = (icode + wcode + lcode).encode() + bytes([len(ids)])
    return head + array(icode, deltas).tobytes() + wbytes + lbytes + b"".join(vals)


def _unpack_inline(b: bytes) -> tuple[tuple[int, ...], tuple[float, ...], tuple[bytes, ...]]:
    icode, wcode, lcode = chr(b[0]), chr(b[1]), chr(b[2])
    n = b[3]
    pos = 4
    deltas = array(icode)
    deltas.frombytes(b[pos : pos + n * deltas.itemsize])
    pos += n * deltas.itemsize
    ids = tuple(accumulate(deltas))
    if wcode == "-":
        weights: tuple[float, ...] = (1.0,) * n
    elif wcode == "B":
        weights = tuple(float(x) for x in b[pos : pos + n])
        pos += n
    else:
        wa = array("f")
        wa.frombytes(b[pos : pos + 4 * n])
        weights = tuple(wa)
        pos += 4 * n
    if lcode == "-":
        return ids, weights, (b"",) * n
    la = array(lcode)
    la.frombytes(b[pos : pos + n * la.itemsize])
    pos += n * la.itemsize
    vals = []
    for ln in la:
        vals.append(b[pos : pos + ln])
        pos += ln
    return ids, weights, tuple(vals)


def _to_bytes(self: W3TermInfo) -> bytes:
    if not self.is_inlined() or len(self._inlined[0]) > 255:
        return _W3_to_bytes(self)
    inl, off, ln = self._inlined, self._offset, self._length
    self._inlined, self._offset, self._length = None, 0, 0
    try:
        st = bytearray(_W3_to_bytes(self))
    finally:
        self._inlined, self._offset, self._length = inl, off, ln
    size = W3TermInfo._struct.size
    st[0] = _INLINE_FLAG
    return bytes(st[:size]) + _pack_inline(*inl)


@classmethod  # type: ignore[misc]
def _from_bytes(cls: type[W3TermInfo], s: bytes) -> W3TermInfo:
    if s[0] != _INLINE_FLAG:
        return _W3_from_bytes(cls, s)
    size = cls._struct.size
    ti = _W3_from_bytes(cls, b"\x00" + s[1:size] + b"\x00" * 12)
    ti._offset = ti._length = None
    ti._inlined = _unpack_inline(s[size:])
    return ti


W3TermInfo.to_bytes = _to_bytes  # type: ignore[method-assign]
W3TermInfo.from_bytes = _from_bytes  # type: ignore[method-assign,assignment]

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
        fields["words"] = PreTokenized(WordCounts(), WordTokenizer())
        # Stored only (no postings): the document's most frequent words, for "related documents".
        fields["keys"] = PreTokenized(Existence(), None, scorable=False, stored=True)
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


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """Occurrences of each ranking-field word over several texts (blocks)."""
    words: Counter[str] = Counter()
    for t in texts:
        words.update(analysis.word_tokens(analysis.fold(t)))
    return words


#: How many of a document's words are kept as its key words (see :func:`key_words`).
KEY_WORDS = 48


def key_words(words: Counter[str]) -> list[list[Any]]:
    """The document's ``KEY_WORDS`` most frequent words of two or more characters (longer
    first among equals), as ``[word, count]``: the candidates "related documents" weighs by
    rarity, stored with the document so that a page view need not re-read and re-cut it."""
    ranked = sorted((w for w in words if len(w) >= 2), key=lambda w: (-words[w], -len(w), w))
    return [[w, words[w]] for w in ranked[:KEY_WORDS]]


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
        words = word_counts(texts)
        fields["words"] = words
        fields["keys"] = []
        fields["_stored_keys"] = json.dumps(key_words(words), ensure_ascii=False)
    fields["meta"] = json.dumps(meta, ensure_ascii=False)
    return fields


# --------------------------------------------------------------------------
# The bulk writer used by rebuild
#
# Whoosh's SegmentWriter sends every posting through a PostingPool (a tuple per posting,
# sorted runs spilled to disk and heap-merged in Python) and then through the field
# writer one call per posting.  A rebuild needs none of that: postings are collected per
# term in memory (documents arrive in docnum order, so each list is already sorted), terms
# are sorted once, and each posting list goes into the codec's postings writer a block
# (128 postings) at a time.  The files are Whoosh's own W3 segment format.

#: A worker writes out its segment and starts a new one after this many postings.
SEGMENT_POSTINGS = 6_000_000


class _LeanWriter(SegmentWriter):
    """A segment writer for fresh segments only (no deletions, no merging)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, _lk=False, codec=codec(), compound=False, **kwargs)
        self._post: dict[str, defaultdict[bytes, list[tuple[int, int, bytes]]]] = {}
        self._lengths: dict[str, dict[int, int]] = {}
        self.n_postings = 0

    def add_document(self, **fields: Any) -> None:
        schema = self.schema
        docnum = self.docnum
        pdw = self.perdocwriter
        pdw.start_doc(docnum)
        count = 0
        for fieldname in sorted(k for k in fields if not k.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            post = self._post.get(fieldname)
            if post is None:
                post = self._post[fieldname] = defaultdict(list)
            if isinstance(field, PreTokenized):
                items = field.postings(value)
            else:
                items = ((tb, n, vb) for tb, n, _w, vb in field.index(value))
            for tb, n, vb in items:
                post[tb].append((docnum, n, vb))
                length += n
                count += 1
            if field.scorable:
                self._lengths.setdefault(fieldname, {})[docnum] = length
            custom = fields.get("_stored_" + fieldname, value)
            pdw.add_field(fieldname, field, custom if field.stored else None,
                          length if field.scorable else 0)
            if field.column_type and custom is not None:
                pdw.add_column_value(fieldname, field.column_type, field.to_column_value(custom))
        pdw.finish_doc()
        self.n_postings += count
        self._added = True
        self.docnum += 1

    def _finish(self) -> None:
        # The pool's temp folder is shared by the workers; _bulk_build removes it.
        self.is_closed = True

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        for fieldname in sorted(self._post):
            post = self._post[fieldname]
            lengths = self._lengths.get(fieldname)
            fw.start_field(fieldname, self.schema[fieldname])
            pw = fw._postwriter
            limit = pw._blocklimit
            fid = pack_ushort(fw._fieldid)
            tadd = fw._tindex.add
            pack_head = W3TermInfo._struct.pack
            for tb in sorted(post):
                lst = post[tb]
                if len(lst) < INLINE_LIMIT:
                    # Inlined into the term dictionary: write the term info directly (what
                    # finish_postings + _to_bytes would produce, without the objects).
                    ids = tuple(c[0] for c in lst)
                    ws = tuple(float(c[1]) for c in lst)
                    ls = [lengths[d] for d in ids if lengths.get(d)] if lengths else []
                    head = pack_head(_INLINE_FLAG, sum(ws), len(ids),
                                     length_to_byte(min(ls)) if ls else 0,
                                     length_to_byte(max(ls)) if ls else 0, max(ws),
                                     ids[0], ids[-1])
                    tadd(fid + tb, head + _pack_inline(ids, ws, tuple(c[2] for c in lst)))
                    continue
                fw.start_term(tb)
                for i in range(0, len(lst), limit):
                    if len(pw._ids) >= limit:
                        pw._write_block()
                    chunk = lst[i : i + limit] if len(lst) > limit else lst
                    ids = [c[0] for c in chunk]
                    ws = [float(c[1]) for c in chunk]
                    pw._ids.extend(ids)
                    pw._weights.extend(ws)
                    pw._values.extend(c[2] for c in chunk if c[2])
                    mw = max(ws)
                    if mw > pw._maxweight:
                        pw._maxweight = mw
                    if lengths:
                        ls = [lengths[d] for d in ids if lengths.get(d)]
                        if ls:
                            lo, hi = min(ls), max(ls)
                            if pw._minlength is None or lo < pw._minlength:
                                pw._minlength = lo
                            if hi > pw._maxlength:
                                pw._maxlength = hi
                fw.finish_term()
            fw.finish_field()
            post.clear()
        fw.close()


def _build_segments(ix: Any, batches: Iterable[list[Document]]) -> tuple[list[Any], int]:
    """Write ``batches`` of documents as fresh segments (a new one every
    :data:`SEGMENT_POSTINGS` postings); returns the segments and the document count."""
    segments = []
    n = 0
    w = _LeanWriter(ix)
    for batch in batches:
        for doc in batch:
            w.add_document(**prepare(doc))
            n += 1
        if w.n_postings > SEGMENT_POSTINGS:
            segments.append(w._finalize_segment())
            w._finish()
            w = _LeanWriter(ix)
    if w._added:
        segments.append(w._finalize_segment())
    else:
        w._close_segment()
    w._finish()
    return segments, n


def _worker_main(ixdir: str) -> None:
    """A rebuild worker (a fresh interpreter, see :func:`_bulk_build`): pickled batches of
    documents on stdin until ``None``; ``("ok", segments, count)`` pickled on stdout."""
    import pickle
    import sys

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    try:
        ix = whoosh_index.open_dir(ixdir)

        def batches() -> Iterator[list[Document]]:
            while (b := pickle.load(inp)) is not None:
                yield b

        result: tuple[Any, ...] = ("ok", *_build_segments(ix, batches()))
    except BaseException as e:  # reported to the parent, which raises
        result = ("error", f"{type(e).__name__}: {e}", 0)
    pickle.dump(result, out)
    out.flush()


def _bulk_build(d: Path, schema: Schema, docs: Iterable[Document], workers: int,
                batch: int = 32) -> int:
    """Fill the empty index in ``d`` from ``docs`` with ``workers`` processes (no merge:
    one or more segments per worker).

    Workers are fresh interpreters (``python -c``), not forks: the caller may be a threaded
    web server, and nothing of the caller's ``__main__`` is re-imported.  One feeder thread
    per worker pulls batches from ``docs`` (so a slow worker gets fewer) and pipes them in.
    """
    import pickle
    import subprocess
    import sys
    from itertools import islice

    from whoosh.index import TOC

    ix = whoosh_index.open_dir(str(d))
    it = iter(docs)
    if workers <= 1:
        segments, n = _build_segments(ix, iter(lambda: list(islice(it, batch)), []))
    else:
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [root, *filter(None, [os.environ.get("PYTHONPATH")])]))
        code = "import sys; from archive.index import _worker_main; _worker_main(sys.argv[1])"
        procs = [subprocess.Popen([sys.executable, "-c", code, str(d)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=env) for _ in range(workers)]
        lock = threading.Lock()
        errors: list[BaseException] = []

        def feed(p: subprocess.Popen[bytes]) -> None:
            try:
                while not errors:
                    with lock:
                        b = list(islice(it, batch))
                    if not b:
                        break
                    pickle.dump(b, p.stdin, protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[arg-type]
                pickle.dump(None, p.stdin)  # type: ignore[arg-type]
                p.stdin.close()  # type: ignore[union-attr]
            except BrokenPipeError:
                pass  # the worker died; its result says why
            except BaseException as e:  # the documents' iterator failed
                errors.append(e)

        feeders = [threading.Thread(target=feed, args=(p,), daemon=True) for p in procs]
        try:
            for t in feeders:
                t.start()
            for t in feeders:
                t.join()
            if errors:
                raise errors[0]
            segments, n = [], 0
            for p in procs:
                try:
                    status, segs, cnt = pickle.load(p.stdout)  # type: ignore[arg-type]
                except EOFError:
                    status, segs, cnt = "error", f"worker exited with {p.wait()}", 0
                if status != "ok":
                    raise IndexError_(f"index build failed in a worker: {segs}")
                segments.extend(segs)
                n += cnt
                p.wait()
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
    TOC(schema, segments, ix.latest_generation() + 1).write(ix.storage, ix.indexname)
    shutil.rmtree(d / f"{ix.indexname}.tmp", ignore_errors=True)
    return n


# --------------------------------------------------------------------------
# The index


#: Attempts at opening a searcher while a writer replaces the files it was about to read.
OPEN_ATTEMPTS = 8


def _open_searcher(d: Path) -> Searcher:
    """A searcher on the newest generation in ``d``.  Whoosh's writer deletes the previous
    table of contents and the segments it merged away right after each commit, so a reader
    that listed them just before may find them gone: it then opens the new generation."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return whoosh_index.open_dir(str(d)).searcher(weighting=weighting())
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


class SearchIndex:
    """Opens or creates the index at ``path``; one writer at a time, many readers."""

    def __init__(
        self,
        path: Path | str,
        *,
        lock_timeout: float = 10.0,
        check_version: bool = True,
        create: bool = True,
    ) -> None:
        """``create=False``: a missing index is an error, not a new empty one (the service
        says so when the archive has documents an empty index would silently not find)."""
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if check_version and self.path.is_symlink() and not self.path.exists():
            raise IndexMissingError(
                f"the search index link {self.path.name} points to a missing directory "
                f"({os.readlink(self.path)}): run archive reindex"
            )
        if not create and not self.path.exists():
            raise IndexMissingError(f"the search index ({self.path.name}/) is missing: run archive reindex")
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
        _seal(d)

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
        # A table of contents names a Whoosh index (listing, not opening, which races writers).
        if found != SCHEMA_VERSION or not any(d.glob("_MAIN_*.toc")):
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
        s = _open_searcher(d)
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

    def verify(self) -> list[str]:
        """Damage to the index on disk, one line per finding (empty: sound).

        Every file is compared with the size and SHA-256 its last commit sealed
        (Whoosh never rewrites a file it has written, so any difference is damage);
        an index without a seal, or with files its seal does not name (a crash
        between commit and seal), is read through instead: every stored document,
        every term and its postings in every field.
        """
        if self.path.is_symlink() and not self.path.exists():
            return [f"the index link points to a missing directory ({os.readlink(self.path)})"]
        d = self.live_dir()
        try:
            sealed = json.loads((d / SEAL_FILE).read_text())
        except (OSError, ValueError):
            sealed = None
        found: list[str] = []
        unsealed = sealed is None
        if sealed is not None:
            present = _index_files(d)
            for name, (size, digest) in sorted(sealed.items()):
                f = d / name
                if name not in present:
                    found.append(f"{name}: missing")
                elif f.stat().st_size != size or file_sha256(f) != digest:
                    found.append(f"{name}: its bytes differ from what the last commit wrote")
            unsealed = bool(present - sealed.keys())
        if found or not unsealed:
            return found
        return _read_through(d)

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
            _seal(self.live_dir())
            return n

    def remove_document(self, doc_id: str) -> None:
        with self._lock():
            ix = whoosh_index.open_dir(str(self.live_dir()))
            w = ix.writer(codec=codec())
            w.delete_by_term("doc_id", doc_id)
            w.commit()
            _seal(self.live_dir())

    def rebuild(self, docs: Iterable[Document], *, workers: int | None = None) -> int:
        """Build a fresh index from ``docs`` next to the live one and swap it in atomically.

        Searches keep using the old index until the swap; a failure leaves the
        live index untouched (the half-built directory is removed).
        """
        with self._lock():
            new = self._new_dir()
            try:
                whoosh_index.create_in(str(new), self.schema)
                workers = workers if workers is not None else min(2, os.cpu_count() or 1)
                n = _bulk_build(new, self.schema, docs, workers)
                (new / VERSION_FILE).write_text(str(SCHEMA_VERSION))
                _seal(new)
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


def _index_files(d: Path) -> set[str]:
    """The data files of an index directory (not its locks, not the seal itself)."""
    return {
        p.name for p in d.iterdir()
        if p.is_file() and p.name != SEAL_FILE and not p.name.endswith(("LOCK", ".lock"))
        and not p.name.startswith(".")
    }


def _seal(d: Path) -> None:
    """Record the size and digest of every file of ``d`` after a commit.  Only files new
    since the last seal are hashed (an index file, once written, never changes)."""
    try:
        old = json.loads((d / SEAL_FILE).read_text())
    except (OSError, ValueError):
        old = {}
    seal = {}
    for name in sorted(_index_files(d)):
        size = (d / name).stat().st_size
        kept = old.get(name)
        seal[name] = kept if kept and kept[0] == size else [size, file_sha256(d / name)]
    tmp = d / f".{SEAL_FILE}.tmp"
    tmp.write_text(json.dumps(seal, sort_keys=True))
    os.replace(tmp, d / SEAL_FILE)


def _read_through(d: Path) -> list[str]:
    """Read every stored document and every posting of the index in ``d`` (the check for an
    index that has no seal): a damaged segment raises here rather than in someone's search."""
    try:
        with whoosh_index.open_dir(str(d)).searcher() as s:
            for leaf, _offset in s.reader().leaf_readers():
                for _n, _fields in leaf.iter_docs():
                    pass
                for fieldname in leaf.indexed_field_names():
                    for term in list(leaf.lexicon(fieldname)):
                        m = leaf.postings(fieldname, term)
                        while m.is_active():
                            m.value()
                            m.next()
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises is the finding
        return [f"reading the index failed: {type(exc).__name__}: {exc}"[:300]]
    return []


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
WORDS_WEIGHT = 0.5
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


# Per-segment memo.  Segments never change once written (deletions aside, which these
# tables do not depend on), so what was computed for a segment stays true for every later
# searcher that includes it: after an ingest adds a one-document segment, a new searcher
# computes only that segment's part instead of rebuilding tables over the whole index.
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
        cache = searcher._archive_cache = {}  # type: ignore[attr-defined]
    if name not in cache:
        values: list[str] = []
        for leaf, _offset in searcher.reader().leaf_readers():
            values.extend(leaf_cached(leaf, ("column", name), leaf_column(name)))
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


def stored_key_words(searcher: Searcher, docnum: int) -> list[tuple[str, int]] | None:
    """The key words stored with a document (:func:`key_words`); None if the index has none."""
    raw = searcher.stored_fields(docnum).get("keys")
    if not raw:
        return None
    try:
        return [(str(w), int(c)) for w, c in json.loads(raw)]
    except (ValueError, TypeError):
        return None


# --------------------------------------------------------------------------
# Exact evaluation: term → {docnum: score} with set algebra (archive.search combines them)
#
# Whoosh's Phrase builds a Span object per position and scores every posting through a tree
# of Python matchers; totals and facets need every match, not the top ten.  Here a term is
# evaluated eagerly per segment: posting lists are read block by block (ids at C speed), the
# rarest token's ids are intersected with the others as sets, and positions are decoded only
# for the documents in that intersection.  The term is then scored as *one unit* with BM25:
# tf = occurrences of the whole term (phrase frequency), df = documents containing it, so a
# word is not scored as the sum of its bigrams (which over-rewards accidental bigram hits;
# see bench/README.md for the DRCD figures).

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
            ev = searcher._archive_evaluator = cls(searcher)  # type: ignore[attr-defined]
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

    def _segment_tf(self, leaf: Any, fieldname: str, tokens: list[tuple[str, int, str]]
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
        decode = CompactPositions.decode_positions
        out: dict[int, int] = {}
        for d in cand:
            starts: set[int] | None = None
            for pos, dv, multi in lists:
                v = dv[d]
                if multi:
                    ps = {p - pos for vv in v for p in decode(None, vv)}  # type: ignore[arg-type]
                else:
                    ps = {p - pos for p in decode(None, v)}  # type: ignore[arg-type]
                starts = ps if starts is None else starts & ps
                if not starts:
                    break
            if starts:
                out[d] = len(starts)
        return out

    #: Terms with a single-character (prefix) token expand to every bigram the character
    #: starts; their results are kept (per searcher) for the most recent few.
    PREFIX_CACHE = 64

    def term_tf(self, fieldname: str, tokens: list[tuple[str, int, str]]) -> dict[int, int]:
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

    def _term_tf(self, fieldname: str, tokens: list[tuple[str, int, str]]) -> dict[int, int]:
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
        import math

        lengths = self.lengths(fieldname)
        avg = self._avg[fieldname]
        b = FIELD_B.get(fieldname, DEFAULT_B)
        idf = (math.log(self.n / (len(tf) + 1)) + 1.0) * weight
        k1 = K1
        c0 = k1 * (1 - b)
        c1 = k1 * b / avg
        num = idf * (k1 + 1)
        return {d: num * t / (t + c0 + c1 * lengths[d]) for d, t in tf.items()}

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
