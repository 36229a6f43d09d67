"""Search benchmark: recall/precision per script, latency, build rate and size per engine, vs the scan floor.

    .venv/bin/python bench/search_bench.py --corpus ../shared/corpus --docs 10000 [--queries 500]
        [--engine whoosh,tantivy] [--no-baseline] [--scale 0]

Engines: each of ``--engine`` is built from the same documents and asked the same queries;
the truth is the scan's.  Per engine: recall/precision per script, p50/p95/p99 of the full
search (totals, facets, 10 hits with passages) and, apart, of the same search without
passages and their difference (the passages step, cut from the stored documents in the
original script whatever the engine), build chars/s, index size / raw text.  The scan floor
is the brute-force scan's own time per query (what an index must beat).

Documents: ``--docs`` synthetic commentary-length documents (see bench/corpus.py).
Queries: ``--queries`` base queries sampled from those documents — jieba words,
three-character words (mostly names), random 2–4-character CJK substrings and
Latin tokens — each run in its Traditional form and in its Simplified form
(OpenCC ``t2s``), so 2 × ``--queries`` runs per system.
Truth: a brute-force scan, after the same normalisation, of exactly the texts a plain
query searches — every block and the title/author/foundation/series values, as
:func:`archive.index.field_values` hands them to the index — each text on its own (no
match spans two blocks or fields).  The normalisation is the analyser's:
:func:`archive.analysis.fold` (NFKC, look-alikes, casefold, per-character t2s), then
whitespace between two CJK characters removed, because the analyser joins a CJK run
across whitespace (a PDF line break) and across nothing else; Latin/digit queries
must not be glued to further letters/digits (the analyser's words).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import analysis  # noqa: E402
from bench.corpus import DEFAULT_CORPUS, load_corpus, synthetic_documents  # noqa: E402

CJK = analysis.CJK_CLASS
_CJK_WS = re.compile(rf"(?<=[{CJK}])\s+(?=[{CJK}])")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]{1,}")
_RUN = re.compile(rf"[{CJK}]{{4,}}")


def truth_text(text: str) -> str:
    return _CJK_WS.sub("", analysis.fold(text))


def searched_texts(doc) -> list[str]:  # noqa: ANN001
    """The texts a plain (unfielded) query is matched against, as the index receives them."""
    from archive.index import TEXT_FIELDS, field_values

    f = field_values(doc, with_words=False)  # the texts only (no jieba: minutes at 100k)
    return list(f["body"]) + [v for name in TEXT_FIELDS for v in f.get(name, [])]


def sample_queries(docs: list, n: int, seed: int) -> list[tuple[str, str]]:
    """``(kind, query)`` in Traditional (as written in the corpus)."""
    import jieba

    rng = random.Random(seed)
    blocks = [b.text for d in docs for b in d.blocks]
    out: set[tuple[str, str]] = set()
    kinds = ["word", "name", "substring", "latin"]
    tries = 0
    while len(out) < n and tries < n * 200:
        tries += 1
        kind = kinds[len(out) % 4]
        text = rng.choice(blocks)
        if kind in ("word", "name"):
            words = [w for w in jieba.cut(text, HMM=False) if re.fullmatch(rf"[{CJK}]+", w)]
            words = [w for w in words if (len(w) == 3 if kind == "name" else len(w) >= 2)]
            if words:
                out.add((kind, rng.choice(words)))
        elif kind == "substring":
            runs = _RUN.findall(text)
            if runs:
                r = rng.choice(runs)
                k = rng.randint(2, 4)
                i = rng.randint(0, len(r) - k)
                out.add((kind, r[i : i + k]))
        else:
            toks = _LATIN.findall(text)
            if toks:
                out.add((kind, rng.choice(toks)))
    return sorted(out)


def to_simplified(qs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    import opencc

    cc = opencc.OpenCC("t2s")
    return [(k, cc.convert(q)) for k, q in qs]


class Truth:
    """All documents' searched texts in one string (``\x00`` between texts, ``\x01`` between
    documents), so a query is one C-speed scan instead of one per document."""

    def __init__(self, docs_truth: list[tuple[str, str]]) -> None:
        from itertools import accumulate

        self.ids = [i for i, _t in docs_truth]
        self.text = "\x01".join(t for _i, t in docs_truth)
        self.starts = [0, *accumulate(len(t) + 1 for _i, t in docs_truth)][:-1]

    def ids_of(self, q: str, latin: bool) -> set[str]:
        import bisect

        f = truth_text(q)
        if not f:
            return set()
        text = self.text
        glued = re.compile(rf"[^\W_{CJK}]")  # a letter/digit that would extend a Latin word

        def scan():  # noqa: ANN202
            i = text.find(f)
            while i >= 0:
                j = i + len(f)
                if not latin or not ((i > 0 and glued.match(text, i - 1))
                                     or (j < len(text) and glued.match(text, j))):
                    yield i
                i = text.find(f, i + 1)

        hits = scan()
        return {self.ids[bisect.bisect_right(self.starts, h) - 1] for h in hits}


def pr(found: set[str], truth: set[str]) -> tuple[int, int, int]:
    return len(found & truth), len(found), len(truth)


def dir_size(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


class Source:
    def __init__(self, docs: list) -> None:
        self.d = {x.doc_id: x for x in docs}

    def get_document(self, doc_id: str):  # noqa: ANN201
        return self.d.get(doc_id)


def run_ours(engine: str, docs, workdir: Path, queries, truths, raw_chars, raw_bytes, workers,
             reuse: Path | None = None):
    from archive.index import engine_class
    from archive.search import match_ids

    cls = engine_class(engine)
    if reuse is not None:  # iterate on query-side changes without rebuilding
        index = cls(reuse if reuse.name == engine or reuse.is_symlink() else reuse / engine)
        build_s = float("nan")
    else:
        index = cls(workdir / engine)
        t = time.perf_counter()
        index.rebuild(docs, workers=workers)
        build_s = time.perf_counter() - t
    size = dir_size(index.live_dir())
    source = Source(docs)
    stats = {}
    misses = []
    for script, qs in queries.items():
        tp = nf = nt = 0
        for (_kind, q), truth in zip(qs, truths[script], strict=True):
            found = match_ids(index, f'"{q}"')
            a, b, c = pr(found, truth)
            tp, nf, nt = tp + a, nf + b, nt + c
            if found != truth:
                misses.append((script, q, sorted(found - truth)[:3], sorted(truth - found)[:3]))
        stats[script] = (tp / max(1, nt), tp / max(1, nf))
    for script, q, fp, fn in misses[:10]:
        print(f"  miss [{script}] {q!r}: found but not in truth {fp}; in truth but not found {fn}")
    lat, bare, step = latencies(index, source, queries)
    return {"build_s": build_s, "chars_s": raw_chars / build_s, "size": size,
            "size_ratio": size / raw_bytes, "stats": stats, "index": index,
            "p50": statistics.median(lat), "p95": pct(lat, 0.95), "p99": pct(lat, 0.99),
            "bare": (statistics.median(bare), pct(bare, 0.95), pct(bare, 0.99)),
            "step": (statistics.median(step), pct(step, 0.95), pct(step, 0.99))}


def bridge_cost(index, queries, truths) -> None:  # noqa: ANN001
    """The same queries with the vocabulary bridge on (as the search page runs them): the
    truth is still the query's own text, so documents found only through a bridged form
    (川普 for 特朗普) count against precision. This is the bridge's precision cost."""
    from archive.query import parse
    from archive.search import match_ids

    for script, qs in queries.items():
        tp = nf = nt = bridged = 0
        for (_kind, q), truth in zip(qs, truths[script], strict=True):
            if parse(f'"{q}"').also_searched:
                bridged += 1
            found = match_ids(index, f'"{q}"', bridge=True)
            a, b, c = pr(found, truth)
            tp, nf, nt = tp + a, nf + b, nt + c
        print(f"  with the vocabulary bridge [{script}]: recall {tp / max(1, nt):.2%}, precision "
              f"{tp / max(1, nf):.2%} ({bridged} of {len(qs)} queries bridged)")


