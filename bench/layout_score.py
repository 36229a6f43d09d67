"""Score ``ingest.extract_document`` against a layout corpus's truth (see ``bench/layout_corpus.py``).

Usage: python bench/layout_score.py DIR [--cases SUBSTRING] [--show N]

Prints a table per producer (one row per case, then the producer's totals) and
an overall line.  Exit status 0 always: this is a benchmark, not a test.
``score_case(pdf_bytes, truth)`` is importable (the producer tests use it).

What is measured, every text compared after whitespace normalisation
(:func:`norm`: whitespace between two CJK characters, or between a CJK
character and a Latin letter or digit, removed; other runs one space.  The
PDF cannot tell a space typed between scripts from the room typesetters add
there, see ``_SCRIPT_GAP``):

* **para**: truth paragraphs equal to one output block's text (any type).
* **cuts**: sentences cut in two: an output body block (not title, heading,
  caption or table) that ends on a Han character, followed (next block, or
  one of the next five: the rest often comes after a footnote or a sidebar
  that the cut let in) by a block that starts on one, where the junction (the
  last and first 6 characters, joined) lies inside one prose truth block
  (paragraph, note, footnote, aside, list item or caption).  A block the truth
  has as a whole (a byline, a list item without a full stop) is no cut.  Also
  per 10,000 Han characters of the truth.
* **head P/R**: headings: a found heading is a truth heading that equals an
  output ``heading`` block; a false one is an output heading that equals no
  truth heading.
* **tau**: Kendall's tau-b between the truth order and the output order of
  the title, headings and paragraphs that can be placed (an exact block, or
  else the first output block holding the truth text's first 12 characters).
* **cap / fn / tbl / aside / li**: blocks typed right over truth blocks of
  that kind: an output block of type ``caption`` / ``footnote`` / ``table`` /
  ``aside`` / ``list_item`` holding the text (footnotes and list items
  compared without their number or bullet; a table holding 80 % of its cells).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
#: Whitespace where CJK meets a Latin letter or digit.  Typesetters add room there of their own (Word's
#: and Writer's Asian/Latin spacing, xeCJK's glue), drawn exactly like a typed space that Chromium
#: prints as a gap: the PDF cannot say which the author typed, and search and reading treat both alike.
_SCRIPT_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])\\s+(?=[{_CJK}])")
_WS = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MARKER = re.compile(r"^\s*(?:[•·‧●○■□◆◇▪\-–—*]|\(?\d{1,3}[.)．、]?|[一二三四五六七八九十]+、)\s*")

BODY_TYPES = {"paragraph", "note", "footnote", "aside", "list_item", "back_matter"}
PROSE_TRUTH = {"paragraph", "note", "footnote", "aside", "list_item", "caption"}
ORDER_TRUTH = {"title", "heading", "paragraph"}
LOOKAHEAD = 5  # blocks after a cut where its other half may be (after a footnote, a sidebar)
TYPED = (("caption", "cap"), ("footnote", "fn"), ("table", "tbl"), ("aside", "aside"), ("list_item", "li"))


def norm(text: str) -> str:
    """Whitespace normalised: none between two CJK characters or where CJK meets Latin, other runs one space."""
    text = unicodedata.normalize("NFC", text)  # a compatibility ideograph is its unified twin (canonically)
    return _WS.sub(" ", _SCRIPT_GAP.sub("", _CJK_GAP.sub("", text))).strip()


def squash(text: str) -> str:
    return _WS.sub("", text)


def kendall_tau(xs: list[float], ys: list[float]) -> float | None:
    """Kendall's tau-b (ties allowed); ``None`` for fewer than two pairs."""
    n = len(xs)
    if n < 2:
        return None
    conc = disc = tx = ty = 0
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = xs[i] - xs[j], ys[i] - ys[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif (dx > 0) == (dy > 0):
                conc += 1
            else:
                disc += 1
    denom = ((conc + disc + tx) * (conc + disc + ty)) ** 0.5
    return (conc - disc) / denom if denom else None


def _strip_marker(text: str) -> str:
    return _MARKER.sub("", text, count=1)


def _holds(block_text: str, want: str) -> bool:
    """An output block holds ``want`` (whitespace ignored), or is most of it."""
    b, w = squash(block_text), squash(want)
    return bool(w) and (w in b or (len(b) >= 0.8 * len(w) and b in w))


def score_case(pdf_bytes: bytes, truth: dict, *, filename: str = "case.pdf") -> dict:
    """Ingest one PDF and compare its blocks with the truth; a dict of counts and ratios.

    Keys: ``paragraphs``/``paragraphs_exact``/``missed_paragraphs`` (texts),
    ``cuts``/``cut_examples``/``cuts_per_10k``/``han_chars``, ``headings``/
    ``headings_found``/``headings_false``/``false_headings`` (texts),
    ``heading_precision``/``heading_recall``, ``tau``/``tau_placed``,
    ``<kind>``/``<kind>_typed`` for caption, footnote, table, aside, list_item,
    ``blocks`` (the output as (type, text) pairs) and ``error`` (an
    ``IngestError`` reason, or ``None``).
    """
    from ingest import IngestError, extract_document

    try:
        doc = extract_document(pdf_bytes, filename=filename)
        out = [(b.type, norm(b.text)) for b in doc.blocks]
        error = None
    except IngestError as exc:
        out, error = [], exc.reason
    return compare(out, truth, error=error)


def compare(out: list[tuple[str, str]], truth: dict, *, error: str | None = None) -> dict:
    """The comparison behind :func:`score_case`, on output blocks as (type, normalised text)."""
    tb = [dict(b, text=norm(b["text"])) for b in truth["blocks"]]
    texts = [t for _, t in out]
    text_set = set(texts)
    res: dict = {"error": error, "blocks": out}

    paras = [b["text"] for b in tb if b["type"] == "paragraph"]
    res["paragraphs"] = len(paras)
    res["paragraphs_exact"] = sum(p in text_set for p in paras)
    res["missed_paragraphs"] = [p for p in paras if p not in text_set]

    # sentences cut in two
    prose = [squash(b["text"]) for b in tb if b["type"] in PROSE_TRUTH]
    whole = {b["text"] for b in tb}
    cuts = []
    for i, (ta, a) in enumerate(out):
        if ta not in BODY_TYPES or not a or a in whole or not _HAN.match(a[-1]):
            continue
        for _, b in out[i + 1:i + 1 + LOOKAHEAD]:  # the rest may come after a footnote or a sidebar
            if b and _HAN.match(b[0]) and any(squash(a)[-6:] + squash(b)[:6] in p for p in prose):
                cuts.append((a[-20:], b[:20]))
                break
    res["cuts"] = len(cuts)
    res["cut_examples"] = cuts
    han = sum(len(_HAN.findall(b["text"])) for b in tb)
    res["han_chars"] = han
    res["cuts_per_10k"] = 1e4 * len(cuts) / han if han else 0.0

    # headings
    heads = [b["text"] for b in tb if b["type"] == "heading"]
    out_heads = [t for ty, t in out if ty == "heading"]
    res["headings"] = len(heads)
    res["headings_found"] = sum(h in out_heads for h in heads)
    res["false_headings"] = [h for h in out_heads if h not in heads]
    res["headings_false"] = len(res["false_headings"])
    res["heading_recall"] = res["headings_found"] / len(heads) if heads else None
    res["heading_precision"] = (res["headings_found"] / (res["headings_found"] + res["headings_false"])
                                if res["headings_found"] + res["headings_false"] else None)

    # order: place each title/heading/paragraph in the output
    squashed = [squash(t) for t in texts]
    xs, ys = [], []
    for i, b in enumerate(tb):
        if b["type"] not in ORDER_TRUTH:
            continue
        pos = texts.index(b["text"]) if b["text"] in text_set else None
        if pos is None:
            head = squash(b["text"])[:12]
            pos = next((j for j, s in enumerate(squashed) if head and head in s), None)
        if pos is not None:
            offset = squashed[pos].find(squash(b["text"])[:12])
            xs.append(i)
            ys.append(pos + offset / (len(squashed[pos]) + 1))
    res["tau"] = kendall_tau(xs, ys)
    res["tau_placed"] = len(xs)
    res["order_blocks"] = sum(b["type"] in ORDER_TRUTH for b in tb)

    # floating and structured blocks typed right
    for kind, _ in TYPED:
        want = [b for b in tb if b["type"] == kind]
        typed = 0
        for b in want:
            mine = [t for ty, t in out if ty == kind]
            if kind == "table":
                cells = [c for r in b.get("cells", []) for c in r]
                ok = any(sum(squash(c) in squash(t) for c in cells) >= 0.8 * len(cells) for t in mine)
            elif kind in ("footnote", "list_item"):
                ok = any(_holds(_strip_marker(t), _strip_marker(b["text"])) for t in mine)
            else:
                ok = any(_holds(t, b["text"]) for t in mine)
            typed += ok
        res[kind] = len(want)
        res[f"{kind}_typed"] = typed
    return res


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b}" if b else "-"


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


