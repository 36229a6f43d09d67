"""Tantivy behind the seam: :class:`TantivyIndex`, the index object of ``index_engine = "tantivy"``.

What it owns and why: the Tantivy schema, a document → Tantivy fields (from the same
:func:`archive.index.documents.field_values` the Whoosh writers use, so there is one mapping
and one analysis), the rebuild with its tokenising worker processes, the incremental writer,
and reading (:class:`~archive.index.tantivy_view.TantivyView`).  The directory scheme is the
Whoosh index's (:class:`~archive.index.directory.IndexDirectory`: the ``index`` symlink to a
generation directory, swapped with one rename, the lock, the version file naming the engine,
the seal), so ``archive reindex`` swaps either engine in atomically.

Pre-tokenised text, no second tokenizer: every text field holds, per block, the tokens of
:func:`archive.analysis.bigram_tokens` joined by single spaces and indexed with Tantivy's
``whitespace`` tokenizer.  ``bigram_tokens`` gives exactly one token per position, in order
(bigrams, a run's last character, Latin/digit words), so the whitespace tokenizer's positions
0, 1, 2 … are the analyser's positions.  Each block is a separate value of the field; Tantivy
leaves a position gap between values, so no phrase spans two blocks (what Whoosh's
``BLOCK_GAP`` ensures; ``tests/search`` checks it on both engines).  The ranking field
``words`` holds jieba's words (frequencies only), when :data:`WORDS` says so.  Facets are ``<facet>_key`` (the folded key,
for filters) and ``<facet>_facet`` (``key`` + ``\\x1f`` + display value, a fast field for terms
aggregations).  Dates are two fast u64 fields (:func:`date_code`), for date clauses and sorts,
and ``period`` (the date's ``YYYY-MM``, :func:`archive.timeline.period`), a fast field whose
terms aggregation is the query's timeline: a few hundred buckets rather than one per day.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

import tantivy

from archive import analysis
from archive.models import Document
from archive.timeline import period
from ingest.child import ChildProcess

from .directory import IndexDirectory, _seal
from .documents import field_values
from .engine import NO_DATE
from .errors import IndexError_, IndexMissingError
from .evaluate import FIELD_WEIGHTS
from .schema import FACET_FIELDS, FACET_SEP, SCHEMA_VERSION, TEXT_FIELDS, USE_WORDS, VERSION_FILE

ENGINE = "tantivy"
#: The Tantivy layout's own version, after the analysis's (``SCHEMA_VERSION``): bump when
#: the fields below change.
LAYOUT_VERSION = 3

#: How many times each metadata field's tokens are repeated in ``body`` (each copy its own
#: value, so no phrase spans two): :data:`archive.index.evaluate.FIELD_WEIGHTS` rounded.
#: Why: Tantivy scores each field by its own BM25 and sums them, so a document naming a term
#: once in its short title outranked one discussing it throughout (DRCD title check 0/100);
#: weighted copies in one field give the frequencies one saturation, the classic
#: approximation of BM25F (Robertson, Zaragoza & Taylor 2004) that the Whoosh path computes.
BODY_COPIES = {name: max(1, round(w)) for name, w in FIELD_WEIGHTS.items() if name in TEXT_FIELDS}

#: Separates a facet value's key from its display form in ``<facet>_facet``.
KEY_SEP = "\x1f"
FACET_NAMES = FACET_FIELDS  # author, foundation, series, year

#: Whether the Tantivy index has the jieba word field (the ranking bonus, and the key words
#: "related documents" matches on).  Off unless ``ARCHIVE_TANTIVY_WORDS=1`` (and the Whoosh
#: switch ``ARCHIVE_INDEX_WORDS`` is not 0).  Why: jieba is four fifths of the build's time
#: and the field a third of the index (bench at 3,000 documents: 147k chars/s and 1.89x raw
#: with it, 692k chars/s and 1.31x without); Tantivy ranks by its own BM25 anyway, and
#: related documents then use the stored text's bigrams (archive.search's path for an index
#: without the word field).
WORDS = USE_WORDS and os.environ.get("ARCHIVE_TANTIVY_WORDS", "0") == "1"

#: What the version file must say (the word field is part of the layout: an index built
#: with the other setting is rebuilt).
VERSION = f"{SCHEMA_VERSION}.{LAYOUT_VERSION}{'w' if WORDS else ''}"

#: Writer memory: Tantivy flushes a segment when a thread's share is full.
WRITER_HEAP = 256_000_000
INCREMENTAL_HEAP = 32_000_000

# --------------------------------------------------------------------------
# Dates as order-preserving integers

#: The characters of ISO dates and times, in code point order.  A date string maps to a
#: number in base ``_BASE`` over its first :data:`DATE_CHARS` characters: a member of the
#: alphabet to its own even digit, any other character to the odd digit between its
#: neighbours, the end of the string to 0.  So comparing the numbers compares the strings
#: as Python does (exactly for ISO dates and times; monotonically for anything else; a date
#: differs from Whoosh's string comparison only past 12 characters or after a non-ISO one),
#: which is what the Whoosh path's string comparisons of date clauses and sorts do.
_ALPHABET = "+-.0123456789:TZ"
_BASE = 2 * len(_ALPHABET) + 3
DATE_CHARS = 12
_TOP = _BASE - 1  # the digit of "anything after": an open upper end
DATE_MAX = _BASE ** DATE_CHARS


def _digit(c: str) -> int:
    import bisect

    i = bisect.bisect_left(_ALPHABET, c)
    if i < len(_ALPHABET) and _ALPHABET[i] == c:
        return 2 + 2 * i
    return 1 + 2 * i


def date_code(value: str, *, upper: bool = False) -> int:
    """``value``'s number (see above); ``upper``: the largest number of any string that
    starts with ``value`` (a date clause's upper end ``hi + "\uffff"``).  After the first
    character outside the alphabet the rest is not encoded (0s, or the top digit for an
    upper end): two such characters share a digit, so what follows them must not decide."""
    n = 0
    cut = False
    for i in range(DATE_CHARS):
        if cut or i >= len(value):
            d = _TOP if upper else 0
        else:
            d = _digit(value[i])
            cut = d % 2 == 1
        n = n * _BASE + d
    return n


# --------------------------------------------------------------------------
# The schema and a document's fields


def make_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("meta", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in FACET_NAMES:
        sb.add_text_field(name + "_key", tokenizer_name="raw", index_option="basic")
        sb.add_text_field(name + "_facet", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_unsigned_field("date_ord", indexed=True, fast=True)
    sb.add_unsigned_field("date_rev", fast=True)
    sb.add_text_field("period", tokenizer_name="raw", index_option="basic", fast=True)
    if WORDS:
        sb.add_text_field("words", tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field("keys", stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def token_stream(text: str) -> str:
    """One block as the space-joined token stream of :func:`archive.analysis.bigram_tokens`."""
    return " ".join(t for t, _p in analysis.bigram_tokens(analysis.fold(text)))


def prepared(doc: Document) -> dict[str, Any]:
    """A document's Tantivy field values (plain data: made in worker processes)."""
    f = field_values(doc, with_words=WORDS)
    out: dict[str, Any] = {"doc_id": doc.doc_id, "meta": f["meta"]}
    out["body"] = [token_stream(t) for t in f["body"]]
    for name in TEXT_FIELDS:
        if name in f:
            out[name] = [token_stream(v) for v in f[name]]
            out["body"].extend(v for v in out[name] for _ in range(BODY_COPIES.get(name, 0)))
    for name in FACET_NAMES[:3]:
        raw = f.get("_stored_" + name + "_key")
        vals = [v for v in raw.split(FACET_SEP) if v] if raw else []
        if vals:
            out[name + "_key"] = list(f[name + "_key"])
            out[name + "_facet"] = [analysis.keyword(v) + KEY_SEP + v for v in vals]
    year = f.get("_stored_year") or NO_DATE
    out["year_key"] = [year]
    out["year_facet"] = [year + KEY_SEP + year]
    date = f.get("_stored_date") or ""
    code = date_code(date) if date else 0
    out["date_ord"] = code
    out["date_rev"] = DATE_MAX - code if date else 0
    out["period"] = period(date) or NO_DATE
    if "words" in f:
        out["words"] = " ".join(w for w, n in f["words"].items() for _ in range(n))
        out["keys"] = f["_stored_keys"]
    return out


def _document(values: dict[str, Any], schema: tantivy.Schema) -> tantivy.Document:
    return tantivy.Document.from_dict(values, schema)


# --------------------------------------------------------------------------
# Tokenising workers (the rebuild's CPU time is the analysis, in Python)


def serve(conn: Any) -> None:
    """A rebuild worker (:class:`ingest.child.ChildProcess`, the archive's one child-process
    protocol): batches of documents on ``conn`` until ``None``; for each, ``("ok", [the
    :func:`prepared` values])`` back; then ``None``.  Pickle is safe here: both ends are the
    archive's own code, and the documents are stored records, not PDFs."""
    try:
        while (batch := conn.recv()) is not None:
            conn.send(("ok", [prepared(d) for d in batch]))
    except BaseException as e:  # reported to the parent, which raises
        conn.send(("error", f"{type(e).__name__}: {e}"))
    conn.send(None)


def _prepared_stream(docs: Iterable[Document], workers: int, add: Any, batch: int = 32) -> int:
    """Prepare ``docs`` in ``workers`` fresh interpreters (:class:`ingest.child.ChildProcess`;
    not forks: the caller may be a threaded web server) and hand each result to ``add``
    (serialised by a lock)."""
    it = iter(docs)
    if workers <= 1:
        n = 0
        for doc in it:
            add(prepared(doc))
            n += 1
        return n
    procs = [ChildProcess("archive.index.tantivy_index:serve") for _ in range(workers)]
    take, put = threading.Lock(), threading.Lock()
    errors: list[BaseException | str] = []
    counts = [0] * workers

    def feed(p: ChildProcess) -> None:
        try:
            while not errors:
                with take:
                    b = list(islice(it, batch))
                if not b:
                    break
                p.conn.send(b)
            p.conn.send(None)
        except OSError:
            pass  # the worker died; its reader says why
        except BaseException as e:  # the documents' iterator failed
            errors.append(e)
            with contextlib.suppress(OSError):
                p.conn.send(None)

    def read(i: int, p: ChildProcess) -> None:
        try:
            while (msg := p.conn.recv()) is not None:
                status, body = msg
                if status != "ok":
                    errors.append(f"index build failed in a worker: {body}")
                    return
                with put:
                    for values in body:
                        add(values)
                counts[i] += len(body)
        except (EOFError, OSError):
            errors.append(f"index build failed: a worker exited with {p.process.wait()}")
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=feed, args=(p,), daemon=True) for p in procs]
    threads += [threading.Thread(target=read, args=(i, p), daemon=True) for i, p in enumerate(procs)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for p in procs:
            p.stop()
    if errors:
        e = errors[0]
        raise e if isinstance(e, BaseException) else IndexError_(e)
    return sum(counts)


# --------------------------------------------------------------------------
# The index object


class TantivyIndex(IndexDirectory):
    """The Tantivy index at ``path``: the same contract as :class:`archive.index.SearchIndex`."""

    engine = ENGINE
    schema_version = VERSION

    def __init__(self, path: Path | str, *, lock_timeout: float = 10.0,
                 check_version: bool = True, create: bool = True) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.tschema = make_schema()
        self._reader_lock = threading.Lock()
        self._reader: tuple[Any, ...] | None = None  # (target, stamp, index, view)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if check_version and self.path.is_symlink() and not self.path.exists():
            raise IndexMissingError(
                f"the search index link {self.path.name} points to a missing directory "
                f"({os.readlink(self.path)}): run archive reindex")
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

    # -- the directory's engine-specific parts --------------------------------------------
    def _create_in(self, d: Path) -> None:
        ix = tantivy.Index(self.tschema, path=str(d))
        w = ix.writer(heap_size=INCREMENTAL_HEAP, num_threads=1)
        w.commit()
        w.wait_merging_threads()
        self._write_version(d)
        _seal(d, rehash=_mutable)

    def _has_index_files(self, d: Path) -> bool:
        return (d / "meta.json").is_file()

    def _read_through(self, d: Path) -> list[str]:
        try:
            ix = tantivy.Index.open(str(d))
            s = ix.searcher()
            res = s.search(tantivy.Query.all_query(), limit=max(1, s.num_docs), count=True)
            for _score, addr in res.hits:
                s.doc(addr)
        except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises is the finding
            return [f"reading the index failed: {type(exc).__name__}: {exc}"[:300]]
        return []

    def _seal_live(self) -> None:
        _seal(self.live_dir(), rehash=_mutable)

    @classmethod
    def rebuild_at(cls, path: Path | str, docs: Iterable[Document], **kwargs: Any) -> int:
        """Rebuild the index at ``path`` whatever state it is in (old schema, other engine)."""
        return cls(path, check_version=False).rebuild(docs, **kwargs)

    # -- reading ------------------------------------------------------------------------
    def _open(self) -> tuple[Any, ...]:
        """The open index and its view, reopened when the link or the last commit changed."""
        target = os.readlink(self.path) if self.path.is_symlink() else str(self.path)
        d = self.live_dir()
        try:
            st = (d / "meta.json").stat()
        except FileNotFoundError:
            self._check_version(d)
            raise
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._reader_lock:
            cur = self._reader
            if cur is not None and cur[0] == target and cur[1] == stamp:
                return cur
            from .tantivy_view import TantivyView

            self._check_version(d)
            if cur is not None and cur[0] == target:
                ix = cur[2]
                ix.reload()
            else:
                ix = tantivy.Index.open(str(d))
                ix.config_reader(reload_policy="manual")
                ix.reload()
            self._reader = (target, stamp, ix, TantivyView(ix.searcher(), ix.schema))
            return self._reader

    def view(self) -> Any:
        """The view of the index for :mod:`archive.search`: the same until the index changes."""
        return self._open()[3]

    def doc_ids(self) -> set[str]:
        return set(self.doc_versions())

    def has_document(self, doc_id: str) -> bool:
        return self.view().docnum_of(doc_id) is not None

    def doc_versions(self) -> dict[str, int | None]:
        v = self.view()
        out: dict[str, int | None] = {}
        for d in v.all_docnums():
            doc = v.document(d)
            out[doc.get_first("doc_id")] = json.loads(doc.get_first("meta") or "{}").get("version")
        return out

    def doc_count(self) -> int:
        return self.view().doc_count()

    # -- writing ------------------------------------------------------------------------
    def add_document(self, doc: Document) -> None:
        self.add_documents([doc])

    def add_documents(self, docs: Iterable[Document]) -> int:
        """Add or replace (by ``doc_id``) documents; returns how many were written."""
        with self._lock():
            ix = tantivy.Index.open(str(self.live_dir()))
            w = ix.writer(heap_size=INCREMENTAL_HEAP, num_threads=1)
            n = 0
            try:
                for doc in docs:
                    w.delete_documents_by_term("doc_id", doc.doc_id)
                    w.add_document(_document(prepared(doc), self.tschema))
                    n += 1
            except BaseException:
                w.rollback()
                w.wait_merging_threads()
                raise
            w.commit()
            w.wait_merging_threads()
            self._seal_live()
            return n

    def remove_document(self, doc_id: str) -> None:
        with self._lock():
            ix = tantivy.Index.open(str(self.live_dir()))
            w = ix.writer(heap_size=INCREMENTAL_HEAP, num_threads=1)
            w.delete_documents_by_term("doc_id", doc_id)
            w.commit()
            w.wait_merging_threads()
            self._seal_live()

    def rebuild(self, docs: Iterable[Document], *, workers: int | None = None) -> int:
        """Build a fresh index from ``docs`` next to the live one and swap it in atomically
        (a failure leaves the live index untouched and removes the half-built one)."""
        with self._lock():
            new = self._new_dir()
            try:
                ix = tantivy.Index(self.tschema, path=str(new))
                workers = workers if workers is not None else min(2, os.cpu_count() or 1)
                w = ix.writer(heap_size=WRITER_HEAP, num_threads=max(1, min(2, os.cpu_count() or 1)))
                schema = self.tschema
                try:
                    n = _prepared_stream(docs, workers, lambda v: w.add_document(_document(v, schema)))
                except BaseException:
                    w.rollback()
                    w.wait_merging_threads()
                    raise
                w.commit()
                w.wait_merging_threads()
                self._write_version(new)
                _seal(new, rehash=_mutable)
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            old = self.live_dir() if self.path.exists() else None
            self._point_to(new)
            self._cleanup({new.resolve()} | ({old} if old else set()))
            return n


def _mutable(name: str) -> bool:
    """Tantivy rewrites its meta file at every commit (segment files never change)."""
    return name.endswith(".json")


__all__ = ["DATE_MAX", "ENGINE", "KEY_SEP", "TantivyIndex", "VERSION", "VERSION_FILE",
           "date_code", "make_schema", "prepared", "token_stream"]