def latencies(index, source, queries) -> tuple[list[float], list[float], list[float]]:  # noqa: ANN001
    """Milliseconds per query of a full ``search()`` (totals, facets, 10 hits with their
    passages), of the same search without passages (``max_passages=0``), and of the passages
    step itself (``passages_and_counts`` on the full search's hits, timed alone), on a warm
    searcher (one warm-up query).  The two searches alternate which goes first, so neither
    is always the one that finds the engine's caches warm (a difference of the two would
    count that warming as passages: on Whoosh at 100k it did, tenfold)."""
    from archive.highlights import _matchers, passages_and_counts
    from archive.query import parse, positive_terms
    from archive.search import search

    first = next(iter(queries.values()))[0][1]
    search(index, source, first, per_page=10)
    lat, bare, step = [], [], []
    i = 0
    for qs in queries.values():
        for _k, q in qs:
            for full in ((True, False) if i % 2 == 0 else (False, True)):
                t = time.perf_counter()
                r = search(index, source, q, per_page=10, max_passages=3 if full else 0)
                (lat if full else bare).append((time.perf_counter() - t) * 1000)
            i += 1
            matchers = _matchers(positive_terms(parse(q).node))
            t = time.perf_counter()
            for h in r["hits"]:
                passages_and_counts(source.get_document(h["id"]), matchers, 3)
            step.append((time.perf_counter() - t) * 1000)
    return lat, bare, step


