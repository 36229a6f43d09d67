"""Ingest throughput in pages/s, against bare pypdf extract_text over the same files.

Usage: python bench/ingest_bench.py [--count 40] [--font ming]

Generates ``count`` commentary PDFs (~3 pages each) with tests/pdfgen, then
times, in one run:

1. bare ``pypdf`` ``extract_text`` of every page (the baseline);
2. ``extract_document`` in-process (PDF to Document, ready to store);
3. ``Archive(tmp).ingest_files(files, jobs=1)`` end to end — PDF to stored,
   indexed document through the archive's sandbox pool — and the same with
   indexing left out (extraction + store only);
4. the same end to end with ``jobs=2``, and its speed-up over ``jobs=1``.

Every measurement is the best of five runs (the machine is shared).  Each archive is fresh and its pool is warmed on one extra file first (a child
interpreter starts once, ~0.3 s, then serves every file).

The target is about one core, so the first three lines run pinned to one CPU
(``sched_setaffinity``; the pool's children inherit it): there, wall time is
CPU time and nothing runs beside the measured work.  Unpinned, the parent's
storing and the child's extraction overlap on the two vCPUs and each runs
slower than alone (they share the host's cores), which inflates CPU time
without saying anything about the work.  The last lines run on every core:
``jobs=1`` against ``jobs=2`` shows that a batch uses both.  Target: PDF to
stored document at most 1.5x bare on one core.  Not a test.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402

from archive.service import Archive  # noqa: E402
from ingest import extract_document  # noqa: E402
from tests import pdfgen  # noqa: E402


class _StoreOnly(Archive):
    """An archive that stores but does not index: isolates extraction + store."""

    def _index_document(self, doc) -> list[str]:  # noqa: ANN001 - single-file path
        return []

    def _flush_index(self, batch):  # noqa: ANN001, ANN202 - batch path: report, index nothing
        for out, _doc in batch:
            yield out


def make_batch(folder: Path, count: int, font: str) -> list[Path]:
    """``count`` different commentaries of about three A4 pages, from the seed's sentences."""
    seed = pdfgen.seed_content()
    sentences = [s + "。" for p in seed["paragraphs"] for s in p.split("。") if s]
    rng = random.Random(7)
    batch = []
    for i in range(count):
        paragraphs = ["".join(rng.sample(sentences, 4)) for _ in range(9)]
        batch.append(pdfgen.commentary_pdf(
            folder / f"doc{i:03d}.pdf", title=f"{seed['title']}（{i}）", author=seed["author"],
            affiliation=seed["affiliation"], series=seed["series"], running_header=seed["series"],
            paragraphs=paragraphs, headings={3: "美國的首要目標", 6: "APEC 領袖峰會後的轉變"},
            foundation=seed["foundation"], address=seed["address"], phone=seed["phone"],
            page_numbers="{n}", font=font,
        ))
    return batch


def bare(data: bytes) -> int:
    reader = pypdf.PdfReader(io.BytesIO(data))
    for page in reader.pages:
        page.extract_text()
    return len(reader.pages)


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_of(pids: set[int]) -> float:
    """CPU seconds used so far by these live processes (from /proc)."""
    total = 0.0
    tick = float(os.sysconf("SC_CLK_TCK"))
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


class Report:
    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.base: float | None = None

    def line(self, label: str, wall: float, cpu: float) -> None:
        ratio = f"  {cpu / self.base:5.2f}x bare" if self.base else ""
        print(f"{label:44} {wall:7.2f} s wall {cpu:7.2f} s cpu {self.pages / wall:7.1f} pages/s{ratio}")


#: Each measurement is repeated and the best (least disturbed) run reported: the machine is shared.
REPEAT = 5


def in_process(label: str, fn: Callable[[bytes], object], datas: list[bytes], report: Report) -> float:
    runs = []
    for _ in range(REPEAT):
        cpu0, started = _cpu_self(), time.perf_counter()
        for data in datas:
            fn(data)
        runs.append((time.perf_counter() - started, _cpu_self() - cpu0))
    wall, cpu = min(runs, key=lambda r: r[1])
    report.line(label, wall, cpu)
    return cpu


def through_archive(label: str, cls: type[Archive], files: list[Path], warm: Path, jobs: int,
                    report: Report) -> float:
    """Ingest ``files`` into fresh archives with ``jobs`` extraction processes (best of
    ``REPEAT``); return the wall time."""
    runs = []
    for _ in range(REPEAT):
        with tempfile.TemporaryDirectory() as tmp:
            archive = cls(Path(tmp) / "instance")
            try:
                list(archive.ingest_files([warm] * jobs, jobs=jobs))  # start the pool's children
                children = {w.process.pid for w in archive._extractor()._all}
                cpu0, kids0, started = _cpu_self(), _cpu_of(children), time.perf_counter()
                outcomes = list(archive.ingest_files(files, jobs=jobs))
                wall = time.perf_counter() - started
                later = {w.process.pid for w in archive._extractor()._all} - children
                cpu = _cpu_self() - cpu0 + _cpu_of(children) - kids0 + _cpu_of(later)
            finally:
                archive.close()
        failed = [o.line() for o in outcomes if o.status not in ("ingested", "updated")]
        if failed:
            raise SystemExit(f"{label}: not all ingested: {failed[:3]}")
        runs.append((wall, cpu))
    wall, cpu = min(runs, key=lambda r: r[0])
    report.line(label, wall, cpu)
    return wall


def pin(cpus: set[int]) -> None:
    """Run this process (and the children it starts from now on) on ``cpus`` only."""
    os.sched_setaffinity(0, cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--font", default="ming", choices=sorted(pdfgen.FONTS))
    args = parser.parse_args(argv)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        files = make_batch(Path(tmp), args.count + 1, args.font)
        generated = time.perf_counter() - started
        warm, files = files[-1], files[:-1]
        datas = [f.read_bytes() for f in files]
        pages = sum(len(pypdf.PdfReader(io.BytesIO(d)).pages) for d in datas)
        print(f"{len(files)} PDFs, {pages} pages, font {args.font} (generated in {generated:.1f} s)")
        report = Report(pages)
        every = os.sched_getaffinity(0)
        pin({min(every)})
        print(f"on one core (pinned to CPU {min(every)}):")
        bare(warm.read_bytes())  # imports and caches outside the timings
        extract_document(warm.read_bytes())
        report.base = in_process("bare pypdf extract_text", bare, datas, report)
        in_process("extract_document (in-process)", extract_document, datas, report)
        through_archive("PDF to stored document, jobs=1", _StoreOnly, files, warm, 1, report)
        print("target: PDF to stored document at most 1.5x bare on one core")
        pin(every)
        print(f"on every core ({len(every)}):")
        one = through_archive("PDF to stored document, jobs=1", _StoreOnly, files, warm, 1, report)
        two = through_archive(f"PDF to stored document, jobs={len(every)}", _StoreOnly, files, warm,
                              len(every), report)
        print(f"jobs={len(every)} speed-up over jobs=1 (wall): {one / two:.2f}x")
        print("with indexing (measured in the search benchmark; here for scale):")
        through_archive(f"PDF to stored and indexed, jobs={len(every)}", Archive, files, warm,
                        len(every), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
