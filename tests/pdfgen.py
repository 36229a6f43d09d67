"""Real PDFs for tests, built with fpdf2 from structured content.

Other suites (store, search, web, passage permanence) import this module to
make varied policy-commentary PDFs, including revised versions of one
document.  The PDFs are laid out the way Word or InDesign would: CJK text
wraps at any character, Latin words wrap whole, closing punctuation never
starts a line, running heads and page numbers are drawn *last* on each page
(so pypdf returns them at the end of the page's text, as with real files).

Fonts come from the project's set-up (Debian ``fonts-arphic-uming`` and
``fonts-noto-cjk``): ``ming`` is AR PL UMing TW (TrueType, fast: ~0.25 s a
document), ``sans``/``serif`` are Noto Sans/Serif CJK TC (CFF: ~0.7 s a
document, and pypdf reads fpdf2's embedded CMap with NULs between characters,
a useful hard case).  Generation is deterministic: the same content gives the
same bytes, so tests can re-ingest "the same PDF".
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fpdf import FPDF

FONTS: dict[str, tuple[str, int]] = {
    "ming": ("/usr/share/fonts/truetype/arphic/uming.ttc", 2),
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3),
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 3),
}
PAGE_SIZES = {"A4": (595.28, 841.89), "A5": (419.53, 595.28), "Letter": (612.0, 792.0)}
SEED_TEXT = Path(__file__).parent / "fixtures" / "prospect-forum-apec-2023.txt"
FIXED_DATE = dt.datetime(2024, 1, 1, 9, 0, 0, tzinfo=dt.UTC)
PRODUCER = "tests.pdfgen (fpdf2)"

# fontTools reports every table it cannot subset (UMing's bitmap BDF table) as a warning.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_TOKEN = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+|\\s+")
_NO_LINE_START = set("，。、；：？！」』）》〉】,.;:?!)")


@dataclass
class Spec:
    """Everything a commentary PDF shows, in the genre's usual order."""

    title: str
    paragraphs: list[str]
    headings: dict[int, str] = field(default_factory=dict)  # heading printed before paragraph i
    author: str | None = None
    affiliation: str | None = None
    byline: str = "lines"  # "lines": name, then affiliation; "inline": 文／name（affiliation）
    author_first: bool = False  # byline before the title
    series: str | None = None  # printed at the top of page 1
    running_header: str | None = None  # printed at the top of every page
    #: printed right-aligned on the running head's baseline of every page ({n}: the page number)
    header_right: str | None = None
    title_in_header: bool = False  # page 1's title printed on the running head's baseline, not in the flow
    watermark: str | None = None  # printed large and light across the middle of every page
    watermark_angle: float = 0.0  # degrees, counter-clockwise (a portal's diagonal stamp: 30-45)
    page_numbers: str | None = "- {n} -"  # format ({n}; {han}: the number in Chinese numerals), or None
    caption: str | None = None
    photo_credit: str | None = None
    date: str | None = None  # a dateline, printed as given
    date_at_end: bool = False
    note: str | None = None  # the editor's note, printed as given (with 編按：)
    foundation: str | None = None
    description: str | None = None
    address: str | None = None
    phone: str | None = None  # printed lines, e.g. "Tel: 886-2-23654366"
    fax: str | None = None
    website: str | None = None
    email: str | None = None
    back_matter_new_page: bool = False
    page_breaks: dict[int, list[int]] = field(default_factory=dict)  # para -> char offsets
    info_title: str | None = None
    info_author: str | None = None
    page_size: str | tuple[float, float] = "A4"
    font: str = "ming"
    body_size: float = 12.0
    indent: float = 0.0  # first-line indent of body paragraphs, in ems
    paragraph_gap: float = 0.6  # extra space after a body paragraph, in ems (0: none)
    created: dt.datetime | None = FIXED_DATE


def _han(n: int) -> str:
    """1-999 in Chinese numerals, as books number their pages (一, 十二, 二十, 一百零五)."""
    digits = "〇一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = digits[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    if ones or not (hundreds or tens):
        out += digits[ones]
    return out


