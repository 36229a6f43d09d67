"""Names and terms across mainland and Taiwan usage: does one form find the other's documents?

    python bench/names_bench.py --corpus ../shared/corpus [--pairs 300]

The pair list is built from the published tables, not by hand: every entry of
MediaWiki's ``zh2TW`` table (mainland → Taiwan, as the ``zhconv`` package ships it),
every ``zh2CN`` entry read backwards, and OpenCC's ``TWPhrases``; pairs whose two forms
fold to one text (a script difference, which folding already bridges) are dropped, and
so are pairs neither of whose forms occurs in the corpus (their recall cannot be
measured).  Up to ``--pairs`` of the rest are taken in a fixed order.

The corpus (its real documents, one per row) is indexed as the archive indexes; each
pair's truth is every document whose folded text contains either form.  For each form,
with the bridge on and off, the benchmark reports recall of that truth, and the
precision cost: the share of the bridged results that contain neither form (a pair
that is not really one word in two vocabularies shows up there).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from corpus import DEFAULT_CORPUS, corpus_documents, load_corpus  # noqa: E402

from archive import analysis, vocabulary  # noqa: E402


def pairs_from_tables() -> list[tuple[str, str]]:
    """(mainland form, Taiwan form) from the tables, in a fixed order."""
    tables = vocabulary._zhconv_tables()
    out: dict[tuple[str, str], None] = {}
    for a, b in sorted((tables.get("zh2TW") or {}).items()):
        out[(a, b)] = None
    for a, b in sorted((tables.get("zh2CN") or {}).items()):
        out[(b, a)] = None
    d = analysis.opencc_dictionary_dir()
    for line in (d / "TWPhrases.txt").read_text(encoding="utf-8").splitlines():
        key, _, vals = line.partition("\t")
        for v in vals.split():
            out[(key, v)] = None
    return [(m, t) for m, t in out if len(analysis.fold(m)) >= 2 and analysis.fold(m) != analysis.fold(t)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--pairs", type=int, default=300)
    args = ap.parse_args()

    from archive.index import SearchIndex
    from archive.search import match_ids

    rows = load_corpus(args.corpus)
    docs = corpus_documents(rows)
    folded = {d.doc_id: analysis.fold("\n".join(b.text for b in d.blocks)) for d in docs}
    candidates = pairs_from_tables()
    measurable = []
    for m, t in candidates:
        fm, ft = analysis.fold(m), analysis.fold(t)
        truth = {i for i, text in folded.items() if fm in text or ft in text}
        with_m = {i for i, text in folded.items() if fm in text}
        with_t = {i for i, text in folded.items() if ft in text}
        if with_t and truth:  # the Taiwan form is used in the corpus: the mainland form must find it
            measurable.append((m, t, truth, with_m, with_t))
    chosen = measurable[: args.pairs]
    print(f"pairs: {len(candidates)} in the tables (folding differs), {len(measurable)} whose Taiwan "
          f"form occurs in the corpus's {len(docs)} documents; measuring {len(chosen)}")
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp) / "ix")
        index.rebuild(docs, workers=1)
        stats = {k: [0, 0, 0] for k in ("mainland off", "mainland on", "taiwan off", "taiwan on")}
        examples = []
        for m, t, truth, _with_m, _with_t in chosen:
            for side, form in (("mainland", m), ("taiwan", t)):
                for bridge in (False, True):
                    found = match_ids(index, form, bridge=bridge)
                    s = stats[f"{side} {'on' if bridge else 'off'}"]
                    s[0] += len(found & truth)
                    s[1] += len(truth)
                    s[2] += len(found - truth)
                    if side == "mainland" and bridge and len(found & truth) < len(truth) and len(examples) < 8:
                        examples.append((m, t, len(found & truth), len(truth)))
    print(f"{'query form':<14} {'bridge':<7} {'recall':>8} {'found outside truth':>20}")
    for key, (hit, total, outside) in stats.items():
        side, bridge = key.split()
        print(f"{side:<14} {bridge:<7} {hit / max(1, total):8.1%} {outside:>20}")
    on, off = stats["mainland on"], stats["mainland off"]
    print(f"the mainland form's recall of the pair's documents: {off[0] / max(1, off[1]):.1%} without the "
          f"bridge → {on[0] / max(1, on[1]):.1%} with it")
    for m, t, got, total in examples:
        print(f"  short: {m} → {t}: {got}/{total}")


if __name__ == "__main__":
    main()
