"""The metric functions of scripts/layout_realism.py on hand-made blocks and strings (no PDFs)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from archive.models import Block

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "layout_realism.py"


def _load():
    spec = importlib.util.spec_from_file_location("layout_realism", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("layout_realism", module)
    spec.loader.exec_module(module)
    return module


lr = _load()


def P(text: str, kind: str = "paragraph") -> Block:
    return Block(kind, text, [1])


# -- cuts ------------------------------------------------------------------------------------------

def test_ideograph_to_ideograph_is_one_cut():
    blocks = [P("政府應當檢討現行的能源"), P("政策並提出具體方案。")]
    assert lr.cut_pairs(blocks) == [(0, 1)]
    cjk = len("政府應當檢討現行的能源政策並提出具體方案")
    assert lr.cuts_per_10k(blocks) == pytest.approx(1 / cjk * 10_000)


def test_full_stop_or_closing_punctuation_is_no_cut():
    assert lr.cut_pairs([P("政府應當檢討現行政策。"), P("其次是預算。")]) == []
    assert lr.cut_pairs([P("他說「好」"), P("其次是預算。")]) == []
    assert lr.cut_pairs([P("政府應當檢討"), P("「政策」如下。")]) == []


def test_latin_and_digit_boundaries_are_no_cut():
    assert lr.cut_pairs([P("採用 GDP"), P("成長率計算。")]) == []
    assert lr.cut_pairs([P("成長率為"), P("3.5% 左右。")]) == []
    assert lr.cut_pairs([P("the policy"), P("review")]) == []


def test_trailing_and_leading_whitespace_is_ignored():
    assert lr.cut_pairs([P("政府應當檢討  \n"), P("\n  現行政策。")]) == [(0, 1)]


def test_headings_and_titles_break_running_pairs_but_count_in_any():
    blocks = [P("能源政策", "title"), P("壹、前言", "heading"), P("本文討論能源政策。"),
              P("圖一 發電結構", "caption"), P("其次說明")]
    assert lr.cut_pairs(blocks) == []
    assert lr.cut_pairs(blocks, running_only=False) == [(0, 1), (1, 2), (3, 4)]


def test_running_types_other_than_paragraph_count():
    blocks = [P("甲方應於期限內", "list_item"), P("完成交付", "footnote"), P("並且通知", "note"),
              P("乙方應於", "aside"), P("期限內", "aside")]
    assert lr.cut_pairs(blocks) == [(0, 1), (1, 2), (3, 4)]


def test_a_frame_between_blocks_is_no_cut():
    blocks = [P("政府應當檢討"), P("框內的說明文字", "aside"), P("框內第二段", "aside"), P("其次說明")]
    assert lr.cut_pairs(blocks) == [(1, 2)]
    assert lr.cut_pairs(blocks, running_only=False) == [(0, 1), (1, 2), (2, 3)]


@pytest.mark.parametrize("start", ["五、摘要如下。", "十二．文獻", "（三）結果", "(一)封面", "2. 方法", "壹、前言"])
def test_a_block_that_starts_an_item_is_no_cut(start):
    assert lr.cut_pairs([P("中華民國年月日"), P(start)]) == []


def test_a_number_that_is_not_an_enumerator_still_cuts():
    assert lr.cut_pairs([P("全文共計"), P("三十頁")]) == [(0, 1)]
    assert lr.cut_pairs([P("成長"), P("二〇二三年")]) == [(0, 1)]


def test_several_cuts_and_rate():
    blocks = [P("一二三四五"), P("六七八九十"), P("甲乙丙丁戊"), P("、己庚。")]
    assert len(lr.cut_pairs(blocks)) == 2
    assert lr.cuts_per_10k(blocks) == pytest.approx(2 / 17 * 10_000)


def test_cuts_without_cjk_is_none_and_dict_blocks_work():
    assert lr.cuts_per_10k([P("only English here"), P("and more")]) is None
    assert lr.cuts_per_10k([]) is None
    assert lr.cut_pairs([{"type": "paragraph", "text": "政府"}, {"type": "paragraph", "text": "政策"}]) == [(0, 1)]


def test_kangxi_radical_at_the_edge_counts_as_ideograph():
    # U+2F00 KANGXI RADICAL ONE folds to U+4E00 under NFKC
    assert lr.cut_pairs([P("統\u2f00"), P("\u2f00致")]) == [(0, 1)]


# -- heading share --------------------------------------------------------------------------------

def test_heading_share():
    blocks = [P("題", "title"), P("壹、前言", "heading"), P("本文。"), P("貳、方法", "heading")]
    assert lr.heading_share(blocks) == pytest.approx(0.5)
    assert lr.heading_share([P("本文。")]) == 0.0
    assert lr.heading_share([]) is None


# -- CJK counting and kept ratio ------------------------------------------------------------------

def test_cjk_counter_counts_only_ideographs():
    c = lr.cjk_counter("政策，政府 GDP 3％ かな 한글 〇「」\n")
    assert c == Counter({"政": 2, "策": 1, "府": 1})


def test_cjk_counter_nfkc_folds_kangxi_and_compatibility_ideographs():
    assert lr.cjk_counter("\u2f00") == Counter({"一": 1})           # ⼀ KANGXI RADICAL ONE
    assert lr.cjk_counter("\u2f08\u4eba") == Counter({"人": 2})     # ⼈ + 人
    assert lr.cjk_counter("\uf900") == Counter({"\u8c48": 1})       # 豈 compatibility -> unified
    assert lr.cjk_counter("\U00020000") == Counter({"\U00020000": 1})  # Extension B


def test_kept_ratio_is_multiset_overlap_over_reference():
    ours = lr.cjk_counter("政府政策")
    theirs = lr.cjk_counter("政府政策政府第一頁")
    assert lr.kept_ratio(ours, theirs) == pytest.approx(4 / 9)
    assert lr.lost_counter(ours, theirs) == Counter({"政": 1, "府": 1, "第": 1, "一": 1, "頁": 1})
    # extra characters of ours never push the ratio over 1
    assert lr.kept_ratio(lr.cjk_counter("政府政府政府"), lr.cjk_counter("政府")) == 1.0
    assert lr.kept_ratio(Counter(), theirs) == 0.0
    assert lr.kept_ratio(ours, Counter()) is None


def test_kept_ratio_with_kangxi_on_one_side():
    assert lr.kept_ratio(lr.cjk_counter("一人"), lr.cjk_counter("\u2f00\u2f08")) == 1.0


# -- prose ------------------------------------------------------------------------------------------

LONG = "政府應當檢討現行的能源政策並且提出具體的方案。"  # 22 ideographs
SHORT = "第一題"


def test_prose_when_most_ideographs_are_on_full_lines():
    assert lr.is_prose("\n".join([LONG] * 5 + [SHORT] * 5))
    assert lr.prose_share(LONG + "\n" + SHORT) == pytest.approx(22 / 25)


def test_not_prose_for_short_lines_or_no_cjk():
    assert not lr.is_prose("\n".join([SHORT] * 50))
    assert not lr.is_prose("\n".join(["一二三四五六七八九十一二三四"] * 10))  # 14 per line
    assert lr.is_prose("\n".join(["一二三四五六七八九十一二三四五"] * 10))  # 15 per line
    assert not lr.is_prose("A long English line with no ideographs at all, repeated.\n" * 20)
    assert not lr.is_prose("")


def test_prose_threshold_is_on_characters_not_lines():
    # one full line of 22 against 8 short lines of 3 (24): just under half the characters
    assert not lr.is_prose("\n".join([LONG] + [SHORT] * 8))
    assert lr.is_prose("\n".join([LONG] + [SHORT] * 7))
    # latin on a line does not count towards the 15
    assert not lr.is_prose("\n".join(["政府 policy review 政策 energy"] * 20))


def test_page_breaks_split_lines():
    assert lr.prose_share("\f".join([SHORT] * 3)) == 0.0


# -- missing lines --------------------------------------------------------------------------------

def test_missing_lines_reports_reference_lines_absent_from_ours():
    ours = lr.ideographs("本文討論能源政策。其次說明預算。")
    ref = "本文討論能源\n政策。其次說明預算。\n第 1 頁，共 2 頁\n第 2 頁，共 2 頁\n"
    missing = lr.missing_lines(ref, ours)
    assert set(missing) == {"第 1 頁，共 2 頁", "第 2 頁，共 2 頁"}
