"""Match normalisation and tokenisation: the one place where text becomes tokens.

Both the indexer (:mod:`archive.index`) and the query side (:mod:`archive.query`,
:mod:`archive.search`) call these functions, so a query term and the text it
should find are always cut the same way.  Nothing here imports Whoosh.

Folding (:func:`fold`) is for *matching only*; stored and displayed text keeps
the author's script.  It is

1. NFKC (full-width ＡＰＥＣ → APEC, Kangxi radicals and compatibility
   ideographs → unified ideographs), applied per character cluster so that an
   offset map back to the original exists;
2. CJK Radicals Supplement look-alikes (U+2E80–U+2EFF, which NFKC leaves
   alone) → the ideograph they imitate;
3. casefold;
4. Traditional → Simplified, **character by character**, using OpenCC's
   ``t2s`` tables (``TSCharacters``/``STCharacters``/``TWVariants``) merged into
   equivalence classes (臺/台, 裡/裏/里, 著/着, 乾/幹/干 …).

Why characters and not OpenCC's phrase-level ``t2s``: phrase conversion is
context dependent, so ``t2s(query)`` need not be a substring of ``t2s(text)``
even when the query is a substring of the text — that silently loses recall.
A per-character map keeps "substring before folding ⇒ substring after
folding", keeps lengths (so offsets map back exactly) and runs at C speed via
``str.translate``; OpenCC's one-to-many choices are irrelevant for matching
because the whole class folds to one representative.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.chars import SUPPLEMENT_LOOKALIKES, UNIT_CLASS

# --------------------------------------------------------------------------
# Tables


def opencc_dictionary_dir() -> Path:
    """The dictionary folder shipped inside opencc-python-reimplemented."""
    import opencc  # local import: only needed to locate the data files

    return Path(os.path.dirname(opencc.__file__)) / "dictionary"


@functools.cache
def _script_table() -> dict[int, str]:
    """Per-character fold map: every member of an OpenCC equivalence class → one representative.

    The representative is the character OpenCC ``t2s`` most often produces for
    the class (so folded text is Simplified, which jieba segments best).
    """
    d = opencc_dictionary_dir()
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    votes: Counter[str] = Counter()
    for name in ("TSCharacters.txt", "STCharacters.txt", "TWVariants.txt", "TWVariantsRev.txt"):
        for line in (d / name).read_text(encoding="utf-8").splitlines():
            key, _, vals = line.partition("\t")
            cands = [c for c in vals.split() if len(c) == 1]
            if len(key) != 1 or not cands:
                continue
            if name == "TSCharacters.txt":
                votes[cands[0]] += 2
            for c in cands:
                ra, rb = find(key), find(c)
                if ra != rb:
                    parent[ra] = rb
    classes: dict[str, list[str]] = {}
    for ch in list(parent):
        classes.setdefault(find(ch), []).append(ch)
    table: dict[int, str] = {}
    for members in classes.values():
        rep = max(sorted(members), key=lambda c: votes[c])
        for ch in members:
            if ch != rep:
                table[ord(ch)] = rep
    for cp, ideo in SUPPLEMENT_LOOKALIKES.items():  # the look-alikes NFKC leaves
        table[cp] = table.get(ord(ideo), ideo)
    return table


# --------------------------------------------------------------------------
# Folding


def _fold_cluster(cluster: str) -> str:
    """NFKC + casefold of one character cluster (script folding is done later, in bulk)."""
    return unicodedata.normalize("NFKC", cluster).casefold()


def fold(text: str) -> str:
    """The match normalisation of ``text`` (see module docstring); never for display."""
    out = text.translate(_CHAR_FOLD)
    if len(out) == len(text):  # what fold_with_offsets returns too, without its offsets
        return out
    return fold_with_offsets(text)[0]


class _CharFold(dict[int, str]):
    """``str.translate`` table: character → its whole fold (NFKC, casefold, script), filled
    on first sight of each character, so folding runs at C speed after warm-up."""

    def __missing__(self, cp: int) -> str:
        if unicodedata.combining(chr(cp)):
            out = "\x00\x00"  # a combining mark: lengthens the result, forcing the slow path
        else:
            out = _fold_cluster(chr(cp)).translate(_script_table())
        self[cp] = out
        return out


_CHAR_FOLD = _CharFold()


@functools.cache
def _combining_re() -> re.Pattern[str]:
    """Characters with a non-zero canonical combining class (they join the cluster before)."""
    marks = [chr(c) for c in range(0x300, 0x110000) if unicodedata.combining(chr(c))]
    return re.compile("[" + "".join(re.escape(m) for m in marks) + "]")


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and say, for each folded character, which original character it came from.

    ``offsets[i]`` is the index in ``text`` of the character that produced
    folded character ``i``.  Highlights found in the folded text map back to
    ``text[offsets[i] : offsets[j - 1] + 1]`` (see :func:`original_span`).

    Without combining marks every character is its own cluster, so the fold is one
    ``str.translate``; only when some character's fold is longer than one character
    (㈱ → (株)) are the offsets built one character at a time, and only text with
    combining marks is folded cluster by cluster.
    """
    out = text.translate(_CHAR_FOLD)
    if len(out) == len(text):  # no fold lengthens (none shortens): one char each, no marks
        return out, list(range(len(text)))
    if not _combining_re().search(text):
        offsets: list[int] = []
        for i, ch in enumerate(text):
            offsets.extend([i] * len(_CHAR_FOLD[ord(ch)]))
        return out, offsets
    table = _script_table()
    pieces: list[str] = []
    offsets = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = _fold_cluster(text[i:j])
        pieces.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    return "".join(pieces).translate(table), offsets


