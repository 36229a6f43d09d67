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

# Unicode's EquivalentUnifiedIdeograph.txt, CJK Radicals Supplement part
# (U+2E81–U+2EF3; U+2E80 and U+2E9A have no equivalent).  Written as code
# points so that no look-alike characters appear in the source.
_SUPPLEMENT_PAIRS = """
2E81:5382 2E82:4E5B 2E83:4E5A 2E84:4E59 2E85:4EBB 2E86:5182 2E87:20628 2E88:5200 2E89:5202
2E8A:535C 2E8B:353E 2E8C:5C0F 2E8D:5C0F 2E8E:5140 2E8F:5C23 2E90:5C22 2E91:21BC2 2E92:5DF3
2E93:5E7A 2E94:5F51 2E95:2B739 2E96:5FC4 2E97:5FC3 2E98:624C 2E99:6535 2E9B:65E1 2E9C:65E5
2E9D:6708 2E9E:6B7A 2E9F:6BCD 2EA0:6C11 2EA1:6C35 2EA2:6C3A 2EA3:706C 2EA4:722B 2EA5:722B
2EA6:4E2C 2EA7:725B 2EA8:72AD 2EA9:738B 2EAA:24D14 2EAB:76EE 2EAC:793A 2EAD:793B 2EAE:25AD7
2EAF:7CF9 2EB0:7E9F 2EB1:7F53 2EB2:7F52 2EB3:34C1 2EB4:5197 2EB5:2626B 2EB6:7F8A 2EB7:2634C
2EB8:2634B 2EB9:8002 2EBA:8080 2EBB:807F 2EBC:8089 2EBD:26951 2EBE:8279 2EBF:8279 2EC0:8279
2EC1:864E 2EC2:8864 2EC3:8980 2EC4:897F 2EC5:89C1 2EC6:89D2 2EC7:278B2 2EC8:8BA0 2EC9:8D1D
2ECA:27FB7 2ECB:8F66 2ECC:8FB6 2ECD:8FB6 2ECE:8FB6 2ECF:9091 2ED0:9485 2ED1:9577 2ED2:9578
2ED3:957F 2ED4:95E8 2ED5:28E0F 2ED6:961D 2ED7:96E8 2ED8:9752 2ED9:97E6 2EDA:9875 2EDB:98CE
2EDC:98DE 2EDD:98DF 2EDE:2967F 2EDF:98E0 2EE0:9963 2EE1:29810 2EE2:9A6C 2EE3:9AA8 2EE4:9B3C
2EE5:9C7C 2EE6:9E1F 2EE7:5364 2EE8:9EA6 2EE9:9EC4 2EEA:9EFE 2EEB:6589 2EEC:9F50 2EED:6B6F
2EEE:9F7F 2EEF:7ADC 2EF0:9F99 2EF1:9F9C 2EF2:4E80 2EF3:9F9F
"""


def _lookalike_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for pair in _SUPPLEMENT_PAIRS.split():
        src, dst = pair.split(":")
        table[int(src, 16)] = chr(int(dst, 16))
    for cp in range(0x2F00, 0x2FD6):  # Kangxi radicals: NFKC gives the ideograph
        table[cp] = unicodedata.normalize("NFKC", chr(cp))
    return table


#: radical look-alike code point -> the unified ideograph it stands for
LOOKALIKES: dict[int, str] = _lookalike_table()

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

#: Characters that sit between ideographs without spaces: ideographs, CJK
#: punctuation, kana, bopomofo, full-width forms, radicals.
CJK_CLASS = (
    "\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6"
    "\U00020000-\U0003ffff"
)
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
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)


def width(text: str) -> float:
    """Rough printed width in ems: wide (CJK) characters 1, spaces 0.3, others 0.55."""
    wide = len(_WIDE.findall(text))
    spaces = text.count(" ")
    return wide + 0.3 * spaces + 0.55 * (len(text) - wide - spaces)
