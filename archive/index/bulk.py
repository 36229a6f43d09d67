"""The bulk writer behind :meth:`SearchIndex.rebuild` and its worker-process protocol.

What it owns and why: Whoosh's SegmentWriter sends every posting through a PostingPool
(a tuple per posting, sorted runs spilled to disk and heap-merged in Python) and then
through the field writer one call per posting.  A rebuild needs none of that: postings
are collected per term in memory (documents arrive in docnum order, so each list is
already sorted), terms are sorted once, and each posting list goes into the codec's
postings writer a block (128 postings) at a time.  The files are Whoosh's own W3
segment format.

Protocol: :func:`_bulk_build` starts ``workers`` children (the archive's one
child-process protocol, :class:`ingest.child.ChildProcess`) running :func:`serve`; each
receives pickled batches of documents on its socket until ``None`` and answers one
``("ok", segments, count)`` (or ``("error", message, 0)``).  Pickle is safe here: both
ends are the archive's own code, and the documents are stored records, not PDFs.  The
parent then writes one table of contents naming every worker's segments.
"""

from __future__ import annotations

import shutil
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.fields import Schema
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from archive.models import Document
from ingest.child import ChildProcess

from .documents import field_values
from .errors import IndexError_
from .schema import INLINE_LIMIT, PreTokenized, codec
from .whoosh_fixes import INLINE_FLAG, pack_inline

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
                    head = pack_head(INLINE_FLAG, sum(ws), len(ids),
                                     length_to_byte(min(ls)) if ls else 0,
                                     length_to_byte(max(ls)) if ls else 0, max(ws),
                                     ids[0], ids[-1])
                    tadd(fid + tb, head + pack_inline(ids, ws, tuple(c[2] for c in lst)))
                    continue
                fw.start_term(tb)
                for i in range(0, len(lst), limit):
                    if len(pw._ids) >= limit:
                        pw._write_block()
                    chunk = lst[i : i + limit] if len(lst) > limit else lst
                    ids = tuple(c[0] for c in chunk)
                    ws = tuple(float(c[1]) for c in chunk)
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
            w.add_document(**field_values(doc))
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


def serve(conn: Any, ixdir: str) -> None:
    """A rebuild worker (see :func:`_bulk_build`): batches of documents on ``conn`` until
    ``None``; then ``("ok", segments, count)`` back."""
    try:
        ix = whoosh_index.open_dir(ixdir)

        def batches() -> Iterator[list[Document]]:
            while (b := conn.recv()) is not None:
                yield b

        result: tuple[Any, ...] = ("ok", *_build_segments(ix, batches()))
    except BaseException as e:  # reported to the parent, which raises
        result = ("error", f"{type(e).__name__}: {e}", 0)
    conn.send(result)


def _bulk_build(d: Path, schema: Schema, docs: Iterable[Document], workers: int,
                batch: int = 32) -> int:
    """Fill the empty index in ``d`` from ``docs`` with ``workers`` processes (no merge:
    one or more segments per worker).

    Workers are fresh interpreters (:class:`ingest.child.ChildProcess`), not forks: the
    caller may be a threaded web server, and nothing of the caller's ``__main__`` is
    re-imported.  One feeder thread
    per worker pulls batches from ``docs`` (so a slow worker gets fewer) and pipes them in.
    """
    from itertools import islice

    from whoosh.index import TOC

    ix = whoosh_index.open_dir(str(d))
    it = iter(docs)
    if workers <= 1:
        segments, n = _build_segments(ix, iter(lambda: list(islice(it, batch)), []))
    else:
        procs = [ChildProcess("archive.index.bulk:serve", str(d)) for _ in range(workers)]
        lock = threading.Lock()
        errors: list[BaseException] = []

        def feed(p: ChildProcess) -> None:
            try:
                while not errors:
                    with lock:
                        b = list(islice(it, batch))
                    if not b:
                        break
                    p.conn.send(b)
                p.conn.send(None)
            except OSError:
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
                    status, segs, cnt = p.conn.recv()
                except (EOFError, OSError):
                    status, segs, cnt = "error", f"worker exited with {p.process.wait()}", 0
                if status != "ok":
                    raise IndexError_(f"index build failed in a worker: {segs}")
                segments.extend(segs)
                n += cnt
                p.process.wait()
        finally:
            for p in procs:
                p.stop()
    TOC(schema, segments, ix.latest_generation() + 1).write(ix.storage, ix.indexname)
    shutil.rmtree(d / f"{ix.indexname}.tmp", ignore_errors=True)
    return n