def original_span(offsets: list[int], text_len: int, start: int, end: int) -> tuple[int, int]:
    """Map a ``[start, end)`` span of folded text back to a span of the original text."""
    if start >= end:
        return (offsets[start] if start < len(offsets) else text_len,) * 2
    o_start = offsets[start]
    last = offsets[end - 1]
    # The original span ends where the next original cluster begins.
    o_end = text_len
    for k in range(end, len(offsets)):
        if offsets[k] != last:
            o_end = offsets[k]
            break
    return o_start, o_end


# --------------------------------------------------------------------------
# Units: the sequence both fields are cut from

#: Characters written without spaces: Han (incl. extensions and compatibility
#: ideographs), 〇/々, kana.  Each is one unit; neighbours pair into bigrams.
CJK_CLASS = UNIT_CLASS
_UNIT_RE = re.compile(rf"([{CJK_CLASS}])|([^\W_{CJK_CLASS}]+)")
_CJK_RE = re.compile(rf"[{CJK_CLASS}]")
_GAP_JOINS = re.compile(r"\s*\Z")  # only whitespace between two CJK units: a line break


def is_cjk(ch: str) -> bool:
    """True for a character that is written without spaces (one unit, bigram material)."""
    return bool(_CJK_RE.fullmatch(ch))


def units(folded: str) -> Iterator[tuple[str, int, int, bool]]:
    """Yield ``(text, start, end, joined)`` for each unit of already folded text.

    A unit is one CJK character or one run of letters/digits (a word).
    ``joined`` says the unit is CJK and continues the CJK run of the previous
    unit: only whitespace (a PDF line break) lies between them.  Punctuation
    and Latin words break runs.
    """
    prev_cjk_end = -1
    for m in _UNIT_RE.finditer(folded):
        if m.group(1):
            joined = prev_cjk_end >= 0 and (
                m.start() == prev_cjk_end or folded[prev_cjk_end : m.start()].isspace()
            )
            yield m.group(1), m.start(), m.end(), joined
            prev_cjk_end = m.end()
        else:
            yield m.group(2), m.start(), m.end(), False
            prev_cjk_end = -1


# --------------------------------------------------------------------------
# The recall field: overlapping CJK bigrams + Latin/digit words

#: Kinds of query-side tokens.
EXACT, PREFIX = "exact", "prefix"


#: A CJK run (characters joined by nothing or by whitespace only) or a Latin/digit word.
_RUN_RE = re.compile(rf"([{CJK_CLASS}](?:\s*[{CJK_CLASS}])*)|([^\W_{CJK_CLASS}]+)")
_WS_RE = re.compile(r"\s+")


def bigram_tokens(folded: str) -> Iterator[tuple[str, int]]:
    """Index-side tokens of the recall field, as ``(term, position)``.

    Positions are unit ordinals, so a phrase is consecutive positions.  Each
    CJK character starts a bigram with the next character of its run; the last
    character of a run also gets a one-character token, so every character
    occurrence is findable by a single-character (prefix) query.  Latin and
    digit runs are one token each.  (Same tokens as walking :func:`units`, a run at a time.)
    """
    pos = 0
    for m in _RUN_RE.finditer(folded):
        run = m.group(1)
        if run is None:
            yield m.group(2), pos
            pos += 1
            continue
        if not run.isalpha():
            run = _WS_RE.sub("", run)
        n = len(run)
        for i in range(n - 1):
            yield run[i : i + 2], pos + i
        yield run[-1], pos + n - 1
        pos += n


