"""Property tests: folding keeps exact offsets; no query, however odd, raises."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import analysis
from archive.query import parse
from archive.search import search

from .conftest import CORPUS

SYNTAX = st.sampled_from(['"', "(", ")", " OR ", " AND ", "NOT ", "-", "title:", "author:",
                          "date:", "date:[2023-01 TO 2023-12]", "date:民國112年", "[", "]", ":",
                          "「", "」", "“", " ", "\n", "*", "\\", "|", "+"])
TEXT = st.sampled_from(["習近平", "习近平", "臺灣", "APEC", "ＡＰＥＣ", "間", "a", "G20", "软件",
                        "é", "ﬁ", "⻑", "2023", "一個中國政策", "。", "，"])
QUERY = st.lists(st.one_of(SYNTAX, TEXT, st.text(max_size=3)), max_size=12).map("".join)
FUZZ = settings(max_examples=300, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.text(max_size=40))
def test_fold_offsets_map_every_char(text):
    folded, offsets = analysis.fold_with_offsets(text)
    assert folded == analysis.fold(text)
    assert len(offsets) == len(folded)
    assert offsets == sorted(offsets)
    assert all(0 <= o < len(text) for o in offsets)


@FUZZ
@given(st.text(alphabet="習近平台灣臺湾間諜氣球ＡＰＥＣapec \n，。", max_size=20), st.data())
def test_substring_survives_folding(text, data):
    """Folding is per character: a substring of the text folds to a substring of the folded text."""
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    assert analysis.fold(text[i:j]) in analysis.fold(text)


@FUZZ
@given(QUERY)
def test_parser_never_raises(q):
    parsed = parse(q)
    assert isinstance(parsed.notices, list)


@pytest.fixture(scope="module")
def fuzz_index(tmp_path_factory):
    from archive.index import SearchIndex

    from .conftest import DictSource

    index = SearchIndex(tmp_path_factory.mktemp("fuzz") / "index")
    index.rebuild(CORPUS, workers=1)
    return index, DictSource(CORPUS)


@settings(max_examples=150, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUERY)
def test_search_never_raises(fuzz_index, q):
    index, source = fuzz_index
    r = search(index, source, q, per_page=5)
    assert r["total"] >= len(r["hits"])
    for h in r["hits"]:
        for p in h["passages"]:
            assert all(0 <= s < e <= len(p["snippet"]) for s, e in p["highlights"])


RUN_TEXT = st.lists(st.sampled_from(list("中文臺灣间〇々かな") + [" ", "\n", "\t", "\u3000", "a", "B2",
                                                                 "_", "，", "。", "é", "x"]),
                    max_size=40).map("".join)


@FUZZ
@given(st.one_of(RUN_TEXT, st.text(max_size=40)))
def test_bigram_tokens_match_the_unit_walk(text):
    """The run-at-a-time tokeniser gives exactly the tokens of the reference walk over units."""
    folded = analysis.fold(text)
    assert list(analysis.bigram_tokens(folded)) == list(analysis._bigram_tokens_by_units(folded))


@FUZZ
@given(st.text(max_size=40))
def test_fast_fold_equals_cluster_fold(text):
    """The one-translate fold equals folding cluster by cluster (marks join their base)."""
    import unicodedata

    out, offsets = [], []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = analysis._fold_cluster(text[i:j])
        out.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    assert analysis.fold_with_offsets(text) == ("".join(out).translate(analysis._script_table()),
                                                offsets)
