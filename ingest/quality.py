"""The quality gate: is this extracted text real text or font-map garbage?

CID fonts without a ToUnicode map, non-embedded MSung/MHei fonts and broken
maps make extractors return private-use characters, U+FFFD, radical
look-alikes, or characters from scripts a Chinese policy text never uses
(Gurmukhi, Myanmar, IPA ...); a font whose codes are read as Unicode gives
ideographs, but mostly rare ones; pypdf misreading an embedded CMap (fpdf2's
CFF fonts) interleaves NULs with characters that drift off after the first
256 codes.  ``score`` turns those signs into one number
in 0..1 so that ingest can keep the better of two extractors and refuse text
that is garbage in both, instead of storing it as if it were text.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import lru_cache

GOOD = 0.95  # at or above: keep the first extractor's text without a second opinion
ACCEPT = 0.75  # below this in every extractor: refuse as garbled

OK, WEIRD, PUA, RADICAL, HAN, BAD = range(6)

_OK_RANGES = [
    (0x09, 0x0D), (0x20, 0x7E), (0xA0, 0x24F), (0x2C6, 0x2C7), (0x2C9, 0x2CB), (0x2D9, 0x2D9),
    (0x300, 0x36F), (0x391, 0x3C9), (0x401, 0x451), (0x1E00, 0x1EFF), (0x2000, 0x2BFF),
    (0x3000, 0x33FF), (0xAC00, 0xD7AF), (0xFB00, 0xFB06), (0xFE10, 0xFE1F), (0xFE30, 0xFE6F),
    (0xFF01, 0xFFEE),
]
_HAN_RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]


def _build_classes() -> bytearray:
    table = bytearray([WEIRD]) * 0x10000
    for lo, hi in _OK_RANGES:
        table[lo : hi + 1] = bytes([OK]) * (hi - lo + 1)
    for lo, hi in _HAN_RANGES:
        table[lo : hi + 1] = bytes([HAN]) * (hi - lo + 1)
    table[0xE000:0xF900] = bytes([PUA]) * (0xF900 - 0xE000)
    table[0x2E80:0x2FE0] = bytes([RADICAL]) * (0x2FE0 - 0x2E80)
    for cp in (0xFFFD, 0xFFFE, 0xFFFF, *range(0, 9), *range(0x0E, 0x20), 0x7F):
        table[cp] = BAD
    return table


_CLASSES = _build_classes()


def _decode_range(codec: str, leads: range, trails: list[int]) -> set[str]:
    chars: set[str] = set()
    for lead in leads:
        for trail in trails:
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([lead, trail]).decode(codec))
    return chars


_BIG5_TRAILS = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
_GB_TRAILS = list(range(0xA1, 0xFF))


@lru_cache(maxsize=1)
def charsets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(common Han, Big5 Han, GB2312 Han) — built once from the codecs, no data files.

    Common = Big5 level 1 plus GB2312 level 1: real Chinese text draws >95% of
    its ideographs from them; codes misread as Unicode draw from all 20k+.
    """
    big5_l1 = _decode_range("big5", range(0xA4, 0xC7), _BIG5_TRAILS)
    big5_l2 = _decode_range("big5", range(0xC9, 0xFA), _BIG5_TRAILS)
    gb_l1 = _decode_range("gb2312", range(0xB0, 0xD8), _GB_TRAILS)
    gb_l2 = _decode_range("gb2312", range(0xD8, 0xF8), _GB_TRAILS)
    return frozenset(big5_l1 | gb_l1), frozenset(big5_l1 | big5_l2), frozenset(gb_l1 | gb_l2)


@dataclass
class Quality:
    """The gate's verdict on one extractor's text."""

    score: float
    chars: int  # non-space characters
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """The main problems, for the one-line refusal reason."""
        names = {"pua": "private-use", "bad": "replacement/control", "weird": "odd-script",
                 "radical": "radical look-alike", "rare_han": "rare-ideograph"}
        n = max(self.chars, 1)
        parts = [f"{names[k]} {100 * v / n:.0f}%" for k, v in self.counts.items()
                 if k in names and v / n >= 0.02]
        return ", ".join(parts) or "implausible text"


