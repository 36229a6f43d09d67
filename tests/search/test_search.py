"""Acceptance tests of the issue, each on a real on-disk index."""

from __future__ import annotations

import pytest

from archive.analysis import fold
from archive.index import USE_WORDS
from archive.search import highlight_blocks, match_ids, more_like_this, search
from archive.web.render import marked, with_snippet_html  # snippet_html is the web's

from .conftest import CORPUS, DictSource, make_doc


@pytest.fixture
def corpus(build):
    return build(CORPUS)


def ids(result: dict) -> set[str]:
    return {h["id"] for h in result["hits"]}


def run(corpus, q: str, **kw) -> dict:
    index, source = corpus
    kw.setdefault("per_page", 50)
    return search(index, source, q, **kw)


# -- scripts and normalisation ------------------------------------------------

def test_simplified_query_finds_traditional_text(corpus):
    r = run(corpus, "习近平")
    assert {"apec", "simp"} <= ids(r)
    assert r["total"] == 2


def test_traditional_query_finds_simplified_text(corpus):
    assert ids(run(corpus, "習近平")) == {"apec", "simp"}


def test_tai_variants_merge(corpus):
    r = run(corpus, "台湾")
    assert {"balloon", "simp"} <= ids(r)  # 臺灣 and 台湾 in the text
    assert {"balloon", "simp"} <= ids(run(corpus, "臺灣"))


def test_fullwidth_latin_matches_ascii_both_ways(corpus):
    assert ids(run(corpus, "ＡＰＥＣ")) == {"apec", "fullwidth"}
    assert ids(run(corpus, "apec")) == {"apec", "fullwidth"}
    assert ids(run(corpus, "G20")) == {"fullwidth"}


def test_radical_lookalike_folds(corpus):
    # ⻑ (U+2ED1, a radical) in the text is found by the ideograph 長.
    assert "fullwidth" in ids(run(corpus, "長期"))


def test_single_character(corpus):
    assert ids(run(corpus, "擊")) == {"balloon"}
    # The last character of a run (before punctuation) is found too.
    assert ids(run(corpus, "訪華")) == {"balloon"}
    assert "balloon" in ids(run(corpus, "華"))


def test_phrase_across_line_break(corpus):
    r = run(corpus, '"一個中國政策"')
    assert ids(r) == {"apec"}
    p = r["hits"][0]["passages"][0]
    (s, e), = p["highlights"]
    assert p["snippet"][s:e] == "一個中國 政策"  # the line break is shown as a space
    assert p["id"] == "apec-p2" and p["page"] == 2


def test_phrase_is_exact_substring(corpus):
    # Both bigrams occur in the text, but not as one substring.
    assert ids(run(corpus, '"中國政策"')) == {"apec"}
    assert ids(run(corpus, '"峰會中國"')) == set()


# -- operators ---------------------------------------------------------------------

def test_and_is_default(corpus):
    assert ids(run(corpus, "APEC 王毅")) == {"apec"}


def test_or_and_parentheses(corpus):
    assert ids(run(corpus, "王毅 OR 布林肯")) == {"apec", "balloon"}
    assert ids(run(corpus, "(王毅 OR 布林肯) 氣球")) == {"balloon"}


def test_not_excludes_document_with_term(corpus):
    assert ids(run(corpus, "APEC -習近平")) == {"fullwidth"}
    assert ids(run(corpus, "APEC NOT 习近平")) == {"fullwidth"}
    assert "apec" in ids(run(corpus, "APEC"))


def test_not_excludes_regional_alternative_too(corpus):
    # 軟體 (Taiwan) is the bridged form of 软件: NOT 软件 must drop the doc with 軟體.
    assert "roc" not in ids(run(corpus, "國防 -软件"))
    assert "roc" in ids(run(corpus, "國防"))


# -- fields and dates ---------------------------------------------------------------

