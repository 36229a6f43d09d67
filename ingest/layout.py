"""Rebuilding paragraphs from extracted lines, and typing the blocks.

Extractors return lines, not paragraphs, and they mix running headers,
footers and page numbers into the text (pypdf often puts them at the *end* of
a page's text, because producers draw them last).  We work only from the
text, so that both extractors go through the same rules:

* a line that repeats near the top or bottom of most pages (digits ignored),
  or that is only a page number, is page furniture and is dropped;
* a line ends its paragraph when the next line's first word would have fitted
  after it: the typesetter broke it on purpose.  Line widths are estimated in
  ems (CJK = 1, Latin ≈ 0.5) against the document's usual full line, which
  works for CJK text (any character may wrap) and Latin text (words wrap);
* lines and page-broken paragraphs are joined without a space between CJK
  characters, with one between Latin words, with the document's own habit
  between CJK and Latin/digits, and with hyphenation undone.

Typing (title, heading, paragraph, caption, note, back_matter) uses the
text rules in :mod:`ingest.metadata`, which also pulls the fields out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from archive.models import Block

from . import metadata as rules
from .normalize import is_cjk

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


def width(text: str) -> float:
    """Rough printed width in ems: wide (CJK) characters 1, spaces 0.3, others 0.55."""
    total = 0.0
    for ch in text:
        if ch == " ":
            total += 0.3
        elif unicodedata.east_asian_width(ch) in "WF":
            total += 1.0
        else:
            total += 0.55
    return total


@dataclass
class Line:
    text: str
    page: int  # 1-based


@dataclass
class Para:
    """A rebuilt paragraph before typing."""

    text: str
    pages: list[int]
    lines: int = 1
    widths: list[float] = field(default_factory=list)


def strip_furniture(pages: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Drop page numbers and running heads/feet; return the pages and the running texts seen."""
    n = len(pages)
    seen: dict[str, set[int]] = {}
    for index, lines in enumerate(pages):
        edge = set(range(min(_EDGE, len(lines)))) | set(range(max(0, len(lines) - _EDGE), len(lines)))
        for i in edge:
            seen.setdefault(_DIGITS.sub("#", lines[i]), set()).add(index)
    need = max(2, (n + 1) // 2)
    running = {key for key, where in seen.items() if n >= 2 and len(where) >= need}
    kept: list[list[str]] = []
    running_texts: list[str] = []
    for lines in pages:
        out = []
        last = len(lines) - 1
        for i, line in enumerate(lines):
            at_edge = i < _EDGE or i > last - _EDGE
            if at_edge and (is_page_number(line) or _DIGITS.sub("#", line) in running):
                if not is_page_number(line) and not _DIGITS.search(line) and line not in running_texts:
                    running_texts.append(line)
                continue
            out.append(line)
        kept.append(out)
    return kept, running_texts


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


def spaces_around_latin(lines: list[str]) -> bool:
    """Does this document put a space between ideographs and Latin letters or digits?"""
    spaced = tight = 0
    for line in lines:
        for a, b, c in zip(line, line[1:], line[2:], strict=False):
            if b == " " and ((_is_han(a) and _LATIN_ALNUM.match(c)) or (_LATIN_ALNUM.match(a) and _is_han(c))):
                spaced += 1
        for a, b in zip(line, line[1:], strict=False):
            if (_is_han(a) and _LATIN_ALNUM.match(b)) or (_LATIN_ALNUM.match(a) and _is_han(b)):
                tight += 1
    return spaced > tight


def _is_han(ch: str) -> bool:
    return is_cjk(ch) and unicodedata.category(ch) == "Lo"


def join(a: str, b: str, spaced_latin: bool) -> str:
    """Join two pieces of one paragraph the way the author wrote them."""
    if not a or not b:
        return a + b
    x, y = a[-1], b[0]
    if x == "-" and len(a) > 1 and a[-2].isalpha() and y.islower():
        return a[:-1] + b  # undo hyphenation
    if _URL_TAIL.search(a) and _URL_CONT.match(b) and not is_cjk(y):
        return a + b  # a long URL broken by the line end
    if is_cjk(x) or is_cjk(y):
        if is_cjk(x) and is_cjk(y):
            return a + b
        if (_is_han(x) and _LATIN_ALNUM.match(y)) or (_LATIN_ALNUM.match(x) and _is_han(y)):
            return f"{a} {b}" if spaced_latin else a + b
        return a + b
    return f"{a} {b}"


def build_paragraphs(pages: list[list[str]]) -> tuple[list[Para], float]:
    """Join lines into paragraphs across line and page breaks; return them and the full width."""
    lines = [Line(text, number) for number, page in enumerate(pages, start=1) for text in page]
    widths = [width(line.text) for line in lines]
    full = full_width(widths)
    spaced = spaces_around_latin([line.text for line in lines])
    paras: list[Para] = []
    current: Para | None = None
    for i, line in enumerate(lines):
        if current is None:
            current = Para(line.text, [line.page], 1, [widths[i]])
        else:
            current.text = join(current.text, line.text, spaced)
            current.lines += 1
            current.widths.append(widths[i])
            if line.page not in current.pages:
                current.pages.append(line.page)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        widest = max(current.widths)  # smaller print (captions, back matter) sets its own measure
        local = widest if widest > 1.1 * full else full
        if nxt is None or not _continues(line.text, widths[i], nxt.text, local) or (
            rules.split_caption(current.text)  # a credit closes its caption, whatever the width
        ):
            paras.append(current)
            current = None
    return paras, full


def _continues(text: str, w: float, following: str, full: float) -> bool:
    """Was this line broken only because the next word did not fit?"""
    room = full - w
    if room <= 0:
        return True
    needed = width(_first_token(following)) + (0 if is_cjk(following[0]) else 0.3)
    if text[-1] in _TERMINAL or (text[-1] in _CLOSERS and len(text) > 1 and text[-2] in _TERMINAL):
        return room < 0.6  # a sentence end that fills the line is ambiguous; only a full line goes on
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


def _is_body(para: Para, full: float) -> bool:
    """A real paragraph: wraps, or is a long sentence."""
    return para.lines >= 2 or (width(para.text) >= 0.6 * full and ends_sentence(para.text))


def _is_heading(para: Para, full: float) -> bool:
    text = para.text
    return (para.lines == 1 and len(text) <= 40 and width(text) < 0.8 * full
            and not ends_sentence(text) and text[-1] not in "，、,")


def _back_matter_start(paras: list[Para]) -> int | None:
    """Index of the publisher's name line that opens the back matter, if there is one."""
    for i in range(len(paras) - 1, max(-1, len(paras) - 12), -1):
        if rules.is_foundation(paras[i].text):
            tail = paras[i + 1:]
            long_ones = sum(1 for p in tail if len(p.text) > 80)
            if long_ones <= 2 and any(rules.is_contact(p.text) for p in tail):
                return i
    run = len(paras)
    while run > 0 and rules.is_contact(paras[run - 1].text):
        run -= 1
    return run if len(paras) - run >= 2 else None


def type_blocks(paras: list[Para], full: float, running: list[str]) -> Typed:
    """Type each paragraph; byline, series and dateline become fields, not blocks."""
    found: dict[str, str] = {}
    for text in running:  # a running head that is a series name, not the title or a page number
        if rules.is_series(text) or (len(text) <= 12 and re.fullmatch(r"[\w ]+", text)):
            found.setdefault("series", text)
            break
    back = _back_matter_start(paras)
    body_paras = paras[:back] if back is not None else paras
    first_body = next((i for i, p in enumerate(body_paras)
                       if _is_body(p, full) and not rules.split_caption(p.text)), len(body_paras))
    blocks: list[Block] = []
    title_parts: list[Para] = []
    title_done = False
    for i, para in enumerate(body_paras):
        text = para.text
        if i > first_body and text == found.get("series"):
            continue  # the series name repeated as a running head that could not be told by repetition
        if i == first_body and title_parts:
            _emit_title(title_parts, blocks, found)
            title_done = True
        caption = rules.split_caption(text)
        date = rules.dateline(text)
        if caption:
            found.setdefault("caption", caption[0])
            found.setdefault("photo_credit", caption[1])
            blocks.append(Block("caption", text, list(para.pages)))
        elif rules.note_text(text) is not None:
            found.setdefault("editor_note", rules.note_text(text) or "")
            blocks.append(Block("note", text, list(para.pages)))
        elif date and (i < first_body or para.lines == 1):
            found.setdefault("date", date)
        elif i < first_body:
            following = body_paras[i + 1].text if i + 1 < first_body else ""
            title_done = _front(para, following, found, blocks, title_parts, title_done)
        elif _is_heading(para, full):
            blocks.append(Block("heading", text, list(para.pages)))
        else:
            blocks.append(Block("paragraph", text, list(para.pages)))
    if title_parts and not title_done:
        _emit_title(title_parts, blocks, found)
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
                found.setdefault("date", rules.dateline(line) or "")
    return Typed(blocks, found)


def _emit_title(parts: list[Para], blocks: list[Block], found: dict[str, str]) -> None:
    text = parts[0].text
    for part in parts[1:]:
        text = join(text, part.text, True)
    pages = sorted({n for p in parts for n in p.pages})
    blocks.append(Block("title", text, pages))
    found.setdefault("title", text)
    parts.clear()


def _front(para: Para, following: str, found: dict[str, str], blocks: list[Block],
           title_parts: list[Para], title_done: bool) -> bool:
    """One paragraph before the body: series, byline, affiliation, title or subtitle."""
    text = para.text
    if "series" not in found and not title_parts and not title_done and rules.is_series(text):
        found["series"] = text
        return title_done
    if text == found.get("series"):
        return title_done
    byline = rules.parse_byline(text) if "author" not in found else None
    if byline and not byline[1] and not rules.is_byline_prefixed(text) and not rules.is_affiliation(following):
        byline = None  # a bare two-to-four-character line is a name only when an affiliation follows
    if byline:
        if title_parts:
            _emit_title(title_parts, blocks, found)
            title_done = True
        found["author"] = byline[0]
        if byline[1]:
            found["affiliation"] = byline[1]
        return title_done
    if "author" in found and "affiliation" not in found and rules.is_affiliation(text) and not title_parts:
        found["affiliation"] = text
        return title_done
    if title_parts and (len(title_parts) >= 2 or len(text) >= len(title_parts[0].text)):
        _emit_title(title_parts, blocks, found)  # only a shorter second line is the title's wrapped tail
        title_done = True
    if title_done:
        blocks.append(Block("heading", text, list(para.pages)))
        return title_done
    title_parts.append(para)
    return title_done