def _bigram_tokens_by_units(folded: str) -> Iterator[tuple[str, int]]:
    """The reference definition of :func:`bigram_tokens` over :func:`units` (for tests)."""
    pending: str | None = None  # previous CJK char not yet emitted
    pos = -1
    for text, _s, _e, joined in units(folded):
        pos += 1
        if pending is not None:
            if joined:
                yield pending + text, pos - 1
            else:
                yield pending, pos - 1
            pending = None
        if is_cjk(text):
            pending = text
        else:
            yield text, pos
    if pending is not None:
        yield pending, pos


def query_bigrams(folded: str) -> list[tuple[str, int, str]]:
    """Query-side tokens of the recall field: ``(term, position, kind)``, positions 0, 1, 2 …

    Each unit gives one token, matching :func:`bigram_tokens`: a CJK character
    with its successor in the run gives their bigram; a run's last character
    gives the one-character token when more units follow (the text's run must
    end there too).  The query's very last character needs no token if a
    bigram covers it; if it stands alone it is a ``PREFIX`` token, matching
    every bigram it starts as well as its own run end.
    """
    us = list(units(folded))
    out: list[tuple[str, int, str]] = []
    for i, (text, _s, _e, joined) in enumerate(us):
        last = i == len(us) - 1
        if not is_cjk(text):
            out.append((text, i, EXACT))
        elif not last and us[i + 1][3]:
            out.append((text + us[i + 1][0], i, EXACT))
        elif not last:
            out.append((text, i, EXACT))
        elif not joined:
            out.append((text, i, PREFIX))
    return out


# --------------------------------------------------------------------------
# The ranking field: words


@functools.cache
def _jieba() -> Any:  # jieba ships no type hints
    """jieba, initialised once and quietly (it logs to stderr on first use)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def word_tokens(folded: str) -> Iterator[str]:
    """Words of already folded text for the ranking field: jieba search mode on CJK runs,
    Latin/digit runs as they are.  Punctuation and whitespace are dropped."""
    jb = _jieba()
    for m in _WORD_SPLIT.finditer(folded):
        if m.group(1):
            for w in jb.cut_for_search(m.group(1), HMM=False):
                if w.strip():
                    yield w
        else:
            yield m.group(2)


_WORD_SPLIT = re.compile(rf"([{CJK_CLASS}]+)|([^\W_{CJK_CLASS}]+)")


def query_words(folded: str) -> list[str]:
    """Words of an already folded *query term* for the ranking bonus: jieba's precise mode,
    so a dictionary word counts once (中华民国), not once more for each of the sub-words that
    search mode adds on the index side (中华, 民国 …).  Distinct, in order."""
    jb = _jieba()
    out: list[str] = []
    for m in _WORD_SPLIT.finditer(folded):
        if m.group(1):
            out.extend(w for w in jb.cut(m.group(1), HMM=False) if w.strip())
        else:
            out.append(m.group(2))
    return list(dict.fromkeys(out))


def keyword(value: str) -> str:
    """Exact facet/filter key of a metadata value: folded, whitespace squeezed.

    Facet *display* uses the original value; the key only decides equality,
    so 李明峻 and 李明峻 (full-width space etc.) are one author.
    """
    return " ".join(fold(value).split())


def split_values(value: str) -> list[str]:
    """Split a metadata value that may name several people (李明峻、王大明) into its parts
    (the one rule for it: :func:`archive.models.split_names`)."""
    from archive.models import split_names

    return split_names(value)


# --------------------------------------------------------------------------
# Highlighting: where in folded text the index says a term occurs

_SEP_JOINED = r"\s*"
_SEP_OTHER = r"[\W_]*?"
_NOT_WORD = rf"[^\W_{CJK_CLASS}]"


def match_pattern(folded_term: str) -> re.Pattern[str] | None:
    """A regex over folded text that matches where the index says the term occurs:
    CJK characters may be split by whitespace (a line break), Latin words are whole.
    ``None`` for a term without searchable characters."""
    parts = []
    for i, (text, _s, _e, joined) in enumerate(units(folded_term)):
        if i:
            parts.append(_SEP_JOINED if joined else _SEP_OTHER)
        if is_cjk(text):
            parts.append(re.escape(text))
        else:
            parts.append(rf"(?<!{_NOT_WORD}){re.escape(text)}(?!{_NOT_WORD})")
    return re.compile("".join(parts)) if parts else None