class _Doc(FPDF):
    """FPDF that draws the running head and page number when a page is closed."""

    spec: Spec

    def footer(self) -> None:  # fpdf2 calls this as each page ends
        spec = self.spec
        if spec.running_header:
            self.set_font("body", size=9)
            self.text(self.l_margin, 30, spec.running_header)
        if spec.watermark:
            self.set_font("body", size=30)
            self.set_text_color(200, 200, 200)
            x, y = (self.w - self.get_string_width(spec.watermark)) / 2, self.h / 2
            with self.rotation(spec.watermark_angle, self.w / 2, self.h / 2):
                self.text(x, y, spec.watermark)
            self.set_text_color(0, 0, 0)
        if spec.header_right:
            self.set_font("body", size=9)
            label = spec.header_right.format(n=self.page_no())
            self.text(self.w - self.r_margin - self.get_string_width(label), 30, label)
        if spec.title_in_header and self.page_no() == 1:
            self.set_font("body", size=spec.body_size * 1.6)
            self.text(self.l_margin, 30, spec.title)
        if spec.page_numbers:
            label = spec.page_numbers.format(n=self.page_no(), han=_han(self.page_no()) if "{han}" in spec.page_numbers else "")
            self.set_font("body", size=9)
            self.text((self.w - self.get_string_width(label)) / 2, self.h - 24, label)


class _Writer:
    """Flows blocks of text down the pages with our own CJK-aware line breaking."""

    def __init__(self, spec: Spec) -> None:
        size = PAGE_SIZES[spec.page_size] if isinstance(spec.page_size, str) else spec.page_size
        self.pdf = _Doc(unit="pt", format=size)
        self.pdf.spec = spec
        self.pdf.set_auto_page_break(False)
        path, index = FONTS[spec.font]
        self.pdf.add_font("body", fname=path, collection_font_number=index)
        for font in self.pdf.fonts.values():
            # fpdf2 recompiles every glyph to recompute bounding boxes; ours need no change
            font.ttfont.recalcBBoxes = False
        self.margin = 56.0 if size[0] > 500 else 42.0
        self.top = self.margin + 10
        self.bottom = size[1] - self.margin
        self.width = size[0] - 2 * self.margin
        self.y = self.top
        self._widths: dict[tuple[float, str], float] = {}
        self.pdf.add_page()

    def _w(self, size: float, token: str) -> float:
        key = (size, token)
        if key not in self._widths:
            self._widths[key] = self.pdf.get_string_width(token)
        return self._widths[key]

    def wrap(self, text: str, size: float, indent: float = 0.0) -> list[tuple[str, int]]:
        """Lines and the offset in ``text`` where each ends (the first line ``indent`` points narrower)."""
        self.pdf.set_font("body", size=size)
        lines: list[tuple[str, int]] = []
        line, w, pos = "", indent, 0
        for match in _TOKEN.finditer(text):
            token = match.group(0)
            tw = self._w(size, token)
            if token.isspace():
                if line:
                    line, w = line + " ", w + tw
                pos = match.end()
                continue
            if w + tw > self.width and line.strip() and not (len(token) == 1 and token in _NO_LINE_START):
                lines.append((line.rstrip(), pos))
                line, w = "", 0.0
            while tw > self.width - w:  # a URL longer than the line: break it anywhere
                cut = len(token)
                while cut > 1 and self._w(size, token[:cut]) > self.width - w:
                    cut -= 1
                lines.append(((line + token[:cut]).rstrip(), match.start() + cut))
                token, line, w = token[cut:], "", 0.0
                tw = self._w(size, token)
            line, w, pos = line + token, w + tw, match.end()
        if line.strip():
            lines.append((line.rstrip(), len(text)))
        return lines

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = self.top

    def block(self, text: str, size: float, *, after: float = 0.6, breaks: list[int] | None = None,
              indent: float = 0.0) -> None:
        leading = size * 1.5
        pending = sorted(breaks or [])
        for number, (line, end) in enumerate(self.wrap(text, size, indent * size)):
            if self.y + leading > self.bottom:
                self.new_page()
            self.pdf.set_font("body", size=size)
            self.pdf.text(self.margin + (indent * size if number == 0 else 0.0), self.y + size, line)
            self.y += leading
            if pending and end >= pending[0] and end < len(text):
                pending = [b for b in pending if b > end]
                self.new_page()
        self.y += after * size

    def photo(self, height: float) -> None:
        self.pdf.set_fill_color(200, 200, 200)
        self.pdf.rect(self.margin, self.y, self.width, height, style="F")
        self.y += height + 6


