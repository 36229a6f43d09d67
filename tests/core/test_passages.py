"""Passage ids and re-anchoring, on documents built directly (no PDF needed)."""

from __future__ import annotations

import pytest

from archive import passages
from archive.models import Block, Document

PARAS = [
    "自 2008 年金融海嘯之後，隨著中國持續增加經濟軍事實力，美中關係進入戰略競爭階段。",
    "其後，拜登政府一直努力緩和緊張局勢，希望逐步恢復軍事高層交流，以免雙方發生誤判。",
    "中國方面一向將近年的關係惡化歸咎於美國，但改善中美關係終究有其實際需要。",
    "然而，兩國元首在台灣問題方面還是各自重申立場，雙方並沒有任何突破。",
    "另一方面，由於中國面臨經濟下滑的壓力，因此希望改善國際政治形象。",
]


def make(texts: list[str], doc_id: str = "doc1", version: int = 1) -> Document:
    doc = Document(
        sha256="0" * 64,
        size=1,
        page_count=1,
        blocks=[Block("paragraph", t, [1]) for t in texts],
        doc_id=doc_id,
        version=version,
    )
    passages.assign_ids(doc)
    return doc


def test_ids_are_derived_from_the_text_and_stable() -> None:
    a, b = make(PARAS), make(list(PARAS))
    assert [x.id for x in a.blocks] == [x.id for x in b.blocks]
    assert len({x.id for x in a.blocks}) == len(PARAS)
    assert all(x.id.startswith("p-") and len(x.id) == 14 for x in a.blocks)


def test_whitespace_and_width_do_not_change_an_id() -> None:
    a = make(["APEC 峰會 2023"])
    b = make(["ＡＰＥＣ　峰會\n２０２３"])
    assert a.blocks[0].id == b.blocks[0].id


def test_equal_texts_get_distinct_ids_and_other_documents_other_ids() -> None:
    doc = make(["編按：同一段。", "正文。", "編按：同一段。"])
    assert len({b.id for b in doc.blocks}) == 3
    other = make(["編按：同一段。"], doc_id="doc2")
    assert other.blocks[0].id != doc.blocks[0].id


def test_an_unchanged_paragraph_keeps_its_id_when_others_move() -> None:
    old = make(PARAS)
    new = make(["新增的導言段落，說明本文的背景。", *PARAS[:2], PARAS[3], PARAS[2], PARAS[4]], version=2)
    assert {b.id for b in old.blocks} == {b.id for b in new.blocks} - {new.blocks[0].id}


def test_a_revised_paragraph_reanchors_to_its_new_text() -> None:
    old = make(PARAS)
    revised = PARAS[2].replace("歸咎於", "歸因於").replace("實際需要", "現實需要")
    new = make([PARAS[0], PARAS[1], revised, PARAS[3], PARAS[4]], version=2)
    gone = [old.blocks[2].id]
    (anchor,) = passages.reanchor(old, gone, new)
    assert anchor.target == new.blocks[2].id
    assert anchor.confidence >= passages.MIN_CONFIDENCE


def test_a_deleted_paragraph_is_reported_gone_not_moved_to_a_neighbour() -> None:
    old = make(PARAS)
    new = make([PARAS[0], PARAS[1], PARAS[3], PARAS[4]], version=2)
    (anchor,) = passages.reanchor(old, [old.blocks[2].id], new)
    assert anchor.target is None


def test_a_rewritten_paragraph_is_gone_even_in_the_same_place() -> None:
    old = make(PARAS)
    new = make([PARAS[0], PARAS[1], "完全改寫的段落，與原文沒有相同的句子或者結構。", PARAS[3], PARAS[4]], version=2)
    (anchor,) = passages.reanchor(old, [old.blocks[2].id], new)
    assert anchor.target is None


def test_near_duplicate_candidates_never_anchor_by_guess() -> None:
    base = "本基金會為研究國際政經情勢之民間學術智庫，旨在針對國際政經情勢及戰略與安全等領域進行研究。"
    old = make([base + "甲"])
    new = make([base + "乙", base + "丙"], version=2)
    (anchor,) = passages.reanchor(old, [old.blocks[0].id], new)
    assert anchor.target is None


@pytest.mark.parametrize("index", [0, 2, 4])
def test_quote_selector_points_at_the_block(index: int) -> None:
    doc = make(PARAS)
    sel = passages.quote_selector(doc, index)
    text, _ = passages.full_text(doc)
    pos = sel["position"]
    assert text[pos["start"] : pos["end"]] == PARAS[index] == sel["quote"]["exact"]
    assert text[: pos["start"]].endswith(sel["quote"]["prefix"])
    assert text[pos["end"] :].startswith(sel["quote"]["suffix"])
    assert sel["quote"]["type"] == "TextQuoteSelector"
    assert sel["position"]["type"] == "TextPositionSelector"
