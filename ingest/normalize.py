"""Character-level repair of extracted text: NFC, look-alikes, stray spaces.

Extractors hand back the characters the PDF's font maps say, not always the
characters the author typed: Chromium/Skia and XMind map ideographs to Kangxi
radicals (U+2F00–U+2FD5, which NFKC folds) or to CJK Radicals Supplement
characters (U+2E80–U+2EFF, which NFKC leaves alone: ⻑ for 長, ⺠ for 民);
some producers leave NULs or zero-width characters; justified lines come
back with spaces between ideographs.  Everything here is per character or per
line, so it is cheap and the same for every extractor.  We normalise to NFC,
never NFKC or script conversion, so stored text keeps the document's own
characters (full-width digits, 臺 vs 台, Traditional vs Simplified).
"""

from __future__ import annotations

import re
import unicodedata

from .chars import JOINING_CLASS, LOOKALIKES, WIDE_CLASS

# Controls except tab/newline/CR (C0 and C1), soft hyphen, zero-width chars, BOM, noncharacters
# (U+FDD0-U+FDEF and the last two code points of every plane) and private-use code points (a font
# map's private glyph names, never a character the author typed): never content.
_INVISIBLE = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0), 0xAD,
                            0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0xFDD0, 0xFDF0),
                            *(plane * 0x10000 + low for plane in range(17) for low in (0xFFFE, 0xFFFF)),
                            *range(0xE000, 0xF900)])
#: Lone UTF-16 surrogates (a damaged ToUnicode map can yield one): not text, and not encodable.
_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), "\ufffd")
_CHAR_TABLE: dict[int, str | None] = {**_INVISIBLE, **_SURROGATES, **LOOKALIKES, 0x09: " "}

#: Characters that sit between ideographs without spaces (see :data:`ingest.chars.JOINING_CLASS`).
CJK_CLASS = JOINING_CLASS
_CJK = f"[{CJK_CLASS}]"
_CJK_RE = re.compile(_CJK)
_SPACE_BETWEEN_CJK = re.compile(f"(?<={_CJK})[ \u3000\u00a0]+(?={_CJK})")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f]+")


def is_cjk(ch: str) -> bool:
    """True for a character that joins its neighbours without a space (see ``CJK_CLASS``)."""
    return bool(ch) and _CJK_RE.match(ch) is not None


def fix_chars(text: str) -> str:
    """Drop invisible characters and map radical look-alikes to ideographs."""
    return text.translate(_CHAR_TABLE)


def _cjk_gap(match: re.Match[str]) -> str:
    # An ideographic space the author typed (a byline's 王大同　研究員, a padded name) is kept, once;
    # other spaces between CJK characters are the extractor's.
    return "\u3000" if "\u3000" in match.group(0) else ""


def normalize_line(line: str) -> str:
    """One extracted line: NFC, no spaces between CJK characters (but one typed ideographic
    space), single spaces."""
    line = unicodedata.normalize("NFC", fix_chars(line))
    line = _SPACES.sub(" ", line)
    return _SPACE_BETWEEN_CJK.sub(_cjk_gap, line).strip()


def normalize_page(text: str) -> list[str]:
    """A page's extracted text as normalised, non-empty lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = []
    for raw in lines:
        line = normalize_line(raw)
        if line:
            out.append(line)
    return out


# East Asian Wide and Fullwidth characters (the ranges that occur in text; unicodedata per
# character is several times slower and the rest of the table is emoji and rare symbols).
_WIDE = re.compile(f"[{WIDE_CLASS}]")


def width(text: str) -> float:
    """Rough printed width in ems: wide (CJK) characters 1, spaces 0.3, others 0.55."""
    wide = len(_WIDE.findall(text))
    spaces = text.count(" ")
    return wide + 0.3 * spaces + 0.55 * (len(text) - wide - spaces)
