"""Where every glyph was printed: lines, columns and reading order from PDFium's character boxes.

pypdf reports where a text run *starts* but not where it ends, so a line's
right end was an estimate, and whether a line reaches the column's right
edge is exactly what tells a paragraph that goes on from one that ends.
PDFium knows each character's origin, advance box and type size, so here:

1. characters become **segments**: runs on one baseline with no gap wider
   than a column gutter (a gap of more than ``GUTTER`` ems with no space
   typed in it, or any gap of more than ``WIDE_GAP`` ems);
2. segments are put in **reading order** by recursive XY-cut: a region is cut
   at its widest empty vertical band (columns, or the two book pages of a
   spread) or, failing that, at its widest empty horizontal band, and the
   parts are read left to right, top to bottom;
3. each leaf region of that cut is a **column**: its lines carry the column's
   left and right edges, so layout can ask "does this line reach the edge?"
   with exact widths instead of estimated ones.

The result is :class:`ingest.extract.TextLine` per line, or None for a page
whose text is not horizontal (rotated or vertical writing), where layout
falls back to its text-only rules.

Why one module over 500 lines: every step (segments, gutters, XY-cut, column
edges, ruled tables, boxed asides) works on the same private ``_Seg`` list and
its em-relative thresholds, tuned together against the producer corpus; split
apart they would pass ``_Seg`` internals across module borders.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pypdfium2.raw as pdfium_c

from .structure import glyph_block

#: A gap wider than this many ems, with no space typed in it, separates two columns or cells.
GUTTER = 0.8
#: A gap wider than this many ems with no space typed in it separates segments on its own; a narrower
#: one (down to ``GUTTER``) only where other lines have a gap at the same place (a column gutter, not
#: a word space stretched by justification).
LONE_GUTTER = 2.0
#: The narrowest empty vertical band, in ems, that reading order takes for a gutter between columns
#: (CSS's default column gap is 1em; hanging punctuation and justification eat into it).
COLUMN_GAP = 0.6
#: A gap wider than this many ems separates segments even when spaces fill it (tab stops, leaders).
WIDE_GAP = 3.0
@dataclass(slots=True)
class TextLine:
    """One extracted line with where and how big it was printed.

    ``top`` is the baseline's distance from the top of the page and ``x0``/``x1``
    the line's horizontal extent, in points; ``size`` is the type size of most
    of its characters.  pypdf does not report glyph widths to its visitor, so
    its ``x1`` is estimated from the characters (CJK exact, Latin about right);
    PDFium's is the last character's box.
    """

    text: str
    x0: float
    x1: float
    top: float
    size: float
    bold: bool = False
    col_left: float = 0.0  # the column's edges (exact geometry only)
    col_right: float = 0.0
    lead: float = 0.0  # the first word's (or ideograph's) printed width, points
    exact: bool = False  # placed from glyph boxes (PDFium), not estimated from runs
    edge_seen: bool = False  # at least two lines of the column end at ``col_right``: its measure is known
    cells: list[list[str]] | None = None  # a ruled table found on the page: its rows of cells
    aside: int = 0  # > 0: the line is inside a framed or shaded box (a sidebar, a callout), its number
    col_lines: int = 0  # how many lines the column has
    block: int = 0  # tagged PDF: the structure element (paragraph, heading, item) it is in; 0 untagged
    role: str = ""  # that element's structure type (P, H1, LI, Caption, TD…)
    source: str = ""  # "ocr" for a line Tesseract read (else the text layer's)
    confidence: float = -1.0  # OCR: the line's mean word confidence, 0-100


_SPACES = {0x20, 0xA0, 0x3000, 0x2002, 0x2003, 0x2009}
_BREAKS = {0x0A, 0x0D}
_HYPHEN_MARKS = {0x02, 0xFFFE}
_WIDE_RANGES = ((0x2E80, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
                (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x20000, 0x3FFFF))


def _wide(cp: int) -> bool:
    if cp < 0x2E80:  # the common case (Latin, digits, punctuation) in one comparison
        return False
    return any(lo <= cp <= hi for lo, hi in _WIDE_RANGES)


@dataclass(slots=True)
class _Seg:
    """A run of characters on one baseline: its text, box (y down from the page top) and measures."""

    chars: list[str]
    x0: float
    x1: float
    top: float  # top of the line box
    bottom: float  # bottom of the line box
    base: float  # baseline
    size: float
    lead: float  # width of the first word (or first ideograph), points
    bold: bool
    spaced_gap: int = 0  # a typed space since the last glyph: 1, or 2 for an ideographic space (U+3000)
    generated_gap: bool = False  # a space PDFium inferred from the gap since the last glyph
    gaps: list[tuple[float, int, bool, bool]] = field(default_factory=list)
    # ^ before each glyph after the first: (gap in ems, space typed (0, 1, 2 as ``spaced_gap``),
    #   space inferred by PDFium, a side is CJK)
    wide_gaps: list[tuple[int, float, float, float]] = field(default_factory=list)
    # ^ (index in chars, right of the glyph before, left and right of the glyph after) of each wide gap
    last_right: float = 0.0
    last_wide: bool = False
    lead_open: bool = True  # still inside the first word
    head: list[tuple[int, float]] | None = None  # (code point, right edge) of the first glyphs
    cells: list[list[str]] | None = None  # set on the one segment that stands for a whole table
    boxed: list[_Seg] | None = None  # set on the one segment that stands for a framed box's text
    spelled: str | None = None  # ``text``, once the segment is complete
    tags: list[tuple[int, str] | None] | None = None  # tagged PDF: each glyph's structure block

    @property
    def text(self) -> str:
        if self.spelled is not None:
            return self.spelled
        if len(self.gaps) != len(self.chars) - 1:  # a table's or a box's stand-in: text as given
            return "".join(self.chars).strip()
        return _spell(self.chars, self.gaps)

    def freeze(self) -> None:
        """Spell the text once; the segment does not change after this (merges unfreeze)."""
        self.spelled = None
        self.spelled = self.text


#: Marks that Chinese text doubles into one (the two-em dash, the six-dot ellipsis).
_DOUBLED = frozenset("\u2014\u2015\u2026\u22ef\u2500")


def _cjk_punct(ch: str) -> bool:
    cp = ord(ch)
    return 0x3000 <= cp <= 0x303F or 0xFF01 <= cp <= 0xFF0F or 0xFF1A <= cp <= 0xFF20 or cp in (0xFF5E, 0xFF5F, 0xFF60)


def _spell(chars: list[str], gaps: list[tuple[float, int, bool, bool]]) -> str:
    """The line's text with a space where the author typed one.

    Justified text stretches every gap of a line by about the same amount,
    so a gap is a word space when it is wider than the line's usual gap by a
    space's width: a typed space always; a space PDFium inferred, or a bare
    gap between Latin letters, when it stands out.  An ideographic space
    (U+3000) typed between ideographs is kept as one: it sets a name apart from
    a position in a byline, or pads a name, as the author typed it.
    """
    if not gaps:
        return "".join(chars).strip()
    plain = sorted(g for g, typed, _, _ in gaps if not typed)
    usual = max(0.0, plain[len(plain) // 2]) if plain else 0.0
    # Justification spreads CJK text by adding room beside each ideograph, not between Latin letters:
    # a gap beside an ideograph is measured against the line's other gaps beside ideographs.
    beside = sorted(g for g, typed, _, cjk in gaps if not typed and cjk)
    usual_cjk = max(0.0, beside[len(beside) // 2]) if beside else usual
    out = [chars[0]]
    for prev, ch, (gap, typed, inferred, cjk) in zip(chars[:-1], chars[1:], gaps, strict=True):
        # (CJK punctuation carries its own room)
        stands_out = gap > (usual_cjk if cjk else usual) + 0.15 and not (_cjk_punct(prev) or _cjk_punct(ch))
        if prev == ch and ch in _DOUBLED:
            pass  # one mark set as two glyphs (——, ……): never a space inside it
        elif typed and _wide(ord(prev)) and _wide(ord(ch)) and (typed == 2 or gap >= usual_cjk + 0.4):
            # An ideographic space typed between ideographs (王大同　研究員): U+3000, or a wide
            # typed space (some fonts map both to one glyph, and the text layer says U+0020).
            out.append("\u3000")
        elif typed or (inferred and stands_out) or (not cjk and gap > usual + 0.2):
            out.append(" ")
        out.append(ch)
    return "".join(out).strip()


def page_segments(textpage: Any, page_height: float,
                  roles: dict[int, tuple[int, str]] | None = None) -> list[_Seg] | None:
    """The page's characters grouped into segments in content order; None if the text is not horizontal.

    With ``roles`` (a tagged page's marked-content ids, see :mod:`ingest.structure`), each
    glyph's structure block is kept with it.
    """
    raw = textpage.raw
    tag_cache: dict[int, tuple[int, str] | None] = {}
    count = pdfium_c.FPDFText_CountChars(raw)
    rect = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    segs: list[_Seg] = []
    cur: _Seg | None = None
    turned = glyphs = 0
    pending = ""  # a surrogate's high half
    get_box, get_origin = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharOrigin
    box_ref, matrix_ref = ctypes.byref(rect), ctypes.byref(matrix)
    ox_ref, oy_ref = ctypes.byref(ox), ctypes.byref(oy)
    last_height, last_size, slanted, last_bottom, drop = -1.0, 0.0, False, 0.0, 0.0
    turned_away = False
    whole = textpage.get_text_range()
    codes = [ord(ch) for ch in whole] if len(whole) == count else None  # one call, when indices agree
    for i in range(count):
        cp = codes[i] if codes is not None else pdfium_c.FPDFText_GetUnicode(raw, i)
        if 0xD800 <= cp <= 0xDBFF:
            pending = chr(cp)
            continue
        if 0xDC00 <= cp <= 0xDFFF and pending:
            cp = 0x10000 + ((ord(pending) - 0xD800) << 10) + (cp - 0xDC00)
            pending = ""
        if cp in _HYPHEN_MARKS:
            # PDFium reports a hyphen that ends a line so; one it printed (it has a box) is a hyphen.
            get_box(raw, i, box_ref)
            if abs(rect.right - rect.left) < 0.1:
                continue
            cp = 0x2D
        if cp in _BREAKS:
            continue
        if cp in _SPACES or cp == 0x09:
            if cur is not None:
                # A space PDFium generated from a gap is a word space only if the gap is not a gutter.
                if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
                    cur.generated_gap = True
                else:
                    cur.spaced_gap = 2 if cp == 0x3000 else max(cur.spaced_gap, 1)
                cur.lead_open = False
            continue
        if cp < 0x20:
            continue
        get_box(raw, i, box_ref)
        left, right = rect.left, rect.right
        if right < left:
            left, right = right, left
        glyphs += 1
        height = rect.top - rect.bottom
        if abs(height - last_height) > 0.01 * abs(height) or cur is None or abs(rect.bottom - last_bottom) > height:
            # Type size, orientation and the baseline's place in the loose box change with the font
            # or its matrix, and then so does the box's height; between such changes (and on one
            # line) they are the previous glyph's.
            last_height = height
            get_origin(raw, i, ox_ref, oy_ref)
            drop = oy.value - rect.bottom
            pdfium_c.FPDFText_GetMatrix(raw, i, matrix_ref)
            slanted = matrix.a <= 0 or abs(matrix.b) > 0.05 * matrix.a
            # Set on a diagonal (about 15 to 75 degrees): a stamp or a watermark across the page, not
            # a line of the text; left out.  (Text turned a quarter is a spine or a sideways label:
            # kept; a page that is mostly turned is handed back.)
            turned_away = abs(matrix.b) > 0.25 * abs(matrix.a) and abs(matrix.a) > 0.25 * abs(matrix.b)
            # The size set with Tf, scaled by the text matrix (some producers set 1 and scale by 12).
            last_size = pdfium_c.FPDFText_GetFontSize(raw, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        size = last_size
        last_bottom = rect.bottom
        baseline_y = rect.bottom + drop
        if slanted:  # counted; only text turned well away is dropped
            turned += 1
            if turned_away:
                continue
        top, bottom = page_height - rect.top, page_height - rect.bottom
        if top > bottom:
            top, bottom = bottom, top
        base = page_height - baseline_y
        if size <= 0:
            size = max(bottom - top, 1.0)
        wide = _wide(cp)
        ch = chr(cp)
        if cur is not None:
            em = max(size, cur.size)
            gap = left - cur.last_right
            same_line = abs(base - cur.base) <= 0.35 * em or (
                top < cur.bottom - 0.3 * em and bottom > cur.top + 0.3 * em and abs(base - cur.base) <= 0.6 * em
                and size < 0.8 * cur.size)  # a superscript mark stays on its line
            # Two characters in one glyph box (a ligature such as the two-em dash ——) are one glyph.
            one_glyph = abs(right - cur.last_right) < 0.05 * em and gap < 0
            split = (not same_line or (gap < -1.2 * em and not one_glyph) or gap > WIDE_GAP * em
                     or (gap > LONE_GUTTER * em and not cur.spaced_gap))
            if not split:
                if gap > GUTTER * em:  # spaces in it: a wide word space, or a gutter if other lines agree
                    cur.wide_gaps.append((len(cur.chars), cur.last_right, left, right))
                # Whether this gap is a space is decided when the line is complete (see _spell).
                cur.gaps.append((gap / em, cur.spaced_gap, cur.generated_gap, wide or cur.last_wide))
                if cur.spaced_gap or cur.generated_gap or gap > 0.25 * em:
                    cur.lead_open = False
                cur.chars.append(ch)
                if cur.tags is not None:
                    cur.tags.append(glyph_block(raw, i, roles, tag_cache) if roles else None)
                if cur.lead_open and cur.head is not None and len(cur.head) < 64:
                    cur.head.append((cp, right))
                cur.x1 = max(cur.x1, right)
                cur.top, cur.bottom = min(cur.top, top), max(cur.bottom, bottom)
                cur.spaced_gap = cur.generated_gap = False
                cur.last_right = right
                cur.last_wide = wide
                if size > cur.size and len(cur.chars) < 3:
                    cur.size = size
                continue
        cur = _Seg([ch], left, right, top, bottom, base, size, right - left,
                   pdfium_c.FPDFText_GetFontWeight(raw, i) >= 600, last_right=right, last_wide=wide,
                   head=[(cp, right)])
        if roles:
            cur.tags = [glyph_block(raw, i, roles, tag_cache)]
        segs.append(cur)
    if glyphs and turned > 0.5 * glyphs:  # mostly turned: a landscape page set sideways
        return None
    segs = _split_gutters([s for s in segs if s.chars])
    for s in segs:
        s.freeze()
    segs = [s for s in segs if s.text]
    for s in segs:
        s.size = round(s.size, 2)
        s.lead = _lead(s)
    if _vertical(segs):
        return None
    return segs


#: Characters a line may not start with (closing punctuation), and may not end with (opening).
NO_START = set(map(ord, "，。、；：？！」』）》〉】〕｝…‥・,.;:?!)]}%"))
NO_END = set(map(ord, "「『（《〈【〔｛([{"))


def _lead(seg: _Seg) -> float:
    """The width of what must move to the previous line together: the first word or ideograph.

    An ideograph takes the closing punctuation after it along (a line may not
    start with "，"), an opening bracket the character after it; a Latin word
    runs to the first space.
    """
    head = seg.head or []
    if not head:
        return seg.lead
    k = 0
    while k < len(head) - 1 and head[k][0] in NO_END:
        k += 1
    if _wide(head[k][0]):
        while k + 1 < len(head) and head[k + 1][0] in NO_START:
            k += 1
    else:
        while k + 1 < len(head) and not _wide(head[k + 1][0]):
            k += 1
    return head[k][1] - seg.x0


def _split_gutters(segs: list[_Seg]) -> list[_Seg]:
    """Split lines at wide gaps that several lines share: a column gutter, not a stretched word space.

    Some producers draw both columns' lines at one baseline one after the
    other, with spaces between; a gap at the same place on three or more
    lines is a gutter.
    """
    gaps = [(seg, k, a, b, r) for seg in segs for (k, a, b, r) in seg.wide_gaps]
    if len(gaps) < 3:
        return segs
    gutters: dict[int, list[tuple[int, float, float, float]]] = {}
    for seg, k, a, b, r in gaps:
        shared = sum(1 for other, _, a2, b2, _ in gaps
                     if other is not seg and min(b, b2) - max(a, a2) >= 0.5 * seg.size)
        if shared >= 2:
            gutters.setdefault(id(seg), []).append((k, a, b, r))
    if not gutters:
        return segs
    out: list[_Seg] = []
    for seg in segs:
        cuts = gutters.get(id(seg))
        if not cuts:
            out.append(seg)
            continue
        start, x0, head = 0, seg.x0, seg.head
        for k, a, b, r in cuts + [(len(seg.chars), seg.x1, 0.0, 0.0)]:
            part = _Seg(seg.chars[start:k], x0, a, seg.top, seg.bottom, seg.base, seg.size, seg.lead,
                        seg.bold, head=head, gaps=seg.gaps[start:k - 1] if k > start else [],
                        tags=seg.tags[start:k] if seg.tags is not None else None)
            if part.text:
                out.append(part)
            start, x0, head = k, b, [(ord(seg.chars[k]) if k < len(seg.chars) else 32, r)]
    return out


def _vertical(segs: list[_Seg]) -> bool:
    """Vertical writing: nearly every segment one ideograph, stacked in columns."""
    if len(segs) < 8:
        return False
    singles = [s for s in segs if len(s.text) == 1]
    if len(singles) <= 0.6 * len(segs):
        return False
    # Characters spread along a line (a form's 中　華　民　國) stand side by side on one baseline;
    # vertical writing stacks them.
    in_rows, row = 0, list[_Seg]()
    for seg in sorted(singles, key=lambda x: x.base) + [None]:
        if seg is None or (row and seg.base - row[0].base > 0.3 * max(seg.size, 1.0)):
            in_rows += len(row) if len(row) >= 3 else 0
            row = []
        if seg is not None:
            row.append(seg)
    return in_rows < 0.5 * len(singles)


# -- reading order -------------------------------------------------------------------


def _gaps(spans: list[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    """Empty intervals of [lo, hi] not covered by any span, widest first."""
    out = []
    edge = lo
    for a, b in sorted(spans):
        if a > edge:
            out.append((edge, a))
        edge = max(edge, b)
    return sorted(((a, b) for a, b in out if a > lo and b < hi), key=lambda g: g[0] - g[1])


def _leading(segs: list[_Seg]) -> float | None:
    """The usual blank between a line and the next one below it in its column (line boxes, points).

    Measured line under line (segments that overlap across), not over the page's
    width: two columns whose baselines do not line up leave only slivers between
    the rows of the page as a whole.
    """
    ordered = sorted(segs, key=lambda s: s.top)
    blanks = []
    for k, seg in enumerate(ordered):
        for other in ordered[k + 1:k + 40]:
            if other.top >= seg.bottom - 0.1 * seg.size and other.x0 < seg.x1 and other.x1 > seg.x0:
                blanks.append(other.top - seg.bottom)
                break
    return sorted(blanks)[len(blanks) // 2] if blanks else None


def _order(segs: list[_Seg], em: float, depth: int = 0, leading: float | None = None) -> list[list[_Seg]]:
    """Recursive XY-cut: the segments as columns (leaf regions) in reading order."""
    if len(segs) <= 1 or depth > 40:
        return [_top_down(segs)] if segs else []
    if depth == 0:
        leading = _leading(segs)
    x_lo, x_hi = min(s.x0 for s in segs), max(s.x1 for s in segs)
    y_lo, y_hi = min(s.top for s in segs), max(s.bottom for s in segs)
    horizontal = _gaps([(s.top, s.bottom) for s in segs], y_lo, y_hi)
    # A band set apart by a blank line above or below the columns (a title, a byline, an abstract, a
    # footer) is read before or after them, even when it sits over one column only.
    # A band in other type right above or below them (a byline over one column) is one too.
    # A blank line is more room than the leading between the columns' own lines (loose leading
    # leaves most of an em between two rows of text; that is no blank line).
    blank = max(0.8 * em, leading + 0.5 * em) if leading is not None else 0.8 * em
    for a, b in horizontal:
        if b - a < 0.15 * em:
            break
        upper = [s for s in segs if s.bottom <= a + 0.01]
        lower = [s for s in segs if s.top >= b - 0.01]
        if not (upper and lower):
            continue
        upper_cols, lower_cols = _has_columns(upper, em), _has_columns(lower, em)
        if upper_cols == lower_cols:
            continue
        band, rest = (upper, lower) if lower_cols else (lower, upper)
        if band is lower and not _other_type(band, rest) and _under_first_column(band, rest, em):
            continue  # the first column runs on below the others (a last page, a spread's left page)
        if b - a >= blank or _other_type(band, rest):
            return _order(upper, em, depth + 1, leading) + _order(lower, em, depth + 1, leading)
    vertical = _gaps([(s.x0, s.x1) for s in segs], x_lo, x_hi)
    if vertical and vertical[0][1] - vertical[0][0] >= COLUMN_GAP * em:
        a, b = vertical[0]
        left = [s for s in segs if s.x1 <= a + 0.01]
        right = [s for s in segs if s.x0 >= b - 0.01]
        # Columns stand side by side: two sides that share no height (a flush-right line above the
        # text, not beside it) are bands, which the cut below puts in order from the top.
        beside = (min(max(s.bottom for s in left), max(s.bottom for s in right))
                  > max(min(s.top for s in left), min(s.top for s in right))) if left and right else False
        if beside and not _rows(left, right, em) and _worth_a_column(left, em) and _worth_a_column(right, em):
            return _order(left, em, depth + 1, leading) + _order(right, em, depth + 1, leading)
    # Cut between bands only where a band could hold columns side by side; a plain column is a leaf.
    for a, b in horizontal:
        if b - a < 0.15 * em:
            break
        upper = [s for s in segs if s.bottom <= a + 0.01]
        lower = [s for s in segs if s.top >= b - 0.01]
        if upper and lower and (_has_columns(upper, em) or _has_columns(lower, em)):
            return _order(upper, em, depth + 1, leading) + _order(lower, em, depth + 1, leading)
    return [_top_down(segs)]


def _rows(left: list[_Seg], right: list[_Seg], em: float) -> bool:
    """Are the two sides of a vertical cut a form's cells, to be read row by row?

    A form sets a few short labels at tab stops: every line on the right stands on the baseline of
    one on the left, and the left lines end raggedly or the room between the sides is as wide as a
    side's text.  Columns of text are not rows: their lines keep reaching the column's right edge,
    and a gutter is narrow beside the columns it parts.
    """
    if len(left) > 8 or len(right) > 8 or len(right) < 2:
        return False
    if not all(any(abs(r.base - s.base) < 0.3 * r.size for s in left) for r in right):
        return False
    edge = max(s.x1 for s in left)
    ragged = sum(1 for s in left if s.x1 >= edge - 0.5 * em) <= 1
    start = min(s.x0 for s in right)
    narrower = min(edge - min(s.x0 for s in left), max(s.x1 for s in right) - start)
    return ragged or start - edge >= 0.5 * narrower


def _top_down(segs: list[_Seg]) -> list[_Seg]:
    """A leaf's segments line by line, left to right on each line: segments whose baselines differ
    by less than a third of their size stand on one line (a digit or a slash sits a little lower)."""
    out: list[_Seg] = []
    row: list[_Seg] = []
    for seg in sorted(segs, key=lambda s: s.base):
        if row and seg.base - row[0].base > 0.35 * max(seg.size, row[0].size):
            out.extend(sorted(row, key=lambda s: s.x0))
            row = []
        row.append(seg)
    return out + sorted(row, key=lambda s: s.x0)


def _under_first_column(band: list[_Seg], columns: list[_Seg], em: float) -> bool:
    """Does a band of text below some columns sit under the first (left) column only?"""
    x_lo, x_hi = min(s.x0 for s in columns), max(s.x1 for s in columns)
    gutters = _gaps([(s.x0, s.x1) for s in columns], x_lo, x_hi)
    if not gutters or gutters[0][1] - gutters[0][0] < COLUMN_GAP * em:
        return False
    outside = [s for s in band if s.x1 > gutters[0][0] + 0.5 * em]
    # (up to two short lines elsewhere: the page numbers in the foot of a spread's two pages)
    return len(outside) <= 2 and all(len(s.text) <= 12 for s in outside) and len(outside) < len(band)


def _other_type(band: list[_Seg], rest: list[_Seg]) -> bool:
    """Is every line of ``band`` in another type size than most of ``rest``?"""
    sizes = sorted(s.size for s in rest)
    usual = sizes[len(sizes) // 2]
    return all(abs(s.size - usual) > 0.04 * usual for s in band)


def _worth_a_column(part: list[_Seg], em: float) -> bool:
    """A side of a vertical cut that is text, not a stray page number or a bullet."""
    return sum(len(s.text) for s in part) >= 8 or len(part) >= 2


def _has_columns(segs: list[_Seg], em: float) -> bool:
    """Are there columns side by side somewhere in this group?

    Lines that span most of the group (a title above the columns, a footer
    below) are left out of the test, and so are up to two short lines that
    cross the gutter (a page number, a centred credit line), so that the
    cuts above and below them can be made one at a time.
    """
    if len(segs) < 2:
        return False
    x_lo, x_hi = min(s.x0 for s in segs), max(s.x1 for s in segs)
    spanning = sum(1 for s in segs if s.x1 - s.x0 > 0.6 * (x_hi - x_lo))
    # (not a page number or a bullet: a short term such as "HPC" in a table of terms counts)
    segs = [s for s in segs if s.x1 - s.x0 <= 0.6 * (x_hi - x_lo)
            and (len(s.text) > 3 or (len(s.text) >= 2 and sum(ch.isalpha() for ch in s.text) >= 2))]
    # A justified line cut in two at a stretched gap: its halves reach both edges on one baseline.
    # Among many full lines, a few such pairs are lines of one column, not two columns.
    halves: set[int] = set()
    for a in segs:
        if a.x0 - x_lo <= 4 * em:  # (a first line may be indented)
            for b in segs:
                if (b is not a and abs(b.x1 - x_hi) <= 0.3 * em and abs(b.base - a.base) <= 0.3 * em
                        and 0 < b.x0 - a.x1 < 4 * em):
                    halves.update((id(a), id(b)))
    if halves and spanning >= len(halves):
        segs = [s for s in segs if id(s) not in halves]
    # A box weighs as the lines inside it: a sidebar beside a column is a column, not a stray line.
    weight = {id(s): len(s.boxed) if s.boxed else 1 for s in segs}
    total = sum(weight.values())
    if total < 4:
        return False
    allowed = min(2, total // 10)
    events = sorted([(s.x0, weight[id(s)]) for s in segs] + [(s.x1, -weight[id(s)]) for s in segs])
    depth, start = 0, None
    for x, step in events:  # sweep: where are no more than ``allowed`` lines over x?
        before = depth
        depth += step
        if before > allowed >= depth:
            start = x
        elif before <= allowed < depth and start is not None:
            if x - start >= COLUMN_GAP * em:
                left = [s for s in segs if s.x1 <= x]
                right = [s for s in segs if s.x0 >= start]
                if (_worth_a_column(left, em) and _worth_a_column(right, em)
                        and sum(weight[id(s)] for s in left + right) >= 0.8 * total):
                    return True
            start = None
    return False


def _lines(column: list[_Seg], gutters: Sequence[tuple[float, float]] = ()) -> list[_Seg]:
    """Merge the segments of a column that share a baseline (a superscript, a tab) into one line.

    Not across one of the page's ``gutters`` (the room between columns side by side): two
    segments on either side of it are two things, such as the running heads of a spread's pages.
    """
    out: list[_Seg] = []
    for seg in column:
        prev = out[-1] if out else None
        if prev is not None and prev.cells is None and seg.cells is None and prev.boxed is None \
                and seg.boxed is None and abs(seg.base - prev.base) <= 0.35 * max(seg.size, prev.size) \
                and seg.x0 >= prev.x1 - seg.size \
                and not any(prev.x1 <= a and b <= seg.x0 for a, b in gutters):
            joint = (seg.x0 - prev.x1) / max(prev.size, 1.0)
            if prev.tags is not None and seg.tags is not None:
                prev.tags.extend(seg.tags)
            if len(prev.gaps) == len(prev.chars) - 1 and len(seg.gaps) == len(seg.chars) - 1:
                prev.gaps.extend([(joint, joint > 0.25, False, False), *seg.gaps])
                prev.chars.extend(seg.chars)
            else:
                prev.chars.extend([" ", *seg.chars] if joint > 0.25 else seg.chars)
            prev.x1 = seg.x1
            prev.top, prev.bottom = min(prev.top, seg.top), max(prev.bottom, seg.bottom)
            prev.freeze()
            continue
        out.append(seg)
    return out


# -- ruled tables ----------------------------------------------------------------------


Box = tuple[float, float, float, float]  # x0, top, x1, bottom; y down from the page's top


def page_rules(page: Any, page_height: float, dots: list[Box] | None = None) -> tuple[list[Box], list[Box]]:
    """The page's thin drawn lines (table rules) and its larger drawn rectangles (frames,
    shading); with ``dots``, small square shapes are added to it (list bullets that a
    browser draws as a disc or a square rather than typing a character)."""
    rules: list[Box] = []
    boxes: list[Box] = []
    try:
        objects = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3)
        for count, obj in enumerate(objects):
            if count > 20000:
                break
            left, bottom, right, top = obj.get_bounds()
            w, h = right - left, top - bottom
            box = (left, page_height - top, right, page_height - bottom)
            if (h <= 2.5 and w >= 6) or (w <= 2.5 and h >= 6):
                rules.append(box)
            elif w >= 30 and h >= 14:
                boxes.append(box)
            elif dots is not None and 1.5 <= w <= 9 and 1.5 <= h <= 9 and 0.6 <= w / h <= 1.6:
                dots.append(box)
    except Exception:  # a page whose objects PDFium cannot walk has no rules we can use
        return [], []
    frames = _frames(rules)
    if frames:
        used = {id(r) for frame in frames.values() for r in frame}
        rules = [r for r in rules if id(r) not in used]
        boxes.extend(frames)
    return rules, boxes


def _frames(rules: list[Box], tol: float = 3.0) -> dict[Box, tuple[Box, ...]]:
    """Rectangles drawn as four rules that meet at the corners with no rule inside them (Word draws a
    text box's frame so): boxes, like a drawn rectangle, each with the rules that make it."""
    across = [r for r in rules if r[3] - r[1] <= 2.5]
    down = [r for r in rules if r[2] - r[0] <= 2.5]
    if len(across) > 200 or len(down) > 200:
        return {}  # a dense grid is a table's, never a set of frames
    out: dict[Box, tuple[Box, ...]] = {}
    for top in across:
        for bottom in across:
            if bottom[1] - top[1] < 14 or abs(bottom[0] - top[0]) > tol or abs(bottom[2] - top[2]) > tol:
                continue
            x0, x1, y0, y1 = top[0], top[2], top[1], bottom[3]
            sides = [r for r in down if r[1] <= y0 + tol and r[3] >= y1 - tol
                     and (abs(r[0] - x0) <= tol or abs(r[2] - x1) <= tol)]
            if not (any(abs(r[0] - x0) <= tol for r in sides) and any(abs(r[2] - x1) <= tol for r in sides)):
                continue
            inner = [r for r in rules if r[0] > x0 + tol and r[2] < x1 - tol and r[1] > y0 + tol and r[3] < y1 - tol]
            inner += [r for r in across if r is not top and r is not bottom and r[1] > y0 + tol and r[3] < y1 - tol
                      and r[0] < x1 and r[2] > x0]
            if inner or x1 - x0 < 30:
                continue
            left = next(r for r in sides if abs(r[0] - x0) <= tol)
            right = next(r for r in sides if abs(r[2] - x1) <= tol)
            out[(x0, y0, x1, y1)] = (top, bottom, left, right)
            break
    # Rectangles that share an edge are a table's cells (a one-column table draws its rows so), not frames.
    def touch(a: Box, b: Box) -> bool:
        return (a[0] <= b[2] + tol and b[0] <= a[2] + tol and a[1] <= b[3] + tol and b[1] <= a[3] + tol)
    boxes = list(out)
    return {a: out[a] for a in boxes if not any(b is not a and touch(a, b) for b in boxes)}


def take_asides(segs: list[_Seg], boxes: list[Box], page_area: float) -> list[_Seg]:
    """Replace the text inside each framed or shaded box by one segment that carries it.

    A box counts when it holds text, but not most of the page's text (a page
    frame or a background is not a sidebar), and no table or smaller box.
    Its text is read as a whole where the box stands, never interleaved with
    the body around it.
    """
    total = sum(len(s.text) for s in segs) or 1
    for x0, top, x1, bottom in sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1])):
        if (x1 - x0) * (bottom - top) > 0.5 * page_area:
            continue
        # (a line whose brackets or descenders touch the frame is still inside: most of its height is)
        inside = [s for s in segs if s.x0 >= x0 - 2 and s.x1 <= x1 + 2
                  and min(s.bottom, bottom) - max(s.top, top) >= 0.75 * (s.bottom - s.top)]
        if not inside or any(s.cells is not None or s.boxed is not None for s in inside):
            continue
        chars = sum(len(s.text) for s in inside)
        if chars < 4 or chars > 0.6 * total:
            continue
        if len({round(s.base) for s in inside}) < 2 and (
                (x1 - x0) - (max(s.x1 for s in inside) - min(s.x0 for s in inside)) < 1.5 * inside[0].size):
            continue  # a box hugging one line is a highlight or a link's border, not a sidebar
        taken = set(map(id, inside))
        segs = [s for s in segs if id(s) not in taken]
        segs.append(_Seg([inside[0].text], x0, x1, top, bottom, min(s.base for s in inside),
                         inside[0].size, 0.0, False, boxed=inside))
    return segs


