"""Both engines, the same documents, the same queries: the same match sets, totals, facet
counts, date orders and notices (ranking within a relevance sort may differ: each engine has
its own BM25).  And the swap: a rebuild of either engine leaves open views answering."""

from __future__ import annotations

import random
import re
from pathlib import Path

import opencc
import pytest

from archive import analysis
from archive.index import ENGINES, engine_class
from archive.search import match_ids, more_like_this, search

from .conftest import DictSource, make_doc

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "prospect-forum-apec-2023.txt"
CJK = analysis.CJK_CLASS


def _corpus(n: int = 120, seed: int = 3) -> list:
    rng = random.Random(seed)
    t2s = opencc.OpenCC("t2s")
    text = FIXTURE.read_text(encoding="utf-8")
    sentences = [s.strip() for s in re.split(r"(?<=[。！？\n])", text) if len(s.strip()) > 8]
    authors = ["李明峻", "王美琇", "陳重生", "林宗弘、李明峻", "王美琇、陳重生", ""]
    foundations = ["新台灣國策智庫", "台灣智庫", "國防安全研究院", ""]
    series = ["遠景論壇", "國策評論", "戰略觀察", ""]
    dates = ["2023-11-20", "2023-06", "2022-12-01", "2021", "2021-05-03", "2019-02-10", ""]
    docs = []
    for i in range(n):
        paras = []
        for _ in range(rng.randint(1, 6)):
            p = "".join(rng.sample(sentences, rng.randint(1, 3)))
            if rng.random() < 0.25:
                p = t2s.convert(p)
            if rng.random() < 0.3 and len(p) > 10:  # a PDF line break inside a CJK run
                k = rng.randrange(1, len(p) - 1)
                p = p[:k] + "\n" + p[k:]
            paras.append(p)
        title = rng.choice(sentences)[:20]
        docs.append(make_doc(f"d{i:03d}", paras, title=title, author=rng.choice(authors),
                             foundation=rng.choice(foundations), series=rng.choice(series),
                             date=rng.choice(dates)))
    return docs


def _queries(docs: list, n: int, seed: int = 5) -> list[str]:
    import jieba

    rng = random.Random(seed)
    blocks = [b.text for d in docs for b in d.blocks]
    runs = [r for b in blocks for r in re.findall(rf"[{CJK}]{{2,}}", b)]
    words = [w for b in rng.sample(blocks, 20) for w in jieba.cut(b, HMM=False)
             if re.fullmatch(rf"[{CJK}]{{2,}}", w)]
    latin = [w for b in blocks for w in re.findall(r"[A-Za-z]{2,}|\d{2,}", b)]
    out: list[str] = []

    def sub(k: int) -> str:
        r = rng.choice([r for r in runs if len(r) >= k] or runs)
        i = rng.randint(0, max(0, len(r) - k))
        return r[i : i + k]

    for _ in range(n):
        a, b = sub(rng.randint(1, 4)), rng.choice(words)
        out += [a, b, f"{a} {b}", f"{a} OR {b}", f"{a} -{b}", f'"{b}"', f"NOT {b}",
                f"title:{sub(2)}", f"author:{rng.choice(['李明峻', '王美', '陳'])}",
                f"{b} date:2023", "date:[2021 TO 2022-12]", f"({a} OR {rng.choice(latin)}) {sub(2)}",
                rng.choice(latin), f"{rng.choice(latin)}{sub(1)}", f"series:{rng.choice(['遠景', '國策評論'])}"]
    return list(dict.fromkeys(out))


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    docs = _corpus()
    out = {}
    for engine in ENGINES:
        index = engine_class(engine)(tmp_path_factory.mktemp(engine) / "index")
        index.rebuild(docs, workers=1)
        out[engine] = index
    return out, DictSource(docs)


def _facets(r: dict) -> dict[str, dict[str, int]]:
    """Facet counts per key (two display forms of one key are one value)."""
    return {f: {(v["value"] if f == "year" else analysis.keyword(v["value"])): v["count"] for v in vs}
            for f, vs in r["facets"].items()}


def _all_ids(index, source, q: str, **kw) -> list[str]:
    out: list[str] = []
    page = 1
    while True:
        r = search(index, source, q, per_page=100, page=page, max_passages=0, **kw)
        out += [h["id"] for h in r["hits"]]
        if page >= r["pages"]:
            return out
        page += 1


FILTERS = [None, {"author": ["李明峻"]}, {"year": ["無日期", "2021"]},
           {"series": ["遠景論壇"], "foundation": ["臺灣智庫"]}]


def test_match_sets_totals_and_facets_agree(both) -> None:
    indexes, source = both
    wh, tv = indexes["whoosh"], indexes["tantivy"]
    queries = _queries(list(source.docs.values()), 12)
    assert len(queries) > 120
    nonempty = 0
    for i, q in enumerate(queries):
        assert match_ids(wh, q) == match_ids(tv, q), q
        filters = FILTERS[i % len(FILTERS)]
        a = search(wh, source, q, filters=filters, per_page=10)
        b = search(tv, source, q, filters=filters, per_page=10)
        assert (a["total"], a["pages"]) == (b["total"], b["pages"]), (q, filters)
        assert _facets(a) == _facets(b), (q, filters)
        assert a["timeline"] == b["timeline"], (q, filters)
        assert a["notices"] == b["notices"], q
        if a["total"]:
            nonempty += 1
            # the page's hits carry the same passages whichever engine found them
            pa = {h["id"]: h["passages"] for h in a["hits"]}
            assert all(pa[h["id"]] == h["passages"] for h in b["hits"] if h["id"] in pa)
        ids_a = _all_ids(wh, source, q, filters=filters)
        ids_b = _all_ids(tv, source, q, filters=filters)
        assert len(ids_b) == len(set(ids_b)) == b["total"]  # pages neither overlap nor skip
        assert set(ids_a) == set(ids_b), (q, filters)
    assert nonempty > len(queries) // 2


