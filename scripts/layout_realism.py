"""Measure layout quality on real PDFs that have no ground truth.

Usage: python scripts/layout_realism.py DIR [--markdown] [--json OUT]
                                            [--password-for FILE=PW ...] [--examples N]

Every PDF in DIR is ingested with :func:`ingest.extract_document`; files that
fail are listed with their reason and left out.  ``DIR/MANIFEST.tsv`` (columns
``file`` and ``category``), when present, gives each file's category.  Each
ingested file is also run through poppler's ``pdftotext -enc UTF-8 FILE -`` as
an independent reference.  The numbers, per file:

``CJK``
    CJK ideographs in our blocks.  An *ideograph* is a code point in the CJK
    Unified Ideographs blocks (U+4E00-9FFF, Extension A U+3400-4DBF,
    Extensions B-H U+20000-323AF) or the CJK Compatibility Ideographs
    (U+F900-FAFF, U+2F800-2FA1F), counted after NFKC, so a Kangxi radical
    such as U+2F00 (⼀) counts as U+4E00 (一).  Punctuation, kana, hangul,
    digits and Latin are never ideographs.

``cuts/10k``
    Suspected wrong block breaks.  A *cut* is a pair of consecutive blocks
    (reading order) where the first block's text, stripped of whitespace,
    ends on an ideograph (no closing punctuation) and the next block's text
    starts on one: a sentence that runs on across a block boundary.  Only
    pairs where *both* blocks are running text (paragraph, list_item, aside,
    footnote, note) count; a pair touching a label (title, heading, caption)
    or a non-prose block (toc, table, back_matter) or any type not named here
    does not, because a heading or caption legitimately ends without
    punctuation and would make every real heading a "cut".  Two boundaries are
    no sentence's either: one across a frame (an aside and a block outside
    the box: the page draws a line between them), and one before a block that
    starts with an item's enumerator (五、 (三) 2.), which begins a new item
    whatever the block before ends on.  The rate is ``cuts / CJK * 10000``.
``any/10k``
    The same test over *every* pair of consecutive blocks, whatever their
    types.  It also counts each genuine heading that ends on an ideograph and
    is followed by text that starts on one, so it is an upper bound; a
    layout change that turns broken paragraph tails into headings lowers
    ``cuts/10k`` but not ``any/10k`` (watch ``head%`` too).

``head%``
    Headings / all blocks.

``kept`` and ``lost``
    Multiset comparison of ideographs against pdftotext.  *Ours* is the
    ideographs of the blocks plus those of metadata values that ingest took
    from the text (source ``text``) and that do not also appear verbatim in a
    block.  ``kept = sum(min(ours[c], ref[c])) / sum(ref)``; ``lost`` is
    ``sum(ref) - sum(min(...))``.  Running heads, footers and page numbers
    that ingest removes on purpose show up as lost: the report therefore
    lists the most-lost characters (with counts) and the pdftotext lines
    whose ideographs do not occur, in order, anywhere in our text, so a
    human can tell furniture from damage.

``prose``
    A document is prose when the share of its pdftotext ideographs that sit
    on lines holding at least 15 ideographs is at least 0.5 (body text set
    in full lines, not forms, exam sheets, slides or vertical text), and its
    manifest category does not start with ``hard:`` (those files are in the
    suite for a failure mode, not for their layout).  Without a manifest
    entry only the text decides.

Summary lines, over the prose documents: median and max ``cuts/10k``, median
``any/10k``, median ``head%`` and the total of lost ideographs.

The rules look only at the text and the block types: no file name, producer
or category (other than the ``hard:`` exclusion above) changes a number.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: Block types whose text is running sentences; a cut is counted only between two of these.
RUNNING_TYPES = frozenset({"paragraph", "list_item", "aside", "footnote", "note"})

#: An item's enumerator at a block's start: 五、 十二． 壹、 (三) （一） 2. 3、
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]{1,3}|[壹貳參肆伍陸柒捌玖拾]{1,3}|[0-9]{1,2})[、．.](?![0-9])"
                         r"|^[（(](?:[一二三四五六七八九十]{1,3}|[0-9]{1,2})[）)]")

#: A pdftotext line with at least this many ideographs is a full line of body text.
PROSE_LINE_MIN = 15
#: A document is prose when at least this share of its ideographs is on full lines.
PROSE_SHARE_MIN = 0.5

#: Metadata keys that ingest may lift out of the text (and so out of the blocks).
TEXT_METADATA_KEYS = ("title", "series", "author", "affiliation", "foundation", "address",
                      "date", "caption", "photo_credit", "editor_note")

_IDEOGRAPH_RANGES = (
    (0x3400, 0x4DBF),    # Extension A
    (0x4E00, 0x9FFF),    # Unified Ideographs
    (0xF900, 0xFAFF),    # Compatibility Ideographs
    (0x20000, 0x323AF),  # Extensions B-H
    (0x2F800, 0x2FA1F),  # Compatibility Ideographs Supplement
)

_ABBREV = {"title": "T", "heading": "H", "paragraph": "P", "caption": "C", "note": "N",
           "back_matter": "B", "footnote": "F", "table": "Tb", "toc": "Toc", "aside": "A",
           "list_item": "L"}


# -- metric functions (importable; tests/ingest/test_layout_realism_metrics.py) ---------------

def _in_ranges(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IDEOGRAPH_RANGES)


def is_ideograph(ch: str) -> bool:
    """True for one character that is a CJK ideograph after NFKC (see the module docstring)."""
    if not ch:
        return False
    folded = unicodedata.normalize("NFKC", ch)
    return len(folded) == 1 and _in_ranges(folded)


def ideographs(text: str) -> str:
    """The ideographs of ``text``, NFKC-folded, in order."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if _in_ranges(c))


