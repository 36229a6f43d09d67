"""A query term is folded once (query.Form) and the parser's notices speak two languages.

Why: the parser, the evaluator and the highlighter used to fold and cut each term on their
own (five times); now the parsed :class:`~archive.query.Term` carries its folded forms and
everything reads them.  Notices are zh-Hant strings for the web with an English ``.en``
for the CLI.
"""

from __future__ import annotations

import json

from archive import analysis
from archive.notices import Notice, english
from archive.query import Term, parse


def test_a_term_carries_its_folded_text_tokens_words_and_pattern() -> None:
    t = Term("臺灣 APEC")
    f = t.form
    assert f.folded == analysis.fold("臺灣 APEC")
    assert f.tokens == tuple(analysis.query_bigrams(f.folded))
    assert f.words == tuple(analysis.query_words(f.folded))
    assert f.pattern is not None and f.pattern.search(analysis.fold("在臺\n灣 APEC 會議"))


def test_bridged_alternatives_are_folded_forms_of_the_same_term() -> None:
    node = parse("软件").node
    assert isinstance(node, Term) and node.alts
    assert [f.text for f in node.forms] == [node.text, *node.alts]
    assert all(f.folded == analysis.fold(f.text) for f in node.forms)
    assert node == Term(node.text, alts=node.alts)  # forms are derived, not compared


def test_notices_are_zh_hant_strings_with_an_english_wording() -> None:
    parsed = parse("國" * 600, max_chars=500)
    note = parsed.notices[0]
    assert isinstance(note, Notice) and note == str(note) and "查詢過長" in note
    assert "too long" in note.en and english(note) == note.en
    assert json.dumps([note], ensure_ascii=False) == json.dumps([str(note)], ensure_ascii=False)
    assert english("plain") == "plain"
