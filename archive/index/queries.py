"""Per-document reads of a Whoosh searcher: stored fields, docnums, document frequencies.

What it owns and why: the hit list's metadata and the reads of related documents, for
:class:`archive.index.view.WhooshView`.  Matching and scoring are
:mod:`archive.index.evaluate`'s (no query runs through Whoosh's matchers).
"""

from __future__ import annotations

import json
from typing import Any

from whoosh.searching import Searcher


def stored(searcher: Searcher, docnum: int) -> dict[str, Any]:
    """The hit list's metadata of one document."""
    f = searcher.stored_fields(docnum)
    meta = json.loads(f.get("meta") or "{}")
    meta["doc_id"] = f.get("doc_id", "")
    return meta


def docnum_of(searcher: Searcher, doc_id: str) -> int | None:
    return searcher.document_number(doc_id=doc_id)


def doc_frequency(searcher: Searcher, fieldname: str, term: str) -> int:
    return searcher.doc_frequency(fieldname, term)


def stored_key_words(searcher: Searcher, docnum: int) -> list[tuple[str, int]] | None:
    """The key words stored with a document (:func:`key_words`); None if the index has none."""
    raw = searcher.stored_fields(docnum).get("keys")
    if not raw:
        return None
    try:
        return [(str(w), int(c)) for w, c in json.loads(raw)]
    except (ValueError, TypeError):
        return None
