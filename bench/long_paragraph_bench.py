"""Ingest time of one unbroken paragraph 50/100/200/400 pages long: is the time per page flat?

Usage: python bench/long_paragraph_bench.py [--pages 50 100 200 400] [--repeat 3] [--font ming]

Builds, with tests/pdfgen, A4 PDFs of a title and one paragraph (the seed's text repeated,
1,700 characters a page, so the paragraph runs the whole document), then times
``ingest.extract_document`` on each (in-process, best of ``--repeat`` runs taken in
interleaved rounds: the machine is shared), and prints seconds, seconds per page, and each
size's time per page against the smallest's, measured in the same run, in wall-clock time and
in this process's CPU time (steadier when other work shares the cores):

    400 pages: 1.05x the per-page time of 50 (CPU time: 1.02x)

Issue 10, item 7 measured 4.7/8.9/27.7/92.8 s for 50/100/200/400 pages (quadratic: the paragraph
was rebuilt with ``text = join(text, line)`` and a caption search over the whole text per line).
Linear work gives about 1.0x.  Not a test (tests/ingest/test_ingest_long_paragraph.py is the
test: it counts work, not seconds).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest import extract_document  # noqa: E402
from tests import pdfgen  # noqa: E402

#: About one A4 page of the commentary layout's body text (40 lines of 42 ideographs).
CHARS_PER_PAGE = 1700


def one_paragraph_pdf(path: Path, pages: int, font: str = "ming") -> bytes:
    """A title and one unbroken paragraph running ``pages`` A4 pages."""
    seed = "".join(pdfgen.seed_content()["paragraphs"])
    chars = pages * CHARS_PER_PAGE
    text = (seed * (chars // len(seed) + 1))[:chars]
    return pdfgen.commentary_pdf(path, title="長段落測試", paragraphs=[text], font=font).read_bytes()


def best_times(datas: dict[int, bytes], repeat: int) -> dict[int, tuple[float, float, int, int]]:
    """Best wall and CPU seconds of ``repeat`` ingests of each PDF, in interleaved rounds (a load
    that comes and goes on the shared machine hits every size alike); with the page count and
    block count."""
    best: dict[int, tuple[float, float, int, int]] = {}
    for _ in range(repeat):
        for pages, data in datas.items():
            wall, cpu = time.perf_counter(), time.process_time()
            doc = extract_document(data)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if pages in best:
                wall, cpu = min(wall, best[pages][0]), min(cpu, best[pages][1])
            best[pages] = (wall, cpu, doc.page_count, len(doc.blocks))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[50, 100, 200, 400])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--font", default="ming", choices=sorted(pdfgen.FONTS))
    args = parser.parse_args()
    sizes = sorted(set(args.pages))
    with tempfile.TemporaryDirectory() as tmp:
        datas = {}
        for pages in sizes:
            started = time.perf_counter()
            datas[pages] = one_paragraph_pdf(Path(tmp) / f"p{pages}.pdf", pages, args.font)
            print(f"built {pages} pages ({len(datas[pages]) / 1e6:.1f} MB) in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
        per_page: dict[int, tuple[float, float]] = {}
        best = best_times(datas, args.repeat)
        for pages in sizes:
            wall, cpu, page_count, blocks = best[pages]
            per_page[pages] = (wall / page_count, cpu / page_count)
            print(f"{pages:5d} pages ({page_count} in the PDF, {blocks} blocks): {wall:7.2f} s "
                  f"({1000 * wall / page_count:5.1f} ms a page); CPU {cpu:7.2f} s "
                  f"({1000 * cpu / page_count:5.1f} ms a page)", flush=True)
    first = sizes[0]
    print()
    for pages in sizes[1:]:
        wall, cpu = (per_page[pages][i] / per_page[first][i] for i in (0, 1))
        print(f"{pages} pages: {wall:.2f}x the per-page time of {first} (CPU time: {cpu:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