def test_field_queries(corpus):
    assert ids(run(corpus, "author:李明峻")) == {"apec", "fullwidth", "roc"}
    assert ids(run(corpus, "title:間諜")) == {"balloon"}
    assert ids(run(corpus, "foundation:台灣智庫")) == {"balloon"}
    assert ids(run(corpus, "series:遠景論壇")) == {"apec", "simp"}
    assert ids(run(corpus, 'author:"李明峻" APEC')) == {"apec", "fullwidth"}


def test_dates(corpus):
    assert ids(run(corpus, "date:2023")) == {"apec", "balloon", "roc"}
    assert ids(run(corpus, "date:2023-11")) == {"apec"}
    assert ids(run(corpus, "date:[2023-01 TO 2023-06]")) == {"balloon", "roc"}
    assert ids(run(corpus, "date:民國112年")) == {"apec", "balloon", "roc"}
    assert ids(run(corpus, "date:[2022-12 TO *]")) == {"apec", "balloon", "roc", "simp"}
    assert ids(run(corpus, "APEC date:2021")) == {"fullwidth"}


# -- highlights -----------------------------------------------------------------

def test_highlights_cover_exactly_the_original_characters(corpus):
    r = run(corpus, "习近平")
    hit = next(h for h in r["hits"] if h["id"] == "apec")
    p = hit["passages"][0]
    assert [p["snippet"][s:e] for s, e in p["highlights"]] == ["習近平"]
    assert "<mark>習近平</mark>" in marked(p["snippet"], p["highlights"], css_class=None)

    r = run(corpus, "APEC")
    hit = next(h for h in r["hits"] if h["id"] == "fullwidth")
    p = hit["passages"][0]
    assert [p["snippet"][s:e] for s, e in p["highlights"]] == ["ＡＰＥＣ"]


def test_highlight_blocks_for_document_page(corpus):
    doc = CORPUS[0]
    marks = highlight_blocks(doc, "APEC 习近平")
    text = {b.id: b.text for b in doc.blocks}
    got = {pid: [text[pid][s:e] for s, e in spans] for pid, spans in marks.items()}
    assert got == {"apec-p0": ["APEC"], "apec-p1": ["習近平", "APEC"]}


def test_snippet_html_escapes_untrusted_text(build):
    doc = make_doc("x", "<script>alert(1)</script> 間諜氣球 & more")
    index, source = build([doc])
    p = with_snippet_html(search(index, source, "間諜"))["hits"][0]["passages"][0]
    assert "<script>" not in p["snippet_html"] and "&lt;script&gt;" in p["snippet_html"]
    assert "<mark>間諜</mark>" in p["snippet_html"]


def test_long_passage_is_windowed_with_ellipsis(build):
    text = "前言" * 200 + "間諜氣球" + "結論" * 200
    index, source = build([make_doc("long", text)])
    p = search(index, source, "間諜氣球")["hits"][0]["passages"][0]
    assert p["snippet"].startswith("…") and p["snippet"].endswith("…")
    (s, e), = p["highlights"]
    assert p["snippet"][s:e] == "間諜氣球"


def test_passages_up_to_three_best(build):
    doc = make_doc("many", [f"第{i}段提到國防預算。" for i in range(6)] + ["國防預算，再談國防預算"])
    index, source = build([doc])
    ps = search(index, source, "國防預算")["hits"][0]["passages"]
    assert len(ps) == 3
    assert ps[0]["id"] == "many-p6"  # the block with the most matches comes first


# -- facets, sorting, paging -------------------------------------------------------

def test_facet_counts_are_exact(corpus):
    r = run(corpus, "")
    authors = {f["value"]: f["count"] for f in r["facets"]["author"]}
    assert authors == {"李明峻": 3, "王美琇": 1, "陳重生": 1, "林宗弘": 1}
    years = {f["value"]: f["count"] for f in r["facets"]["year"]}
    assert years == {"2023": 3, "2022": 1, "2021": 1}
    series = {f["value"]: f["count"] for f in r["facets"]["series"]}
    assert series == {"遠景論壇": 2, "國策評論": 2, "戰略觀察": 1}