def assemble(objs: list[bytes]) -> bytes:
    """A PDF file of the objects ``objs`` (numbered from 1; object 1 is the catalog) with a
    correct cross-reference table: for hand-made files fpdf2 will not write (bombs, bare pages)."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def build(spec: Spec, path: str | Path) -> Path:
    """Write ``spec`` as a PDF at ``path``."""
    out = _Writer(spec)
    pdf, size = out.pdf, spec.body_size
    pdf.set_producer(PRODUCER)
    pdf.set_creation_date(spec.created or False)
    if spec.info_title is not None:
        pdf.set_title(spec.info_title)
    if spec.info_author is not None:
        pdf.set_author(spec.info_author)
    if spec.series:
        out.block(spec.series, size * 1.1, after=1.0)
    if spec.caption:
        out.photo(120 if out.width > 400 else 90)
        credit = f"(圖片來源：{spec.photo_credit})" if spec.photo_credit else ""
        out.block(spec.caption + credit, size * 0.75, after=1.2)
    if spec.date and not spec.date_at_end:
        out.block(spec.date, size * 0.85, after=0.8)
    byline: list[str] = []
    if spec.author and spec.byline == "inline":
        byline = [f"文／{spec.author}（{spec.affiliation}）" if spec.affiliation else f"文／{spec.author}"]
    elif spec.author:
        byline = [spec.author] + ([spec.affiliation] if spec.affiliation else [])
    if spec.author_first:
        for line in byline:
            out.block(line, size * 0.9, after=0.4)
    if not spec.title_in_header:
        out.block(spec.title, size * 1.6, after=1.0)
    if not spec.author_first:
        for line in byline:
            out.block(line, size * 0.9, after=0.4)
    out.y += size
    for i, para in enumerate(spec.paragraphs):
        if i in spec.headings:
            if -i in spec.page_breaks or (i and spec.page_breaks.get(-i) == []):
                out.new_page()
            out.block(spec.headings[i], size * 1.15, after=0.6)
        out.block(para, size, breaks=spec.page_breaks.get(i), after=spec.paragraph_gap, indent=spec.indent)
    if spec.date and spec.date_at_end:
        out.block(spec.date, size * 0.85)
    if spec.note:
        out.block(spec.note, size * 0.85, after=1.2)
    back = [x for x in (spec.foundation, spec.description, spec.address, spec.phone, spec.fax,
                        spec.website, spec.email) if x]
    if back and spec.back_matter_new_page:
        out.new_page()
    for line in back:
        out.block(line, size * 0.8, after=0.3)
    path = Path(path)
    pdf.output(str(path))
    return path


def wrap_lines(text: str, *, page_size: str | tuple[float, float] = "A4", font: str = "ming",
               size: float = 12.0, indent: float = 0.0) -> list[str]:
    """The lines ``build`` prints ``text`` as, in a body paragraph of that page, font and size."""
    writer = _Writer(Spec(title="", paragraphs=[], page_size=page_size, font=font))
    return [line for line, _ in writer.wrap(text, size, indent * size)]


def full_line_chars(*, page_size: str | tuple[float, float] = "A4", font: str = "ming",
                    size: float = 12.0) -> int:
    """How many ideographs fill one body line exactly (to print a paragraph ending at the margin)."""
    writer = _Writer(Spec(title="", paragraphs=[], page_size=page_size, font=font))
    writer.pdf.set_font("body", size=size)
    return int(writer.width // writer._w(size, "中"))


# -- the seed ----------------------------------------------------------------


def seed_content() -> dict[str, Any]:
    """The seed text as fields: what a correct ingest must give back.

    Blank-line runs of three or more mark the source PDF's page breaks; a
    break after a line that does not end a sentence splits a paragraph.
    Autolink brackets (``<http://…>``) are the seed's own markup, not print.
    """
    raw = SEED_TEXT.read_text(encoding="utf-8")
    chunks = re.split(r"\n\s*\n", raw.strip())
    lines = [re.sub(r"<(https?://[^>]+)>", r"\1", c.strip()) for c in chunks if c.strip()]
    series, caption_line, title, author, affiliation = lines[:5]
    note_at = next(i for i, line in enumerate(lines) if line.startswith("編按"))
    body, paragraphs, headings, breaks = lines[5:note_at], [], {}, {}
    paragraph = ""
    for line in body:
        continued = paragraph and not paragraph.endswith(("。", "」", "）"))
        if continued:
            breaks.setdefault(len(paragraphs), []).append(len(paragraph))
            paragraph += line
            continue
        if paragraph:
            paragraphs.append(paragraph)
            paragraph = ""
        if len(line) <= 30 and line[-1] not in "。」）":
            headings[len(paragraphs)] = line
        else:
            paragraph = line
    if paragraph:
        paragraphs.append(paragraph)
    caption, credit = re.match(r"^(.*)\(圖片來源：(.*)\)$", caption_line).groups()
    foundation, description, address, tel, fax, website = lines[note_at + 1:note_at + 7]
    return {
        "series": series, "caption": caption, "photo_credit": credit, "title": title,
        "author": author, "affiliation": affiliation, "paragraphs": paragraphs,
        "headings": headings, "paragraph_breaks": breaks, "note": lines[note_at],
        "foundation": foundation, "description": description, "address": address,
        "phone": tel, "fax": fax, "website": website,
    }


def seed_spec(layout: str = "header", **overrides: Any) -> Spec:
    """The seed as a :class:`Spec` in one of two layouts (see :func:`seed_pdf`)."""
    c = seed_content()
    spec = Spec(
        title=c["title"], paragraphs=c["paragraphs"], headings=c["headings"], author=c["author"],
        affiliation=c["affiliation"], caption=c["caption"], photo_credit=c["photo_credit"],
        note=c["note"], foundation=c["foundation"], description=c["description"],
        address=c["address"], phone=c["phone"], fax=c["fax"], website=c["website"],
    )
    if layout == "header":
        second_heading = sorted(c["headings"])[1]
        spec = replace(
            spec, series=c["series"], running_header=c["series"], page_numbers="{n}",
            page_breaks={**c["paragraph_breaks"], -second_heading: []}, back_matter_new_page=True,
            info_title="Microsoft Word - 1121130李明峻.docx", info_author="USER",
        )
    elif layout == "plain-a5":
        spec = replace(
            spec, series=c["series"], page_size="A5", font="sans", body_size=10.5, byline="inline",
            author_first=True, page_numbers="第 {n} 頁", date="民國１１２年１１月３０日",
            address=c["address"].replace("臺", "台").replace(" ", ""),
            phone="電話：（02）2365-4366", fax="傳真：（02）2367-9193", info_title=c["title"],
        )
    else:
        raise ValueError(f"unknown layout {layout!r}: use 'header' or 'plain-a5'")
    return replace(spec, **overrides)


def seed_pdf(path: str | Path, layout: str = "header", **overrides: Any) -> Path:
    """The seed as a Prospect-style PDF.

    ``header``: A4, AR PL UMing, running head 遠景論壇 and page numbers on every
    page, paragraphs split across page breaks where the original split them,
    back matter on its own last page, a junk Info title (Word's file name).
    ``plain-a5``: A5, Noto Sans CJK, byline ``文／李明峻（…）`` before the title,
    a 民國 dateline with full-width digits, 台 for 臺, phone and fax as
    ``電話：（02）…``, natural page breaks, back matter right after the note,
    Info title set.  ``overrides`` replace :class:`Spec` fields.
    """
    return build(seed_spec(layout, **overrides), path)


def commentary_pdf(
    path: str | Path, *, title: str, author: str | None = None, affiliation: str | None = None,
    series: str | None = None, foundation: str | None = None, date: str | None = None,
    paragraphs: list[str], headings: dict[int, str] | None = None, info_title: str | None = None,
    info_author: str | None = None, page_size: str | tuple[float, float] = "A4", font: str = "ming",
    running_header: str | None = None, **more: Any,
) -> Path:
    """A policy commentary with the given content; ``more`` takes any other :class:`Spec` field."""
    spec = Spec(
        title=title, paragraphs=list(paragraphs), headings=dict(headings or {}), author=author,
        affiliation=affiliation, series=series, foundation=foundation, date=date,
        info_title=info_title, info_author=info_author, page_size=page_size, font=font,
        running_header=running_header, **more,
    )
    return build(spec, path)