def cjk_counter(text: str) -> Counter[str]:
    """Multiset of the ideographs of ``text`` after NFKC (⼀ U+2F00 counts as 一 U+4E00)."""
    return Counter(ideographs(text))


def _block_type(block: Any) -> str:
    return block["type"] if isinstance(block, dict) else block.type


def _block_text(block: Any) -> str:
    return block["text"] if isinstance(block, dict) else block.text


def _edge_ideographs(text: str) -> tuple[bool, bool]:
    """(ends on an ideograph, starts on an ideograph) for the whitespace-stripped text."""
    t = unicodedata.normalize("NFKC", text).strip()
    return (bool(t) and is_ideograph(t[-1]), bool(t) and is_ideograph(t[0]))


def cut_pairs(blocks: Sequence[Any], *, running_only: bool = True) -> list[tuple[int, int]]:
    """Indexes (i, i+1) of consecutive blocks where block i ends and block i+1 starts on an ideograph.

    With ``running_only`` both blocks must be running text (:data:`RUNNING_TYPES`);
    without it every consecutive pair is tested.  Blocks are
    :class:`archive.models.Block` or dicts with ``type`` and ``text``.
    """
    out = []
    for i in range(len(blocks) - 1):
        a, b = blocks[i], blocks[i + 1]
        if running_only and not (_block_type(a) in RUNNING_TYPES and _block_type(b) in RUNNING_TYPES):
            continue
        if running_only and ((_block_type(a) == "aside") != (_block_type(b) == "aside")
                             or _ITEM_START.match(_block_text(b).strip())):
            continue
        if _edge_ideographs(_block_text(a))[0] and _edge_ideographs(_block_text(b))[1]:
            out.append((i, i + 1))
    return out


def cuts_per_10k(blocks: Sequence[Any], *, running_only: bool = True) -> float | None:
    """Cuts (see :func:`cut_pairs`) per 10,000 ideographs of the blocks; None without ideographs."""
    cjk = sum(len(ideographs(_block_text(b))) for b in blocks)
    if cjk == 0:
        return None
    return len(cut_pairs(blocks, running_only=running_only)) / cjk * 10_000


def heading_share(blocks: Sequence[Any]) -> float | None:
    """Headings / all blocks; None for no blocks."""
    if not blocks:
        return None
    return sum(1 for b in blocks if _block_type(b) == "heading") / len(blocks)


def kept_ratio(ours: Counter[str], theirs: Counter[str]) -> float | None:
    """``sum(min(ours[c], theirs[c])) / sum(theirs)``; None when the reference has nothing."""
    total = sum(theirs.values())
    if total == 0:
        return None
    return sum((ours & theirs).values()) / total


def lost_counter(ours: Counter[str], theirs: Counter[str]) -> Counter[str]:
    """Characters the reference has more of than we do, with how many more."""
    return theirs - ours


def prose_share(pdftotext_text: str) -> float:
    """Share of the ideographs that sit on lines with at least :data:`PROSE_LINE_MIN` ideographs."""
    total = full = 0
    for line in pdftotext_text.splitlines():
        n = len(ideographs(line))
        total += n
        if n >= PROSE_LINE_MIN:
            full += n
    return full / total if total else 0.0


def is_prose(pdftotext_text: str) -> bool:
    """True when most ideographs are on full lines (see :func:`prose_share`); False without any."""
    return prose_share(pdftotext_text) >= PROSE_SHARE_MIN


