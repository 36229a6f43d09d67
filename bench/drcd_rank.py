"""Ranking benchmark on DRCD dev: MRR@10 and recall@10 of each question's paragraph.

    .venv/bin/python bench/drcd_rank.py --corpus ../shared/corpus

Every paragraph is one document.  Each question is cut into jieba words (after
folding) and run as an OR query.  Systems compared in the same run, on the same
questions: ours (archive.search: each word matched exactly in the bigram field
and scored as one unit by BM25, plus the word field's BM25 as a bonus) and the
baseline, BM25 (Whoosh defaults B=0.75, K1=1.2) on a jieba word field alone.

``--engine whoosh,tantivy`` measures each engine's own order on the same questions
(Tantivy: its BM25 over one field holding the body and the metadata's weighted copies;
``ARCHIVE_TANTIVY_WORDS=1`` adds the word bonus).
Figures are reported on all questions and on two fixed halves (a seeded shuffle):
"tune", the half the parameters in archive.index were chosen on, and "held", the
other half, which played no part in choosing them.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import analysis  # noqa: E402
from archive.models import Block, Document  # noqa: E402
from bench.corpus import DEFAULT_CORPUS  # noqa: E402

_WORD = re.compile(rf"[{analysis.CJK_CLASS}]|[^\W_]")


def load(corpus: Path, limit: int | None):
    data = json.loads((corpus / "drcd_dev.json").read_text(encoding="utf-8"))
    docs, qs = [], []
    for art in data["data"]:
        for p in art["paragraphs"]:
            docs.append(Document(sha256="0" * 64, size=0, page_count=1,
                                 blocks=[Block("paragraph", p["context"], [1], id=f"p-{p['id']}")],
                                 doc_id=str(p["id"])))
            qs.extend((q["question"], str(p["id"])) for q in p["qas"])
    return docs, qs[:limit] if limit else qs


def or_query(question: str) -> list[str]:
    words = [w for w in analysis.word_tokens(analysis.fold(question)) if _WORD.match(w)]
    return list(dict.fromkeys(words))


def score(ranked: list[list[str]], gold: list[str], which: list[int] | None = None
          ) -> tuple[float, float]:
    which = list(range(len(gold))) if which is None else which
    mrr = rec = 0.0
    for i in which:
        r, g = ranked[i], gold[i]
        if g in r[:10]:
            mrr += 1 / (r.index(g) + 1)
            rec += 1
    return mrr / len(which), rec / len(which)


def halves(n: int, seed: int = 1) -> tuple[list[int], list[int]]:
    """The tuning half and the held-out half of question indexes 0..n-1 (fixed seed)."""
    import random

    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    return sorted(idx[: n // 2]), sorted(idx[n // 2 :])


def ours(docs, qs, workdir: Path, engine: str = "whoosh") -> list[list[str]]:
    from archive.index import engine_class
    from archive.search import search

    index = engine_class(engine)(workdir / f"ours-{engine}")
    index.rebuild(docs, workers=1)
    out = []
    for q, _g in qs:
        words = or_query(q)
        r = search(index, None, " OR ".join(f'"{w}"' for w in words), per_page=10,
                   bridge=False, max_passages=0)
        out.append([h["id"] for h in r["hits"]])
    return out


def baseline(docs, qs, workdir: Path) -> list[list[str]]:
    from whoosh import index as wi
    from whoosh import query as wq
    from whoosh import scoring
    from whoosh.fields import ID, KEYWORD, Schema

    schema = Schema(doc_id=ID(stored=True), words=KEYWORD(scorable=True))
    d = workdir / "bm25"
    d.mkdir()
    ix = wi.create_in(str(d), schema)
    w = ix.writer(limitmb=256)
    for doc in docs:
        toks = list(analysis.word_tokens(analysis.fold(doc.blocks[0].text)))
        w.add_document(doc_id=doc.doc_id, words=toks)
    w.commit()
    s = ix.searcher(weighting=scoring.BM25F())
    out = []
    for q, _g in qs:
        query = wq.Or([wq.Term("words", t) for t in or_query(q)])
        out.append([h["doc_id"] for h in s.search(query, limit=10)])
    return out


def title_against_body(docs, workdir: Path, n: int = 200, seed: int = 3, engine: str = "whoosh") -> None:
    """Documents that discuss a term throughout against a document that only names it in its
    title, and one that mentions it once in passing: for ``n`` terms drawn from the
    paragraphs, how often the search ranks them in that order (BM25F saturation at work)."""
    import random

    from archive.index import engine_class
    from archive.models import Field
    from archive.search import search

    rng = random.Random(seed)
    texts = [d.blocks[0].text for d in docs]
    terms: list[str] = []
    while len(terms) < n:
        t = rng.choice(texts)
        words = [w for w in analysis.word_tokens(t) if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w)]
        if words:
            w = rng.choice(words)
            if w not in terms:
                terms.append(w)
    ok_many = ok_passing = 0
    for k, term in enumerate(terms):
        others = [x for x in rng.sample(texts, 40) if term not in x][:8]
        if len(others) < 8:
            continue
        def doc(i: str, paras: list[str], title: str) -> Document:
            return Document(sha256="0" * 64, size=1, page_count=1,
                            blocks=[Block("paragraph", p, [1], id=f"{i}-{j}") for j, p in enumerate(paras)],
                            metadata={"title": Field(title, "text")}, doc_id=i)
        many = doc("many", [f"{term}。{p}" for p in others[:6]], "評論")
        title = doc("title", others[:6], f"{term}的觀察")
        passing = doc("passing", [f"{others[0]}{term}。"] + others[1:6], "評論")
        filler = [doc(f"f{j}", [others[j % 8]], "其他") for j in range(20)]
        index = engine_class(engine)(workdir / f"t-{engine}-{k}")
        index.rebuild([many, title, passing, *filler], workers=1)
        ranked = [h["id"] for h in search(index, None, term, per_page=5, bridge=False, max_passages=0)["hits"]]
        ok_many += ranked.index("many") < ranked.index("title")
        ok_passing += ranked.index("title") < ranked.index("passing")
        shutil.rmtree(workdir / f"t-{engine}-{k}", ignore_errors=True)
    print(f"title against body on {engine} ({len(terms)} terms): a document discussing the term in 6 paragraphs "
          f"ranks above one naming it only in its title {ok_many}/{len(terms)}; the title-only one above "
          f"a passing mention {ok_passing}/{len(terms)}")


def _tantivy_words() -> bool:
    """Whether the Tantivy index has the jieba word field (``ARCHIVE_TANTIVY_WORDS=1``)."""
    from archive.index.tantivy_index import WORDS

    return WORDS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--questions", type=int, default=None,
                    help="only a fixed sample of N questions (the first N of a seeded shuffle)")
    ap.add_argument("--title-terms", type=int, default=100,
                    help="terms for the title-against-body check")
    ap.add_argument("--engine", type=lambda v: [e for e in v.split(",") if e], default=["whoosh"],
                    help="index engines whose ranking to measure, comma-separated (whoosh,tantivy)")
    args = ap.parse_args()
    docs, qs = load(args.corpus, None)
    tune, held = halves(len(qs))
    if args.questions:
        keep = sorted(tune[: args.questions // 2] + held[: args.questions - args.questions // 2])
        tset = set(tune)
        qs = [qs[i] for i in keep]
        tune = [j for j, i in enumerate(keep) if i in tset]
        held = [j for j, i in enumerate(keep) if i not in tset]
    gold = [g for _q, g in qs]
    print(f"DRCD dev: {len(docs)} paragraphs, {len(qs)} questions (OR of jieba words); "
          f"tune half {len(tune)}, held-out half {len(held)}")
    workdir = Path(tempfile.mkdtemp(prefix="drcd-"))
    try:
        runs = []
        for engine in args.engine:
            t = time.perf_counter()
            runs.append((engine, ours(docs, qs, workdir, engine), time.perf_counter() - t))
        t = time.perf_counter()
        rb = baseline(docs, qs, workdir)
        tb = time.perf_counter() - t
        for engine in args.engine:
            title_against_body(docs, workdir, n=args.title_terms, engine=engine)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    from archive import index

    names = {"whoosh": "ours on whoosh (BM25F" + (" + word bonus)" if index.USE_WORDS else ", no words)"),
             "tantivy": "ours on tantivy (BM25, weighted copies"
                        + (" + word bonus)" if "tantivy" in args.engine and _tantivy_words() else ")")}
    print(f"{'':40s} {'all':>17s}   {'tune half':>17s}   {'held-out half':>17s}")
    rows = [(names.get(e, e), r, s) for e, r, s in runs] + [("baseline (BM25, word field alone)", rb, tb)]
    for label, ranked, secs in rows:
        cells = []
        for which in (None, tune, held):
            m, r = score(ranked, gold, which)
            cells.append(f"MRR@10 {m:.4f} R@10 {r:.4f}")
        print(f"{label:40s} " + "   ".join(cells) + f"   ({secs:.0f} s)")
    for engine, ra, _secs in runs:
        for label, which in (("all", None), ("tune", tune), ("held-out", held)):
            a, b = score(ra, gold, which), score(rb, gold, which)
            print(f"ratio ours on {engine}/baseline ({label}): MRR@10 x{a[0] / b[0]:.4f}"
                  f"  recall@10 x{a[1] / b[1]:.4f}")


if __name__ == "__main__":
    main()
