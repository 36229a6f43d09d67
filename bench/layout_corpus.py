"""A layout corpus: the same commentary texts typeset by producers we do not write.

Usage::

    python bench/layout_corpus.py OUT_DIR [--small] [--texts ../shared/corpus/docs.jsonl]

For every case it writes ``NAME.pdf`` and ``NAME.truth.json``::

    {"producer": "libreoffice" | "weasyprint" | "chromium", "layout": "...", "font": "...",
     "page_size": "A4" | "A5" | "Letter", "script": "Traditional" | "Simplified",
     "source": "...", "blocks": [{"type": ..., "text": ...}, ...]}

``blocks`` are in reading order and hold exactly the text that was typeset
(whitespace-normalised).  Types: ``title``, ``byline``, ``heading``,
``paragraph``, ``caption``, ``footnote``, ``table`` (also ``cells``),
``aside``, ``list_item``, ``note`` and ``back_matter``.  Running heads and
page numbers are furniture and are not blocks.  Where a block sits in the
flow is a convention for the floating ones: a footnote follows the paragraph
that cites it (its text starts with its number; the paragraph's text holds
the superscript number where it was printed), an aside or a figure's caption
sits where it is in the source.  A list item's text is without its marker.

Producers (independent of our code): LibreOffice Writer (a Flat ODT written
here, ``soffice --convert-to pdf``; one case as Tagged PDF), WeasyPrint
(HTML/CSS with ``@page`` margin boxes and CSS footnotes), and Chromium's print
to PDF through Playwright (several CSS layouts, header/footer templates).

Texts: ``tests/fixtures/prospect-forum-apec-2023.txt`` (a real commentary)
with a few added parts (two footnotes, a table, a sidebar, a short list) so
that every feature has something to show; and with ``--texts`` longer
documents assembled from corpus paragraphs (DRCD Wikipedia articles, CC BY-SA
3.0; Cofacts replies, CC0).  Some texts are converted to Simplified with
OpenCC ``t2s``.  ``--small`` makes four short cases (two pages or so) for the
test fixtures in ``tests/fixtures/producers``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import pdfgen  # noqa: E402  (the seed's parser; we do not use its PDF writer)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

PAGE_SIZES_MM = {"A4": (210, 297), "A5": (148, 210), "Letter": (215.9, 279.4)}

#: Font families as fontconfig knows them, per script.
FONTS = {
    "sans": {"Traditional": "Noto Sans CJK TC", "Simplified": "Noto Sans CJK SC"},
    "serif": {"Traditional": "Noto Serif CJK TC", "Simplified": "Noto Serif CJK SC"},
    "ming": {"Traditional": "AR PL UMing TW", "Simplified": "AR PL UMing CN"},
}

FONT_FILES = {
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
    "ming": ("/usr/share/fonts/truetype/arphic/uming.ttc", None),  # no bold face
}

_WS = re.compile(r"\s+")


def clean(text: str) -> str:
    """One line of text, single spaces: what the truth records."""
    return _WS.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# Source texts
# ---------------------------------------------------------------------------


@dataclass
class Item:
    """One part of a source text, in source order."""

    kind: str  # title byline figure heading paragraph list table aside note back_matter
    text: str = ""
    footnotes: list[tuple[int, str]] = field(default_factory=list)  # (offset in text, note text)
    rows: list[list[str]] = field(default_factory=list)  # table
    items: list[str] = field(default_factory=list)  # list


@dataclass
class Source:
    name: str
    script: str  # Traditional | Simplified
    series: str  # the running head
    items: list[Item]

    @property
    def title(self) -> str:
        return next(i.text for i in self.items if i.kind == "title")


def _t2s(text: str) -> str:
    from opencc import OpenCC

    global _OPENCC
    try:
        cc = _OPENCC
    except NameError:
        cc = _OPENCC = OpenCC("t2s")
    return cc.convert(text)


def simplified(src: Source) -> Source:
    """The same source in Simplified characters (OpenCC t2s, character by character)."""
    def conv(it: Item) -> Item:
        return Item(it.kind, _t2s(it.text), [(o, _t2s(t)) for o, t in it.footnotes],
                    [[_t2s(c) for c in r] for r in it.rows], [_t2s(x) for x in it.items])

    return Source(src.name + "-sc", "Simplified", _t2s(src.series), [conv(i) for i in src.items])


def seed_source(short: bool = False) -> Source:
    """The prospect-forum commentary, with a few parts added so every feature has text.

    The additions (two editorial footnotes, a table of the figures the text cites,
    a sidebar and a list of the summit's outcomes) restate the commentary itself;
    they cite no source that was not in it.
    ``short`` keeps the first three paragraphs and one heading (about two A5 pages).
    """
    s = pdfgen.seed_content()
    paras, heads = s["paragraphs"], s["headings"]
    items = [Item("title", s["title"]), Item("byline", s["author"]), Item("byline", s["affiliation"]),
             Item("figure", f"{s['caption']}(圖片來源：{s['photo_credit']})")]
    keep = range(3) if short else range(len(paras))
    for i in keep:
        if i in heads:
            items.append(Item("heading", heads[i]))
        p = Item("paragraph", paras[i])
        anchor = "為 11 月拜登與習近平在舊金山 APEC 峰會期間舉行會晤鋪路。"
        if anchor in p.text:
            p.footnotes.append((p.text.index(anchor) + len(anchor), "本段所述訪問行程，依各方公開發布之資料整理。"))
        anchor = "恢復兩軍高層溝通、中美國防部工作會晤、中美海上軍事安全磋商機制會議，開展中美兩軍戰區領導通話。"
        if anchor in p.text:
            p.footnotes.append((p.text.index(anchor) + len(anchor), "以上各項為峰會後雙方公開說明之共識，實際執行情形仍待觀察。"))
        items.append(p)
        if i == (0 if short else 2):
            items.append(Item("aside", "名詞解釋：APEC 即亞太經濟合作會議（Asia-Pacific Economic Cooperation），"
                                       "成立於 1989 年，現有 21 個會員經濟體，每年輪流舉辦領袖會議。"))
            if not short:
                items.append(Item("paragraph", "舊金山峰會的主要成果包括以下幾項："))
                items.append(Item("list", items=["恢復兩軍高層溝通與國防部工作會晤",
                                                 "恢復中美海上軍事安全磋商機制會議",
                                                 "開展中美兩軍戰區領導通話"]))
        if i == 5 and not short:
            items.append(Item("table", rows=[["國家", "年度", "國防預算"],
                                             ["日本", "2024", "7.7 兆日圓"],
                                             ["南韓", "2024", "450 億美元"]]))
    if not short:
        items.append(Item("note", s["note"]))
        for line in (s["foundation"], s["description"], s["address"], f"Tel: {s['phone']}",
                     f"Fax: {s['fax']}", s["website"]):
            items.append(Item("back_matter", line))
    return Source("apec" + ("-short" if short else ""), "Traditional", s["series"], items)


_CJK_IDEO = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_BAD = re.compile(r"https?://|www\.|[\U00010000-\U0010ffff]|[\u2600-\u27bf\u2b00-\u2bff\ufe0f]|[<>{}\[\]|_=#*~^\\]")


def _prose(p: str, lo: int = 60) -> bool:
    """A corpus paragraph fit to typeset as prose: long, mostly Han, no URLs/emoji, ends a sentence."""
    p = p.strip()
    if len(p) < lo or _BAD.search(p) or "\t" in p:
        return False
    han = len(_CJK_IDEO.findall(p))
    return han >= 0.6 * len(p) and p[-1] in "。！？」』）"


def corpus_sources(path: Path, n: int, seed: int = 11) -> list[Source]:
    """``n`` commentary-length documents from the shared corpus (half DRCD, half Cofacts).

    DRCD: two or three Wikipedia articles per document, each article's title a
    heading over its paragraphs.  Cofacts: prose paragraphs of several replies
    (reference lists, URLs and emoji left out), a numbered heading every three.
    Every document gets a sidebar (a short paragraph from elsewhere), a list made
    of one paragraph's sentences, and a footnote; every second one a table.
    """
    with open(path, encoding="utf-8") as f:  # not str.splitlines: texts hold U+2028 and the like
        rows = [json.loads(line) for line in f if line.strip()]
    rng = random.Random(seed)
    drcd = [r for r in rows if r["source"] == "drcd"]
    cof = [r for r in rows if r["source"] == "cofacts"]
    rng.shuffle(drcd)
    rng.shuffle(cof)
    cof_paras = [p.strip() for r in cof for p in r["text"].split("\n") if _prose(p, 80)]
    short_paras = [p.strip() for r in cof for p in r["text"].split("\n") if _prose(p, 40) and len(p.strip()) < 130]
    rng.shuffle(short_paras)
    out: list[Source] = []
    numerals = "一二三四五六七八九十"
    for k in range(n):
        items: list[Item] = []
        if k % 2 == 0:  # DRCD
            arts = [drcd.pop() for _ in range(3)]
            title = f"{arts[0]['title']}與{arts[1]['title']}：資料整理"
            items += [Item("title", title), Item("byline", "編輯部"), Item("byline", "維基百科資料整理（CC BY-SA 3.0）")]
            for a in arts:
                ps = [p.strip() for p in a["text"].split("\n\n")[1:] if _prose(p)][:3]
                if not ps:
                    continue
                items.append(Item("heading", a["title"]))
                items += [Item("paragraph", p) for p in ps]
            series = "資料整理"
        else:  # Cofacts
            take = [cof_paras.pop() for _ in range(8)]
            title = re.split(r"[，。：；！？]", take[0])[0][:24]
            items += [Item("title", title), Item("byline", "Cofacts 編輯"), Item("byline", "真的假的查核回應（CC0）")]
            for j, p in enumerate(take):
                if j % 3 == 0:
                    items.append(Item("heading", f"{numerals[j // 3]}、{re.split(r'[，。：；！？、]', p)[0][:14]}"))
                items.append(Item("paragraph", p))
            series = "查核回應"
        paras = [i for i in items if i.kind == "paragraph"]
        # a footnote after the first sentence of the second paragraph
        p = paras[1]
        cut = p.text.find("。") + 1
        if 0 < cut < len(p.text):
            p.footnotes.append((cut, "本段文字取自公開資料，經編輯整理。"))
        # a list: the sentences of one paragraph (it stays in place of that paragraph)
        lp = paras[-2]
        sents = [x + "。" for x in lp.text.split("。") if x.strip()]
        if 2 <= len(sents) <= 6 and lp.text.endswith("。") and not lp.footnotes:
            at = items.index(lp)
            items[at] = Item("list", items=sents)
        items.insert(items.index(paras[2]) + 1, Item("aside", "附記：" + short_paras.pop()))
        if k % 2 == 1:
            items.insert(items.index(paras[4]) + 1, Item("table", rows=[
                ["項目", "說明", "字數"],
                ["標題", title[:10], str(len(title))],
                ["段落", "第一段", str(len(paras[0].text))],
                ["段落", "第二段", str(len(paras[1].text))]]))
        items.append(Item("note", "編按：本文內容取自公開授權資料，僅供版面測試之用。"))
        src = Source(f"corpus{k}", "Traditional", series, items)
        out.append(simplified(src) if k % 3 == 1 else src)
    return out


# ---------------------------------------------------------------------------
# Truth: the blocks a layout typesets, from the same items and features
# ---------------------------------------------------------------------------


def typeset_items(src: Source, features: set[str]) -> list[Item]:
    """The source's items that a layout prints (a feature it lacks is left out)."""
    keep = []
    for it in src.items:
        if it.kind == "figure" and "figure" not in features:
            continue
        if it.kind in ("table", "aside", "list") and it.kind not in features:
            continue
        if it.footnotes and "footnotes" not in features:
            it = Item(it.kind, it.text)
        keep.append(it)
    return keep


def paragraph_with_calls(it: Item, first_number: int) -> list[tuple[str, str | None]]:
    """The paragraph as (text run, footnote text) pieces: each run is followed by that note's call."""
    pieces, at = [], 0
    for offset, note in sorted(it.footnotes):
        pieces.append((it.text[at:offset], note))
        at = offset
    pieces.append((it.text[at:], None))
    return pieces


def truth_blocks(items: list[Item]) -> list[dict]:
    blocks: list[dict] = []
    number = 0
    for it in items:
        if it.kind == "figure":
            blocks.append({"type": "caption", "text": clean(it.text)})
        elif it.kind == "list":
            blocks += [{"type": "list_item", "text": clean(x)} for x in it.items]
        elif it.kind == "table":
            blocks.append({"type": "table", "text": clean(" ".join(c for r in it.rows for c in r)),
                           "cells": [[clean(c) for c in r] for r in it.rows]})
        elif it.kind == "paragraph" and it.footnotes:
            text, notes = "", []
            for run, note in paragraph_with_calls(it, number + 1):
                text += run
                if note is not None:
                    number += 1
                    text += str(number)
                    notes.append({"type": "footnote", "text": clean(f"{number} {note}")})
            blocks.append({"type": "paragraph", "text": clean(text)})
            blocks += notes
        else:
            blocks.append({"type": it.kind, "text": clean(it.text)})
    return blocks


# ---------------------------------------------------------------------------
# A small generated photo (PNG, no dependencies)
# ---------------------------------------------------------------------------


def photo_png(w: int = 160, h: int = 100) -> bytes:
    """A small RGB picture (a sky-to-sea gradient with a sun), as PNG bytes."""
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            if (x - 110) ** 2 + (y - 30) ** 2 < 225:
                raw += bytes((240, 200, 60))
            elif y < h * 0.6:
                raw += bytes((120 + y, 170 + y // 2, 230))
            else:
                raw += bytes((30, 80 + (x + y) % 40, 140))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


# ---------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------


@dataclass
class Layout:
    name: str
    producer: str  # libreoffice | weasyprint | chromium
    page_size: str = "A4"
    font: str = "serif"  # sans | serif | ming
    size_pt: float = 10.5
    features: set[str] = field(default_factory=set)  # figure table aside list footnotes
    justify: bool = True
    indent: bool = True
    columns: int = 1  # 2: the body in two columns
    float_aside: bool = False  # the sidebar floats right beside the text
    running_head: bool = True
    page_numbers: bool = True
    tagged: bool = False  # LibreOffice: Tagged PDF
    webfont: bool = False  # HTML producers: an @font-face subset of the font (TrueType) instead of the system font
    spread: bool = False  # imposed two pages to a sheet, as a book's spreads are exported (each keeps its head)


ALL = {"figure", "table", "aside", "list", "footnotes"}

LAYOUTS = [
    # LibreOffice Writer
    Layout("writer-classic", "libreoffice", "A4", "serif", 10.5, ALL, tagged=True),
    Layout("writer-a5-ming", "libreoffice", "A5", "ming", 10, {"footnotes", "table", "list"}),
    Layout("writer-two-column", "libreoffice", "Letter", "sans", 9.5, {"footnotes", "figure", "table"}, columns=2),
    Layout("writer-a5-spread", "libreoffice", "A5", "serif", 10, {"footnotes", "list"}, spread=True),
    # WeasyPrint
    Layout("weasy-margin-boxes", "weasyprint", "A4", "serif", 10.5, ALL, float_aside=True),
    Layout("weasy-a5-sans", "weasyprint", "A5", "sans", 9.5, {"footnotes", "figure", "aside", "list"}),
    Layout("weasy-two-column", "weasyprint", "A4", "ming", 10, {"figure", "table"}, columns=2),
    Layout("weasy-a5-spread", "weasyprint", "A5", "sans", 9.5, {"figure", "aside"}, spread=True),
    # Chromium print
    Layout("chrome-justify", "chromium", "A4", "sans", 11, {"figure", "list"}),
    Layout("chrome-ragged", "chromium", "Letter", "serif", 11, {"figure", "table"}, justify=False, indent=False),
    Layout("chrome-two-column", "chromium", "A4", "serif", 10, {"figure"}, columns=2),
    Layout("chrome-float-aside", "chromium", "A5", "ming", 10, {"aside", "list"}, float_aside=True),
    Layout("chrome-photo", "chromium", "A5", "sans", 9.5, {"figure", "table", "aside"}),
]

SMALL = [
    ("writer-small", Layout("writer-small", "libreoffice", "A5", "ming", 11, {"footnotes"}, tagged=True)),
    ("weasy-small", Layout("weasy-small", "weasyprint", "A5", "sans", 11, {"figure", "aside"}, float_aside=True,
                           webfont=True)),
    ("chrome-small-justify", Layout("chrome-small-justify", "chromium", "A5", "ming", 11, set(), webfont=True)),
    ("chrome-small-two-column", Layout("chrome-small-two-column", "chromium", "A5", "sans", 10, set(), columns=2,
                                       webfont=True)),
]


def font_family(layout: Layout, script: str) -> str:
    return FONTS[layout.font][script]


def lang_of(script: str) -> tuple[str, str]:
    return ("zh-Hant", "TW") if script == "Traditional" else ("zh-Hans", "CN")


# ---------------------------------------------------------------------------
# Web fonts: a TrueType subset of a system font, as a site would serve it
# ---------------------------------------------------------------------------


def webfont(family: str, path: str, chars: str, out: Path) -> Path:
    """A standalone TrueType subset of ``family`` (a face in ``path``) holding ``chars``.

    Chromium's PDF backend (Skia) embeds only TrueType outlines: a CFF face (all
    of Noto CJK) or a face it cannot subset comes out as Type 3 glyph drawings,
    about 0.5 KB a glyph.  A site serving a subset web font gives a CID
    TrueType font instead, and keeps the test fixtures small.  CFF outlines are
    converted to quadratic ones (``cu2qu``); embedded bitmaps are dropped.
    """
    import logging

    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTCollection, TTFont, newTable

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    names = [f["name"].getDebugName(1) for f in TTCollection(path, lazy=True).fonts]
    font = TTFont(path, fontNumber=names.index(family))
    opts = subset.Options()
    opts.hinting = False
    opts.desubroutinize = True
    opts.drop_tables += ["EBDT", "EBLC", "EBSC", "VORG", "vhea", "vmtx"]
    sub = subset.Subsetter(opts)
    sub.populate(text=chars + "".join(map(chr, range(32, 127))))
    sub.subset(font)
    if "CFF " in font:
        order = font.getGlyphOrder()
        glyphs = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder, glyf.glyphs = order, {}
        for name in order:
            pen = TTGlyphPen(glyphs)
            glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf[name] = pen.glyph()
        del font["CFF "]
        font["glyf"], font["loca"] = glyf, newTable("loca")
        maxp = font["maxp"] = newTable("maxp")
        maxp.tableVersion, maxp.numGlyphs = 0x00010000, len(order)
        for attr in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
                     "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                     "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        font["head"].indexToLocFormat = font["head"].glyphDataFormat = 0
        font["post"].formatType, font["post"].extraNames, font["post"].mapping = 2.0, [], {}
        font.sfntVersion = "\x00\x01\x00\x00"
    font.save(out)
    return out


def html_fonts(src: Source, layout: Layout, folder: Path) -> str:
    """``@font-face`` rules for a web-font layout (regular and bold subsets)."""
    if not layout.webfont:
        return ""
    fam = font_family(layout, src.script)
    chars = "".join(sorted(set(json.dumps(truth_blocks(typeset_items(src, layout.features)), ensure_ascii=False)
                               + src.series + "0123456789/-")))
    regular, bold = FONT_FILES[layout.font]
    tag = re.sub(r"\W", "", fam)
    rules = []
    for weight, path in (("normal", regular), ("bold", bold or regular)):
        f = webfont(fam, path, chars, folder / f"{tag}-{weight}-{zlib.crc32(chars.encode()):08x}.ttf")
        rules.append(f'@font-face {{ font-family: "{fam} Web"; font-weight: {weight}; src: url("{f.as_uri()}"); }}')
    return "".join(rules)


# ---------------------------------------------------------------------------
# LibreOffice Writer: a Flat ODT
# ---------------------------------------------------------------------------

_NS = " ".join(f'xmlns:{k}="{v}"' for k, v in {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "loext": "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0",
}.items())


def _x(s: str) -> str:
    return xml_escape(s, {'"': "&quot;"})


def fodt(src: Source, layout: Layout) -> str:
    """The source as a Flat ODT document for Writer: real styles, header/footer, footnotes."""
    fam = font_family(layout, src.script)
    lang, country = lang_of(src.script)
    lang = "zh"
    pt = layout.size_pt
    w, h = PAGE_SIZES_MM[layout.page_size]
    margin = 18 if layout.page_size == "A5" else 25
    align = "justify" if layout.justify else "start"
    indent = f"{2 * pt:.1f}pt" if layout.indent else "0pt"

    def text_props(size: float, bold: bool = False) -> str:
        weight = ' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else ""
        return (f'<style:text-properties style:font-name="{_x(fam)}" style:font-name-asian="{_x(fam)}" '
                f'fo:font-size="{size}pt" style:font-size-asian="{size}pt" fo:language="en" fo:country="US" '
                f'style:language-asian="{lang}" style:country-asian="{country}"{weight}/>')

    def pstyle(name: str, display: str, parent: str, para: str, size: float, bold: bool = False,
               extra: str = "") -> str:
        return (f'<style:style style:name="{name}" style:display-name="{display}" style:family="paragraph" '
                f'style:parent-style-name="{parent}" {extra}><style:paragraph-properties {para}/>'
                f'{text_props(size, bold)}</style:style>')

    # punctuation-wrap "simple": with Writer's default (hanging), a comma that hangs past the right margin
    # is left out of the exported PDF, so the truth would hold text that is never printed.
    styles = [
        f'<style:default-style style:family="paragraph"><style:paragraph-properties '
        f'style:line-break="strict" style:punctuation-wrap="simple" style:writing-mode="lr-tb"/>'
        f'{text_props(pt)}</style:default-style>',
        pstyle("Standard", "Standard", "", 'fo:line-height="150%"', pt, extra='style:class="text"'),
        pstyle("Text_20_body", "Text body", "Standard",
               f'fo:text-align="{align}" fo:text-indent="{indent}" fo:margin-top="0pt" '
               f'fo:margin-bottom="{0 if layout.indent else pt * 0.6:.1f}pt" fo:line-height="150%"', pt,
               extra='style:class="text"'),
        pstyle("Title", "Title", "Standard", 'fo:text-align="center" fo:margin-bottom="10pt"', pt * 1.8, True,
               extra='style:class="chapter"'),
        pstyle("Byline", "Byline", "Standard", 'fo:text-align="end" fo:margin-bottom="0pt"', pt * 0.95),
        pstyle("Heading_20_1", "Heading 1", "Standard",
               'fo:margin-top="12pt" fo:margin-bottom="6pt" fo:keep-with-next="always"', pt * 1.25, True,
               extra='style:default-outline-level="1" style:class="text"'),
        pstyle("Caption", "Caption", "Standard", 'fo:text-align="center" fo:margin-bottom="8pt"', pt * 0.85,
               extra='style:class="extra"'),
        pstyle("Figure", "Figure", "Standard", 'fo:text-align="center" fo:margin-top="4pt"', pt,
               extra='style:class="extra"'),
        pstyle("Footnote", "Footnote", "Standard",
               'fo:margin-left="0.5cm" fo:text-indent="-0.5cm" fo:line-height="120%"', pt * 0.8,
               extra='style:class="extra"'),
        pstyle("Header", "Header", "Standard", 'fo:text-align="center"', pt * 0.8, extra='style:class="extra"'),
        pstyle("Footer", "Footer", "Standard", 'fo:text-align="center"', pt * 0.8, extra='style:class="extra"'),
        pstyle("Table_20_Contents", "Table Contents", "Standard", 'fo:text-align="center" fo:line-height="120%"',
               pt * 0.9, extra='style:class="extra"'),
        pstyle("Aside", "Aside", "Standard",
               f'fo:text-align="{align}" fo:margin-left="1cm" fo:margin-right="1cm" fo:margin-top="6pt" '
               'fo:margin-bottom="6pt" fo:padding="0.2cm" fo:border="0.5pt solid #555555" '
               'fo:background-color="#eeeeee"', pt * 0.9),
        pstyle("List_20_Bullet", "List Bullet", "Standard", f'fo:text-align="{align}" fo:line-height="150%"', pt),
        pstyle("Note", "Note", "Standard", 'fo:margin-top="12pt"', pt * 0.9),
        pstyle("Back", "Back matter", "Standard", 'fo:text-align="start" fo:line-height="120%"', pt * 0.85),
        ('<text:notes-configuration text:note-class="footnote" style:num-format="1" text:start-value="0" '
         'text:footnotes-position="page" text:start-numbering-at="document"/>'),
        ('<text:list-style style:name="Bullets"><text:list-level-style-bullet text:level="1" text:bullet-char="•">'
         '<style:list-level-properties text:list-level-position-and-space-mode="label-alignment">'
         '<style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.8cm" '
         'fo:text-indent="-0.5cm" fo:margin-left="0.8cm"/></style:list-level-properties>'
         '</text:list-level-style-bullet></text:list-style>'),
    ]
    auto = [
        (f'<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="{w}mm" '
         f'fo:page-height="{h}mm" fo:margin-top="{margin * 0.6:.0f}mm" fo:margin-bottom="{margin * 0.6:.0f}mm" '
         f'fo:margin-left="{margin}mm" fo:margin-right="{margin}mm" style:print-orientation="portrait" '
         'style:writing-mode="lr-tb"><style:footnote-sep style:width="0.018cm" style:distance-before-sep="0.1cm" '
         'style:distance-after-sep="0.1cm" style:line-style="solid" style:adjustment="left" '
         'style:rel-width="25%" style:color="#000000"/></style:page-layout-properties>'
         '<style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="5mm"/>'
         '</style:header-style><style:footer-style><style:header-footer-properties fo:min-height="0cm" '
         'fo:margin-top="5mm"/></style:footer-style></style:page-layout>'),
        ('<style:style style:name="Sect2" style:family="section"><style:section-properties '
         'text:dont-balance-text-columns="false"><style:columns fo:column-count="2" fo:column-gap="7mm">'
         '<style:column-sep style:width="0.3pt" style:color="#999999" style:height="100%" '
         'style:vertical-align="top"/></style:columns></style:section-properties></style:style>'),
        ('<style:style style:name="Tbl" style:family="table"><style:table-properties style:width="12cm" '
         'table:align="center" fo:margin-top="6pt" fo:margin-bottom="6pt"/></style:style>'),
        ('<style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties '
         'fo:padding="0.1cm" fo:border="0.5pt solid #000000"/></style:style>'),
        ('<style:style style:name="fr1" style:family="graphic"><style:graphic-properties '
         'style:vertical-pos="top" style:vertical-rel="baseline" fo:border="none"/></style:style>'),
    ]
    master = ['<style:master-page style:name="Standard" style:page-layout-name="pm1">']
    if layout.running_head:
        master.append(f'<style:header><text:p text:style-name="Header">{_x(src.series)}</text:p></style:header>')
    if layout.page_numbers:
        master.append('<style:footer><text:p text:style-name="Footer">第 <text:page-number '
                      'text:select-page="current">1</text:page-number> 頁</text:p></style:footer>')
    master.append("</style:master-page>")

    items = typeset_items(src, layout.features)
    body: list[str] = []
    number = 0
    in_columns = False
    png = base64.b64encode(photo_png()).decode()
    for it in items:
        starts_body = it.kind in ("heading", "paragraph") and layout.columns == 2 and not in_columns
        if starts_body:
            body.append('<text:section text:style-name="Sect2" text:name="Body">')
            in_columns = True
        if in_columns and it.kind in ("note", "back_matter"):
            body.append("</text:section>")
            in_columns = False
        if it.kind == "title":
            body.append(f'<text:p text:style-name="Title">{_x(it.text)}</text:p>')
        elif it.kind == "byline":
            body.append(f'<text:p text:style-name="Byline">{_x(it.text)}</text:p>')
        elif it.kind == "figure":
            fw = 7 if layout.columns == 2 else 9
            body.append(f'<text:p text:style-name="Figure"><draw:frame draw:style-name="fr1" draw:name="photo" '
                        f'text:anchor-type="as-char" svg:width="{fw}cm" svg:height="{fw * 0.625:.2f}cm" '
                        f'draw:z-index="0"><draw:image><office:binary-data>{png}</office:binary-data>'
                        '</draw:image></draw:frame></text:p>')
            body.append(f'<text:p text:style-name="Caption">{_x(it.text)}</text:p>')
        elif it.kind == "heading":
            body.append(f'<text:h text:style-name="Heading_20_1" text:outline-level="1">{_x(it.text)}</text:h>')
        elif it.kind == "paragraph":
            runs = []
            for run, note in paragraph_with_calls(it, number + 1):
                runs.append(_x(run))
                if note is not None:
                    number += 1
                    runs.append(f'<text:note text:id="ftn{number}" text:note-class="footnote"><text:note-citation>'
                                f'{number}</text:note-citation><text:note-body><text:p text:style-name="Footnote">'
                                f'{_x(note)}</text:p></text:note-body></text:note>')
            body.append(f'<text:p text:style-name="Text_20_body">{"".join(runs)}</text:p>')
        elif it.kind == "list":
            lis = "".join(f'<text:list-item><text:p text:style-name="List_20_Bullet">{_x(x)}</text:p></text:list-item>'
                          for x in it.items)
            body.append(f'<text:list text:style-name="Bullets">{lis}</text:list>')
        elif it.kind == "table":
            ncol = len(it.rows[0])
            rows = "".join("<table:table-row>" + "".join(
                f'<table:table-cell table:style-name="Cell" office:value-type="string"><text:p '
                f'text:style-name="Table_20_Contents">{_x(c)}</text:p></table:table-cell>' for c in r)
                + "</table:table-row>" for r in it.rows)
            body.append(f'<table:table table:name="Figures" table:style-name="Tbl"><table:table-column '
                        f'table:number-columns-repeated="{ncol}"/>{rows}</table:table>')
        elif it.kind == "aside":
            body.append(f'<text:p text:style-name="Aside">{_x(it.text)}</text:p>')
        elif it.kind == "note":
            body.append(f'<text:p text:style-name="Note">{_x(it.text)}</text:p>')
        elif it.kind == "back_matter":
            body.append(f'<text:p text:style-name="Back">{_x(it.text)}</text:p>')
    if in_columns:
        body.append("</text:section>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {_NS} office:version="1.3" '
            'office:mimetype="application/vnd.oasis.opendocument.text">'
            f'<office:meta><dc:title>{_x(src.title)}</dc:title><dc:language>{lang_of(src.script)[0]}</dc:language>'
            f'</office:meta><office:font-face-decls><style:font-face style:name="{_x(fam)}" '
            f'svg:font-family="&apos;{_x(fam)}&apos;"/></office:font-face-decls>'
            f'<office:styles>{"".join(styles)}</office:styles>'
            f'<office:automatic-styles>{"".join(auto)}</office:automatic-styles>'
            f'<office:master-styles>{"".join(master)}</office:master-styles>'
            f'<office:body><office:text>{"".join(body)}</office:text></office:body></office:document>\n')


def soffice_convert(files: list[Path], outdir: Path, tagged: bool, profile: Path) -> None:
    """Convert Flat ODT files to PDF in one soffice run (Tagged PDF when asked)."""
    if not files:
        return
    filt = "pdf:writer_pdf_Export"
    if tagged:
        filt += ':{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", filt, "--outdir", str(outdir), *map(str, files)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)


# ---------------------------------------------------------------------------
# HTML for WeasyPrint and Chromium
# ---------------------------------------------------------------------------


def html_doc(src: Source, layout: Layout, folder: Path) -> str:
    fam = font_family(layout, src.script)
    faces = html_fonts(src, layout, folder)
    if faces:
        fam += " Web"
    lang = lang_of(src.script)[0]
    pt = layout.size_pt
    w, h = PAGE_SIZES_MM[layout.page_size]
    weasy = layout.producer == "weasyprint"
    margin = "16mm 14mm" if layout.page_size == "A5" else "22mm 20mm"
    css = [faces, f"@page {{ size: {w}mm {h}mm; margin: {margin};"]
    if weasy:
        if layout.running_head:
            css.append(f'@top-center {{ content: "{src.series}"; font-family: "{fam}"; font-size: {pt * 0.8}pt; '
                       'color: #555; vertical-align: bottom; padding-bottom: 3mm; border-bottom: 0.5pt solid #999; }')
        if layout.page_numbers:
            css.append(f'@bottom-center {{ content: "- " counter(page) " / " counter(pages) " -"; '
                       f'font-family: "{fam}"; font-size: {pt * 0.8}pt; }}')
    css.append("}")
    css.append(f"""
html {{ font-family: "{fam}"; font-size: {pt}pt; line-height: 1.65; color: #111; }}
body {{ margin: 0; }}
h1 {{ font-size: 1.7em; text-align: center; margin: 0 0 0.6em; line-height: 1.3; }}
.byline {{ text-align: right; margin: 0; font-size: 0.95em; }}
h2 {{ font-size: 1.2em; margin: 1.1em 0 0.4em; break-after: avoid; }}
p.body {{ margin: 0 0 {0 if layout.indent else 0.6}em; text-align: {"justify" if layout.justify else "left"};
          text-indent: {2 if layout.indent else 0}em; }}
figure {{ margin: 0.8em 0; text-align: center; break-inside: avoid; }}
figure img {{ width: 60%; height: auto; display: block; margin: 0 auto 0.3em; }}
figcaption {{ font-size: 0.85em; color: #333; overflow-wrap: anywhere; }}
aside {{ border: 0.6pt solid #666; background: #f0f0f0; padding: 0.5em 0.8em; margin: 0.6em 0;
         font-size: 0.9em; text-align: justify; }}
ul {{ margin: 0.3em 0 0.6em; padding-left: 2em; }}
table {{ border-collapse: collapse; margin: 0.6em auto; font-size: 0.9em; break-inside: avoid; }}
td, th {{ border: 0.5pt solid #333; padding: 0.2em 0.8em; }}
p.note {{ margin-top: 1.2em; font-size: 0.9em; }}
.back p {{ margin: 0; font-size: 0.85em; line-height: 1.4; }}
.back {{ margin-top: 1.5em; border-top: 0.5pt solid #999; padding-top: 0.5em; }}
""")
    if layout.float_aside:
        css.append("aside { float: right; width: 38%; margin: 0.3em 0 0.5em 1em; }")
    if layout.columns == 2:
        css.append(".cols { column-count: 2; column-gap: 7mm; column-rule: 0.3pt solid #aaa; }"
                   ".cols figure img { width: 90%; }")
    if weasy:
        css.append(".fn { float: footnote; font-size: 0.8em; text-indent: 0; text-align: left; line-height: 1.4; }"
                   "::footnote-call { content: counter(footnote); vertical-align: super; font-size: 0.7em; "
                   "line-height: 1; }"
                   "::footnote-marker { content: counter(footnote) ' '; }"
                   "@page { @footnote { border-top: 0.5pt solid #666; padding-top: 2mm; margin-top: 3mm; } }")
    items = typeset_items(src, layout.features)
    png = base64.b64encode(photo_png()).decode()
    out: list[str] = []
    in_cols = False
    number = 0
    for it in items:
        if layout.columns == 2 and not in_cols and it.kind in ("heading", "paragraph"):
            out.append('<div class="cols">')
            in_cols = True
        if in_cols and it.kind in ("note", "back_matter"):
            out.append("</div>")
            in_cols = False
        e = html_escape
        if it.kind == "title":
            out.append(f"<h1>{e(it.text)}</h1>")
        elif it.kind == "byline":
            out.append(f'<p class="byline">{e(it.text)}</p>')
        elif it.kind == "figure":
            out.append(f'<figure><img src="data:image/png;base64,{png}" alt=""><figcaption>{e(it.text)}'
                       "</figcaption></figure>")
        elif it.kind == "heading":
            out.append(f"<h2>{e(it.text)}</h2>")
        elif it.kind == "paragraph":
            runs = []
            for run, note in paragraph_with_calls(it, number + 1):
                runs.append(e(run))
                if note is not None:
                    number += 1
                    runs.append(f'<span class="fn">{e(note)}</span>')
            out.append(f'<p class="body">{"".join(runs)}</p>')
        elif it.kind == "list":
            out.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in it.items) + "</ul>")
        elif it.kind == "table":
            head, *rest = it.rows
            out.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in head) + "</tr>"
                       + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rest)
                       + "</table>")
        elif it.kind == "aside":
            out.append(f"<aside>{e(it.text)}</aside>")
        elif it.kind == "note":
            out.append(f'<p class="note">{e(it.text)}</p>')
        elif it.kind == "back_matter":
            if not out[-1].startswith('<div class="back">') and not out[-1].endswith("<!--back-->"):
                out.append('<div class="back">')
            out.append(f"<p>{e(it.text)}</p><!--back-->")
    if in_cols:
        out.append("</div>")
    if any(x.endswith("<!--back-->") for x in out):
        out.append("</div>")
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{html_escape(src.title)}'
            f'</title><style>{"".join(css)}</style></head><body>\n' + "\n".join(out) + "\n</body></html>\n")


