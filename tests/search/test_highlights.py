"""Passages and highlights: a document's matches are those of its blocks searched one by
one (the definition), however :mod:`archive.highlights` finds the blocks to search."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.highlights import _matchers, find_spans, highlight_blocks, passages_and_counts
from archive.query import parse, positive_terms

from .conftest import make_doc

#: Both scripts, regional forms, Latin words and digits, the separators the patterns allow
#: between units (whitespace, punctuation), full-width forms, a fold that lengthens (㈱)
#: and a combining mark (both make every block be searched).
ALPHABET = list("臺台灣湾美國国習习近平政策 abAB1-_，。\n\t") + ["ｐｏｌｉｃｙ", "policy", "㈱", "e\u0301", "\x00"]
QUERY_PIECES = ["臺灣", "台湾", "美國", "国", "習近平", "政策", "policy", "ab", "1", "a b", "灣美",
                "美 國", "㈱", "é", "-政策"]


def _oracle(doc, q: str) -> dict[str, list[list[int]]]:
    matchers = _matchers(positive_terms(parse(q).node))
    out = {}
    for b in doc.blocks:
        if b.text and matchers:
            spans, _found = find_spans(b.text, matchers)
            if spans:
                out[b.id] = [[s, e] for s, e in spans]
    return out


@settings(max_examples=400, deadline=None)
@given(blocks=st.lists(st.lists(st.sampled_from(ALPHABET), max_size=14).map("".join),
                       min_size=1, max_size=8),
       pieces=st.lists(st.sampled_from(QUERY_PIECES), min_size=1, max_size=3), any_of=st.booleans())
def test_a_documents_matches_are_its_blocks_matches(blocks: list[str], pieces: list[str],
                                                    any_of: bool) -> None:
    doc = make_doc("d", blocks)
    q = (" OR " if any_of else " ").join(pieces)
    want = _oracle(doc, q)
    assert highlight_blocks(doc, q) == want
    matchers = _matchers(positive_terms(parse(q).node))
    passages, matches, matching = passages_and_counts(doc, matchers, limit=len(blocks))
    assert matching == len(want)
    assert matches == sum(len(v) for v in want.values())
    assert {p["id"] for p in passages} == set(want)


def test_a_match_across_two_blocks_is_not_a_match() -> None:
    doc = make_doc("d", ["重申對美", "國的承諾", "美國 policy"])
    assert highlight_blocks(doc, "美國") == {"d-p2": [[0, 2]]}
    assert highlight_blocks(doc, '"國 policy"') == {"d-p2": [[1, 9]]}
    assert highlight_blocks(doc, "对美国") == {}
