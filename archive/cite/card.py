"""The preview card a link shows (``og:image``): the title and byline drawn on a plain card.

A card is drawn from the catalogue's metadata, never by rendering the PDF in the web
process: the original is untrusted input that only the sandboxed extraction parses.
It is 1200 × 630 px, the size OpenGraph and X/Twitter large cards use, in Noto CJK
(installed by ``make setup``) in the document's own script, Traditional or Simplified.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
_MARGIN = 72
_FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
#: Faces inside the Noto CJK collections: Simplified and Traditional Chinese glyph forms.
_FACE = {"zh-Hans": 2, "zh-Hant": 3}
_INK, _MUTED, _PAPER, _RULE = (28, 35, 51), (88, 96, 112), (250, 248, 243), (156, 42, 42)
_NO_LINE_START = set("，。、；：？！」』）》〉】,.;:?!)")


@functools.lru_cache(maxsize=8)
def _font(size: int, language: str, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _FONT_FILES[0 if bold else 1]
    if not path.is_file():
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size, index=_FACE.get(language, 3))


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
          width: int, max_lines: int) -> list[str]:
    """Lines of ``text`` within ``width``: Han characters break anywhere but before closing
    punctuation; Latin words stay whole."""
    tokens: list[str] = []
    for ch in text:
        if tokens and ch.isascii() and ch.isalnum() and tokens[-1][-1:].isascii() and tokens[-1][-1:].isalnum():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if draw.textlength(line + tok, font=font) <= width or not line or tok in _NO_LINE_START:
            line += tok
            continue
        lines.append(line.rstrip())
        line = tok.lstrip()
        if len(lines) == max_lines:
            break
    else:
        if line:
            lines.append(line)
        return lines
    last = lines[-1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


def card_png(title: str, *, byline: str = "", source: str = "", language: str = "zh-Hant",
             site: str = "") -> bytes:
    """A PNG card: ``title`` large, then ``byline`` and ``source`` (publisher · date)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, HEIGHT), fill=_RULE)
    inner = WIDTH - 2 * _MARGIN
    y = _MARGIN
    if site:
        draw.text((_MARGIN, y), site, font=_font(30, language, False), fill=_MUTED)
        y += 64
    title_font = _font(60, language, True)
    for line in _wrap(draw, title or "", title_font, inner, 4):
        draw.text((_MARGIN, y), line, font=title_font, fill=_INK)
        y += 82
    y += 18
    small = _font(34, language, False)
    for text in (byline, source):
        if text and y < HEIGHT - _MARGIN:
            for line in _wrap(draw, text, small, inner, 1):
                draw.text((_MARGIN, y), line, font=small, fill=_MUTED)
                y += 50
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
