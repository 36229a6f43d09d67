"""Ingest throughput in pages/s, against bare pypdf extract_text over the same files.

Usage: python bench/ingest_bench.py [--count 40] [--jobs 2] [--font ming]

Generates ``count`` commentary PDFs (~3 pages each) with tests/pdfgen, then
times, on one core: bare ``pypdf`` ``extract_text`` of every page;
``extract_document`` in-process (PDF to Document, ready to store); and
``extract_in_subprocess`` (the same in the sandbox, as the store uses it);
then a batch through the sandbox with ``jobs`` processes.  Target: in-process
and sandboxed ingest at most 1.5x the bare extraction time.  Not a test.
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pdfgen  # noqa: E402
import pypdf  # noqa: E402

from ingest import extract_document  # noqa: E402
from ingest.sandbox import extract_in_subprocess  # noqa: E402


def make_batch(folder: Path, count: int, font: str) -> list[bytes]:
    """``count`` different commentaries of about three A4 pages, from the seed's sentences."""
    seed = pdfgen.seed_content()
    sentences = [s + "。" for p in seed["paragraphs"] for s in p.split("。") if s]
    rng = random.Random(7)
    batch = []
    for i in range(count):
        paragraphs = ["".join(rng.sample(sentences, 4)) for _ in range(9)]
        path = pdfgen.commentary_pdf(
            folder / f"doc{i}.pdf", title=f"{seed['title']}（{i}）", author=seed["author"],
            affiliation=seed["affiliation"], series=seed["series"], running_header=seed["series"],
            paragraphs=paragraphs, headings={3: "美國的首要目標", 6: "APEC 領袖峰會後的轉變"},
            foundation=seed["foundation"], address=seed["address"], phone=seed["phone"],
            page_numbers="{n}", font=font,
        )
        batch.append(path.read_bytes())
    return batch


def bare(data: bytes) -> int:
    reader = pypdf.PdfReader(io.BytesIO(data))
    for page in reader.pages:
        page.extract_text()
    return len(reader.pages)


def timed(label: str, fn, batch: list[bytes], pages: int, base: float | None) -> float:
    started = time.perf_counter()
    for data in batch:
        fn(data)
    elapsed = time.perf_counter() - started
    ratio = f"  {elapsed / base:.2f}x bare" if base else ""
    print(f"{label:34} {elapsed:7.2f} s  {pages / elapsed:7.1f} pages/s{ratio}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--font", default="ming", choices=sorted(pdfgen.FONTS))
    args = parser.parse_args(argv)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        batch = make_batch(Path(tmp), args.count, args.font)
        generated = time.perf_counter() - started
    pages = sum(len(pypdf.PdfReader(io.BytesIO(d)).pages) for d in batch)
    print(f"{len(batch)} PDFs, {pages} pages, font {args.font} (generated in {generated:.1f} s, "
          f"{generated / len(batch):.2f} s each)")
    extract_in_subprocess(batch[0])  # start the fork server outside the timings
    base = timed("bare pypdf extract_text", bare, batch, pages, None)
    timed("extract_document (in-process)", extract_document, batch, pages, base)
    timed("extract_in_subprocess (sandbox)", extract_in_subprocess, batch, pages, base)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(extract_in_subprocess, batch))
    elapsed = time.perf_counter() - started
    print(f"{'sandbox batch, ' + str(args.jobs) + ' processes':34} {elapsed:7.2f} s  {pages / elapsed:7.1f} pages/s"
          f"  {elapsed / base:.2f}x bare (one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
