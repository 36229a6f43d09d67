"""The core's advice for a search that found nothing, which the page and the CLI both give."""

from __future__ import annotations

from archive import advice
from archive.search import FACETS


def test_a_phrase_with_filters_and_no_bridge_gets_every_loosening_in_order() -> None:
    ways = advice.loosen('"能源 轉型"', has_filters=True, bridge=False)
    assert [w.kind for w in ways] == ["no-filters", "bridge", "no-phrase", "any-word",
                                      "one-word", "one-word"]
    assert ways[0].changes == {"filters": {}} and ways[1].changes == {"bridge": True}
    assert ways[2].changes == {"q": "能源 轉型"} and ways[2].web == "不限定詞組：能源 轉型"
    assert ways[3].changes == {"q": "能源 OR 轉型"}
    assert [w.changes["q"] for w in ways[4:]] == ["能源", "轉型"]
    assert ways[4].english == "only: 能源"


def test_operators_exclusions_and_corner_quotes_are_not_words() -> None:
    assert advice.query_words("「半導體」 AND (供應鏈 OR 晶片) -美國 NOT 中國") == ["半導體", "供應鏈", "晶片"]
    assert [w.kind for w in advice.loosen("「半導體」")] == ["no-phrase"]
    assert advice.loosen("半導體") == []


def test_fields_and_dates_are_read_by_the_parser_not_cut_as_words() -> None:
    # A field keeps its prefix; a date clause and an excluded term are not words to search alone.
    q = 'title:"能源 轉型" 台灣 date:2020..2021 -核能'
    assert advice.query_words(q) == ["title:能源", "title:轉型", "台灣"]
    ways = advice.loosen(q)
    assert ways[0].kind == "no-phrase" and ways[0].changes == {"q": "title:能源 轉型 台灣 date:2020..2021 -核能"}
    assert [w.changes["q"] for w in ways if w.kind == "one-word"] == ["title:能源", "title:轉型", "台灣"]
    # Quotes inside a group, and a query that does not parse, get no "drop the quotes" link.
    assert advice.loosen('(「供應鏈」 OR 晶片)')[0].changes == {"q": "(供應鏈 OR 晶片)"}
    assert advice.loosen('"未閉合') == []


def test_the_empty_result_has_the_search_shape() -> None:
    empty = advice.empty_result("x", page=2, per_page=5, sort="newest", bridge=False,
                                filters={"author": ["王"]}, notices=["bad query"])
    assert empty["total"] == 0 and empty["hits"] == [] and empty["pages"] == 0
    assert empty["page"] == 2 and empty["per_page"] == 5 and empty["sort"] == "newest"
    assert empty["filters"] == {"author": ["王"]} and empty["notices"] == ["bad query"]
    assert set(empty["facets"]) == set(FACETS) and not empty["bridge"]
