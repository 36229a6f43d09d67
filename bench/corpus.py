"""Loading the shared corpus and synthesising commentary-length documents (bench only).

The corpus documents are short (median 258 characters); policy commentary runs
to about 2,400.  A synthetic document is made by drawing corpus *paragraphs*
(texts split at blank lines / newlines, pieces of ≥ 20 characters) with a
seeded RNG and appending them, each as its own paragraph block, until the
document reaches a length drawn uniformly from 1,600–3,200 characters.  Its
title is a random corpus title (or the first 20 characters of its first
paragraph), its date a random corpus date, and its author, foundation and
series are drawn from small fixed pools so that facets have realistic counts.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

from archive.models import Block, Document, Field

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"

AUTHORS = ["李明峻", "王美琇", "陳重生", "林宗弘", "張國城", "吳介民", "董立文", "賴怡忠",
           "范世平", "黃清賢", "蔡明彥", "劉世忠"]
FOUNDATIONS = ["新台灣國策智庫", "台灣智庫", "遠景基金會", "國防安全研究院"]
SERIES = ["遠景論壇", "國策評論", "戰略觀察", "兩岸要聞", "亞太焦點"]


def load_corpus(corpus: Path) -> list[dict]:
    """The corpus documents as dicts (``id``, ``source``, ``title``, ``text``, ``date``)."""
    with open(corpus / "docs.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus_documents(rows: list[dict]) -> list[Document]:
    """The corpus as-is: one document per row, one paragraph block per line group."""
    out = []
    for r in rows:
        paras = [p for p in r["text"].split("\n\n") if p.strip()] or [r["text"]]
        out.append(_doc(r["id"], paras, r.get("title") or "", r.get("date") or "", {}))
    return out


def synthetic_documents(rows: list[dict], n: int, seed: int = 1) -> Iterator[Document]:
    """``n`` commentary-length documents assembled from corpus paragraphs (see module doc)."""
    rng = random.Random(seed)
    paras = [p.strip() for r in rows for p in r["text"].split("\n") if len(p.strip()) >= 20]
    titles = [r["title"] for r in rows if r.get("title")]
    dates = [r["date"] for r in rows if r.get("date")]
    for i in range(n):
        target = rng.randint(1600, 3200)
        chosen: list[str] = []
        total = 0
        while total < target:
            p = rng.choice(paras)
            chosen.append(p)
            total += len(p)
        title = rng.choice(titles) if titles and rng.random() < 0.5 else chosen[0][:20]
        extra = {"author": rng.choice(AUTHORS), "foundation": rng.choice(FOUNDATIONS),
                 "series": rng.choice(SERIES)}
        yield _doc(f"syn{i:06d}", chosen, title, rng.choice(dates) if dates else "", extra)


def _doc(doc_id: str, paras: list[str], title: str, date: str, extra: dict[str, str]) -> Document:
    meta = {"title": Field(title, "text")} if title else {}
    if date:
        meta["date"] = Field(date, "text")
    for k, v in extra.items():
        meta[k] = Field(v, "inferred")
    blocks = [Block("paragraph", p, [1 + j // 4], id=f"{doc_id}-{j}") for j, p in enumerate(paras)]
    return Document(sha256="0" * 64, size=0, page_count=1 + (len(paras) - 1) // 4, blocks=blocks,
                    metadata=meta, doc_id=doc_id)
