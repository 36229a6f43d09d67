"""Audit running heads, feet and page numbers: found on the raw pages, looked for in what ingest keeps.

Usage: python scripts/header_audit.py PATH... [--share 50] [--password-for FILE=PW ...] [--verbose] [--json]

For each PDF (folders are searched for ``*.pdf``):

1. **The raw pages**, read with PDFium character by character (text and box), cut into lines
   where PDFium breaks them or where the baseline jumps; no rule of the product's header
   remover (``ingest.layout.strip_furniture``) is used.  A line is *running* when its text
   (NFKC, whitespace removed, digit runs and Chinese numerals standing as a word as ``#``, so
   "第 3 頁" and "第 4 頁", "書名　三" and "書名　四" are one) is
   printed on at least ``--share`` percent of the pages (two at least) at one height (within
   4 pt of the height it has on most of them), among the page's three highest or lowest lines
   on that many pages: running heads and feet and page numbers.  A text of digits and marks
   whose digits change from page to page is a page number; the same digits on every page (a
   code, a date) are running text.
2. **What ingest keeps**: the document :func:`ingest.extract_document` makes (the same
   extraction as ``archive ingest``, OCR included).
3. **Survival**: a running line that is text (not only digits and marks) survives in the
   body when the extracted blocks hold it more often than the raw pages print it away from
   its running place (the text may also be said in the body: those are not counted); a page
   number survives when a block is nothing but it.  The title is *contaminated* when it holds
   a running text and something else, and *taken from a running head* when it is one and
   page 1 does not print it anywhere but in the running place.

Prints one line per file and a summary; exits 1 when anything survives.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2 as pdfium  # noqa: E402

from ingest import IngestError, extract_document  # noqa: E402

#: Heights within this many points are "the same position".
TOLERANCE = 4.0
#: Longer lines are body text, never furniture.
MAX_RUNNING_CHARS = 80
_DIGITS = re.compile(r"\d+")
_HAN_NUMBER = re.compile(r"^[〇零一二三四五六七八九十百]{1,4}$")
#: What a running key is made of when it is a page number: digit runs and marks only.
_NUMBER_ONLY = re.compile(r"^(?:[#\W_頁页第共]|page|of|p\.)*$", re.IGNORECASE)
#: Lines at each end of a page (by height) where running heads and feet are printed.
EDGE = 3


def squeeze(text: str) -> str:
    """NFKC, whitespace removed: the form both sides are compared in."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def running_key(text: str) -> str:
    """Digit runs, and Chinese numerals standing as a word of their own (書名　三), as ``#``."""
    words = ["#" if _HAN_NUMBER.match(w) else w for w in unicodedata.normalize("NFKC", text).split()]
    return _DIGITS.sub("#", "".join(words))


def is_number_key(key: str) -> bool:
    return "#" in key and bool(_NUMBER_ONLY.match(key))


@dataclass
class RawLine:
    text: str
    page: int  # 0-based
    top: float  # from the page's top, in points


def page_raw_lines(page: Any, index: int) -> list[RawLine]:
    """One page's lines as PDFium reads its characters (no layout, no furniture rule)."""
    height = page.get_height()
    tp = page.get_textpage()
    n = tp.count_chars()
    text = tp.get_text_range()
    lines: list[RawLine] = []
    chars: list[str] = []
    tops: list[float] = []
    size = 0.0
    for i in range(n + 1):
        ch = "\n" if i == n else text[i] if len(text) == n else tp.get_text_range(i, 1)
        y: float | None = None
        if ch not in "\r\n":
            left, bottom, right, top = tp.get_charbox(i)
            if top > bottom and not ch.isspace():
                y = height - top
        # a new line where PDFium breaks one, or where the baseline jumps
        if chars and (ch in "\r\n" or (y is not None and tops and abs(y - tops[-1]) > max(size, 6.0))):
            if "".join(chars).strip():
                lines.append(RawLine("".join(chars).strip(), index, min(tops) if tops else 0.0))
            chars, tops = [], []
        if ch in "\r\n":
            continue
        if y is not None:
            tops.append(y)
            size = top - bottom
        chars.append(ch)
    tp.close()
    return lines


def raw_lines(pdf: Any) -> list[list[RawLine]]:
    """Every page's raw lines."""
    pages = []
    for index in range(len(pdf)):
        page = pdf[index]
        pages.append(page_raw_lines(page, index))
        page.close()
    return pages