def missing_lines(reference: str, ours_ideographs: str, min_len: int = 2) -> Counter[str]:
    """Reference lines whose ideograph sequence (``min_len`` or more) is not a substring of ours."""
    out: Counter[str] = Counter()
    for line in reference.splitlines():
        seq = ideographs(line)
        if len(seq) >= min_len and seq not in ours_ideographs:
            out[" ".join(line.split())] += 1
    return out


# -- running the corpus -------------------------------------------------------------------------

def read_manifest(folder: Path) -> dict[str, str]:
    manifest = folder / "MANIFEST.tsv"
    if not manifest.exists():
        return {}
    with manifest.open(encoding="utf-8") as fh:
        return {row["file"]: row.get("category") or "" for row in csv.DictReader(fh, delimiter="\t")}


def pdftotext(path: Path, password: str | None) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if password:
        cmd += ["-upw", password]
    cmd += [str(path), "-"]
    done = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
    return done.stdout.decode("utf-8", "replace")


def _ours_counter(doc: Any) -> tuple[Counter[str], str]:
    body = "\n".join(b.text for b in doc.blocks)
    extra = []
    for key in TEXT_METADATA_KEYS:
        f = doc.metadata.get(key)
        if f is not None and f.source == "text" and f.value and f.value not in body:
            extra.append(f.value)
    return cjk_counter(body + "\n" + "\n".join(extra)), ideographs(body + "".join(extra))


def _snip(text: str, n: int, tail: bool) -> str:
    t = " ".join(text.split())
    if len(t) <= n:
        return t
    return "…" + t[-n:] if tail else t[:n] + "…"


def measure(path: Path, category: str, password: str | None) -> dict[str, Any]:
    """One file's row (raises IngestError when ingest refuses it)."""
    from ingest import extract_document

    doc = extract_document(path.read_bytes(), filename=path.name, password=password)
    blocks = doc.blocks
    ref = pdftotext(path, password)
    ours, ours_seq = _ours_counter(doc)
    theirs = cjk_counter(ref)
    lost = lost_counter(ours, theirs)
    first_seen = {c: i for i, c in reversed(list(enumerate(ideographs(ref))))}
    lost_top = sorted(lost.items(), key=lambda kv: (-kv[1], first_seen.get(kv[0], 0)))[:20]
    cuts = cut_pairs(blocks)
    cuts_any = cut_pairs(blocks, running_only=False)
    prose_text = is_prose(ref)
    examples = [
        {"a_type": blocks[i].type, "a_tail": _snip(blocks[i].text, 30, True), "a_pages": blocks[i].pages,
         "b_type": blocks[j].type, "b_head": _snip(blocks[j].text, 30, False), "b_pages": blocks[j].pages}
        for i, j in cuts[:5]
    ]
    examples_any = [
        {"a_type": blocks[i].type, "a_tail": _snip(blocks[i].text, 30, True),
         "b_type": blocks[j].type, "b_head": _snip(blocks[j].text, 30, False)}
        for i, j in cuts_any[:5]
    ]
    return {
        "file": path.name,
        "category": category,
        "pages": doc.page_count,
        "extractor": doc.extractor,
        "cjk": len(ideographs("\n".join(b.text for b in blocks))),
        "blocks": len(blocks),
        "types": dict(Counter(b.type for b in blocks)),
        "cuts": len(cuts),
        "cuts_per_10k": cuts_per_10k(blocks),
        "cuts_any": len(cuts_any),
        "any_per_10k": cuts_per_10k(blocks, running_only=False),
        "heading_share": heading_share(blocks),
        "ref_cjk": sum(theirs.values()),
        "kept": kept_ratio(ours, theirs),
        "lost": sum(lost.values()),
        "lost_top": [[c, n] for c, n in lost_top],
        "missing_lines": missing_lines(ref, ours_seq).most_common(5),
        "prose_share": prose_share(ref),
        "prose": prose_text and not category.startswith("hard:"),
        "cut_examples": examples,
        "any_cut_examples": examples_any,
    }