def test_facet_filters_combine_with_query(corpus):
    r = run(corpus, "", filters={"author": ["李明峻"]})
    assert ids(r) == {"apec", "fullwidth", "roc"}
    found = {f["value"]: f["count"] for f in r["facets"]["foundation"]}
    assert found == {"新台灣國策智庫": 2, "國防安全研究院": 1}
    r = run(corpus, "APEC", filters={"author": ["李明峻"], "year": ["2023"]})
    assert ids(r) == {"apec"}
    r = run(corpus, "", filters={"series": ["遠景論壇", "戰略觀察"]})  # OR within a facet
    assert ids(r) == {"apec", "simp", "roc"}
    # The filtered facet still shows its other values (disjunctive counts).
    assert {f["value"] for f in r["facets"]["series"]} == {"遠景論壇", "國策評論", "戰略觀察"}


def test_sort_and_paging(corpus):
    r = run(corpus, "", sort="newest", per_page=2)
    assert [h["id"] for h in r["hits"]] == ["apec", "roc"]
    assert (r["total"], r["pages"]) == (5, 3)
    r = run(corpus, "", sort="oldest", per_page=2, page=3)
    assert [h["id"] for h in r["hits"]] == ["apec"]


@pytest.mark.ranking
def test_ties_go_to_newer_document(build):
    docs = [make_doc(f"d{y}", "同樣的內容：國防預算", date=f"{y}-01-01") for y in (2019, 2023, 2021)]
    index, source = build(docs)
    r = search(index, source, "國防預算")
    assert [h["id"] for h in r["hits"]] == ["d2023", "d2021", "d2019"]


def test_title_match_outranks_body_match(build):
    docs = [make_doc("body", "這篇文章在結尾順帶提到半導體。" + "其他內容" * 30, title="經濟評論"),
            make_doc("title", "本文討論產業政策。" + "其他內容" * 30, title="半導體產業政策")]
    index, source = build(docs)
    assert [h["id"] for h in search(index, source, "半導體")["hits"]] == ["title", "body"]


def test_result_shape(corpus):
    r = run(corpus, "习近平", filters={"author": ["李明峻"]})
    assert set(r) == {"query", "total", "page", "per_page", "pages", "sort", "took_ms", "notices",
                      "also_searched", "bridge", "filters", "facets", "timeline", "hits"}
    assert set(r["facets"]) == {"author", "foundation", "series", "year"}
    h = r["hits"][0]
    assert set(h) == {"id", "title", "score", "author", "foundation", "series", "date", "passages",
                      "matches", "matching_passages"}
    assert set(h["passages"][0]) == {"id", "page", "snippet", "highlights"}
    assert h["date"] == "2023-11-20" and h["author"] == "李明峻"


# -- malformed queries, limits, bridging ---------------------------------------------

@pytest.mark.parametrize("q", ['"習近平', "(APEC", "APEC)", "OR", "NOT", "title:", "date:[2023"])
def test_malformed_query_is_searched_as_text(corpus, q):
    r = run(corpus, q)
    assert r["notices"], q
    assert isinstance(r["hits"], list)


def test_malformed_query_still_finds(corpus):
    r = run(corpus, '"習近平 APEC')
    assert ids(r) == {"apec"} and r["notices"]


def test_query_limits(corpus):
    r = run(corpus, "國 " * 40)
    assert any("個詞" in n for n in r["notices"])
    r = run(corpus, "國" * 600)
    assert any("字元" in n for n in r["notices"])


def test_regional_vocabulary_bridging(corpus):
    on = run(corpus, "软件")
    assert ids(on) == {"simp", "roc"}  # 软件 itself, and the Taiwan form 軟體
    assert on["also_searched"] == [{"term": "软件", "also": ["軟體"]}]
    off = run(corpus, "软件", bridge=False)
    assert ids(off) == {"simp"} and off["also_searched"] == []
    assert "simp" in ids(run(corpus, "軟體"))  # and the reverse direction


