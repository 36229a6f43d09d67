"""The index as derived data: versions, the writer lock, rebuild-and-swap, updates."""

from __future__ import annotations

import fcntl
import os

import pytest

from archive import index as ix
from archive.index import IndexBusyError, IndexVersionError, SearchIndex
from archive.search import match_ids, search

from .conftest import CORPUS, DictSource, make_doc


def test_version_mismatch_says_reindex(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(CORPUS[:2], workers=1)
    (index.live_dir() / ix.VERSION_FILE).write_text("1")
    with pytest.raises(IndexVersionError, match="run archive reindex"):
        SearchIndex(tmp_path / "index")


def test_lock_busy_is_a_clear_error_and_wipes_nothing(tmp_path):
    index = SearchIndex(tmp_path / "index", lock_timeout=0.2)
    index.rebuild(CORPUS, workers=1)
    lockfile = tmp_path / "index.lock"
    fd = os.open(lockfile, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another writer
    try:
        with pytest.raises(IndexBusyError, match="busy"):
            index.add_document(make_doc("new", "新文件"))
        with pytest.raises(IndexBusyError):
            index.rebuild([], workers=1)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert index.doc_ids() == {d.doc_id for d in CORPUS}
    index.add_document(make_doc("new", "新文件"))
    assert "new" in index.doc_ids()


def test_update_replaces_and_remove_deletes(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(CORPUS, workers=1)
    index.add_document(make_doc("apec", "改寫後的內容，只談颱風。", title="新版"))
    assert match_ids(index, "颱風") == {"apec"}
    assert "apec" not in match_ids(index, "習近平")
    assert len(index.doc_ids()) == len(CORPUS)
    index.remove_document("balloon")
    assert "balloon" not in index.doc_ids()
    assert match_ids(index, "間諜氣球") == set()


def test_rebuild_swaps_atomically_and_old_searcher_keeps_working(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(CORPUS, workers=1)
    old_dir = index.live_dir()
    old_searcher = index.searcher()
    before = old_searcher.doc_count()
    n = index.rebuild([make_doc("only", "唯一的文件，間諜氣球")], workers=1)
    assert n == 1
    assert index.live_dir() != old_dir and (tmp_path / "index").is_symlink()
    assert old_searcher.doc_count() == before  # still readable
    assert index.doc_ids() == {"only"}  # new searches see the new index
    r = search(index, DictSource([]), "間諜氣球")
    assert [h["id"] for h in r["hits"]] == ["only"]


def test_old_index_directories_are_cleaned_up(tmp_path):
    index = SearchIndex(tmp_path / "index")
    for i in range(4):
        index.rebuild([make_doc(f"d{i}", "內容")], workers=1)
    dirs = [p for p in tmp_path.iterdir() if p.is_dir() and p.name.startswith("index-")]
    assert len(dirs) <= 2 and index.live_dir() in dirs


def test_failed_rebuild_leaves_live_index(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild(CORPUS, workers=1)

    def broken():
        yield CORPUS[0]
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        index.rebuild(broken(), workers=1)
    assert index.doc_ids() == {d.doc_id for d in CORPUS}


def test_parallel_rebuild_matches_serial(tmp_path):
    docs = [make_doc(f"d{i:03d}", f"第{i}篇：國防預算與間諜氣球{i % 7}", date=f"20{10 + i % 14}-01")
            for i in range(150)]
    a = SearchIndex(tmp_path / "a")
    a.rebuild(docs, workers=1)
    b = SearchIndex(tmp_path / "b")
    b.rebuild(docs, workers=2)
    assert a.doc_ids() == b.doc_ids()
    for q in ("國防", "气球3", "date:2015", "第1"):
        assert match_ids(a, q) == match_ids(b, q), q


def test_compact_positions_round_trip():
    fmt = ix.CompactPositions()
    for poses in ([0], [5, 6, 200], [1, 70000, 70001], list(range(0, 3000, 7))):
        v = fmt.encode(poses)
        assert fmt.decode_positions(v) == poses
        assert fmt.decode_frequency(v) == len(poses)
    assert len(fmt.encode([3, 9, 12])) == 4  # one tag byte + one byte per delta


def test_many_single_adds_merge_segments_and_keep_every_document(tmp_path):
    """One document per commit, as ingest does: Whoosh merges small segments as it goes.

    Regression: inlined postings of value-less fields (doc_id, date, year) broke the merge,
    so documents after the fifth were silently left out of the index.
    """
    from archive.search import search

    index = SearchIndex(tmp_path / "index")
    docs = [
        make_doc(f"d{i}", [f"第{i}篇評論談到臺灣與美國的關係。"], title=f"評論{i}", author="李明峻",
                 date=f"2023-0{1 + i % 9}-01" if i % 3 else "")
        for i in range(14)
    ]
    for d in docs:
        index.add_document(d)
    assert index.doc_ids() == {d.doc_id for d in docs}
    result = search(index, DictSource(docs), "台湾", per_page=50)
    assert result["total"] == 14
    assert sum(f["count"] for f in result["facets"]["author"]) == 14
    dated = sum(1 for d in docs if d.meta("date"))
    years = {f["value"]: f["count"] for f in result["facets"]["year"]}
    assert sum(years.values()) == 14 and years.pop("無日期") == 14 - dated  # the undated counted
    assert sum(years.values()) == dated


def test_facets_count_documents_in_a_segment_without_the_field(tmp_path):
    """A segment whose only document has no date has no date column at all."""
    from archive.search import search

    index = SearchIndex(tmp_path / "index")
    dated = make_doc("a", ["臺灣"], date="2023-01-01", author="甲")
    undated = make_doc("b", ["臺灣"], author="乙")
    later = make_doc("c", ["臺灣"], date="2024-05-01", author="丙")
    for d in (dated, undated, later):
        index.add_document(d)
    result = search(index, DictSource([dated, undated, later]), "臺灣", sort="newest")
    assert [h["id"] for h in result["hits"]] == ["c", "a", "b"]
    assert {f["value"]: f["count"] for f in result["facets"]["year"]} == {"2024": 1, "2023": 1,
                                                                          "無日期": 1}
    assert {f["value"] for f in result["facets"]["author"]} == {"甲", "乙", "丙"}


def test_bulk_rebuild_equals_the_stock_whoosh_writer(tmp_path):
    """rebuild's lean segment writer (inlined term infos, block writes) reads back exactly like
    segments from Whoosh's own writer: same totals, scores, facets."""
    docs = [make_doc(f"d{i:03d}", [f"第{i}篇：國防預算與間諜氣球{i % 7}。" * (1 + i % 3),
                                   "美國堅持一個中國政策" if i % 4 else "APEC 2023 峰會"],
                     author="李明峻" if i % 2 else "王美琇", date=f"20{10 + i % 14}-01-01")
            for i in range(200)]
    a = SearchIndex(tmp_path / "a")
    a.rebuild(docs, workers=1)
    b = SearchIndex(tmp_path / "b")
    b.add_documents(docs)  # Whoosh's SegmentWriter and PostingPool
    for q in ("國防", "气球3", "中國政策", "峰會 OR 預算", "APEC -2023", "第1", "date:2015", "國"):
        ra, rb = search(a, None, q, per_page=50), search(b, None, q, per_page=50)
        assert ra["total"] == rb["total"], q
        assert [(h["id"], h["score"]) for h in ra["hits"]] == \
            [(h["id"], h["score"]) for h in rb["hits"]], q
        assert ra["facets"] == rb["facets"], q


def test_searchers_open_while_a_writer_commits(tmp_path):
    """Opening a searcher races the writer: Whoosh deletes the previous table of contents and
    merged segments after each commit.  Readers that open just then must retry, not fail.

    Regression: a search under load failed with FileNotFoundError on ``_MAIN_<n>.toc``.
    """
    import threading

    path = tmp_path / "index"
    SearchIndex(path).rebuild([make_doc("d0", ["第0篇評論。"])], workers=1)
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        writer = SearchIndex(path)
        i = 1
        while not stop.is_set() and i < 150:
            writer.add_document(make_doc(f"d{i}", [f"第{i}篇評論談到臺灣。"]))
            i += 1

    def read() -> None:
        opened = 0
        while not stop.is_set():
            try:
                SearchIndex(path).searcher().doc_count()  # a fresh object: a fresh open
                opened += 1
            except BaseException as exc:  # noqa: BLE001 - the test reports what readers met
                errors.append(exc)
                return

    writer = threading.Thread(target=write)
    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in [writer, *readers]:
        t.start()
    writer.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert SearchIndex(path).doc_count() > 1
