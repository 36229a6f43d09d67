"""Passages and highlights (:mod:`archive.highlights`): marks cover what the author wrote,
in the original script, and never a match that only exists across two blocks."""

from __future__ import annotations

from archive.highlights import highlight_blocks

from .conftest import make_doc


def test_a_match_across_two_blocks_is_not_a_match() -> None:
    doc = make_doc("d", ["重申對美", "國的承諾", "美國 policy"])
    assert highlight_blocks(doc, "美國") == {"d-p2": [[0, 2]]}
    assert highlight_blocks(doc, '"國 policy"') == {"d-p2": [[1, 9]]}
    assert highlight_blocks(doc, "对美国") == {}
    assert highlight_blocks(doc, "对美") == {"d-p0": [[2, 4]]}  # the Traditional text marked
