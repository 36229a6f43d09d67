"""Rebuilding paragraphs from extracted lines, and typing the blocks.

Extractors return lines, not paragraphs, and they mix running headers,
footers and page numbers into the text (pypdf often puts them at the *end* of
a page's text, because producers draw them last).  Where the extractor could
place its lines (:class:`ingest.extract.TextLine`: baseline, x extent, type
size) the rules use the geometry, because only it tells a paragraph that
ends exactly at the margin from one that goes on, or a title from the byline
under it; where it could not (rotated text, damaged files), the same rules
fall back to what the text alone shows:

* page furniture — in a page's top or bottom margin (above or below every
  substantial line), a page number, or a line repeated at the same height on
  most pages (digits ignored); text-only:
  a page number or a repeated line among the first or last lines of a page;
* paragraph breaks — a change of type size, a vertical gap larger than the
  document's line pitch, a first-line indent (in documents that indent); and
  always: the next line's first word would have fitted after this one, so the
  typesetter broke it on purpose (line widths estimated in ems against the
  document's usual full line, right for CJK and Latin text alike);
* joins — no space between CJK characters, one between Latin words, the
  document's own habit between CJK and Latin/digits, hyphenation undone;
* types — the largest type on page 1 is the title; larger or bold short lines
  between paragraphs are headings; small type before the body (or labelled
  圖/表 in it) is a caption; the text rules in :mod:`ingest.metadata` find
  byline, dateline, series, note and back matter, and pull the fields out.

Why one module over 500 lines: the paragraph, footnote, list, heading and
furniture rules read one shared page model (``Line``, the page's measures and
pitches) and decide in one pass that each rule's outcome feeds the next; the
seam to split along is that model, which a later round may move out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from archive.models import Block

from . import metadata as rules
from .chars import WORD_CLASS
from .geometry import TextLine
from .normalize import is_cjk, normalize_line, normalize_page, width

_PAGE_NUMBER = re.compile(
    r"^(?:[-–—~\s]*\d{1,4}[-–—~\s]*|\d{1,4}\s*/\s*\d{1,4}|第\s*\d{1,4}\s*頁(?:\s*[，,]?\s*共\s*\d{1,4}\s*頁)?"
    r"|第\s*\d{1,4}\s*页(?:\s*[，,]?\s*共\s*\d{1,4}\s*页)?|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|[ivxlc]{1,6})$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_EDGE = 3  # lines at each end of a page where running heads and feet live
_TERMINAL = "。！？!?；;…"  # sentence ends; a colon leads into what follows
_CLOSERS = "」』）)》〉】\"'”’"
_LATIN_ALNUM = re.compile(r"[A-Za-z0-9]")
_URL_TAIL = re.compile(r"(?:https?://|www\.)\S*$")
_URL_CONT = re.compile(r"^[\w/%?=&#.~+-]")


def is_page_number(line: str) -> bool:
    """A line that is only a page number (``3``, ``- 3 -``, ``3/21``, ``第 3 頁，共 4 頁``)."""
    return bool(_PAGE_NUMBER.match(line.strip()))


@dataclass(slots=True)
class Line:
    """A normalised line of one page; ``x0`` is None when the extractor could not place it."""

    text: str
    page: int  # 1-based
    x0: float | None = None
    x1: float = 0.0
    top: float = 0.0  # baseline, points from the top of the page
    size: float = 0.0
    bold: bool = False
    col_left: float = 0.0  # the column's edges, when placed from glyph boxes (``exact``)
    col_right: float = 0.0
    lead: float = 0.0  # printed width of the first word, points
    exact: bool = False
    edge_seen: bool = False
    cells: list[list[str]] | None = None  # a ruled table, placed as one line
    aside: int = 0  # > 0: inside the page's box of that number
    col_lines: int = 0
    footnote: int = 0  # > 0: a footnote's line at the page's foot (the note's number on the page)
    block: int = 0  # tagged PDF: the structure element it is in (0: untagged), see ingest.structure
    role: str = ""

    @property
    def placed(self) -> bool:
        return self.x0 is not None


@dataclass
class Para:
    """A rebuilt paragraph before typing (``size`` 0 when its lines were not placed)."""

    text: str
    pages: list[int]
    lines: int = 1
    widths: list[float] = field(default_factory=list)
    size: float = 0.0
    bold: bool = False
    cells: list[list[str]] | None = None  # a table: never joined with other lines
    aside: bool = False  # printed in a box or sidebar
    footnote: bool = False  # printed at the foot of its page, in smaller type, after a note mark
    flush_right: bool = False  # every line set against the column's right edge, far from its left
    role: str = ""  # tagged PDF, when layout follows the structure tree: its first line's element type


@dataclass
class Flow:
    """Paragraphs in reading order, with the measures typing needs."""

    paras: list[Para]
    full: float  # the usual full line, in ems
    body_size: float | None  # the body text's type size, None without geometry
    structure: bool = False  # paragraphs followed the PDF's structure tree (it agreed with the page)


def page_lines(texts: Sequence[str], geometry: Sequence[list[TextLine] | None] = ()) -> list[list[Line]]:
    """Each page's normalised, non-empty lines, placed where the extractor placed them."""
    pages: list[list[Line]] = []
    for number, text in enumerate(texts, start=1):
        placed = geometry[number - 1] if number <= len(geometry) else None
        if placed is None:
            pages.append([Line(line, number) for line in normalize_page(text)])
            continue
        lines = []
        for raw in placed:
            line = normalize_line(raw.text)
            if line:
                lines.append(Line(line, number, raw.x0, raw.x1, raw.top, raw.size, raw.bold,
                                  raw.col_left, raw.col_right, raw.lead, raw.exact, raw.edge_seen,
                                  raw.cells, raw.aside, raw.col_lines, block=raw.block, role=raw.role))
        pages.append(lines)
    return pages


# -- page furniture -------------------------------------------------------------


#: A page number in Chinese numerals, set apart as a word of its own (脂硯齋重評石頭記　三).
_HAN_NUMBER = re.compile(r"(?:(?<=\s)|^)[〇零一二三四五六七八九十百]{1,4}(?=\s|$)")
_MARKS_ONLY = re.compile(r"^\W+$")  # a word of # and marks only: "#", "-#-", "#/#"


def _key(text: str) -> str:
    """What a line's repetitions share: digit runs, and Chinese numerals standing as a word,
    as ``#`` (第 3 頁 and 第 4 頁, 前言　二 and 前言　四 are one)."""
    return _HAN_NUMBER.sub("#", _DIGITS.sub("#", text))


def _edge_key(text: str) -> str:
    """A line's key without the page number at its start or end: a running text that is
    printed with the page number on some pages and apart from it on others is one."""
    key = _key(text)
    words = key.split()
    while words and "#" in words[0] and _MARKS_ONLY.match(words[0]):
        words.pop(0)
    while words and "#" in words[-1] and _MARKS_ONLY.match(words[-1]):
        words.pop()
    return " ".join(words) or key


def _outer(lines: list[Line]) -> set[int]:
    """Indices of placed lines above or below every other substantial line of the page (its margins)."""
    tops = sorted(line.top for line in lines if line.placed and len(line.text) >= 10)
    out: set[int] = set()
    for i, line in enumerate(lines):
        if not line.placed:
            continue
        others = tops
        if len(line.text) >= 10:  # do not compare a substantial line with itself
            others = tops[1:] if line.top == tops[0] else tops[:-1] if line.top == tops[-1] else tops
        if not others or line.top < others[0] or line.top > others[-1]:
            out.add(i)
    return out


