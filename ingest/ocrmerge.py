"""Corner brackets in a Simplified reading, taken from the Traditional model's reading of the page.

Tesseract's Simplified model was trained on mainland text, which quotes with “ ”; it reads the
corner brackets 「 」 『 』 that Taiwan and Hong Kong text (and much Simplified text converted
from it) uses as whatever looks near enough — ``[``, ``【``, ``|``, ``1``, ``上``, ``人`` — or drops
them.  The Traditional model reads them well.  Every page is read with both models to choose the
script, so where the Simplified reading was kept, each of its lines is aligned with the
Traditional reading of the same line (found by position, compared after converting it to
Simplified with OpenCC) and where the Traditional reading has corner brackets and the Simplified
one has at most one other character more, the brackets are taken.  Nothing else is taken: for
ideographs each model is surest of its own script.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from .geometry import TextLine

CORNERS = frozenset("「」『』")


def borrow_corners(text: str, other: str) -> str:
    """``text`` with the corner brackets of ``other`` (the same line, read by the other model and
    converted to ``text``'s script) where the two differ only there.  A character of ``text`` next
    to a corner bracket both have, which ``other`` does not have, is the bracket read twice (一路|」,
    台独上」) and goes."""
    if not any(ch in CORNERS for ch in other):
        return text
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, text, other, autojunk=False).get_opcodes():
        mine, theirs = text[i1:i2], other[j1:j2]
        if op == "equal" or any(ch in CORNERS for ch in mine):
            out.append(mine)
        elif theirs and all(ch in CORNERS for ch in theirs) and len(mine) <= len(theirs) + 1:
            out.append(theirs)
        elif not theirs and len(mine) == 1 and (text[i2:i2 + 1] in CORNERS and other[j2:j2 + 1] == text[i2:i2 + 1]
                                                 or text[i1 - 1:i1] in CORNERS and other[j1 - 1:j1] == text[i1 - 1:i1]):
            continue
        else:
            out.append(mine)
    return "".join(out)


def _same_line(line: TextLine, others: list[TextLine]) -> TextLine | None:
    """The line of the other reading printed where ``line`` is (same baseline, overlapping)."""
    best, distance = None, 0.0
    for other in others:
        apart = abs(other.top - line.top)
        if other.x0 is None or apart > 0.5 * max(line.size, other.size, 4.0):
            continue
        shared = min(line.x1, other.x1) - max(line.x0 or 0.0, other.x0)
        if shared > 0.5 * (line.x1 - (line.x0 or 0.0)) and (best is None or apart < distance):
            best, distance = other, apart
    return best


def corners_from(simplified: list[TextLine], traditional: list[TextLine], to_simplified: Any) -> bool:
    """Mend the Simplified reading's lines in place from the Traditional reading's; did any change?"""
    changed = False
    for line in simplified:
        if line.x0 is None:
            continue
        other = _same_line(line, traditional)
        if other is None:
            continue
        mended = borrow_corners(line.text, to_simplified.convert(other.text))
        if mended != line.text:
            line.text, changed = mended, True
    return changed