def han_value(word: str) -> int:
    """1-999 written in Chinese numerals (三, 十二, 二十, 一〇五)."""
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
    if not any(c in word for c in "十百"):
        return int("".join(str(digits[c]) for c in word))
    total, current = 0, 0
    for c in word:
        if c in digits:
            current = digits[c]
        else:
            total += (current or 1) * (10 if c == "十" else 100)
            current = 0
    return total + current


def numbers(text: str) -> list[int]:
    """The numbers a line prints, in order: digit runs and Chinese numerals standing as a word."""
    out: list[int] = []
    for word in unicodedata.normalize("NFKC", text).split():
        if _HAN_NUMBER.match(word):
            out.append(han_value(word))
        else:
            out.extend(int(d) for d in _DIGITS.findall(word))
    return out


def numbers_fit(key: str, texts: dict[int, str]) -> bool:
    """Whether a line's numbers are what running text prints: none; the same on every page
    (a code or a date, three digits at least or beside words of its own); or one that goes
    up with the page (a page number).  List marks and exam options (1., (D) 11.) do neither."""
    seqs = {p: numbers(t) for p, t in texts.items()}
    if not any(seqs.values()):
        return True
    if len({tuple(v) for v in seqs.values()}) == 1:
        words = re.sub(r"[#\W_]", "", key)
        return len(words) >= 2 or sum(len(str(x)) for x in next(iter(seqs.values()))) >= 3
    shortest = min(len(v) for v in seqs.values())
    return any(len({v[i] - p for p, v in seqs.items()}) == 1 for i in range(shortest))


@dataclass
class Running:
    key: str
    top: float
    pages: list[int]
    texts: dict[int, str]  # page → the text printed there

    @property
    def number(self) -> bool:
        """A page number: digits and marks only, and not the same digits on every page (a
        code or a date printed on each page is running text)."""
        return is_number_key(self.key) and len({squeeze(t) for t in self.texts.values()}) > 1

    def sample(self) -> str:
        return next(iter(self.texts.values()))