def summarise(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    prose = [r for r in rows if r["prose"]]
    cuts = [r["cuts_per_10k"] for r in prose if r["cuts_per_10k"] is not None]
    anys = [r["any_per_10k"] for r in prose if r["any_per_10k"] is not None]
    heads = [r["heading_share"] for r in prose if r["heading_share"] is not None]
    return {
        "prose_docs": len(prose),
        "median_cuts_per_10k": statistics.median(cuts) if cuts else None,
        "max_cuts_per_10k": max(cuts) if cuts else None,
        "max_cuts_file": max(prose, key=lambda r: r["cuts_per_10k"] or 0)["file"] if cuts else None,
        "median_any_per_10k": statistics.median(anys) if anys else None,
        "median_heading_share": statistics.median(heads) if heads else None,
        "total_cjk_lost": sum(r["lost"] for r in prose),
        "total_ref_cjk": sum(r["ref_cjk"] for r in prose),
    }


# -- output ---------------------------------------------------------------------------------------

def _types_str(types: dict[str, int]) -> str:
    order = list(_ABBREV)
    keys = sorted(types, key=lambda t: (order.index(t) if t in order else len(order), t))
    return " ".join(f"{_ABBREV.get(t, t)}{types[t]}" for t in keys)


def _f(x: float | None, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


COLUMNS = ("file", "category", "pages", "CJK", "blocks", "types", "cuts", "cuts/10k", "any/10k",
           "head%", "kept", "lost", "prose")


def _cells(r: dict[str, Any]) -> list[str]:
    return [r["file"], r["category"] or "-", str(r["pages"]), str(r["cjk"]), str(r["blocks"]),
            _types_str(r["types"]), str(r["cuts"]), _f(r["cuts_per_10k"], ".1f"),
            _f(r["any_per_10k"], ".1f"),
            _f(None if r["heading_share"] is None else 100 * r["heading_share"], ".1f"),
            _f(r["kept"], ".3f"), str(r["lost"]), "yes" if r["prose"] else "no"]


def render_table(rows: list[dict[str, Any]], markdown: bool) -> str:
    cells = [_cells(r) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(COLUMNS) + " |",
                 "|" + "|".join("---" if i in (0, 1, 5, 12) else "--:" for i in range(len(COLUMNS))) + "|"]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
        return "\n".join(lines)
    widths = [max(len(COLUMNS[i]), *(len(c[i]) for c in cells)) if cells else len(COLUMNS[i])
              for i in range(len(COLUMNS))]
    left = {0, 1, 5, 12}

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(v.ljust(widths[i]) if i in left else v.rjust(widths[i])
                         for i, v in enumerate(row)).rstrip()

    return "\n".join([fmt(COLUMNS), *(fmt(c) for c in cells)])


def render_summary(s: dict[str, Any], n_files: int, n_failed: int, elapsed: float) -> str:
    return "\n".join([
        f"files: {n_files} ({n_files - n_failed} ingested, {n_failed} skipped); "
        f"prose documents: {s['prose_docs']}; {elapsed:.1f} s",
        f"prose: median cuts/10k {_f(s['median_cuts_per_10k'], '.1f')}, "
        f"max cuts/10k {_f(s['max_cuts_per_10k'], '.1f')} ({s['max_cuts_file'] or '-'}), "
        f"median any/10k {_f(s['median_any_per_10k'], '.1f')}",
        f"prose: median heading share "
        f"{_f(None if s['median_heading_share'] is None else 100 * s['median_heading_share'], '.1f')}%, "
        f"CJK lost {s['total_cjk_lost']} of {s['total_ref_cjk']}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write rows and summary as JSON")
    parser.add_argument("--password-for", action="append", default=[], metavar="FILE=PW")
    parser.add_argument("--examples", type=int, default=0, metavar="N",
                        help="also print the first N cut pairs and lost characters per file")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder}: not a folder", file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)  # pypdf's warnings about damaged files are expected here
    from ingest import IngestError

    passwords = dict(item.split("=", 1) for item in args.password_for)
    categories = read_manifest(args.folder)
    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() == ".pdf")
    start = time.monotonic()
    rows, failed = [], []
    for path in files:
        try:
            rows.append(measure(path, categories.get(path.name, ""), passwords.get(path.name)))
        except IngestError as exc:
            failed.append({"file": path.name, "category": categories.get(path.name, ""),
                           "reason": exc.reason})
    elapsed = time.monotonic() - start
    summary = summarise(rows)

    print(render_table(rows, args.markdown))
    print()
    print("types: " + " ".join(f"{v}={k}" for k, v in _ABBREV.items()))
    if failed:
        print("skipped (ingest refused):")
        for f in failed:
            print(f"  {f['file']} [{f['category'] or '-'}]: {f['reason']}")
    if args.examples:
        for r in rows:
            if not (r["cut_examples"] or r["lost"]):
                continue
            print(f"{r['file']}:")
            for ex in r["cut_examples"][: args.examples]:
                print(f"  cut {ex['a_type']}{ex['a_pages']} «{ex['a_tail']}» | "
                      f"{ex['b_type']}{ex['b_pages']} «{ex['b_head']}»")
            if r["lost"]:
                print("  lost: " + " ".join(f"{c}{n}" for c, n in r["lost_top"]))
                for line, n in r["missing_lines"][: args.examples]:
                    print(f"  missing ×{n}: {_snip(line, 40, False)}")
    print(render_summary(summary, len(files), len(failed), elapsed))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "failed": failed, "summary": summary,
                                         "seconds": elapsed}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