def score(text: str) -> Quality:
    """Score raw extracted text: 1.0 is clean, below ``ACCEPT`` is garbage."""
    counts = [0] * 6
    han_chars: list[str] = []
    spaces = 0
    classes = _CLASSES
    for ch in text:
        cp = ord(ch)
        if ch.isspace():
            spaces += 1
            continue
        if cp < 0x10000:
            k = classes[cp]
        elif 0x20000 <= cp < 0x40000:
            k = HAN
        elif cp >= 0xF0000:
            k = PUA
        elif 0x1F000 <= cp < 0x1FB00:
            k = OK  # emoji and symbols
        else:
            k = WEIRD
        counts[k] += 1
        if k == HAN:
            han_chars.append(ch)
    n = sum(counts)
    if n <= 0:
        return Quality(0.0, 0, {})
    common = charsets()[0]
    rare = sum(1 for ch in han_chars if ch not in common)
    # Real text has a few rare ideographs (names, variants); garbage has a third or more.
    rare_excess = max(0.0, rare - 0.08 * len(han_chars)) if len(han_chars) >= 20 else 0.0
    bad = (counts[PUA] + counts[BAD] + counts[WEIRD] + counts[RADICAL] + rare_excess)
    value = max(0.0, min(1.0, 1.0 - bad / n))
    detail = {"pua": counts[PUA], "bad": counts[BAD], "weird": counts[WEIRD],
              "radical": counts[RADICAL], "han": counts[HAN], "rare_han": rare}
    return Quality(round(value, 4), n, detail)


def odd_character(ch: str) -> bool:
    """A character of a script a Chinese policy text never uses, a private-use one or a control."""
    cp = ord(ch)
    return cp >= 0x10000 and not 0x20000 <= cp <= 0x3FFFF or cp < 0x10000 and _CLASSES[cp] in (WEIRD, PUA, BAD)


def garbled_line(text: str) -> bool:
    """Is this one line font-map garbage inside text that is otherwise good (a heading set in a
    font whose ToUnicode map is broken: "3.7 ຍ㶟/⇜ຍ")?

    Garbage mixes characters of scripts a Chinese text does not use, from several scripts at
    once or glued to ideographs; a quotation in Thai or Arabic is one script, set apart by spaces
    or punctuation, and is not garbage.
    """
    han = [ch for ch in text if ord(ch) < 0x10000 and _CLASSES[ord(ch)] == HAN or 0x20000 <= ord(ch) <= 0x3FFFF]
    if len(han) >= 4:
        # Codes read as Unicode land anywhere in the 20k+ ideographs; real text draws nearly all
        # of its ideographs from the common ones (Big5 level 1, GB2312 level 1).
        common = charsets()[0]
        if sum(1 for ch in han if ch not in common) > 0.5 * len(han):
            return True
    # (private-use characters and controls are not counted: normalising drops them, and a font's
    # private-use ① before an exam question is a marker, not a broken line)
    odd = [ch for ch in text if _foreign(ch)]
    if not odd:
        return False
    scripts = {ord(ch) >> 7 for ch in odd}  # (128-code-point blocks stand in for scripts)
    if len(scripts) >= 2:
        return True
    glued = any(_foreign(a) and _CLASSES[ord(b)] == HAN or _foreign(b) and _CLASSES[ord(a)] == HAN
                for a, b in zip(text, text[1:], strict=False) if ord(a) < 0x10000 and ord(b) < 0x10000)
    return glued


def _foreign(ch: str) -> bool:
    """A letter of a script a Chinese policy text never uses (not private-use, not a control)."""
    cp = ord(ch)
    return _CLASSES[cp] == WEIRD if cp < 0x10000 else not 0x20000 <= cp <= 0x3FFFF and not cp >= 0xF0000
