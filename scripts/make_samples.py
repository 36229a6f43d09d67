"""Regenerate the bundled sample PDFs in ``archive/sample/`` (what ``make run`` serves).

    python scripts/make_samples.py [--corpus ../shared/corpus]

The samples are the seed commentary (Prospect Foundation, 遠景論壇) in two
layouts' worth of metadata, plus a handful of Cofacts replies (CC0 1.0,
written by Cofacts volunteer editors) laid out as commentary, so that facets,
dates, both scripts and search have something real to show.  The output is
committed; this script documents how it was made.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pdfgen import commentary_pdf, seed_pdf  # noqa: E402

OUT = ROOT / "archive" / "sample"
TOPICS = ("兩岸", "中國", "美國", "台灣", "选举", "選舉", "疫苗", "空污", "能源", "年金")


def paragraphs_of(text: str) -> list[str]:
    paras = []
    for line in text.split("\n"):
        line = re.sub(r"https?://\S+", "", line).strip()
        cjk = sum(1 for ch in line if "\u4e00" <= ch <= "\u9fff")
        if len(line) >= 40 and cjk / len(line) > 0.6:
            paras.append(line)
    return paras


def pick(corpus: Path, n: int) -> list[dict]:
    chosen, seen = [], set()
    with open(corpus / "docs.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if d["source"] != "cofacts":
                continue
            paras = paragraphs_of(d["text"])
            key = paras[0][:30] if paras else ""
            if len(paras) >= 3 and key not in seen and any(t in d["text"] for t in TOPICS):
                seen.add(key)
                chosen.append({**d, "paragraphs": paras[:8]})
            if len(chosen) >= n:
                break
    return chosen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--count", type=int, default=7)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.pdf"):
        old.unlink()
    seed_pdf(OUT / "prospect-forum-apec-2023.pdf", layout="header")
    for i, d in enumerate(pick(args.corpus, args.count)):
        first = re.split(r"[。！？]", d["paragraphs"][0])[0]
        title = f"查核回應：{first[:24]}"
        commentary_pdf(
            OUT / f"cofacts-{i + 1:02d}.pdf",
            title=title,
            author="Cofacts 編輯",
            series="查核回應",
            foundation="Cofacts 真的假的",
            date=d["date"][:10],
            paragraphs=d["paragraphs"],
            page_size="A5" if i % 2 else "A4",
        )
    (OUT / "README.md").write_text(
        "Sample PDFs for `make run`, made by `scripts/make_samples.py`.\n\n"
        "- `prospect-forum-apec-2023.pdf`: the seed commentary of the Prospect Foundation "
        "(遠景論壇), laid out from its extracted text.\n"
        "- `cofacts-*.pdf`: replies by Cofacts volunteer editors, CC0 1.0 "
        "(cofacts/opendata), laid out as commentary.\n",
        encoding="utf-8",
    )
    for p in sorted(OUT.glob("*.pdf")):
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