def scan_floor(truth, queries) -> list[float]:  # noqa: ANN001
    """Milliseconds per query of the brute-force scan (the truth: one C-speed ``str.find``
    pass over every searched text, no index): the floor an index must beat."""
    lat = []
    for qs in queries.values():
        for kind, q in qs:
            t = time.perf_counter()
            truth.ids_of(q, kind == "latin")
            lat.append((time.perf_counter() - t) * 1000)
    return lat


def replicated(index, times: int, workdir: Path):  # noqa: ANN001, ANN201
    """A proxy for an index ``times`` as large: the same segment files listed ``times`` times
    in one table of contents (so every posting list, match set and facet count is ``times``
    longer; a real build of that size writes about as many segments of this size)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC
    from whoosh.index import open_dir as whoosh_open

    from archive.index import SearchIndex

    src = index.live_dir()
    dst = workdir / f"x{times}"
    dst.mkdir()
    for f in src.iterdir():
        if f.name.startswith("MAIN_") or f.name == "SCHEMA_VERSION":
            (dst / f.name).symlink_to(f)
    toc = whoosh_open(str(src))._read_toc()
    TOC(toc.schema, list(toc.segments) * times, toc.generation + 1).write(FileStorage(str(dst)), "MAIN")
    return SearchIndex(dst)


def run_baseline(docs, workdir: Path, queries, truths, raw_chars, raw_bytes):
    """jieba's ChineseAnalyzer on the raw text, queries ANDed by Whoosh's QueryParser."""
    import logging

    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as wi
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import QueryParser

    jieba.setLogLevel(logging.WARNING)
    schema = Schema(doc_id=ID(stored=True, unique=True), body=TEXT(analyzer=ChineseAnalyzer()))
    d = workdir / "baseline"
    d.mkdir()
    ix = wi.create_in(str(d), schema)
    t = time.perf_counter()
    w = ix.writer(limitmb=256)
    for doc in docs:
        w.add_document(doc_id=doc.doc_id, body="\n".join(b.text for b in doc.blocks))
    w.commit()
    build_s = time.perf_counter() - t
    size = dir_size(d)
    s = ix.searcher()
    qp = QueryParser("body", schema)
    stats = {}
    lat = []
    for script, qs in queries.items():
        tp = nf = nt = 0
        for (_k, q), truth in zip(qs, truths[script], strict=True):
            t = time.perf_counter()
            query = qp.parse(q)
            found = {s.stored_fields(n)["doc_id"] for n in s.docs_for_query(query)}
            s.search(query, limit=10)
            lat.append((time.perf_counter() - t) * 1000)
            a, b, c = pr(found, truth)
            tp, nf, nt = tp + a, nf + b, nt + c
        stats[script] = (tp / max(1, nt), tp / max(1, nf))
    return {"build_s": build_s, "chars_s": raw_chars / build_s, "size": size,
            "size_ratio": size / raw_bytes, "stats": stats,
            "p50": statistics.median(lat), "p95": pct(lat, 0.95)}


def report(name: str, r: dict) -> None:
    print(f"== {name}")
    for script, (rec, prec) in r["stats"].items():
        print(f"  {script:12s} recall {rec * 100:7.3f}%   precision {prec * 100:7.3f}%")
    print(f"  latency      p50 {r['p50']:.1f} ms   p95 {r['p95']:.1f} ms"
          + (f"   p99 {r['p99']:.1f} ms  (full search: totals, facets, 10 hits with passages)"
             if "p99" in r else ""))
    if "bare" in r:
        print("  without passages   p50 {:.1f} ms   p95 {:.1f} ms   p99 {:.1f} ms".format(*r["bare"]))
        print("  passages step      p50 {:.1f} ms   p95 {:.1f} ms   p99 {:.1f} ms  (timed alone, "
              "on the full search's hits)".format(*r["step"]))
    if r["build_s"] == r["build_s"]:  # not NaN: built in this run
        print(f"  build        {r['chars_s']:,.0f} chars/s ({r['build_s']:.1f} s)")
    else:
        print("  build        (index reused: not built in this run)")
    print(f"  index size   {r['size'] / 1e6:.1f} MB = {r['size_ratio']:.2f}x raw text (UTF-8 bytes)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=500, help="base queries (each run in 2 scripts)")
    ap.add_argument("--no-baseline", dest="baseline", action="store_false",
                    help="skip the baseline (jieba ChineseAnalyzer), which runs by default")
    ap.add_argument("--engine", type=lambda v: [e for e in v.split(",") if e], default=["whoosh", "tantivy"],
                    help="engines to build and measure, comma-separated (default: whoosh,tantivy)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scale", type=int, default=10,
                    help="also time ours on a proxy index this many times larger (0: skip)")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--index", type=Path, default=None,
                    help="reuse this index path (one --engine), or a directory holding one index "
                         "per engine named after it (a previous run's --workdir); built from "
                         "the same --docs/--seed")
    args = ap.parse_args()

    rows = load_corpus(args.corpus)
    docs = list(synthetic_documents(rows, args.docs, seed=args.seed))
    raw_chars = sum(len(b.text) for d in docs for b in d.blocks)
    raw_bytes = sum(len(b.text.encode()) for d in docs for b in d.blocks)
    print(f"corpus {args.corpus}: {len(docs)} synthetic documents, {raw_chars:,} chars, "
          f"{raw_bytes / 1e6:.1f} MB; mean {raw_chars / len(docs):.0f} chars/doc; "
          f"load avg {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    trad = sample_queries(docs, args.queries, args.seed)
    queries = {"Traditional": trad, "Simplified": to_simplified(trad)}
    kinds = {k: sum(1 for kk, _ in trad if kk == k) for k in ("word", "name", "substring", "latin")}
    print(f"queries: {len(trad)} base x 2 scripts; kinds {kinds}")
    docs_truth = [(d.doc_id, "\x00".join(truth_text(t) for t in searched_texts(d))) for d in docs]
    truth = Truth(docs_truth)
    truths = {s: [truth.ids_of(q, k == "latin") for k, q in qs] for s, qs in queries.items()}
    mean_truth = statistics.mean(len(t) for t in truths["Traditional"])
    print(f"truth: mean {mean_truth:.1f} matching documents per query")

    t = time.perf_counter()
    floor = scan_floor(truth, queries)
    print(f"== scan floor (brute-force scan of the folded texts, no index): p50 "
          f"{statistics.median(floor):.1f} ms   p95 {pct(floor, 0.95):.1f} ms   p99 "
          f"{pct(floor, 0.99):.1f} ms  ({time.perf_counter() - t:.1f} s)")

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        for engine in args.engine:
            r = results[engine] = run_ours(engine, docs, workdir, queries, truths, raw_chars,
                                           raw_bytes, args.workers, args.index)
            report(f"{engine} (fold + CJK bigrams{' + words' if _words(r['index']) else ''})", r)
            print(f"  vs the scan floor: p95 x{pct(floor, 0.95) / r['p95']:.1f} faster, "
                  f"p50 x{statistics.median(floor) / r['p50']:.1f}")
            bridge_cost(r["index"], queries, truths)
            if engine == "whoosh" and args.scale > 1:
                big = replicated(r["index"], args.scale, workdir)
                lat, _bare, _step = latencies(big, Source(docs), queries)
                print(f"  latency at {args.scale * len(docs):,} documents (proxy: segments listed "
                      f"{args.scale}x): p50 {statistics.median(lat):.1f} ms   p95 {pct(lat, 0.95):.1f} ms")
        if len(results) > 1:
            names = list(results)
            a, b = results[names[1]], results[names[0]]
            print(f"== {names[1]} / {names[0]}: p95 x{a['p95'] / b['p95']:.2f}   p50 "
                  f"x{a['p50'] / b['p50']:.2f}   build rate x{a['chars_s'] / b['chars_s']:.2f}   "
                  f"size x{a['size'] / b['size']:.2f}")
        ours = results[args.engine[0]]
        if args.baseline:
            base = run_baseline(docs, workdir, queries, truths, raw_chars, raw_bytes)
            report("baseline (jieba ChineseAnalyzer on raw text)", base)
            print(f"== {args.engine[0]} / baseline")
            for script in queries:
                print(f"  {script:12s} recall x{ours['stats'][script][0] / max(1e-9, base['stats'][script][0]):.2f}"
                      f"   precision x{ours['stats'][script][1] / max(1e-9, base['stats'][script][1]):.2f}")
            print(f"  p95 latency x{ours['p95'] / base['p95']:.2f}   build rate "
                  f"x{ours['chars_s'] / base['chars_s']:.2f}   size x{ours['size'] / base['size']:.2f}")
        print("== targets (whoosh): recall >= 99.9%, precision >= 99.5% per script; p95 <= 50 ms at 10k docs;"
              " size <= 6x; build >= 150k chars/s; p95 <= 300 ms at 100k docs")
        print("== targets (tantivy, at 100k docs): recall >= 99.9%, precision >= 99.5% per script;"
              " full search p95 <= 20 ms and >= 30x faster than the scan floor; size <= 1.5x;"
              " build >= 400k chars/s")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _words(index) -> bool:  # noqa: ANN001
    """Whether the index has the jieba word field (Tantivy's is off by default)."""
    return bool(index.view().has_words)


if __name__ == "__main__":
    main()
