"""The bridge between mainland and Taiwan vocabulary: published tables and learned aliases."""

from __future__ import annotations

import pytest

from archive import analysis, vocabulary


@pytest.mark.parametrize(("mainland", "taiwan"), [
    ("特朗普", "川普"), ("奥巴马", "歐巴馬"), ("软件", "軟體"), ("布什", "布希"), ("克林顿", "柯林頓"),
])
def test_published_tables_bridge_both_ways(mainland: str, taiwan: str) -> None:
    v = vocabulary.published()
    assert analysis.fold(taiwan) in {analysis.fold(a) for a in v.alternatives(mainland)}
    assert analysis.fold(mainland) in {analysis.fold(a) for a in v.alternatives(taiwan)}


def test_a_script_difference_is_not_a_vocabulary_pair() -> None:
    v = vocabulary.published()
    assert v.alternatives("习近平") == [] and v.alternatives("臺灣") == []


def test_a_phrase_inside_a_term_is_bridged() -> None:
    alts = vocabulary.published().alternatives("特朗普政府")
    assert any(analysis.fold(a) == analysis.fold("川普政府") for a in alts)


@pytest.mark.parametrize(("text", "expected"), [
    ("美國眾議院議長裴洛西(Nancy Pelosi)今日抵台。", [("裴洛西", "Nancy Pelosi")]),
    ("今日宣布訪台的佩洛西（Nancy Pelosi）表示", [("佩洛西", "Nancy Pelosi")]),
    ("美國前國務卿南希·佩洛西（Nancy Pelosi）", [("南希·佩洛西", "Nancy Pelosi")]),
    ("世界貿易組織(WTO)的規則", []),  # an acronym names an organisation
    ("他在研討會（Panel Discussion on Trade Policy）中說", []),  # not a name before it
])
def test_glosses(text: str, expected: list[tuple[str, str]]) -> None:
    assert list(vocabulary.glosses(text)) == expected


def test_learned_aliases_make_two_spellings_one_name() -> None:
    texts = ["美國眾議院議長裴洛西(Nancy Pelosi)訪台。", "众议院议长佩洛西（Nancy Pelosi）抵达。",
             "葉倫（Janet Yellen）說", "财长耶伦（Janet Yellen）表示", "只出現一次的拜登（Joe Biden）"]
    aliases = vocabulary.learn(texts)
    assert {a.gloss for a in aliases} == {"Nancy Pelosi", "Janet Yellen"}
    v = vocabulary.build(aliases)
    assert "佩洛西" in v.alternatives("裴洛西") and "裴洛西" in v.alternatives("佩洛西")
    assert set(v.alternatives("Pelosi")) == {"裴洛西", "佩洛西"}
    assert analysis.fold("葉倫") in {analysis.fold(a) for a in v.alternatives("耶伦")}


def test_an_archivist_removes_a_pair() -> None:
    v = vocabulary.build(removed=[("特朗普", "川普")])
    assert "川普" not in v.alternatives("特朗普")
