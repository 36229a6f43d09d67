"""What a document or passage page pays for its citations (Chicago, APA, GB/T 7714).

    python bench/cite_bench.py [--docs 60] [--rounds 3]

Every document and passage page, and their JSON twins, carry the reference in three styles,
rendered by citeproc-py from the CSL files.  The baseline is citeproc-py on its own as the
archive first used it: three renders per style (with the version, without it, without the
access date: what the style leaves out is added in words) and citeproc's own XPath lookups.
Ours is :func:`archive.cite.render_all`: the memoised lookups of
:mod:`archive.cite.citeproc_fixes`, one probe per shape of item, and the LRU of rendered
entries, measured both on a first view (LRU emptied) and on a repeat view.  Both sides render
the same references of synthetic commentaries (bench/corpus.py: authors, institutions,
series and dates drawn from pools), alternating round by round on the same machine, and the
texts are compared: a speed-up that changed a citation would be reported as a failure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.cite import citeproc_fixes, from_document, render_all, styles  # noqa: E402
from bench.corpus import DEFAULT_CORPUS, load_corpus, synthetic_documents  # noqa: E402


def baseline(ref) -> list[str]:  # noqa: ANN001
    """citeproc-py alone: three renders per style, no memo (the fixes removed by the caller)."""
    out = []
    for spec in styles.STYLES.values():
        locale = spec.locale or styles.locale_for(ref.language)
        item = styles.csl_item(ref)

        text = _once(item, spec.file, locale)
        if _once(styles._without(item, "version"), spec.file, locale) == text:
            text = f"{text} {styles._version_note(ref, locale)}"
        if _once(styles._without(item, "accessed"), spec.file, locale) == text:
            text = f"{text} {styles._access_note(ref, locale)}"
        out.append(styles._NUMBER.sub("", text, count=1))
    return out


def _once(item: dict, file: str, locale: str) -> str:
    """One entry by the undecorated renderer (no LRU)."""
    return styles._rendered.__wrapped__(json.dumps(item, ensure_ascii=False, sort_keys=True), file, locale)


def ours(ref) -> list[str]:  # noqa: ANN001
    return [c["text"] for c in render_all(ref)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    docs = list(synthetic_documents(load_corpus(args.corpus), args.docs, seed=3))
    accessed = date(2026, 12, 3)
    refs = []
    for i, d in enumerate(docs):
        d.version = 1 + i % 4
        refs.append(from_document(d, url=f"https://archive.example/d/{d.doc_id}", accessed=accessed))
        refs.append(from_document(d, url=f"https://archive.example/p/{d.blocks[0].id}", accessed=accessed,
                                  block=d.blocks[0]))
    ours(refs[0])  # styles parsed once, for both sides
    times: dict[str, list[float]] = {"citeproc-py alone": [], "ours, first view": [], "ours, repeat view": []}
    same = True
    for _ in range(args.rounds):
        citeproc_fixes.remove()
        t = time.perf_counter()
        expected = [baseline(r) for r in refs]
        times["citeproc-py alone"].append((time.perf_counter() - t) * 1000 / len(refs))
        citeproc_fixes.apply()
        styles._rendered.cache_clear()
        styles._PRINTS.clear()
        t = time.perf_counter()
        got = [ours(r) for r in refs]
        times["ours, first view"].append((time.perf_counter() - t) * 1000 / len(refs))
        t = time.perf_counter()
        again = [ours(r) for r in refs]
        times["ours, repeat view"].append((time.perf_counter() - t) * 1000 / len(refs))
        same = same and got == expected and again == expected
    base = statistics.median(times["citeproc-py alone"])
    print(f"{len(refs)} references ({len(docs)} documents and a passage of each), 3 styles, "
          f"{args.rounds} rounds alternating; median ms per page's citations:")
    for name, xs in times.items():
        m = statistics.median(xs)
        print(f"  {name:20s} {m:8.2f} ms   x{base / m:6.1f} faster than citeproc-py alone")
    print(f"citations identical to citeproc-py alone: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