COLUMNS = ["case", "para", "cuts", "/10k", "head P", "head R", "tau", "cap", "fn", "tbl", "aside", "li"]


def _row(name: str, r: dict) -> list[str]:
    return [name, _ratio(r["paragraphs_exact"], r["paragraphs"]), str(r["cuts"]), _fmt(r["cuts_per_10k"], ".1f"),
            _fmt(r["heading_precision"]), _fmt(r["heading_recall"]), _fmt(r["tau"])] + [
        _ratio(r[f"{k}_typed"], r[k]) for k, _ in TYPED]


def _total(rs: list[dict]) -> dict:
    t: dict = defaultdict(int)
    keys = ("paragraphs", "paragraphs_exact", "cuts", "han_chars", "headings", "headings_found",
            "headings_false") + tuple(x for kind, _ in TYPED for x in (kind, f"{kind}_typed"))
    for r in rs:
        for k in keys:
            t[k] += r[k]
    t["cuts_per_10k"] = 1e4 * t["cuts"] / t["han_chars"] if t["han_chars"] else 0.0
    t["heading_recall"] = t["headings_found"] / t["headings"] if t["headings"] else None
    found_or_false = t["headings_found"] + t["headings_false"]
    t["heading_precision"] = t["headings_found"] / found_or_false if found_or_false else None
    taus = [r["tau"] for r in rs if r["tau"] is not None]
    t["tau"] = sum(taus) / len(taus) if taus else None  # mean over cases
    return t


