"""Which segments an incremental commit merges (archive.index.merging), on a real index."""

from __future__ import annotations

from whoosh import index as whoosh_index

from archive.index import SearchIndex
from archive.index.merging import (
    FAN_IN,
    LARGE_SEGMENT_DOCS,
    MERGE_DOCS_MAX,
    segments_to_merge,
    tier,
)
from archive.search import search

from .conftest import DictSource, make_doc


def _segments(index: SearchIndex) -> dict[str, int]:
    """segment id → its document count, as the live table of contents lists them."""
    ix = whoosh_index.open_dir(str(index.live_dir()))
    return {s.segid: s.doc_count_all() for s in ix._segments()}


def test_tiers_are_decimal_digits():
    assert [tier(n) for n in (0, 1, 9, 10, 99, 100, 1500)] == [0, 0, 0, 1, 1, 2, 3]


def test_a_rebuilds_segments_are_never_merged_by_a_commit():
    """Whoosh's own policy merges 18 of these 1,500-document segments (25,000 documents)
    at the first one-document commit after a rebuild of 100,000; this one merges none."""
    assert segments_to_merge([1] + [1500] * 67) == []
    assert segments_to_merge([1] * (FAN_IN - 1) + [1500] * 67) == []


def test_a_full_tier_merges_with_the_tiers_below_it():
    counts = [1500, 3, 12, 15, 11, 14, 10, 13, 16, 17, 18, 19, 2000]  # ten of tier 1, one of tier 0
    chosen = segments_to_merge(counts)
    assert sorted(counts[i] for i in chosen) == [3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]


def test_one_merge_is_bounded_in_documents():
    counts = [99] * (2 * FAN_IN)
    chosen = segments_to_merge(counts)
    assert len(chosen) > 1 and sum(counts[i] for i in chosen) <= MERGE_DOCS_MAX


def test_single_commits_after_a_large_one_leave_it_alone_and_keep_everything(tmp_path):
    """A folder's worth of documents in one commit, then one document per commit (what
    ingest does): the large segment is never rewritten, the small ones are merged in tiers,
    and every document is found."""
    index = SearchIndex(tmp_path / "index")
    bulk = [make_doc(f"b{i}", [f"第{i}篇評論談到臺灣的能源政策。"], author="李明峻")
            for i in range(LARGE_SEGMENT_DOCS + 20)]
    index.add_documents(bulk)
    (large,) = _segments(index)
    singles = [make_doc(f"s{i}", [f"第{i}則短評談到臺灣的能源轉型。"], author="王美琇")
               for i in range(FAN_IN * (FAN_IN + 1) + 2)]
    counts_seen = []
    for d in singles:
        index.add_document(d)
        segs = _segments(index)
        assert segs.get(large) == LARGE_SEGMENT_DOCS + 20  # the same segment, never merged
        counts_seen.append(len(segs))
    # merged as they go: at most FAN_IN small segments per tier (a commit merges the full
    # tier it finds, with its own new document)
    assert max(counts_seen) <= 1 + 2 * FAN_IN
    assert counts_seen[FAN_IN] == 2  # the eleventh commit merged the ten before it
    # ten segments of tier 1 became one large segment, now left alone too
    large_ones = sorted(n for n in _segments(index).values() if n >= LARGE_SEGMENT_DOCS)
    assert len(large_ones) == 2 and LARGE_SEGMENT_DOCS + 20 in large_ones
    assert max(large_ones) <= MERGE_DOCS_MAX
    docs = bulk + singles
    assert index.doc_ids() == {d.doc_id for d in docs}
    result = search(index, DictSource(docs), "台湾", per_page=10)
    assert result["total"] == len(docs)
    assert {f["value"]: f["count"] for f in result["facets"]["author"]} == {
        "李明峻": len(bulk), "王美琇": len(singles)}


def test_replacing_a_document_in_a_large_segment_does_not_merge_it(tmp_path):
    index = SearchIndex(tmp_path / "index")
    docs = [make_doc(f"b{i}", [f"第{i}篇評論。"]) for i in range(LARGE_SEGMENT_DOCS)]
    index.add_documents(docs)
    (large,) = _segments(index)
    for _ in range(FAN_IN + 1):
        index.add_document(make_doc("b0", ["改寫後的第0篇評論談到半導體。"]))
    assert large in _segments(index)
    assert index.doc_count() == LARGE_SEGMENT_DOCS
    result = search(index, DictSource([make_doc("b0", ["改寫後的第0篇評論談到半導體。"])]), "半導體")
    assert [h["id"] for h in result["hits"]] == ["b0"]
