"""Which segments an incremental commit merges (the Whoosh writer's ``mergetype``).

What it owns and why: every ``archive ingest`` or upload commits one small segment.  Whoosh's
default policy (``MERGE_SMALL``) decides on a Fibonacci rule over document counts that
ignores what the segments are: right after a rebuild of 100,000 commentaries (about 65
segments of 1,500 documents each, :data:`archive.index.bulk.SEGMENT_POSTINGS`) the first
one-document commit merges the 18 smallest of them, some 25,000 documents, and Whoosh
merges at about 50 ms a document (each posting re-pooled, sorted and rewritten in Python):
a single ingest held the writer for over twenty minutes.

This policy is tiered, as log-structured indexes are: a segment's tier is the number of
decimal digits of its document count, and when one tier holds :data:`FAN_IN` segments they
are merged (with any smaller ones) into one of the next tier.  Each document is merged once
per tier it climbs, so the amortised cost of a one-document commit is a few merges of ~50 ms
per document, never a rebuild's worth.  Segments of :data:`LARGE_SEGMENT_DOCS` documents or
more (every segment a rebuild writes, and what merging grows) are never merged by a
commit, and a single merge takes at most :data:`MERGE_DOCS_MAX` documents: the longest
commit is bounded whatever the archive's size.  ``archive reindex`` rewrites everything into
full segments and purges deleted documents; the segments left by incremental commits grow
by about one per hundred documents ingested.
"""

from __future__ import annotations

from typing import Any

#: A tier is merged when it holds this many segments.
FAN_IN = 10
#: Segments of at least this many documents (including deleted ones) are left alone.
LARGE_SEGMENT_DOCS = 100
#: A merge takes at most this many documents (about 25 s at Whoosh's merge rate).
MERGE_DOCS_MAX = 500


def tier(doc_count: int) -> int:
    """0 for 1–9 documents, 1 for 10–99, 2 for 100–999, …"""
    return len(str(max(1, doc_count))) - 1


def segments_to_merge(counts: list[int]) -> list[int]:
    """The positions in ``counts`` (each segment's document count) of the segments a commit
    merges: those of the lowest tier holding :data:`FAN_IN` segments and of every tier below
    it, smallest first up to :data:`MERGE_DOCS_MAX` documents; none when no tier is full."""
    small = sorted((c, i) for i, c in enumerate(counts) if c < LARGE_SEGMENT_DOCS)
    per_tier: dict[int, int] = {}
    for c, _i in small:
        per_tier[tier(c)] = per_tier.get(tier(c), 0) + 1
    full = [t for t, n in per_tier.items() if n >= FAN_IN]
    if not full:
        return []
    top = min(full)
    chosen: list[int] = []
    total = 0
    for c, i in small:
        if tier(c) > top:
            break
        if chosen and total + c > MERGE_DOCS_MAX:
            break
        chosen.append(i)
        total += c
    return chosen if len(chosen) > 1 else []


def tiered_merge(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh ``mergetype``: add the chosen segments to ``writer`` (which merges them into
    the segment it is writing) and return the segments kept as they are."""
    from whoosh.reading import SegmentReader

    chosen = set(segments_to_merge([s.doc_count_all() for s in segments]))
    for i in sorted(chosen):
        reader = SegmentReader(writer.storage, writer.schema, segments[i])
        writer.add_reader(reader)
        reader.close()
    return [s for i, s in enumerate(segments) if i not in chosen]