def test_timelines_by_month_agree(tmp_path) -> None:
    """Dates within two years are drawn by month: both engines count the same months, a
    year-only date turns the unit to years, the undated are counted apart."""
    dates = ["2023-01-05", "2023-01-30", "2023-03", "2023-03-02T10:00", "2024-02-29", ""]
    docs = [make_doc(f"m{i}", f"能源政策第{i}篇。", date=d) for i, d in enumerate(dates)]
    year_only = [*docs, make_doc("y", "能源政策。", date="2022")]
    got: dict[str, list] = {}
    for engine in ENGINES:
        for name, ds in (("months", docs), ("years", year_only)):
            index = engine_class(engine)(tmp_path / engine / name)
            index.rebuild(ds, workers=1)
            src = DictSource(ds)
            got.setdefault(name, []).append(search(index, src, "能源")["timeline"])
            got.setdefault(name + "/filtered", []).append(
                search(index, src, "能源", filters={"year": ["2023"]})["timeline"])
    for name, (wh, tv) in got.items():
        assert wh == tv, name
    months = got["months"][0]
    assert months["unit"] == "month" and months["undated"] == 1
    assert {b["period"]: b["count"] for b in months["bars"]}["2023-01"] == 2
    assert len(months["bars"]) == 14  # 2023-01 … 2024-02, the empty months included
    assert got["years"][0]["unit"] == "year"


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_orders_agree(both, sort: str) -> None:
    indexes, source = both
    for q in ["", "美國", "習近平 OR 拜登", "date:[2021 TO 2023-06]"]:
        got = {}
        for engine, index in indexes.items():
            ids = _all_ids(index, source, q, sort=sort)
            got[engine] = [source.docs[i].meta("date") or "" for i in ids]
        assert got["whoosh"] == got["tantivy"], q
        dated = [d for d in got["tantivy"] if d]
        assert dated == sorted(dated, reverse=(sort == "newest"))
        assert all(not d for d in got["tantivy"][len(dated):])  # the undated last


def test_related_documents_come_from_the_same_candidates(both) -> None:
    indexes, source = both
    for doc_id in ["d000", "d007", "d042"]:
        got = {e: [h["id"] for h in more_like_this(ix, source, doc_id, limit=5)]
               for e, ix in indexes.items()}
        assert got["tantivy"] and doc_id not in got["tantivy"]
        assert len(got["tantivy"]) == len(got["whoosh"])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_rebuild_swaps_in_while_open_views_keep_answering(tmp_path, engine: str) -> None:
    docs = [make_doc("a", "臺灣的能源轉型。"), make_doc("b", "美國的能源政策。")]
    index = engine_class(engine)(tmp_path / "index")
    index.rebuild(docs, workers=1)
    old_dir = index.live_dir()
    held = index.view()
    index.rebuild([*docs, make_doc("c", "日本的能源安全。")], workers=2)
    assert index.live_dir() != old_dir and old_dir.exists()  # the previous generation stays
    assert match_ids(index, "能源") == {"a", "b", "c"}
    assert held.doc_count() == 2 and held.stored(index_docnum(held, "a"))["doc_id"] == "a"


def index_docnum(view, doc_id: str) -> int:
    d = view.docnum_of(doc_id)
    assert d is not None
    return d


def test_phrases_never_span_two_blocks_on_either_engine(tmp_path) -> None:
    docs = [make_doc("split", ["美國堅持", "一個中國"]), make_doc("whole", "美國堅持一個中國")]
    for engine in ENGINES:
        index = engine_class(engine)(tmp_path / engine)
        index.rebuild(docs, workers=1)
        assert match_ids(index, '"堅持一個"') == {"whole"}, engine
        assert match_ids(index, "持一") == {"whole"}, engine
        assert match_ids(index, "堅持") == {"split", "whole"}, engine


def test_date_codes_order_as_the_strings_do() -> None:
    """Tantivy's date numbers compare as Whoosh's date strings (ISO dates and times exactly,
    anything else monotonically), and an upper end covers every string it prefixes."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from archive.index.tantivy_index import DATE_CHARS, date_code

    iso = st.text(alphabet="0123456789-:T", max_size=DATE_CHARS)
    anything = st.text(max_size=DATE_CHARS)

    @settings(max_examples=400, deadline=None)
    @given(iso, iso, anything, anything)
    def check(a: str, b: str, x: str, y: str) -> None:
        assert (a < b) == (date_code(a) < date_code(b))
        assert (x <= y) <= (date_code(x) <= date_code(y))  # monotone: x <= y implies codes <=
        if len(b) < DATE_CHARS:
            assert (a <= b + "\uffff") == (date_code(a) <= date_code(b, upper=True))

    check()
