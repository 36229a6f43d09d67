"""Passage ids that survive re-ingestion, and re-anchoring old ids onto a revision.

A passage id is derived from the passage itself: the document id, the
block's text with whitespace and compatibility forms normalised away, and its
occurrence number among blocks of equal text.  Ingesting the same PDF again
therefore gives the same ids, and a revised PDF keeps every id whose text is
unchanged, wherever the paragraph moved or whichever page it landed on.

An id whose text is gone from a revision is re-anchored the way annotation
tools anchor a quote (Hypothesis' exact / prefix / suffix / position
selectors): the candidate block must resemble the old text closely, its
neighbours must agree, and it must clearly beat the runner-up.  Anything less
is reported as gone rather than pointing at the wrong words.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from archive.models import Block, Document

#: How closely the old text must match a new block to count as the same passage, revised.
MIN_TEXT_SIMILARITY = 0.72
#: The combined score (text, context and position) a re-anchoring needs.
MIN_CONFIDENCE = 0.70
#: How far the best candidate must lead the runner-up, so that near-duplicates never anchor.
MIN_LEAD = 0.08

#: Characters of context on each side in a quote selector.
SELECTOR_CONTEXT = 32
#: Blocks are joined with this separator to form the document's full text for position selectors.
BLOCK_SEPARATOR = "\n\n"


def passage_key(text: str) -> str:
    """The text a passage id is computed from: NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def passage_id(doc_id: str, key: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{doc_id}\x1f{key}\x1f{occurrence}".encode()).hexdigest()
    return f"p-{digest[:12]}"


def assign_ids(doc: Document) -> None:
    """Give every block of ``doc`` (whose ``doc_id`` is set) its passage id, in place."""
    if not doc.doc_id:
        raise ValueError("assign_ids needs the document id")
    seen: Counter[str] = Counter()
    for block in doc.blocks:
        key = passage_key(block.text)
        block.id = passage_id(doc.doc_id, key, seen[key])
        seen[key] += 1


@dataclass
class Anchor:
    """Where an old passage lands in the new version (``target`` None means gone)."""

    passage_id: str
    target: str | None
    confidence: float


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < MIN_TEXT_SIMILARITY or m.quick_ratio() < MIN_TEXT_SIMILARITY:
        return m.quick_ratio() * 0.5  # cheap upper bound, scaled: certainly not a match
    return m.ratio()


def _context_similarity(a: str, b: str) -> float:
    """Similarity of neighbouring text, where only the near ends matter."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _neighbour_keys(blocks: list[Block], i: int) -> tuple[str, str]:
    prev = passage_key(blocks[i - 1].text)[-SELECTOR_CONTEXT:] if i > 0 else ""
    nxt = passage_key(blocks[i + 1].text)[:SELECTOR_CONTEXT] if i + 1 < len(blocks) else ""
    return prev, nxt


def reanchor(old_doc: Document, old_ids: list[str], new_doc: Document) -> list[Anchor]:
    """Find where each of ``old_ids`` (blocks of ``old_doc`` absent from ``new_doc``) now stands.

    Blocks of the new version that kept an old id are not candidates: their
    text is accounted for by that id.
    """
    old_index = {b.id: i for i, b in enumerate(old_doc.blocks)}
    kept = {b.id for b in old_doc.blocks} & {b.id for b in new_doc.blocks}
    candidates = [(j, b) for j, b in enumerate(new_doc.blocks) if b.id not in kept]
    new_keys = {j: passage_key(b.text) for j, b in candidates}
    n_old, n_new = max(len(old_doc.blocks), 1), max(len(new_doc.blocks), 1)
    anchors: list[Anchor] = []
    for pid in old_ids:
        i = old_index.get(pid)
        if i is None:
            continue
        key = passage_key(old_doc.blocks[i].text)
        prev, nxt = _neighbour_keys(old_doc.blocks, i)
        scored: list[tuple[float, float, str]] = []
        for j, b in candidates:
            text_sim = _similarity(key, new_keys[j])
            if text_sim < MIN_TEXT_SIMILARITY:
                continue
            nprev, nnxt = _neighbour_keys(new_doc.blocks, j)
            context = (_context_similarity(prev, nprev) + _context_similarity(nxt, nnxt)) / 2
            position = 1.0 - abs(i / n_old - j / n_new)
            score = 0.75 * text_sim + 0.15 * context + 0.10 * position
            scored.append((score, text_sim, b.id))
        scored.sort(reverse=True)
        if not scored:
            anchors.append(Anchor(pid, None, 0.0))
            continue
        best, runner_up = scored[0], (scored[1][0] if len(scored) > 1 else 0.0)
        if best[0] >= MIN_CONFIDENCE and best[0] - runner_up >= MIN_LEAD:
            anchors.append(Anchor(pid, best[2], round(best[0], 4)))
        else:
            anchors.append(Anchor(pid, None, round(best[0], 4)))
    return anchors


def full_text(doc: Document) -> tuple[str, list[int]]:
    """The document's text as one string (blocks joined) and each block's start offset."""
    starts: list[int] = []
    pos = 0
    for b in doc.blocks:
        starts.append(pos)
        pos += len(b.text) + len(BLOCK_SEPARATOR)
    return BLOCK_SEPARATOR.join(b.text for b in doc.blocks), starts


def unique_context(text: str, start: int, end: int, least: int = SELECTOR_CONTEXT) -> tuple[str, str]:
    """Prefix and suffix around ``text[start:end]`` long enough that prefix + exact + suffix
    occurs once in ``text``: a quote selector then anchors in one place (Hypothesis and
    Apache Annotator match all three), even for a table cell or a line repeated on every page.
    """
    width = least
    exact = text[start:end]
    while True:
        prefix = text[max(0, start - width) : start]
        suffix = text[end : end + width]
        needle = prefix + exact + suffix
        first = text.find(needle)
        if text.find(needle, first + 1) < 0 or (len(prefix) == start and end + len(suffix) == len(text)):
            return prefix, suffix
        width *= 2


def quote_selector(doc: Document, block_index: int) -> dict:
    """W3C Web Annotation selectors for one block: a TextQuoteSelector and a TextPositionSelector.

    Positions count Unicode code points in the document's full text, the blocks
    joined by a blank line (``BLOCK_SEPARATOR``): exactly the text the archive serves
    as ``text/plain`` for each version, which is the annotation's source.  The
    prefix and suffix grow until the quote is unique in that text.
    """
    text, starts = full_text(doc)
    start = starts[block_index]
    end = start + len(doc.blocks[block_index].text)
    prefix, suffix = unique_context(text, start, end)
    return {
        "quote": {"type": "TextQuoteSelector", "exact": text[start:end], "prefix": prefix, "suffix": suffix},
        "position": {"type": "TextPositionSelector", "start": start, "end": end},
    }