def weasyprint_convert(html: Path, pdf: Path) -> None:
    subprocess.run(["weasyprint", "-q", str(html), str(pdf)], check=True, capture_output=True, timeout=600)


class Chromium:
    """One headless Chromium (Debian's) for all print jobs."""

    def __enter__(self) -> Chromium:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        return self

    def __exit__(self, *exc) -> None:
        self.browser.close()
        self._pw.stop()

    def pdf(self, html: Path, out: Path, src: Source, layout: Layout) -> None:
        page = self.browser.new_page()
        try:
            page.goto(html.as_uri(), wait_until="load")
            fam = font_family(layout, src.script)
            small = f'style="font-family: \'{fam}\'; font-size: {layout.size_pt * 0.75}pt; width: 100%; text-align: center; color: #555;"'
            header = f'<div {small}>{html_escape(src.series)}</div>' if layout.running_head else "<span></span>"
            footer = (f'<div {small}><span class="pageNumber"></span> / <span class="totalPages"></span></div>'
                      if layout.page_numbers else "<span></span>")
            page.pdf(path=str(out), prefer_css_page_size=True, print_background=True,
                     display_header_footer=layout.running_head or layout.page_numbers,
                     header_template=header, footer_template=footer)
        finally:
            page.close()


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    src: Source
    layout: Layout

    def truth(self) -> dict:
        font = font_family(self.layout, self.src.script) + (" (web font subset)" if self.layout.webfont else "")
        return {"producer": self.layout.producer, "layout": self.layout.name, "font": font, "page_size": self.layout.page_size, "script": self.src.script,
            "source": self.src.name, "blocks": truth_blocks(typeset_items(self.src, self.layout.features))}


