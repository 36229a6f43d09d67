"""Ingest throughput in pages/s, against bare pypdf extract_text over the same files.

Usage: python bench/ingest_bench.py [--count 40] [--font ming]

Generates ``count`` commentary PDFs (~3 pages each) with tests/pdfgen, then
times, in one run:

1. bare ``pypdf`` ``extract_text`` of every page (the baseline);
2. ``extract_document`` in-process (PDF to Document, ready to store);
3. ``Archive(tmp).ingest_files(files, jobs=1)`` with indexing left out: PDF
   to stored document through the archive's sandboxed extraction pool;
4. the same with ``jobs=2``, its speed-up over ``jobs=1``, and (for scale)
   the same with indexing.

Every measurement is the best of five runs, taken in interleaved rounds (the
machine is shared).  Each archive is fresh and its pool is warmed first (a
child interpreter starts once, ~0.3 s, then serves every file).

The target is about one core, so the first three lines run pinned to one CPU
(``sched_setaffinity``; the pool's children inherit it): there, wall time is
CPU time and nothing runs beside the measured work.  Unpinned, the parent's
storing and the child's extraction overlap on the two vCPUs and each runs
slower than alone (they share the host's cores), which inflates CPU time
without saying anything about the work.  The last lines run on every core:
``jobs=1`` against ``jobs=2`` shows that a batch uses both.  Target: PDF to
stored document at most 2x bare on one core (the layout issue's bound, with glyph geometry).  Not a test.
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


class _NoIndex:
    """An index that takes documents and keeps none (the archive's writes go through
    ``archive.index``: one seam to cut, whichever path, single file or batch, is taken)."""

    def add_document(self, doc: object) -> None:
        pass

    def add_documents(self, docs: object) -> None:
        pass

    def has_document(self, doc_id: str) -> bool:
        return True

    def close(self) -> None:
        pass


class _StoreOnly(Archive):
    """An archive that stores but does not index: isolates extraction + store."""

    @property
    def index(self) -> _NoIndex:  # type: ignore[override]
        return _NoIndex()


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


def in_process(fn: Callable[[bytes], object], datas: list[bytes]) -> tuple[float, float]:
    """One pass of ``fn`` over every PDF: (wall, cpu) seconds."""
    cpu0, started = _cpu_self(), time.perf_counter()
    for data in datas:
        fn(data)
    return time.perf_counter() - started, _cpu_self() - cpu0


def through_archive(cls: type[Archive], files: list[Path], warm: Path, jobs: int) -> tuple[float, float]:
    """Ingest ``files`` into a fresh archive with ``jobs`` extraction processes: (wall, cpu)
    seconds, the cpu counting this process and the pool's children."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = cls(Path(tmp) / "instance")
        try:
            list(archive.ingest_files([warm] * jobs, jobs=jobs))  # start the pool's children
            children = {w.process.pid for w in archive.extractor()._all}
            cpu0, kids0, started = _cpu_self(), _cpu_of(children), time.perf_counter()
            outcomes = list(archive.ingest_files(files, jobs=jobs))
            wall = time.perf_counter() - started
            later = {w.process.pid for w in archive.extractor()._all} - children
            cpu = _cpu_self() - cpu0 + _cpu_of(children) - kids0 + _cpu_of(later)
        finally:
            archive.close()
    failed = [o.line() for o in outcomes if o.status not in ("ingested", "updated")]
    if failed:
        raise SystemExit(f"not all ingested: {failed[:3]}")
    return wall, cpu


def best_of(measures: dict[str, Callable[[], tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """Run every measure once per round, ``REPEAT`` rounds, and keep each one's fastest
    run: interleaving gives each the same share of whatever else the machine is doing."""
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in measures}
    for _ in range(REPEAT):
        for label, measure in measures.items():
            runs[label].append(measure())
    return {label: min(found) for label, found in runs.items()}


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
        core = max(every)
        pin({core})
        bare(warm.read_bytes())  # imports and caches outside the timings
        extract_document(warm.read_bytes())
        print(f"on one core (pinned to CPU {core}):")
        one_core = best_of({
            "bare pypdf extract_text": lambda: in_process(bare, datas),
            "extract_document (in-process)": lambda: in_process(extract_document, datas),
            "PDF to stored document, jobs=1": lambda: through_archive(_StoreOnly, files, warm, 1),
        })
        report.base = one_core["bare pypdf extract_text"][1]
        for label, (wall, cpu) in one_core.items():
            report.line(label, wall, cpu)
        print("target: PDF to stored document at most 2x bare on one core (glyph geometry included)")
        pin(every)
        jobs = len(every)
        print(f"on every core ({jobs}):")
        both = best_of({
            "PDF to stored document, jobs=1": lambda: through_archive(_StoreOnly, files, warm, 1),
            f"PDF to stored document, jobs={jobs}": lambda: through_archive(_StoreOnly, files, warm, jobs),
            f"PDF to stored and indexed, jobs={jobs}": lambda: through_archive(Archive, files, warm, jobs),
        })
        for label, (wall, cpu) in both.items():
            report.line(label, wall, cpu)
        one, many = (both[f"PDF to stored document, jobs={n}"][0] for n in (1, jobs))
        print(f"jobs={jobs} speed-up over jobs=1 (wall): {one / many:.2f}x"
              "   (indexing is measured in the search benchmark; here for scale)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