def _print_table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for k, r in enumerate(rows):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=False))))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--cases", default="", help="only cases whose name contains this")
    ap.add_argument("--show", type=int, default=0, help="print up to N wrong blocks per case")
    args = ap.parse_args(argv)
    by_producer: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for tf in sorted(args.dir.glob("*.truth.json")):
        name = tf.name[: -len(".truth.json")]
        if args.cases not in name:
            continue
        truth = json.loads(tf.read_text(encoding="utf-8"))
        pdf = tf.with_name(name + ".pdf")
        r = score_case(pdf.read_bytes(), truth, filename=pdf.name)
        by_producer[truth["producer"]].append((name, r))
        if args.show:
            _show(name, r, args.show)
    if not by_producer:
        print(f"no cases in {args.dir}")
        return 0
    everything = []
    for producer, cases in sorted(by_producer.items()):
        print(f"\n{producer} ({len(cases)} cases)")
        rows = [COLUMNS] + [_row(n, r) for n, r in cases] + [_row("TOTAL", _total([r for _, r in cases]))]
        _print_table(rows)
        for n, r in cases:
            if r["error"]:
                print(f"  {n}: IngestError: {r['error']}")
        everything += [r for _, r in cases]
    t = _total(everything)
    print(f"\noverall ({len(everything)} cases): paragraphs exact {_ratio(t['paragraphs_exact'], t['paragraphs'])} "
          f"({100 * t['paragraphs_exact'] / max(1, t['paragraphs']):.1f} %), cuts {t['cuts']} "
          f"({t['cuts_per_10k']:.1f} per 10k Han chars), headings P {_fmt(t['heading_precision'])} "
          f"R {_fmt(t['heading_recall'])}, mean tau {_fmt(t['tau'])}, "
          + ", ".join(f"{label} {_ratio(t[f'{k}_typed'], t[k])}" for k, label in TYPED))
    return 0


def _show(name: str, r: dict, n: int) -> None:
    print(f"--- {name}")
    for a, b in r["cut_examples"][:n]:
        print(f"  cut: …{a} | {b}…")
    for h in r["false_headings"][:n]:
        print(f"  false heading: {h[:60]}")
    for p in r["missed_paragraphs"][:n]:
        print(f"  missed paragraph: {p[:40]}…")


if __name__ == "__main__":
    main()
    sys.exit(0)