def strip_furniture(pages: list[list[Line]]) -> tuple[list[list[Line]], list[str]]:
    """Drop page numbers and running heads/feet; return the pages and the running texts seen."""
    n = len(pages)
    need = max(2, (n + 1) // 2)
    by_edge: dict[str, set[int]] = {}  # text rule: key -> pages where it is among the edge lines
    by_band: dict[tuple[str, int], set[int]] = {}  # geometry: (key, 3-point band) -> pages
    band_texts: dict[tuple[str, int], set[str]] = {}  # the texts printed there
    outer: list[set[int]] = []
    for index, lines in enumerate(pages):
        outer.append(_outer(lines))
        count = len(lines)
        for i, line in enumerate(lines):
            if line.placed and len(line.text) <= 60:
                for band in {int(line.top // 3), int((line.top + 1.5) // 3)}:
                    by_band.setdefault((_key(line.text), band), set()).add(index)
                    band_texts.setdefault((_key(line.text), band), set()).add(line.text)
            if (i in outer[index]) if line.placed else (i < _EDGE or i >= count - _EDGE):
                by_edge.setdefault(_edge_key(line.text), set()).add(index)
    # Pages read with and without geometry in one document (vertical pages among horizontal
    # ones): their margins are one evidence, so the text rule below also judges placed lines.
    mixed = any(line.placed for lines in pages for line in lines) and \
        any(not line.placed for lines in pages for line in lines)
    running_keys = {k for k, where in by_edge.items() if n >= 2 and len(where) >= need}
    running_bands = {k for k, where in by_band.items() if n >= 2 and len(where) >= need}
    # Printed at one place on nearly every page, even mid-page: a watermark or a stamp (3 pages at least).
    stamped = {k for k, where in by_band.items() if len(where) >= max(3, -(-3 * n // 5)) and len(k[0]) >= 4}
    kept: list[list[Line]] = []
    running_texts: list[str] = []
    for index, lines in enumerate(pages):
        out = []
        last = len(lines) - 1
        for i, line in enumerate(lines):
            if line.placed:
                bands = (int(line.top // 3), int((line.top + 1.5) // 3))
                repeated = any((_key(line.text), band) in running_bands for band in bands)
                furniture = i in outer[index] and (repeated or is_page_number(line.text) or (
                    mixed and _edge_key(line.text) in running_keys)) or (
                    line.cells is None and any((_key(line.text), band) in stamped for band in bands))
            else:
                at_edge = i < _EDGE or i > last - _EDGE
                furniture = at_edge and (is_page_number(line.text) or _edge_key(line.text) in running_keys)
            if furniture:
                if _key(line.text) == line.text and "#" not in line.text and not is_page_number(line.text) \
                        and line.text not in running_texts:
                    running_texts.append(line.text)
                continue
            if line.placed and (i < _EDGE or i > last - _EDGE):
                line, cut = _cut_running(line, running_bands, band_texts)
                running_texts.extend(t for t in cut if _key(t) == t and "#" not in t and t not in running_texts)
            out.append(line)
        kept.append(out)
    return kept, running_texts


def _cut_running(line: Line, running: set[tuple[str, int]], texts: dict[tuple[str, int], set[str]]
                 ) -> tuple[Line, list[str]]:
    """A line that begins or ends with a running head printed at its height, set on its
    baseline beside other text (the title beside the code and page a page-1 header prints, one
    line once the segments are joined): the line without it, and what was cut.  The running
    part must be a segment of its own (set apart by a space) and tell itself by more than its
    digits: by letters of its own (``頁次：3－1``), or by being the very text other pages print
    there (``51250``); a bare number beside a heading is never cut."""
    bands = (int(line.top // 3), int((line.top + 1.5) // 3))
    text, cut = line.text, []
    for _ in range(2):  # one at each end at most
        spaces = [m.start() for m in re.finditer(r"\s+", text)]
        found = False
        for at in spaces:
            for part, rest in ((text[:at], text[at:]), (text[at:], text[:at])):
                part, rest = part.strip(), rest.strip()
                if not part or not rest:
                    continue
                key = _key(part)
                for band in bands:
                    if (key, band) in running and (len(_DIGITS.sub("", key).replace("#", "")) >= 2
                                                   or part in texts.get((key, band), set()) and
                                                   not is_page_number(part)):
                        text, found = rest, True
                        cut.append(part)
                        break
                if found:
                    break
            if found:
                break
        if not found:
            break
    return (replace(line, text=text), cut) if cut else (line, [])


def full_width(widths: list[float]) -> float:
    """The document's usual full line, in ems: a high percentile of the longer lines."""
    longish = sorted(w for w in widths if w >= 8)
    if len(longish) < 3:
        return max(widths, default=0.0) or 1.0
    return longish[int(0.85 * (len(longish) - 1))]


def _first_token(text: str) -> str:
    if not text:
        return ""
    if is_cjk(text[0]):
        return text[0]
    match = re.match(r"\S+", text)
    return match.group(0) if match else text[0]


_HAN_CLASS = WORD_CLASS
_HAN = re.compile(f"[{_HAN_CLASS}]")
# Lookaheads, so that overlapping pairs count (中 A 中 has two).
_SPACED = re.compile(f"(?=[{_HAN_CLASS}] [A-Za-z0-9]|[A-Za-z0-9] [{_HAN_CLASS}])")
_TIGHT = re.compile(f"(?=[{_HAN_CLASS}][A-Za-z0-9]|[A-Za-z0-9][{_HAN_CLASS}])")


def spaces_around_latin(lines: list[str]) -> bool:
    """Does this document put a space between ideographs and Latin letters or digits?"""
    text = "\n".join(lines)
    return len(_SPACED.findall(text)) > len(_TIGHT.findall(text))


def _is_han(ch: str) -> bool:
    """An ideograph, kana or bopomofo letter (a letter that needs no space next to another)."""
    return _HAN.match(ch) is not None


def _glue(end: str, url_open: bool, b: str, spaced_latin: bool) -> str | None:
    """What ``join`` puts between a text ending in ``end`` (its last two characters or more) and
    ``b`` (both non-empty): ``""`` or ``" "``, or None to drop the text's final hyphen.
    ``url_open``: the text ends in a URL (``_URL_TAIL``)."""
    x, y = end[-1], b[0]
    if x == "-" and len(end) > 1 and end[-2].isalpha() and y.islower():
        return None  # undo hyphenation
    if url_open and _URL_CONT.match(b) and not is_cjk(y):
        return ""  # a long URL broken by the line end
    if is_cjk(x) or is_cjk(y):
        if is_cjk(x) and is_cjk(y):
            return ""
        if (_is_han(x) and _LATIN_ALNUM.match(y)) or (_LATIN_ALNUM.match(x) and _is_han(y)):
            return " " if spaced_latin else ""
        return ""
    return " "


def join(a: str, b: str, spaced_latin: bool) -> str:
    """Join two pieces of one paragraph the way the author wrote them."""
    if not a or not b:
        return a + b
    sep = _glue(a[-2:], _URL_TAIL.search(a) is not None, b, spaced_latin)
    return a[:-1] + b if sep is None else a + sep + b


_URL_AT_END = re.compile(r"(?:https?://|www\.)\S*\Z")  # _URL_TAIL without its "or before a final newline"
_SPACE = re.compile(r"\s")
_TAIL = 8  # characters of the text's end a joint looks at: "https://" and one more


class Joined:
    """A paragraph's text joined line by line as ``join`` would, in time linear in its length.

    ``text = join(text, line)`` copies the whole text so far and searches all of it for a URL at
    its end, for every line: quadratic in a paragraph's length (issue 10: 92.8 s for 400 pages).
    Here each line is looked at once: the text is kept as pieces, with what the next joint and
    ``caption`` need (the last characters, whether a URL is open at the end, the part between
    the last two closing brackets) updated from the new piece alone.
    """

    __slots__ = ("_pieces", "_tail", "_url", "_since", "_since_blank", "_closed", "_between",
                 "_between_closed", "_caption")

    def __init__(self, first: str = "") -> None:
        self._pieces: list[str] = []
        self._tail = ""  # the text's last _TAIL characters
        self._url = False  # a URL prefix after the text's last whitespace (_URL_AT_END)
        self._since: list[str] = []  # the text after its last closing bracket (all of it if none)
        self._since_blank = True
        self._closed = False  # the text has a closing bracket
        self._between = ""  # the text between its last two closing brackets (or its start and the last)
        self._between_closed = False  # ... and a closing bracket before that part
        self._caption = False
        if first:
            self._push(first, "")

    def add(self, b: str, spaced_latin: bool) -> None:
        """``text = join(text, b, spaced_latin)``."""
        if not b:
            return
        if not self._pieces:
            self._push(b, "")
            return
        tail = self._tail
        url = self._url
        if tail.endswith("\n"):  # _URL_TAIL's "$" also matches before a final newline
            url = _URL_TAIL.search(self.text) is not None
        sep = _glue(tail, url, b, spaced_latin)
        if sep is None:  # drop the final hyphen (not whitespace, not a bracket, not in a URL prefix)
            last = self._pieces[-1][:-1]
            if last:
                self._pieces[-1] = last
            else:
                self._pieces.pop()
            since = self._since[-1][:-1]
            if since:
                self._since[-1] = since
            else:
                self._since.pop()
            tail, sep = tail[:-1], ""
        self._push(sep + b, tail)

    def _push(self, piece: str, tail: str) -> None:
        self._pieces.append(piece)
        if _SPACE.search(piece):
            self._url = _URL_AT_END.search(piece) is not None
        else:
            self._url = self._url or _URL_AT_END.search(tail[-(_TAIL - 1):] + piece) is not None
        self._tail = (tail + piece)[-_TAIL:]
        closer = max(piece.rfind(ch) for ch in rules.CREDIT_CLOSERS)
        if closer < 0:
            self._since.append(piece)
            self._since_blank = self._since_blank and not piece.strip()
        else:
            before = max(piece.rfind(ch, 0, closer) for ch in rules.CREDIT_CLOSERS)
            if before >= 0:
                self._between, self._between_closed = piece[before + 1:closer], True
            else:
                self._between = "".join(self._since) + piece[:closer]
                self._between_closed = self._closed
            rest = piece[closer + 1:]
            self._since = [rest] if rest else []
            self._since_blank = not rest.strip()
            self._closed = True
            self._caption = rules.ends_in_credit(self._between, self._between_closed)

    @property
    def caption(self) -> bool:
        """``rules.split_caption(text) is not None``: the text is a caption ending in its credit."""
        return self._closed and self._since_blank and self._caption

    @property
    def text(self) -> str:
        if len(self._pieces) > 1:
            self._pieces = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""


@dataclass
class _Measures:
    """What the placed lines say about the document's typesetting."""

    body_size: float | None = None
    pitch: dict[float, float] = field(default_factory=dict)  # type size -> baseline distance in a paragraph
    left: dict[tuple[int, float], float] = field(default_factory=dict)  # (page, size) -> the column's left
    indents: bool = False  # paragraphs start with a first-line indent
    gaps: bool = False  # body paragraphs are set apart by a blank gap
    measure: float = 0.0  # the usual column measure in ems (exact geometry)
    column_pitch: dict[tuple[Any, ...], float] = field(default_factory=dict)  # (column, size) -> baseline distance
    columns: dict[int, list[tuple[float, float]]] = field(default_factory=dict)  # page -> its columns' edges
    structure: bool = False  # the structure tree's paragraphs agree with the page: follow them


def _size_key(size: float) -> float:
    return round(size * 2) / 2


def _mode(values: list[float]) -> float | None:
    return Counter(values).most_common(1)[0][0] if values else None


def _pitch(steps: list[float], size: float) -> float:
    """The baseline distance inside a paragraph: the commonest of the smallest steps.

    Not simply the commonest step: in a document of one-line paragraphs the
    gap between paragraphs is the commonest.  Steps seen less than a tenth of
    the time are strays (overlapping lines, a form's fields, a spine label),
    not the text's leading.
    """
    steps = sorted(steps)
    floor = max(1, len(steps) // 10)
    for k, smallest in enumerate(steps):
        near = [s for s in steps[k:] if s <= smallest + 0.2 * size]
        if len(near) >= floor:
            return _mode(near) or smallest
    return steps[0]


def _measure(lines: list[Line]) -> _Measures:
    """Body size, line pitch per size and column left edges, from the placed lines."""
    placed = [line for line in lines if line.placed]
    if not placed:
        return _Measures()
    weight: Counter[float] = Counter()
    for line in placed:
        weight[_size_key(line.size)] += len(line.text)
    # The body is the type that fills its columns: code listings, tables and lists don't wrap.
    wrapping: Counter[float] = Counter()
    for line in placed:
        if line.exact and line.cells is None and not line.aside and line.edge_seen \
                and line.col_right - (line.x1 or 0.0) <= 0.6 * line.size:
            wrapping[_size_key(line.size)] += len(line.text)
    if sum(wrapping.values()) >= 0.2 * sum(weight.values()):
        weight = wrapping
    m = _Measures(body_size=weight.most_common(1)[0][0])
    steps: dict[float, list[float]] = {}
    lefts: dict[tuple[int, float], list[float]] = {}
    for a, b in zip(placed, placed[1:], strict=False):
        if a.page == b.page and _size_key(a.size) == _size_key(b.size) and 0.8 * a.size < b.top - a.top < 3 * a.size:
            steps.setdefault(_size_key(a.size), []).append(round((b.top - a.top) * 2) / 2)
    for line in placed:
        lefts.setdefault((line.page, _size_key(line.size)), []).append(round(line.x0 or 0.0))
    m.pitch = {size: _pitch(values, size) for size, values in steps.items()}
    local: dict[tuple[Any, ...], list[float]] = {}
    for a, b in zip(placed, placed[1:], strict=False):
        # Inside a paragraph for sure: a line that reaches its column's edge, then one in the same type.
        if a.exact and b.exact and _same_column(a, b) and _size_key(a.size) == _size_key(b.size) \
                and a.col_right - (a.x1 or 0.0) <= 0.6 * a.size and 0.8 * a.size < b.top - a.top < 3 * a.size:
            local.setdefault(_column_key(a), []).append(round((b.top - a.top) * 2) / 2)
    m.column_pitch = {key: _mode(values) or 0.0 for key, values in local.items() if len(values) >= 2}
    m.left = {key: min(values, key=lambda v: (-values.count(v), v)) for key, values in lefts.items()}
    for line in placed:
        if line.exact and line.col_lines >= 3:  # columns' edges, not stray lines'
            edges = m.columns.setdefault(line.page, [])
            if (line.col_left, line.col_right) not in edges:
                edges.append((line.col_left, line.col_right))
    return m


def _uses_gaps(lines: list[Line], widths: list[float], full: float, m: _Measures) -> bool:
    """Are body paragraphs set apart by a blank gap?

    Yes when the lines that certainly end a paragraph (short, ending a
    sentence, followed on the page by more body text) are nearly all followed
    by a gap.  A few gaps elsewhere (around a heading or a figure) do not count.
    """
    body, pitch = m.body_size, m.pitch.get(m.body_size or 0.0)
    if body is None or pitch is None:
        return False
    ends = gapped = 0
    for (a, wa), b in zip(zip(lines, widths, strict=False), lines[1:], strict=False):
        if not (a.placed and b.placed and a.page == b.page):
            continue
        if _size_key(a.size) == _size_key(b.size) == body and wa < 0.8 * full and ends_sentence(a.text):
            ends += 1
            gapped += b.top - a.top > pitch + max(2.0, 0.25 * body)
    return ends >= 2 and gapped >= 0.8 * ends


def _uses_indents(lines: list[Line], m: _Measures) -> bool:
    """Do paragraphs start with a first-line indent?

    Yes when there are indented lines and nearly all of them follow a line
    that ends a sentence or a line in other type (a heading): they start
    paragraphs.  Block quotes, indented on every line, do not qualify.
    """
    indented = starts = 0
    for a, b in zip(lines, lines[1:], strict=False):
        if b.placed and _indent(b, m) > 0:
            indented += 1
            starts += not a.placed or ends_sentence(a.text) or _size_key(a.size) != _size_key(b.size)
    return indented >= 2 and starts >= 0.8 * indented


def _indent(line: Line, m: _Measures) -> float:
    """How far right of its column's left edge a line starts, in ems (0 when not indented)."""
    left = line.col_left if line.exact else m.left.get((line.page, _size_key(line.size)))
    if left is None or line.x0 is None:
        return 0.0
    ems = (line.x0 - left) / max(line.size, 1.0)
    return ems if 0.7 <= ems <= 6 else 0.0


def _breaks(a: Line, b: Line, m: _Measures) -> bool:
    """Does geometry show a paragraph break between two lines?  (False: it cannot tell.)"""
    if not (a.placed and b.placed):
        return False
    if abs(a.size - b.size) > 0.04 * max(a.size, b.size):
        return True  # a change of type: title, heading, caption, note, back matter
    if a.exact and b.exact:
        # Lines placed by glyph boxes come in reading order, column by column: moving to the
        # next column (or page) is no break by itself; the right edge decides (see _goes_on).
        if _same_column(a, b):
            step = b.top - a.top
            pitch = m.column_pitch.get(_column_key(a)) or m.pitch.get(_size_key(a.size))
            if pitch is not None and step > pitch + max(2.0, 0.25 * a.size):
                return True
        return m.indents and _indent(b, m) > 0 and not (_indent(a, m) > 0 and abs((a.x0 or 0) - (b.x0 or 0)) < 1)
    if a.page == b.page:
        step = b.top - a.top
        if step < 0.5 * a.size:
            return True  # back up the page: another column, or a block drawn out of order
        pitch = m.pitch.get(_size_key(a.size))
        body_pitch = m.pitch.get(m.body_size or 0.0)
        if pitch is None and body_pitch and m.body_size:
            pitch = body_pitch * a.size / m.body_size  # a one-line block in other type: scale the body's
        if pitch is not None and step > pitch + max(2.0, 0.25 * a.size):
            return True  # a blank gap between paragraphs
    # a first-line indent (a line at the same indent as an indented one before it is a block quote's)
    return m.indents and _indent(b, m) > 0 and not (_indent(a, m) > 0 and abs((a.x0 or 0) - (b.x0 or 0)) < 1)


def _column_key(line: Line) -> tuple[Any, ...]:
    return (line.page, round(line.col_left), round(line.col_right), _size_key(line.size))


def _same_column(a: Line, b: Line) -> bool:
    return (a.page == b.page and b.top > a.top and abs(a.col_left - b.col_left) < 1
            and abs(a.col_right - b.col_right) < 1)


def _measure_ems(lines: list[Line]) -> float:
    """The document's usual column measure in ems, from columns whose right edge is seen twice."""
    widths: Counter[float] = Counter()
    for line in lines:
        if line.exact and line.edge_seen and line.size > 0:
            widths[round((line.col_right - line.col_left) / line.size)] += 1
    return widths.most_common(1)[0][0] if widths else 0.0


_LIST_MARK = re.compile(r"^(?:[•‧▪●○◆■□☐✓\-–*]\s|[0-9]{1,2}[.)、]\s?|[（(][0-9一二三四五六七八九十a-zA-Z]{1,3}[）)]|[a-zA-Z][.)]\s)")

_PAIRS = {"（": "）", "(": ")", "「": "」", "『": "』", "《": "》", "〈": "〉", "【": "】", "“": "”"}


def _unclosed(text: str) -> bool:
    """Does the line end inside a bracket or quotation it opened?  Then its paragraph goes on.

    Only the line's own brackets count: a quotation that runs over several paragraphs
    reopens 「 at each without closing the last.
    """
    depth = 0
    for ch in text:
        if ch in _PAIRS:
            depth += 1
        elif depth and ch in _PAIRS.values():
            depth -= 1
    return depth > 0


def _flush_right(line: Line, m: _Measures) -> bool:
    """Exact geometry: is the line set against its column's right edge, starting past its middle?

    A byline, a dateline or a signature is set so; a wrapped line of a paragraph
    starts at the column's left edge (or an indent of a few ems).  A line that is
    a column of its own (reading order cut it out) is measured against the column it sits in.
    """
    if not (line.exact and line.placed):
        return False
    left, right = _own_column(line, m) or (line.col_left, line.col_right)
    em = max(line.size, 1.0)
    start = (line.x0 or 0.0) - left
    return right - line.x1 <= 0.6 * em and start > 0.5 * (right - left) and start > 6 * em


def _own_column(line: Line, m: _Measures) -> tuple[float, float] | None:
    """For a line that reading order cut out as a column of its own (a paragraph's last line
    above a footnote, say): the edges of the page's real column it sits in, if one holds it."""
    if line.col_lines > 2 or line.x0 is None:
        return None
    em = max(line.size, 1.0)
    for left, right in m.columns.get(line.page, ()):
        if left - em <= line.x0 and line.x1 <= right + em and right - left > line.col_right - line.col_left:
            return left, right
    return None


def _fills(line: Line, nxt: Line, measure: float = 0.0, m: _Measures | None = None) -> bool:
    """Exact geometry: was ``line`` broken only because ``nxt``'s first word did not fit on it?

    A line that reaches its column's right edge (justified text always does)
    goes on; one that stops short by more than the next line's first word
    (and a space, between Latin words) was ended on purpose.
    """
    em = max(line.size, 1.0)
    right = line.col_right
    seen = line.edge_seen
    held = _own_column(line, m) if m is not None else None
    if held is not None:
        right, seen = held[1], True
    if not seen:  # a ragged column's widest line is not its measure: use the document's
        right = max(right, line.col_left + measure * em)
    room = right - (line.x1 or 0.0)
    if room <= 0.6 * em:
        return True
    # A break between two Latin words, or where Latin meets CJK ("10 月"), may be at a typed space,
    # which had to fit too.
    spaced = not is_cjk(line.text[-1]) or not is_cjk(nxt.text[0])
    needed = nxt.lead + (0.25 * em if spaced else 0.0)
    return needed > room - 0.15 * em


_NOTE_MARK = re.compile(r"^(?:[0-9]{1,3}(?![0-9.,:/年月日號号時时-])|[*＊†‡§]+|[\u2460-\u2473]|\[[0-9]{1,3}\]|[註注][0-9]{1,3})(?=\s*\S)")


def _mark_footnotes(lines: list[Line], body: float | None) -> None:
    """Number the lines of the notes at each page's foot (``Line.footnote``), in place.

    A footnote is set below the body's last line of its column, in smaller
    type, and opens with a note mark (1, *, †, ①, [1], 註1); its next lines
    in the same type follow it.  Each note is numbered within its page.
    """
    if not body:
        return
    lowest: dict[tuple[Any, ...], float] = {}
    for line in lines:
        if line.placed and line.cells is None and not line.aside and abs(line.size - body) <= 0.08 * body:
            key = (line.page, round(line.col_left), round(line.col_right)) if line.exact else (line.page,)
            lowest[key] = max(lowest.get(key, 0.0), line.top)
            lowest[(line.page,)] = max(lowest.get((line.page,), 0.0), line.top)
    number, page, open_note = 0, 0, False
    # A box's lines are notes only if the box opens with a note mark (a note area drawn as a
    # box, as WeasyPrint's can be); a code listing or a sidebar whose later line starts with
    # "*" or a digit is not.
    box_of_notes: dict[tuple[int, int], bool] = {}
    for line in lines:
        if line.aside and (line.page, line.aside) not in box_of_notes:
            box_of_notes[(line.page, line.aside)] = bool(_NOTE_MARK.match(line.text))
    for line in lines:
        if line.page != page:
            number, page, open_note = 0, line.page, False
        # a boxed note area has its box's edges, not a column's: it is measured against the page
        key = ((line.page, round(line.col_left), round(line.col_right)) if line.exact and not line.aside
               else (line.page,))
        # A note area set as a column of its own (narrower than the body's) is measured against the page.
        floor = lowest.get(key, lowest.get((line.page,)))
        below = line.placed and floor is not None and line.top > floor and line.size < 0.92 * body
        if line.aside and not box_of_notes.get((line.page, line.aside)):
            below = False
        if not below or line.cells is not None or rules.is_contact(line.text):
            open_note = False
            continue
        if _NOTE_MARK.match(line.text):
            number += 1
            open_note = True
        if open_note:
            line.footnote = number


#: Share of the body's lines a structure tree must tag, and of the line pairs where geometry is sure
#: (a line that runs on mid-sentence to the edge; a gap or a change of type) it may contradict.
STRUCTURE_COVERAGE = 0.9
STRUCTURE_DISAGREEMENT = 0.05


def _structure_agrees(lines: list[Line], m: _Measures) -> bool:
    """Does the PDF's structure tree tag the text, and agree with the page where geometry is sure?

    Sure: a line that reaches the column's edge mid-sentence goes on (unless the next is a
    list item or it is a contents entry); a sentence's end followed by a gap, an indent or
    other type ends its paragraph.

    A tree that tags every printed line as a paragraph of its own (a manual line break,
    or an exporter that tags lines), or one paragraph a page, contradicts the geometry
    and is not followed.
    """
    body = [line for line in lines if line.exact and line.cells is None and line.text.strip()]
    if not body or sum(1 for line in body if line.block) < STRUCTURE_COVERAGE * len(body):
        return False
    checked = wrong = 0
    for a, b in zip(body, body[1:], strict=False):
        if not (a.block and b.block and a.page == b.page and a.aside == b.aside):
            continue
        if _breaks(a, b, m) and ends_sentence(a.text):
            checked += 1
            wrong += a.block == b.block
        elif (_same_column(a, b) and _fills(a, b, m.measure) and not ends_sentence(a.text)
              and _size_key(a.size) == _size_key(b.size) and not _flush_right(a, m)
              and not _TOC_ENTRY.search(a.text) and not _LIST_MARK.match(b.text)):
            checked += 1
            wrong += a.block != b.block
    return checked >= 5 and wrong <= STRUCTURE_DISAGREEMENT * checked


def build_paragraphs(pages: list[list[Line]]) -> Flow:
    """Join lines into paragraphs across line and page breaks (geometry first, then the text).

    Tables and boxed text (asides) interrupt the flow where they are printed
    but never a paragraph: one met inside a paragraph comes right after it.
    """
    lines = [line for page in pages for line in page]
    measures = _measure(lines)
    # A first-line indent takes room on the line: count it in the line's width.
    widths = [width(line.text) + _indent(line, measures) for line in lines]
    full = full_width(widths)
    measures.indents = _uses_indents(lines, measures)
    measures.gaps = _uses_gaps(lines, widths, full, measures)
    measures.measure = _measure_ems(lines)
    measures.structure = _structure_agrees(lines, measures)
    spaced = spaces_around_latin([line.text for line in lines])
    width_of = {id(line): w for line, w in zip(lines, widths, strict=True)}
    _mark_footnotes(lines, measures.body_size)
    items: list[Line | list[Line]] = []
    for line in lines:  # consecutive lines of one box, or of one footnote, become one item
        if line.aside or line.footnote:
            last = items[-1] if items else None
            if (isinstance(last, list) and last[0].page == line.page and last[0].aside == line.aside
                    and last[0].footnote == line.footnote):
                last.append(line)
            else:
                items.append([line])
        else:
            items.append(line)
    # A box that runs over a page break is one box: its part on the next page (a box there at the
    # same place across the page) is read with the part where it began.  The part before is a box on
    # the previous page at that place (not always its last: a boxed footnote area may follow it);
    # the part after is the first box on its page, or any there when the part before stops
    # mid-sentence (a boxed running head may come first).
    merged: list[Line | list[Line]] = []
    boxes_on: dict[int, list[list[Line]]] = {}  # page -> the boxes read on it, in order
    first_seen: set[int] = set()
    joined: set[int] = set()  # pages whose box took in the one before
    for item in items:
        if isinstance(item, list) and item[0].aside:
            page = item[0].page
            before = next((b for b in reversed(boxes_on.get(page - 1, []))
                           if abs(b[0].col_left - item[0].col_left) < 1
                           and abs(b[0].col_right - item[0].col_right) < item[0].size), None)
            if (before is not None and (page not in first_seen or not ends_sentence(before[-1].text))
                    and page not in joined):
                before.extend(item)
                first_seen.add(page)
                joined.add(page)
                boxes_on.setdefault(page, []).append(before)
                known = [x for x in before if x.edge_seen]
                for x in before:  # a part too short to show the box's measure takes the other part's
                    if not x.edge_seen and known:
                        x.col_right, x.edge_seen = known[0].col_right, True
                continue
            first_seen.add(page)
            boxes_on.setdefault(page, []).append(item)
        merged.append(item)
    items = merged

    def interruption(item: Line | list[Line]) -> list[Para]:
        if isinstance(item, list):
            if item[0].footnote:  # one footnote: its lines are one block
                text = item[0].text
                for line in item[1:]:
                    text = join(text, line.text, spaced)
                para = Para(text, [item[0].page], len(item), [width_of[id(x)] for x in item], item[0].size)
                para.footnote = True
                return [para]
            inner = flow(list(item))
            for para in inner:
                para.aside = True
            return inner
        return [Para(item.text, [item.page], 1, [0.0], item.size, False, item.cells)]

    def flow(seq: list[Line | list[Line]]) -> list[Para]:
        following: list[Line | None] = [None] * len(seq)
        upcoming: Line | None = None
        for k in range(len(seq) - 1, -1, -1):
            following[k] = upcoming
            item = seq[k]
            if isinstance(item, Line) and item.cells is None:
                upcoming = item
        out: list[Para] = []
        current: Para | None = None
        deferred: list[Line | list[Line]] = []
        for k, item in enumerate(seq):
            if not isinstance(item, Line) or item.cells is not None:
                if current is not None:
                    deferred.append(item)
                else:
                    out.extend(interruption(item))
                continue
            line, w = item, width_of[id(item)]
            if current is None:
                current = Para(line.text, [line.page], 1, [w], line.size, line.bold)
                current.flush_right = _flush_right(line, measures)
                current.role = line.role if measures.structure else ""
                text, widest, on_pages = Joined(line.text), w, {line.page}
            else:
                text.add(line.text, spaced)
                current.lines += 1
                current.widths.append(w)
                widest = max(widest, w)
                current.bold = current.bold and line.bold
                if line.page not in on_pages:
                    on_pages.add(line.page)
                    current.pages.append(line.page)
            nxt = following[k]
            if nxt is None or text.caption or not _goes_on(line, w, nxt, current, full, measures, widest):
                current.text = text.text
                out.append(current)  # (a credit closes its caption, whatever the width)
                current = None
                for held in deferred:
                    out.extend(interruption(held))
                deferred = []
        if current is not None:
            current.text = text.text
            out.append(current)
        for held in deferred:
            out.extend(interruption(held))
        return out

    return Flow(flow(items), full, measures.body_size, measures.structure)


#: A contents entry: leader dots (or a wide gap) and a page number at the end of the line.
_TOC_ENTRY = re.compile(r"(?:[.…·．‧]{4,}|[.…·．‧]\s?(?:[.…·．‧]\s?){3,})\s*(?:[0-9]{1,4}|[ivxlcIVXLC]{1,6})$")


#: An item's enumerator, by its form: 一、 十二． 壹、 (一) （三） 1. 2、 3) (4)
_ENUMERATOR = re.compile(
    r"^(?:(?P<cjk>[一二三四五六七八九十]{1,3})\s*[、．]|(?P<formal>[壹貳參肆伍陸柒捌玖拾]{1,3})\s*[、．]"
    r"|[（(](?P<pcjk>[一二三四五六七八九十]{1,3})[）)]|(?P<arabic>[0-9]{1,2})(?:[.、](?![0-9])|\)(?=\s*\S))"
    r"|[（(](?P<parabic>[0-9]{1,2})[）)])"
)
_FORMAL = str.maketrans("壹貳參肆伍陸柒捌玖拾", "一二三四五六七八九十")


def enumerator(text: str) -> tuple[str, int] | None:
    """(form, value) of the enumerator a line starts with, e.g. ("cjk", 12) for 十二、; None without one."""
    match = _ENUMERATOR.match(text)
    if match is None:
        return None
    form = match.lastgroup or ""
    value = rules.numeral(match.group(form).translate(_FORMAL))
    return (form, value) if value is not None else None


def _next_item(first: str, following: str) -> bool:
    """Does ``following`` start the item after the one ``first`` starts (十一、 then 十二、)?"""
    this, that = enumerator(first), enumerator(following)
    return this is not None and that is not None and this[0] == that[0] and that[1] == this[1] + 1


#: Three or more typed wide spaces between short runs: a line spread out to the measure (a form's
#: date line 中　華　民　國　年　月　日, a label distributed over its cell), never running text.
_SPREAD = re.compile(r"^\S{1,4}(?:\u3000+\S{1,4}){3,}$")


def _goes_on(line: Line, w: float, nxt: Line, current: Para, full: float, m: _Measures,
             widest: float) -> bool:
    """Does the paragraph go on after ``line``?  Geometry can say no; then the text decides.

    ``widest``: the widest of ``current``'s lines so far (``max(current.widths)``, kept by the caller).
    """
    if m.structure and line.block and nxt.block and (line.page == nxt.page or line.block == nxt.block):
        # The author's paragraphs, as the tagged PDF records them (checked against the page).  Over a
        # page break only a join is taken from it: some exporters (Word) close the element at the page.
        return line.block == nxt.block and not _TOC_ENTRY.search(line.text)
    if _breaks(line, nxt, m) or _TOC_ENTRY.search(line.text):
        return False
    if _CONTENTS_HEAD.match(nxt.text) or _CONTENTS_HEAD.match(line.text):
        return False  # a contents heading (目次, Contents) is a line of its own
    if _SPREAD.match(line.text) or _SPREAD.match(nxt.text):
        return False
    if ends_sentence(line.text) and _next_item(current.text, nxt.text):
        return False  # a full line ends item 十一; the next line starts item 十二
    if line.exact and nxt.exact:
        if _flush_right(line, m):
            return False  # set flush right, it is a line of its own (a byline, a signature)
        if _fills(line, nxt, m.measure, m) or _unclosed(line.text):
            return True
        # In a document that marks paragraphs by indenting them, a paragraph's line that stops short
        # mid-sentence and is followed by an unindented line in its type was narrowed by something
        # beside it (a float's margin).
        return (m.indents and current.lines >= 2 and not ends_sentence(line.text) and _indent(nxt, m) == 0
                and _size_key(line.size) == _size_key(nxt.size) and not _LIST_MARK.match(nxt.text))
    # smaller print (captions, back matter) sets its own measure
    local = widest if widest > 1.1 * full else full
    body_line = (line.placed and nxt.placed and m.body_size is not None
                 and _size_key(line.size) == _size_key(nxt.size) == m.body_size and w >= 0.8 * local)
    if body_line and line.page == nxt.page and (m.gaps or m.indents):
        # The document marks its paragraphs by a gap or an indent and geometry shows none
        # here: a wide line ending a sentence is not a paragraph's end.  (Widths of Latin text
        # are estimated, so "does it fill the line" alone would be a guess.)
        return True
    # Most page breaks fall inside a paragraph: a wide line ending a sentence at the foot of a
    # page goes on unless the next page shows otherwise (an indent, other type: see _breaks).
    slack = 0.6
    if body_line and line.page != nxt.page:
        # Widths of CJK characters are exact; of Latin letters, digits and ASCII punctuation only
        # estimated: allow for the estimate's error on this line, not a fixed margin.
        slack += min(1.2, 0.12 * sum(1 for ch in line.text if ord(ch) < 0x2E80 and not ch.isspace()))
    return _continues(line.text, w, nxt.text, local, slack)


def _continues(text: str, w: float, following: str, full: float, slack: float = 0.6) -> bool:
    """Was this line broken only because the next word did not fit?"""
    room = full - w
    if room <= 0:
        return True
    needed = width(_first_token(following)) + (0 if is_cjk(following[0]) else 0.3)
    if text[-1] in _TERMINAL or (text[-1] in _CLOSERS and len(text) > 1 and text[-2] in _TERMINAL):
        return room < slack  # a sentence end that fills the line is ambiguous; only a full line goes on
    return needed > room - 0.6


def ends_sentence(text: str) -> bool:
    """Ends with sentence-final punctuation (possibly inside closing quotes or brackets)."""
    text = text.rstrip(_CLOSERS)
    return bool(text) and text[-1] in _TERMINAL + ".：:"


# -- typing ------------------------------------------------------------------


@dataclass
class Typed:
    """Blocks in reading order plus what the text rules found along the way."""

    blocks: list[Block]
    found: dict[str, str]
    structure: bool = False  # paragraphs and headings followed the PDF's structure tree


#: Structure types that are headings (ISO 32000-1, 14.8.4.3).
_HEADING_ROLES = frozenset({"H", "H1", "H2", "H3", "H4", "H5", "H6"})

_FIGURE_LABEL = re.compile(
    r"^(?:圖|图|表|照片|相片|Figure|Fig\.|Photo|Table)\s*[0-9０-９一二三四五六七八九十]*\s*[：:．.、\s]", re.IGNORECASE)


def _ratio(para: Para, body: float | None) -> float | None:
    """The paragraph's type size relative to the body's, None without geometry."""
    return para.size / body if para.size and body else None


def _is_small(para: Para, body: float | None) -> bool:
    ratio = _ratio(para, body)
    return ratio is not None and ratio < 0.92


def _is_body(para: Para, full: float, body: float | None) -> bool:
    """A real paragraph: in the body's type (when known), and wraps or is a long sentence."""
    ratio = _ratio(para, body)
    if ratio is not None and not 0.92 <= ratio <= 1.08:
        return False
    return para.lines >= 2 or (width(para.text) >= 0.6 * full and ends_sentence(para.text))


_NUMBERED = re.compile(
    r"^(?:第\s*[0-9０-９一二三四五六七八九十百]+\s*[章節节篇部編编]|[壹貳參肆伍陸柒捌玖拾]+\s*[、．.]"
    r"|[一二三四五六七八九十]+\s*[、．.]|[（(][一二三四五六七八九十]+[）)]|(?:[0-9]{1,2}\.){0,3}[0-9]{1,2}\.?\s"
    r"|[A-Z]\.[0-9]{1,2}\s|(?:Chapter|Section|Appendix|附錄|附录)\s*[0-9A-Z一二三四五六七八九十]*)"
)


_WORDISH = re.compile(r"[^\W\d_]")


def _is_heading(para: Para, full: float, body: float | None, bold_body: bool = False) -> bool:
    """A heading is typeset as one: a short line in larger or bolder type, or numbered as a section.

    Not every short line: a line that stops short in the body's own type is a
    paragraph's last (or only) line, an exam's answer choices or a list entry.
    """
    text = para.text
    if ends_sentence(text) or text[-1] in "，、,;；" or len(text) > 80 or para.lines > 3:
        return False
    if len(_WORDISH.findall(text)) < 2:
        return False  # a figure's callout letter or a stray number
    ratio = _ratio(para, body)
    if ratio is None:  # no geometry: the text rule alone
        return para.lines == 1 and len(text) <= 40 and width(text) < 0.8 * full
    if ratio < 0.92:
        return False  # small type is a caption, a note or back matter, never a heading
    if ratio >= 1.08 or (para.bold and not bold_body):
        return True
    return para.lines == 1 and len(text) <= 40 and bool(_NUMBERED.match(text))


def _bold_body(paras: list[Para], body: float | None) -> bool:
    """Is most of the body-size text bold (then bold marks nothing)?"""
    total = bolded = 0
    for p in paras:
        if _ratio(p, body) is not None and 0.92 <= (_ratio(p, body) or 0) <= 1.08:
            total += len(p.text)
            bolded += len(p.text) if p.bold else 0
    return total > 0 and bolded > 0.5 * total


def _back_matter_start(paras: list[Para], body: float | None) -> int | None:
    """Index of the publisher's name line that opens the back matter, if there is one.

    The name line counts when contact lines follow it, when nothing does (the
    foundation alone at the end), or when it and what follows are in small type.
    """
    for i in range(len(paras) - 1, max(-1, len(paras) - 12), -1):
        if rules.is_foundation(paras[i].text):
            tail = paras[i + 1:]
            long_ones = sum(1 for p in tail if len(p.text) > 80)
            small = all(_is_small(p, body) for p in paras[i:])
            if long_ones <= 2 and (not tail or small or any(rules.is_contact(p.text) for p in tail)):
                return i
    run = len(paras)
    while run > 0 and rules.is_contact(paras[run - 1].text):
        run -= 1
    return run if len(paras) - run >= 2 else None


def _title_size(front: list[Para], body: float | None) -> float | None:
    """The largest type on page 1 before the body, if it stands out from the body's (the title's size)."""
    sizes = [p.size for p in front if p.size and 1 in p.pages and not rules.is_series(p.text)
             and not rules.dateline(p.text)]
    if not sizes or not body:
        return None
    largest = max(sizes)
    return largest if largest >= 1.15 * body else None


@dataclass
class _Front:
    """State while reading the lines before the body: fields found, the title's pieces."""

    found: dict[str, str]
    blocks: list[Block]
    title_size: float | None
    body: float | None
    title_parts: list[Para] = field(default_factory=list)
    title_done: bool = False
    issuer_above: bool = False  # the first line in the title's type named the issuing body

    def emit_title(self) -> None:
        if self.title_parts:
            _emit_title(self.title_parts, self.blocks, self.found)
            self.title_done = True

    def is_title_type(self, para: Para) -> bool:
        return self.title_size is not None and abs(para.size - self.title_size) <= 0.03 * self.title_size


def type_blocks(flow: Flow, running: list[str]) -> Typed:
    """Type each paragraph; byline, series and dateline become fields, not blocks."""
    paras, full, body = flow.paras, flow.full, flow.body_size
    found: dict[str, str] = {}
    for text in running:  # a running head that is a series name, not the title or a page number
        if rules.is_series(text) or (len(text) <= 12 and re.fullmatch(r"[\w ]+", text)):
            found.setdefault("series", text)
            break
    back = _back_matter_start(paras, body)
    body_paras = paras[:back] if back is not None else paras
    first_body = next((i for i, p in enumerate(body_paras)
                       if _is_body(p, full, body) and not rules.split_caption(p.text)), len(body_paras))
    blocks: list[Block] = []
    bold_body = _bold_body(paras, body)
    front = _Front(found, blocks, _title_size(body_paras[:first_body], body), body)
    for i, para in enumerate(body_paras):
        text = para.text
        if i > first_body and text == found.get("series"):
            continue  # the series name repeated as a running head that could not be told by repetition
        if i == first_body:
            front.emit_title()
        if para.cells is not None:
            blocks.append(Block("table", text, list(para.pages), rows=para.cells))
            continue
        if para.footnote:
            blocks.append(Block("footnote", text, list(para.pages)))
            continue
        if para.aside and i >= first_body:
            blocks.append(Block("aside", text, list(para.pages)))
            continue
        if _TOC_ENTRY.search(text):
            last = blocks[-1] if blocks else None
            if last is not None and last.type == "toc":  # one contents block, an entry a line
                last.text += "\n" + text
                last.pages = sorted(set(last.pages) | set(para.pages))
            else:
                blocks.append(Block("toc", text, list(para.pages)))
            continue
        caption = rules.split_caption(text)
        date = rules.dateline(text)
        if caption:
            found.setdefault("caption", caption[0])
            found.setdefault("photo_credit", caption[1])
            blocks.append(Block("caption", text, list(para.pages)))
        elif rules.note_text(text) is not None:
            found.setdefault("editor_note", rules.note_text(text) or "")
            blocks.append(Block("note", text, list(para.pages)))
        elif i >= first_body and (note := rules.author_note(text)):
            # The author's note that closes a text names its author where no byline did.
            if "author" not in found:
                found["author"], found["affiliation"] = note
            blocks.append(Block("note", text, list(para.pages)))
        elif date and (i < first_body or para.lines == 1):
            _take_date(found, text, date)
        elif i < first_body:
            _front(para, body_paras[i + 1] if i + 1 < first_body else None, front)
        elif _is_small(para, body) and _FIGURE_LABEL.match(text):
            found.setdefault("caption", text)
            blocks.append(Block("caption", text, list(para.pages)))
        elif para.role in _HEADING_ROLES or _is_heading(para, full, body, bold_body):
            blocks.append(Block("heading", text, list(para.pages)))
        elif (para.role == "LI" or _LIST_MARK.match(text)) and not _is_small(para, body):
            blocks.append(Block("list_item", text, list(para.pages)))
        else:
            blocks.append(Block("paragraph", text, list(para.pages)))
    if not front.title_done:
        front.emit_title()
    if back is not None:
        lines = [p.text for p in paras[back:] if p.text != found.get("series")]  # a one-page running head
        pages = sorted({n for p in paras[back:] for n in p.pages})
        blocks.append(Block("back_matter", "\n".join(lines), pages))
        for line in lines:
            if rules.is_foundation(line):
                found.setdefault("foundation", line)
            for key, value in rules.contact_fields(line).items():
                found.setdefault(key, value)
            if rules.dateline(line):
                _take_date(found, line, rules.dateline(line) or "")
    return Typed(blocks, found, flow.structure)


#: Whether the date found so far was labelled as the publication's (a key ingest strips).
_LABELLED = "_date_labelled"


def _take_date(found: dict[str, str], line: str, date: str) -> None:
    """The first dateline's date, unless a later one is labelled as the publication date
    and the first was not (an event's date printed on its own line is not the date of
    the text)."""
    labelled = rules.is_publication_dateline(line)
    if "date" not in found or (labelled and not found.get(_LABELLED)):
        found["date"] = date
        found[_LABELLED] = "1" if labelled else ""


def _emit_title(parts: list[Para], blocks: list[Block], found: dict[str, str]) -> None:
    text = parts[0].text
    for part in parts[1:]:
        text = join(text, part.text, True)
    pages = sorted({n for p in parts for n in p.pages})
    blocks.append(Block("title", text, pages))
    found.setdefault("title", text)
    parts.clear()


_CONTENTS_HEAD = re.compile(r"^\s*(?:目\s*次|目\s*錄|目\s*录|Contents|Table of Contents)\s*$", re.IGNORECASE)
_CONTENTS_OR_SECTION = re.compile(
    r"^(?:目次|目錄|目录|Contents|Table of Contents)\s*$|^(?:[壹貳參肆伍陸柒捌玖拾]|[一二三四五六七八九十]{1,3})、"
    r"|^第\s*[一二三四五六七八九十0-9]+\s*[章節节]|^\d{1,2}\.\s*\S", re.IGNORECASE)


def _could_be_title(text: str) -> bool:
    """Could a front-matter line be the title (not a byline, a dateline, a series or a licence)?"""
    return not (rules.parse_byline(text) or rules.dateline(text) or rules.is_series(text)
                or rules.not_a_title(text) or rules.is_byline_prefixed(text))


def _front(para: Para, following: Para | None, st: _Front) -> None:
    """One paragraph before the body: series, byline, affiliation, title, subtitle or caption."""
    text, found = para.text, st.found
    if rules.not_a_title(text):  # a licence line or a masthead: front matter, never the title
        name = rules.masthead_name(text)
        if name and "series" not in found:
            found["series"] = name
        st.blocks.append(Block("note", text, list(para.pages)))
        return
    title_type = st.is_title_type(para)
    if ("series" not in found and not st.title_parts and not st.title_done and not title_type
            and rules.is_series(text)):
        found["series"] = text
        return
    if text == found.get("series"):
        return
    byline = rules.parse_byline(text) if "author" not in found and not title_type else None
    if byline and not byline[1] and not rules.is_byline_prefixed(text) and not (
            following is not None and rules.is_affiliation(following.text)):
        # A bare two-to-four-character line is a name only when an affiliation follows,
        # or when it is printed right by the title in another type.
        beside_title = bool(st.title_parts) or (following is not None and st.is_title_type(following))
        if not (st.title_size is not None and beside_title):
            byline = None
    if byline:
        st.emit_title()
        found["author"] = byline[0]
        if byline[1]:
            found["affiliation"] = byline[1]
        return
    if "author" in found and "affiliation" not in found and rules.is_affiliation(text) and not st.title_parts:
        found["affiliation"] = text
        return
    if st.title_parts and _CONTENTS_OR_SECTION.match(text):
        # A contents heading (目次, Contents) or an enumerated section line (壹、 一、 1.) ends
        # the title, whatever its type: titles are not enumerated.
        st.emit_title()
        st.title_done = True
        st.blocks.append(Block("heading", text, list(para.pages)))
        return
    if (title_type and not st.title_parts and not st.title_done and not st.issuer_above
            and following is not None and rules.is_issuer(text) and _could_be_title(following.text)):
        # The issuing body's name set over the title (交通部臺灣鐵路管理局 / 108 年營運人員甄試試題):
        # the publisher; the title is what follows it.
        found.setdefault("foundation", text)
        st.issuer_above = True
        return
    if st.issuer_above and not st.title_parts and not st.title_done:
        st.title_parts.append(para)
        return
    if st.title_size is not None:  # the title is known by its type
        if title_type and not st.title_done:
            st.title_parts.append(para)
            return
        st.emit_title()
        if para.flush_right:  # a credit, byline or approval line that names no person: not a heading
            st.blocks.append(Block("paragraph", text, list(para.pages)))
        elif _is_small(para, st.body):
            found.setdefault("caption", text)
            st.blocks.append(Block("caption", text, list(para.pages)))
        else:
            st.blocks.append(Block("heading", text, list(para.pages)))  # a kicker or a subtitle
        return
    if st.title_parts and (len(st.title_parts) >= 2 or len(text) >= len(st.title_parts[0].text)):
        st.emit_title()  # only a shorter second line is the title's wrapped tail
    if st.title_done:
        st.blocks.append(Block("heading", text, list(para.pages)))
        return
    st.title_parts.append(para)