def test_more_like_this(build):
    docs = [make_doc("a", "半導體產業政策與晶片出口管制，半導體供應鏈重組。"),
            make_doc("b", "晶片出口管制衝擊半導體供應鏈。"),
            make_doc("c", "颱風季節的農業損失評估。"),
            make_doc("d", "農業補貼政策。")]
    index, source = build(docs)
    sims = more_like_this(index, source, "a", limit=3)
    assert sims and sims[0]["id"] == "b"
    assert "a" not in {s["id"] for s in sims}


@pytest.mark.skipif(not USE_WORDS, reason="key words come with the word field")
def test_related_documents_from_key_words_stored_at_ingest(tmp_path):
    """Documents added one by one (the ingest path) carry their key words in the index;
    "related" ranks by them, never lists the document itself, and follows deletions."""
    from archive import index as ix
    from archive.index import SearchIndex

    docs = [make_doc("a", ["半導體產業政策與晶片出口管制。", "半導體供應鏈重組，半導體人才外流。"]),
            make_doc("b", "晶片出口管制衝擊半導體供應鏈。"),
            make_doc("c", "半導體。颱風季節的農業損失評估。"),
            make_doc("d", "農業補貼政策。")]
    docs += [make_doc(f"x{i}", f"第{i}篇：颱風與地震的防災演練。") for i in range(4)]
    index = SearchIndex(tmp_path / "index")
    index.rebuild([], workers=1)
    for doc in docs:
        index.add_document(doc)
    searcher = index.searcher()
    keys = ix.stored_key_words(searcher, ix.docnum_of(searcher, "a"))
    assert keys[0] == (fold("半導體"), 3)  # folded, as indexed
    assert all(len(w) >= 2 for w, _c in keys) and len(keys) <= ix.KEY_WORDS
    source = DictSource(docs)
    assert [s["id"] for s in more_like_this(index, source, "a", limit=3)][:2] == ["b", "c"]
    index.remove_document("b")
    assert "b" not in {s["id"] for s in more_like_this(index, source, "a", limit=3)}


def test_key_words_are_the_most_frequent_longer_first():
    from collections import Counter

    from archive.index import key_words

    got = key_words(Counter({"美國": 2, "中華民國": 2, "的": 9, "台灣": 5, "AI": 2}))
    assert got == [["台灣", 5], ["中華民國", 2], ["AI", 2], ["美國", 2]]


def test_word_scored_as_a_unit_outranks_scattered_bigrams(build):
    """A document containing the whole query term beats one that only has its bigrams apart."""
    docs = [make_doc("whole", "本文討論國防預算的編列。" + "其他內容" * 20),
            make_doc("parts", "國防很重要。預算很重要。國防與預算。" + "其他內容" * 20)]
    index, source = build(docs)
    r = search(index, source, "國防預算")
    assert [h["id"] for h in r["hits"]] == ["whole"]  # exact substring only
    r = search(index, source, "國防 OR 預算 OR 國防預算")
    assert r["hits"][0]["id"] == "whole"


def test_phrase_positions_checked_only_where_all_tokens_meet(build):
    """Tokens present in one document but not consecutive: no match (exact phrase check)."""
    docs = [make_doc("a", ["美國堅持", "中國政策"]),  # 國堅 and 中國 in different blocks
            make_doc("b", "美國堅持一個中國政策")]
    index, source = build(docs)
    assert match_ids(index, '"國政策"') == {"a", "b"}
    assert match_ids(index, '"堅持中國"') == set()
    assert match_ids(index, '"持一個中"') == {"b"}


