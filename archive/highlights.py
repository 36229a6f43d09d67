"""Passages, snippets and highlights: cut at query time from the stored documents.

What it owns and why: the index holds no text, whichever engine it is (:mod:`archive.index`);
for the hits on a page only, :mod:`archive.search` hands the documents here.  Matching
inside a passage uses the same folding and the same units as the index
(:mod:`archive.analysis`), and highlight offsets are mapped back through
:func:`archive.analysis.fold_with_offsets`, so a mark covers exactly the characters the
author wrote, in the original script, whatever NFKC did to them.  (Split from
:mod:`archive.search`, which re-exports these names.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from archive import analysis
from archive.models import Document
from archive.query import Term, parse, positive_terms

SNIPPET_CHARS = 160
SNIPPET_LEAD = 50


# --------------------------------------------------------------------------
# Passages and highlights

@dataclass(frozen=True)
class _Matcher:
    """Finds one query term in folded text with the index's semantics."""

    key: str
    regex: re.Pattern[str]


#: A regex over folded text matching where the index says a term occurs (see
#: :func:`archive.analysis.match_pattern`; a parsed term carries its own, ``Form.pattern``).
term_pattern = analysis.match_pattern


def _matchers(terms: list[Term]) -> list[_Matcher]:
    out = []
    for t in terms:
        if t.field:
            continue
        for form in t.forms:
            if form.pattern is not None:
                out.append(_Matcher(t.text, form.pattern))
    return out


def find_spans(text: str, matchers: list[_Matcher]) -> tuple[list[tuple[int, int]], set[str]]:
    """Original-text ``[start, end)`` spans of every match, merged, and which terms matched."""
    folded, offsets = analysis.fold_with_offsets(text)
    spans: list[tuple[int, int]] = []
    found: set[str] = set()
    for m in matchers:
        for hit in m.regex.finditer(folded):
            if hit.end() > hit.start():
                spans.append(analysis.original_span(offsets, len(text), hit.start(), hit.end()))
                found.add(m.key)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged, found


def make_snippet(text: str, spans: list[tuple[int, int]]) -> dict[str, Any]:
    """A window of ``text`` around its first match, with highlight offsets into the snippet.

    Spans only: markup is the web's (``archive.web.render.marked``)."""
    n = len(text)
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_LEAD)
    end = min(n, start + SNIPPET_CHARS)
    start = max(0, min(start, end - SNIPPET_CHARS))
    body = "".join(" " if c.isspace() else c for c in text[start:end])  # 1:1, keeps offsets
    lead = "…" if start > 0 else ""
    tail = "…" if end < n else ""
    snippet = lead + body + tail
    shift = len(lead) - start
    hl = [[max(s, start) + shift, min(e, end) + shift] for s, e in spans if s < end and e > start]
    return {"snippet": snippet, "highlights": hl}


def best_passages(doc: Document, matchers: list[_Matcher], limit: int = 3) -> list[dict[str, Any]]:
    """The blocks that match most query terms (then most often), each as a snippet."""
    return passages_and_counts(doc, matchers, limit)[0]


def passages_and_counts(doc: Document, matchers: list[_Matcher], limit: int = 3
                        ) -> tuple[list[dict[str, Any]], int, int]:
    """:func:`best_passages`, and the document's matches and matching passages in all
    (what "N more matches in this document" says)."""
    scored = []
    for i, b in enumerate(doc.blocks):
        if not b.text:
            continue
        spans, found = find_spans(b.text, matchers)
        if spans:
            scored.append(((len(found), len(spans), -i), b, spans))
    matches = sum(len(spans) for _k, _b, spans in scored)
    blocks = len(scored)
    scored.sort(key=lambda x: x[0], reverse=True)
    out = []
    for _k, b, spans in scored[:limit]:
        p = {"id": b.id, "page": b.pages[0] if b.pages else None}
        p.update(make_snippet(b.text, spans))
        out.append(p)
    return out, matches, blocks


def highlight_blocks(doc: Document, q: str, *, bridge: bool = True) -> dict[str, list[list[int]]]:
    """For a document page: passage id → ``[start, end)`` spans of the query's terms in that block."""
    parsed = parse(q, bridge=bridge)
    matchers = _matchers(positive_terms(parsed.node))
    out: dict[str, list[list[int]]] = {}
    for b in doc.blocks:
        if b.text and matchers:
            spans, _found = find_spans(b.text, matchers)
            if spans:
                out[b.id] = [[s, e] for s, e in spans]
    return out