def plan(small: bool, texts: Path | None, n_corpus: int = 6) -> list[Case]:
    if small:
        tc = seed_source(short=True)
        sc = simplified(tc)
        srcs = {"writer-small": tc, "weasy-small": sc, "chrome-small-justify": tc, "chrome-small-two-column": sc}
        return [Case(name, srcs[name], lay) for name, lay in SMALL]
    seed = seed_source()
    seeds = [seed, simplified(seed)]
    corpus = corpus_sources(texts, n_corpus) if texts else []
    cases = []
    for i, lay in enumerate(LAYOUTS):
        s = seeds[i % 2]
        cases.append(Case(f"{lay.name}-{s.name}", s, lay))
        for j in range(2 if corpus else 0):
            c = corpus[(2 * i + j) % len(corpus)]
            cases.append(Case(f"{lay.name}-{c.name}", c, lay))
    return cases


def generate(out: Path, cases: list[Case], log=print) -> dict[str, float]:
    """Typeset every case into ``out``; return seconds spent per producer."""
    out.mkdir(parents=True, exist_ok=True)
    spent: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="layout-corpus-") as tmp_s:
        tmp = Path(tmp_s)
        by = {p: [c for c in cases if c.layout.producer == p] for p in ("libreoffice", "weasyprint", "chromium")}
        t0 = time.perf_counter()
        for tagged in (False, True):
            batch = [c for c in by["libreoffice"] if c.layout.tagged == tagged]
            files = []
            for c in batch:
                f = tmp / f"{c.name}.fodt"
                f.write_text(fodt(c.src, c.layout), encoding="utf-8")
                files.append(f)
            soffice_convert(files, tmp, tagged, tmp / "lo-profile")
            for c in batch:
                shutil.move(tmp / f"{c.name}.pdf", out / f"{c.name}.pdf")
        spent["libreoffice"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for c in by["weasyprint"]:
            f = tmp / f"{c.name}.html"
            f.write_text(html_doc(c.src, c.layout, tmp), encoding="utf-8")
            weasyprint_convert(f, out / f"{c.name}.pdf")
        spent["weasyprint"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        if by["chromium"]:
            with Chromium() as chrome:
                for c in by["chromium"]:
                    f = tmp / f"{c.name}.html"
                    f.write_text(html_doc(c.src, c.layout, tmp), encoding="utf-8")
                    chrome.pdf(f, out / f"{c.name}.pdf", c.src, c.layout)
        spent["chromium"] = time.perf_counter() - t0
    for c in cases:
        if c.layout.spread:
            impose_spreads(out / f"{c.name}.pdf")
        truth = c.truth()
        (out / f"{c.name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                                  encoding="utf-8")
        pdf = out / f"{c.name}.pdf"
        problems = check_truth(pdf, truth)
        log(f"{c.name}: {pdf.stat().st_size / 1024:.0f} KB" + "".join(f"\n  TRUTH CHECK: {p}" for p in problems))
    return spent


def impose_spreads(pdf: Path, out: Path | None = None, first_alone: bool = True) -> None:
    """Put the PDF's pages two to a sheet, side by side (page 1 alone on the right, as a book opens,
    unless ``first_alone`` is False), the way a layout program exports spreads: each page keeps its
    running head and number.  Written over ``pdf`` unless ``out`` is given."""
    from pypdf import PageObject, PdfReader, PdfWriter, Transformation

    reader = PdfReader(pdf)
    pages = list(reader.pages)
    w, h = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    writer = PdfWriter()
    sheets: list[list] = ([[None, pages[0]]] + [pages[i:i + 2] for i in range(1, len(pages), 2)] if first_alone
                          else [pages[i:i + 2] for i in range(0, len(pages), 2)])
    for pair in sheets:
        sheet = PageObject.create_blank_page(width=2 * w, height=h)
        for k, page in enumerate(pair):
            if page is not None:
                sheet.merge_transformed_page(page, Transformation().translate(k * w, 0))
        writer.add_page(sheet)
    with (out or pdf).open("wb") as f:
        writer.write(f)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_truth(pdf: Path, truth: dict, window: int = 8) -> list[str]:
    """Problems with a case's truth: blocks whose text is not (all) in the PDF's text.

    Independent of our extractor: poppler's ``pdftotext`` (reading order and raw
    order).  A block passes when its first and last ``window`` characters occur
    in the text (whitespace removed) and its missing ``window``-character pieces
    are at most two short runs (a page break with a running head in between, a
    superscript out of line); a clipped or missing block fails.
    """
    if not shutil.which("pdftotext"):
        return []
    text = "\n".join(_squash(subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(pdf), "-"],
                                            capture_output=True, check=True).stdout.decode("utf-8", "replace"))
                     for mode in ([], ["-raw"]))
    problems = []
    for b in truth["blocks"]:
        t = _squash(b["text"])
        if b["type"] == "table":
            missing = [c for r in b["cells"] for c in r if _squash(c) not in text]
            if missing:
                problems.append(f"table cells not printed: {missing}")
            continue
        if len(t) <= window:
            if t not in text:
                problems.append(f"{b['type']} not printed: {t}")
            continue
        found = [t[i:i + window] in text for i in range(len(t) - window + 1)]
        runs = [len(r) for r in "".join("x" if f else "." for f in found).split("x") if r]
        if not (found[0] and found[-1]) or len(runs) > 2 or any(r >= window + 2 for r in runs):
            problems.append(f"{b['type']} not all printed ({sum(found)}/{len(found)} pieces): {t[:30]}…")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--small", action="store_true", help="four short cases (the test fixtures)")
    ap.add_argument("--texts", type=Path, help="the shared corpus docs.jsonl, for longer documents")
    ap.add_argument("--corpus-docs", type=int, default=6, help="documents to assemble from --texts")
    ap.add_argument("--only", help="only the cases whose name contains this")
    args = ap.parse_args(argv)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1704099600")  # WeasyPrint's dates
    t0 = time.perf_counter()
    cases = [c for c in plan(args.small, args.texts, args.corpus_docs) if not args.only or args.only in c.name]
    spent = generate(args.out, cases)
    print(f"{len(cases)} cases in {time.perf_counter() - t0:.1f} s ("
          + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items()) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