def test_total_and_facets_are_exact_with_paging(build):
    docs = [make_doc(f"d{i:02d}", f"第{i}篇談臺灣。", author="甲" if i % 3 else "乙",
                     date=f"20{10 + i % 10}-01-01") for i in range(40)]
    index, source = build(docs)
    r = search(index, source, "臺灣", per_page=7, page=3)
    assert r["total"] == 40 and len(r["hits"]) == 7
    assert {f["value"]: f["count"] for f in r["facets"]["author"]} == {"甲": 26, "乙": 14}
    seen = []
    for page in range(1, 7):
        seen += [h["id"] for h in search(index, source, "臺灣", per_page=7, page=page)["hits"]]
    assert sorted(seen) == sorted(d.doc_id for d in docs)  # pages neither overlap nor skip
    r = search(index, source, "臺灣", filters={"author": ["乙"]})
    assert r["total"] == 14
    assert {f["value"]: f["count"] for f in r["facets"]["author"]} == {"甲": 26, "乙": 14}


def test_deleted_documents_never_match(build):
    docs = [make_doc(f"d{i}", "臺灣與美國。") for i in range(5)]
    index, source = build(docs)
    index.remove_document("d2")
    index.add_document(make_doc("d3", "只談日本。"))
    assert match_ids(index, "臺灣") == {"d0", "d1", "d4"}
    assert search(index, source, "美國")["total"] == 3


def test_query_words_count_a_dictionary_word_once():
    from archive import analysis

    assert analysis.query_words(analysis.fold("中華民國")) == ["中华民国"]
    assert "中华" in list(analysis.word_tokens(analysis.fold("中華民國")))  # index side: search mode
    assert set(analysis.query_words(analysis.fold("APEC峰會"))) == {"apec", "峰会"}


def test_single_character_terms_are_exact_and_cached(build):
    docs = [make_doc("a", "臺灣的未來。"), make_doc("b", "美國。"), make_doc("c", "灣區")]
    index, source = build(docs)
    for _ in range(2):  # the second run comes from the per-searcher prefix cache
        assert match_ids(index, "灣") == {"a", "c"}
        assert match_ids(index, "的") == {"a"}


def test_undated_documents_are_counted_filtered_and_never_silently_dropped(build):
    docs = [make_doc("dated", "兩岸經貿往來持續。", date="2023-05-01"),
            make_doc("old", "兩岸經貿往來曾經中斷。", date="2019-02-01"),
            make_doc("undated", "兩岸經貿往來的回顧，未註明日期。")]
    index, source = build(docs)
    r = search(index, source, "兩岸經貿")
    assert [(f["value"], f["count"]) for f in r["facets"]["year"]] == [
        ("2023", 1), ("2019", 1), ("無日期", 1)]  # newest first, the undated last
    only = search(index, source, "兩岸經貿", filters={"year": ["無日期"]})
    assert {h["id"] for h in only["hits"]} == {"undated"}
    dated = search(index, source, "兩岸經貿 date:2023")
    assert {h["id"] for h in dated["hits"]} == {"dated"}
    assert any("1 份沒有出版日期" in n and "無日期" in n for n in dated["notices"])
    assert not search(index, source, "兩岸經貿")["notices"]


def test_many_body_hits_outrank_one_title_hit(build):
    """BM25F saturates once over all fields: a title hit weighs several body hits, not all of
    them (a commentary that discusses a term throughout ranks above one that names it only in
    its title, which ranks above a passing mention)."""
    filler = "其他內容" * 30
    docs = [make_doc("throughout", [f"第{i}段談到半導體的供應鏈。{filler}" for i in range(8)], title="經濟評論"),
            make_doc("title-only", ["本文討論產業政策。" + filler] * 8, title="半導體產業政策"),
            make_doc("passing", ["本文在結尾順帶提到半導體。" + filler] + ["其他段落。" + filler] * 7, title="經濟觀察")]
    index, source = build(docs)
    assert [h["id"] for h in search(index, source, "半導體")["hits"]] == ["throughout", "title-only", "passing"]


def test_a_hit_counts_every_match_in_its_document(build):
    paras = [f"第{i}段提到半導體，也再提半導體。" if i % 2 == 0 else "無關段落。" for i in range(10)]
    index, source = build([make_doc("d", paras, title="評論")])
    (hit,) = search(index, source, "半導體")["hits"]
    assert (hit["matches"], hit["matching_passages"], len(hit["passages"])) == (10, 5, 3)