def _grids(rules: list[Box]) -> list[tuple[list[float], list[float]]]:
    """Groups of touching rules with at least three horizontal and two vertical ones: tables.

    Returns each grid's column boundaries (xs) and row boundaries (ys).
    """
    n = len(rules)
    if n < 5 or n > 5000:
        return []
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tol = 2.0
    order = sorted(range(n), key=lambda i: rules[i][0])
    for k, i in enumerate(order):
        a = rules[i]
        for j in order[k + 1:]:
            b = rules[j]
            if b[0] > a[2] + tol:
                break
            if b[1] <= a[3] + tol and b[3] >= a[1] - tol:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    grids = []
    for members in groups.values():
        horizontal = [rules[i] for i in members if rules[i][3] - rules[i][1] <= 2.5]
        vertical = [rules[i] for i in members if rules[i][2] - rules[i][0] <= 2.5]
        if len(horizontal) < 3 or len(vertical) < 2:
            continue
        xs = _merge_positions([(r[0] + r[2]) / 2 for r in vertical])
        ys = _merge_positions([(r[1] + r[3]) / 2 for r in horizontal])
        if len(xs) >= 2 and len(ys) >= 2:
            grids.append((xs, ys))
    return grids


def _merge_positions(values: list[float], tol: float = 3.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _join_cell(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if text and not (_wide(ord(text[-1])) or _wide(ord(part[0]))):
            text += " "
        text += part
    return text


def take_tables(segs: list[_Seg], rules: list[Box]) -> list[_Seg]:
    """Replace the segments inside each ruled grid by one segment that carries the table's cells."""
    for xs, ys in _grids(rules):
        x0, x1, y0, y1 = xs[0], xs[-1], ys[0], ys[-1]
        inside = [s for s in segs if x0 - 1 <= (s.x0 + s.x1) / 2 <= x1 + 1 and y0 - 1 <= s.base <= y1 + 1]
        if len(inside) < 2:
            continue
        cells: dict[tuple[int, int], list[_Seg]] = {}
        for seg in inside:
            at_row = max(0, sum(1 for y in ys if y < seg.base) - 1)
            at_col = max(0, sum(1 for x in xs if x < (seg.x0 + seg.x1) / 2) - 1)
            cells.setdefault((at_row, at_col), []).append(seg)
        rows = []
        for r in range(len(ys) - 1):
            row = [_join_cell([seg.text for seg in sorted(cells.get((r, c), []), key=lambda s: (s.base, s.x0))])
                   for c in range(len(xs) - 1)]
            if any(row):
                rows.append(row)
        if not rows:
            continue
        taken = set(map(id, inside))
        size = sorted(s.size for s in inside)[len(inside) // 2]
        table = _Seg(["\n".join("\t".join(row) for row in rows)], x0, x1,
                     min(s.top for s in inside), max(s.bottom for s in inside),
                     min(s.base for s in inside), size, 0.0, False, cells=rows)
        segs = [s for s in segs if id(s) not in taken]
        segs.append(table)
    return segs


_NUMBER = re.compile(r"[0-9ivxlcIVXLC]{1,5}")


def _aligned(a: _Seg, b: _Seg, em: float) -> bool:
    """Cells of one column: their left edges, right edges or centres line up."""
    return (abs(a.x0 - b.x0) <= 0.5 * em or abs(a.x1 - b.x1) <= 0.5 * em
            or abs((a.x0 + a.x1) - (b.x0 + b.x1)) <= em)


def take_term_tables(segs: list[_Seg]) -> list[_Seg]:
    """Replace each unruled table of two columns (terms and what they mean) by one table segment.

    Rows of two segments on one baseline, the left ones starting at one place
    and the right ones at another, a wide gap between: a column of text wraps
    its lines up to the gutter, a column of cells ends each short.  A right
    cell may wrap onto lines of its own below its row.  Three such rows make a
    table, when its left column is the narrow one and its cells do not end
    together (as a justified column's lines would).
    """
    plain = [x for x in segs if x.cells is None and x.boxed is None]
    if len(plain) < 6:
        return segs
    sizes = sorted(x.size for x in plain)
    em = max(sizes[len(sizes) // 2], 4.0)
    rows: list[list[_Seg]] = []
    for seg in sorted(plain, key=lambda x: (x.base, x.x0)):
        if rows and abs(seg.base - rows[-1][0].base) <= 0.3 * em:
            rows[-1].append(seg)
        else:
            rows.append([seg])
    tables: list[tuple[list[list[_Seg]], list[_Seg]]] = []  # (rows of [left, right…], every segment)
    run: list[list[_Seg]] = []
    members: list[_Seg] = []

    def close() -> None:
        if len(run) >= 3:
            lefts, rights = [r[0] for r in run], [x for r in run for x in r[1:]]
            span = max(x.x1 for x in rights) - lefts[0].x0
            widths = sorted(x.x1 - x.x0 for x in lefts)
            gaps = sorted(r[1].x0 - r[0].x1 for r in run)
            edge = max(x.x1 for x in lefts)
            together = sum(1 for x in lefts if edge - x.x1 <= 0.5 * em)
            width, gap = widths[len(widths) // 2], gaps[len(gaps) // 2]
            # Lines that end together at a gutter narrower than they are long are a column of text.
            text_column = together >= 0.6 * len(lefts) and gap < width
            if width <= 0.4 * span and not text_column:
                tables.append(([list(r) for r in run], list(members)))
        run.clear()
        members.clear()

    for row in rows:
        row.sort(key=lambda x: x.x0)
        pair = len(row) == 2 and row[1].x0 - row[0].x1 >= 2.5 * em
        if pair and (not run or (_aligned(row[0], run[0][0], em) and _aligned(row[1], run[0][1], em))):
            run.append(list(row))
            members.extend(row)
            continue
        if run and len(row) == 1 and abs(row[0].x0 - run[-1][1].x0) <= 0.5 * em and row[0].x0 > run[0][0].x1:
            run[-1].append(row[0])  # the right cell goes on below
            members.append(row[0])
            continue
        close()
        if pair:
            run.append(list(row))
            members.extend(row)
    close()
    for found, parts in tables:
        cells = [[found_row[0].text, _join_cell([x.text for x in found_row[1:]])] for found_row in found]
        if all(_NUMBER.fullmatch(left) for left, _ in cells) or all(_NUMBER.fullmatch(right) for _, right in cells):
            continue  # a listing's line numbers, or a contents page's page numbers: not a table
        size = sorted(x.size for x in parts)[len(parts) // 2]
        table = _Seg(["\n".join("\t".join(row) for row in cells)], min(x.x0 for x in parts),
                     max(x.x1 for x in parts), min(x.top for x in parts), max(x.bottom for x in parts),
                     min(x.base for x in parts), size, 0.0, False, cells=cells)
        taken = set(map(id, parts))
        segs = [x for x in segs if id(x) not in taken] + [table]
    return segs


def reading_order(segs: list[_Seg], aside: int = 0, counter: list[int] | None = None,
                  frame: tuple[float, float] | None = None) -> list[TextLine]:
    """The page's lines in reading order, each knowing its column's edges.

    A box's text is put in order inside the box, where the box stands, with
    its own number in ``aside``; ``frame`` is then the box's left and right edge.
    """
    if not segs:
        return []
    counter = counter if counter is not None else [0]
    sizes = sorted(s.size for s in segs)
    em = max(sizes[len(sizes) // 2], 4.0)
    out: list[TextLine] = []
    columns = _order(segs, em)
    gutters = _gutters(columns, em)
    measured: list[list[Any]] = []  # [lines, plain, left, right, seen], updated in place
    for column in columns:
        lines = _lines(column, gutters)
        plain = [s for s in lines if s.boxed is None]
        left = _edge([s.x0 for s in plain], low=True, em=em)
        # Closing punctuation may hang past the measure: find the edge from the lines that end on a letter.
        unhung = [s.x1 for s in plain if ord(s.text[-1]) not in NO_START]
        right = _edge(unhung if len(unhung) >= 3 else [s.x1 for s in plain], low=False, em=em)
        # The measure is known when lines keep reaching it: three of them, or two that are half the column
        # (two equally long lines of an address block are no measure).
        reach = sum(1 for s in plain if s.x1 >= right - 0.6 * s.size and _wordy(s.text))
        seen = reach >= 3 or (reach >= 2 and reach >= 0.5 * len(plain))
        if not seen and plain:  # text set beside a float or a sidebar ends where the room does
            obstacle = _obstacle(plain, segs, em)
            if obstacle is not None:
                right, seen = max(right, obstacle - em), True
        measured.append([lines, plain, left, right, seen])
    for entry in measured:
        lines, plain, left, right, seen = entry
        if seen or not plain:
            continue
        widest = max(s.x1 for s in plain)
        # A column too short to show its measure (a few lines between two boxes) is a piece of the
        # page's column with the same left edge, which shows it; a column that spans its frame
        # measures to the frame's edge less the room left inside it on the left.
        same = [r for _, p, lf, r, sn in measured if sn and p and abs(lf - left) <= em and r >= widest - 0.6 * em]
        if same:
            entry[3], entry[4] = max(same), True
        elif (frame is not None and len(plain) >= 3 and frame[0] <= left <= frame[0] + 2 * em
              and widest >= frame[1] - 2 * em):  # (two lines of a callout that end alike are no measure)
            edge = frame[1] - (left - frame[0])
            if edge >= widest - 0.6 * em:
                entry[3], entry[4] = edge, True
    for lines, plain, left, right, seen in measured:
        narrowed = _beside_floats(plain, segs, right, em)
        for s in lines:
            if s.boxed is not None:
                counter[0] += 1
                out.extend(reading_order(s.boxed, counter[0], counter, (s.x0, s.x1)))
                continue
            block, role = _block_of(s)
            out.append(TextLine(s.text, s.x0, s.x1, s.base, s.size, s.bold,
                                col_left=left, col_right=narrowed.get(id(s), right), lead=s.lead, exact=True,
                                edge_seen=seen or id(s) in narrowed,
                                cells=s.cells, aside=aside, col_lines=len(plain), block=block, role=role))
    return out


def _gutters(columns: list[list[_Seg]], em: float) -> list[tuple[float, float]]:
    """The room between reading order's columns of text that stand side by side (overlapping down
    the page); a narrow column (a contents page's page numbers) makes no gutter."""
    boxes = [(min(s.x0 for s in c), max(s.x1 for s in c), min(s.top for s in c), max(s.bottom for s in c))
             for c in columns if len(c) >= 3]
    boxes = [b for b in boxes if b[1] - b[0] >= 8 * em]
    out = []
    for a in boxes:
        for b in boxes:
            if b[0] > a[1] and min(a[3], b[3]) - max(a[2], b[2]) > 0.5 * min(a[3] - a[2], b[3] - b[2]):
                out.append((a[1], b[0]))
    return out


def _block_of(seg: _Seg) -> tuple[int, str]:
    """The structure block most of a line's glyphs are in: (key, role), or (0, "") untagged."""
    if not seg.tags:
        return 0, ""
    votes = Counter(t for t in seg.tags if t is not None)
    if not votes:
        return 0, ""
    (key, role), _ = votes.most_common(1)[0]
    return key, role


def _beside_floats(plain: list[_Seg], page: list[_Seg], right: float, em: float) -> dict[int, float]:
    """The right edge of each line that a box floated into its column narrows: text wraps round a
    float at a measure of its own, which the lines beside the box keep reaching (id(line) -> edge)."""
    out: dict[int, float] = {}
    for box in (s for s in page if s.boxed is not None and s.x0 < right - 2 * em):
        beside = [s for s in plain if s.x1 <= box.x0 + 1 and box.x0 - s.x1 < 3 * em
                  and s.top < box.bottom and s.bottom > box.top]
        if len(beside) >= 2:
            edge = max(s.x1 for s in beside)
            for s in beside:
                out[id(s)] = edge
    return out


def _obstacle(column: list[_Seg], page: list[_Seg], em: float) -> float | None:
    """The left edge of the nearest text or box right of a column, beside it (a float's, a sidebar's)."""
    right = max(s.x1 for s in column)
    top, bottom = min(s.top for s in column), max(s.bottom for s in column)
    mine = set(map(id, column))
    lefts = [s.x0 for s in page if id(s) not in mine and s.x0 >= right and s.x0 - right < 4 * em
             and s.top < bottom and s.bottom > top and (s.boxed is not None or len(s.text) > 6)]
    return min(lefts) if lefts else None


def _wordy(text: str) -> bool:
    """Text with letters or ideographs in it (not a page number or a rule of dashes)."""
    return any(ch.isalpha() for ch in text)


def _edge(values: list[float], *, low: bool, em: float = 10.0) -> float:
    """A column's left (or right) edge: the outermost position that at least two lines reach.

    Justified text reaches it on every full line, ragged text on its longest
    ones; a single overshooting line (a long URL, a hanging comma) does not
    move it, and code or a table set narrower inside the column does not pull
    it in.
    """
    if not values:
        return 0.0
    ordered = sorted(values, reverse=not low)
    if len(ordered) < 3:
        return ordered[0]
    tol = 0.3 * em
    allowed = max(1, len(ordered) // 10)  # overshooting lines (a URL, hanging punctuation)
    for i, v in enumerate(ordered[: allowed + 1]):
        if i + 1 < len(ordered) and abs(ordered[i + 1] - v) <= tol:
            return v
    return ordered[0]


def pdfium_lines(textpage: Any, page_height: float, page: Any = None,
                 roles: dict[int, tuple[int, str]] | None = None) -> list[TextLine] | None:
    """One page's lines with exact geometry, in reading order; None if not horizontal text.

    With the ``page``, ruled tables on it become one line each that carries its cells; with
    the page's ``roles`` (:func:`ingest.structure.document_roles`), each line knows its
    structure element.
    """
    segs = page_segments(textpage, page_height, roles)
    if segs is None:
        return None
    dots: list[Box] = []
    if page is not None:
        rules, boxes = page_rules(page, page_height, dots)
        segs = take_tables(segs, rules)
        segs = take_asides(segs, boxes, page_height * max(page.get_width(), 1.0))
    segs = take_term_tables(segs)
    lines = reading_order(segs)
    return mark_bullets(lines, dots) if dots else lines


#: The character a drawn bullet is read as (the one the other producers type).
BULLET = "•"


def mark_bullets(lines: list[TextLine], dots: list[Box]) -> list[TextLine]:
    """Lines that start just right of a drawn dot (a list bullet) get the bullet as text.

    A dot counts when it is a quarter to three quarters of the line's type size, sits
    within the line's height above its baseline, and ends less than two ems before the
    line starts, with no other line between them.
    """
    for line in lines:
        if line.cells is not None or line.text.startswith(BULLET):
            continue
        em = line.size or 1.0
        for x0, top, x1, bottom in dots:
            size = max(x1 - x0, bottom - top)
            middle = (top + bottom) / 2
            if not 0.2 * em <= size <= 0.75 * em:
                continue
            if not line.top - em <= middle <= line.top + 0.1 * em:
                continue
            gap = line.x0 - x1
            if not 0 <= gap <= 2 * em:
                continue
            if any(o is not line and abs(o.top - line.top) < 0.5 * em and x1 <= o.x1 <= line.x0
                   for o in lines):
                continue  # text between the dot and the line: the dot is not its bullet
            line.text = f"{BULLET} {line.text}"
            break
    return lines