def find_running(pages: list[list[RawLine]], share: float) -> tuple[list[Running], set[tuple[int, int]]]:
    """The running lines, and (page, line index) of every instance of them."""
    n = len(pages)
    need = max(2, -(-share * n // 100))
    by_key: dict[str, list[tuple[int, int, RawLine]]] = defaultdict(list)
    edge: set[tuple[int, int]] = set()  # (page, line) among the page's first or last lines by height
    for p, lines in enumerate(pages):
        order = sorted(range(len(lines)), key=lambda i: lines[i].top)
        edge |= {(p, i) for i in order[:EDGE] + order[-EDGE:]}
        for i, line in enumerate(lines):
            key = running_key(line.text)
            if key and len(key) <= MAX_RUNNING_CHARS:
                by_key[key].append((p, i, line))
    found: list[Running] = []
    where: set[tuple[int, int]] = set()
    for key, seen in by_key.items():
        if len({p for p, _, _ in seen}) < need:
            continue
        # each height (4-pt bins, neighbours joined) at which enough pages print it
        bins: dict[int, set[int]] = defaultdict(set)
        for p, _, line in seen:
            bins[round(line.top / TOLERANCE)].add(p)
        taken: list[int] = []
        for b in sorted(bins, key=lambda b: (-len(bins[b]), b)):
            if any(abs(b - t) <= 2 for t in taken):
                continue
            near = [(p, i, line) for p, i, line in seen if abs(line.top / TOLERANCE - b) <= 1.5]
            pages_at = sorted({p for p, _, _ in near})
            # a running head or foot: at the page's edge on most of the pages that print it there
            at_edge = {p for p, i, _ in near if (p, i) in edge}
            if len(pages_at) < need or len(at_edge) < need:
                continue
            texts: dict[int, str] = {}
            for p, _, line in near:
                texts.setdefault(p, line.text)
            if not numbers_fit(key, texts):
                continue
            taken.append(b)
            where.update((p, i) for p, i, _ in near)
            centre = statistics.median_low([round(line.top) for _, _, line in near])
            found.append(Running(key, float(centre), pages_at, texts))
    return sorted(found, key=lambda r: (r.top, r.key)), where


@dataclass
class Report:
    file: str
    pages: int = 0
    running: list[dict[str, Any]] = field(default_factory=list)
    survived_body: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    title_problem: str = ""
    error: str = ""

    @property
    def bad(self) -> bool:
        return bool(self.survived_body or self.title_problem)

    def line(self) -> str:
        if self.error:
            return f"{self.file}: skipped: {self.error}"
        heads = len(self.running)
        numbers = sum(1 for r in self.running if r["page_number"])
        out = f"{self.file}: {self.pages} pages, {heads} running line(s) ({numbers} page-number)"
        if not self.bad:
            return out + ", none survives"
        parts = [f"{s['count']}× {s['text']!r} in the body" for s in self.survived_body]
        if self.title_problem:
            parts.append(f"title {self.title_problem}: {self.title!r}")
        return out + ", SURVIVES: " + "; ".join(parts)


def audit(path: Path, share: float, password: str | None = None) -> Report:
    report = Report(path.name)
    data = path.read_bytes()
    try:
        pdf = pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        report.error = f"PDFium cannot open it ({exc})"
        return report
    try:
        pages = raw_lines(pdf)
    finally:
        pdf.close()
    report.pages = len(pages)
    try:
        doc = extract_document(data, password=password, filename=path.name)
    except IngestError as exc:
        report.error = f"ingest refuses it ({exc})"
        return report
    running, where = find_running(pages, share)
    blocks = [b for b in doc.blocks if b.type != "title" and b.text]
    body = [squeeze(b.text) for b in blocks]
    joined = "\n".join(body)
    elsewhere = "\n".join(squeeze(line.text) for p, lines in enumerate(pages)
                          for i, line in enumerate(lines) if (p, i) not in where)
    report.title = doc.title or ""
    for r in running:
        report.running.append({"text": r.sample(), "key": r.key, "top": r.top, "pages": len(r.pages),
                               "page_number": r.number})
        if r.number:  # blocks that are nothing but their page's number, beyond the same number
            count = 0  # printed elsewhere on that page at a line's start or end (a note's mark)
            for p, text in r.texts.items():
                number = squeeze(text)
                shown = sum(1 for b in blocks if p + 1 in b.pages and squeeze(b.text) == number)
                alone = re.compile(rf"^{re.escape(number)}(?!\d)|(?<!\d){re.escape(number)}$")
                printed = sum(1 for i, line in enumerate(pages[p])
                              if (p, i) not in where and alone.search(squeeze(line.text)))
                count += max(0, shown - printed)
        else:
            count = 0
            for text in sorted({squeeze(t) for t in r.texts.values()}):
                if len(text) >= 2:
                    count += max(0, joined.count(text) - elsewhere.count(text))
        if count:
            report.survived_body.append({"text": r.sample(), "count": count})
        # the title, compared by key: page 1 prints its own page's number in a running head
        title_key = running_key(doc.title or "")
        if not r.number and title_key and len(r.key.replace("#", "")) >= 2 and r.key in title_key:
            if title_key != r.key:
                report.title_problem = "contaminated by a running head"
            elif r.key not in "\n".join(running_key(line.text) for i, line in enumerate(pages[0])
                                         if (0, i) not in where):
                report.title_problem = "taken from a running head"
    return report


def pdfs(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(p.rglob("*.pdf")) if p.is_dir() else [p])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--share", type=float, default=50.0,
                    help="percent of the pages a line must be printed on, at one height (default 50)")
    ap.add_argument("--password-for", action="append", default=[], metavar="FILE=PW")
    ap.add_argument("--verbose", "-v", action="store_true", help="list each file's running lines")
    ap.add_argument("--json", action="store_true", help="one JSON object per file")
    args = ap.parse_args(argv)
    passwords = dict(item.split("=", 1) for item in args.password_for if "=" in item)
    reports = []
    for path in pdfs(args.paths):
        report = audit(path, args.share, passwords.get(path.name))
        reports.append(report)
        if args.json:
            print(json.dumps(report.__dict__, ensure_ascii=False))
            continue
        print(report.line())
        if args.verbose:
            for r in report.running:
                kind = "page number" if r["page_number"] else "running"
                print(f"    {kind} at {r['top']:.0f} pt on {r['pages']} pages: {r['text']!r}")
    tally = Counter("skipped" if r.error else "survives" if r.bad else "clean" for r in reports)
    lines = sum(len(r.running) for r in reports)
    if not args.json:
        print(f"{len(reports)} files: {tally['clean']} clean, {tally['survives']} with running text "
              f"surviving, {tally['skipped']} skipped; {lines} running lines found")
    return 1 if tally["survives"] else 0


if __name__ == "__main__":
    sys.exit(main())
