"""Views: what the archive shows (a document, a passage's landing, search results, related).

Owns the shapes read by the document and passage pages and by ``archive show``,
the passage resolution (current, revised or gone), the search call with its
limits, and the "related documents" cache.  It reads the store and the index
and turns the index's failures into one-line :class:`ServiceError` notices; it
never writes.
"""

from __future__ import annotations

import logging
import pickle
import struct
import threading
import time
import zlib
from typing import TYPE_CHECKING

from archive import passages
from archive.errors import ArchiveError, ServiceError
from archive.models import Document

if TYPE_CHECKING:
    from archive.service import Archive

log = logging.getLogger("archive.service")

#: What Whoosh raises when an index file's bytes are damaged (short reads, bad seeks,
#: unpacking, decompression, decoding): a search meeting one gets a notice, not a 500.
INDEX_DAMAGE: tuple[type[BaseException], ...] = (
    OSError, EOFError, struct.error, zlib.error, ValueError, IndexError, KeyError,
    UnicodeDecodeError, pickle.UnpicklingError,
)
#: How long a document's "related documents" are remembered, and for how many documents.
RELATED_TTL_S = 600.0
RELATED_CACHE_MAX = 4096


class RelatedCache:
    """"Related documents" cost a scan of the document's terms: remembered for a while per
    document version (new documents join the list within :data:`RELATED_TTL_S`)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, int, int], tuple[float, list[dict]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, int], now: float) -> list[dict] | None:
        with self._lock:
            hit = self._items.get(key)
        return hit[1] if hit is not None and now - hit[0] < RELATED_TTL_S else None

    def put(self, key: tuple[str, int, int], now: float, related: list[dict]) -> None:
        with self._lock:
            self._items[key] = (now, related)
            while len(self._items) > RELATED_CACHE_MAX:
                self._items.pop(next(iter(self._items)))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _index_error(archive: Archive, exc: Exception) -> ServiceError:
    from archive.index import IndexBusyError, IndexMissingError

    code = exc.code if isinstance(exc, ArchiveError) else "index"  # index-busy, index-missing…
    if isinstance(exc, IndexBusyError):
        return ServiceError(f"search index unavailable: {exc}", web="索引正在更新，請稍後再試。",
                            code=code)
    if isinstance(exc, IndexMissingError):
        return ServiceError(f"search index unavailable: {exc}",
                            web="搜尋索引不見了；請管理員執行 archive reindex。", code=code)
    return ServiceError(f"search index unavailable: {exc}",
                        web="搜尋索引需要重建；請管理員執行 archive reindex。", code=code)

def _index_damage(archive: Archive, exc: BaseException) -> ServiceError:
    """What a damaged index file raised while being read: logged with its traceback,
    told to the user as a notice naming the repair (never a 500)."""
    log.error("reading the search index failed", exc_info=exc)
    return ServiceError(
        f"search index unreadable ({type(exc).__name__}); run archive check --repair",
        web="搜尋索引無法讀取；請管理員執行 archive check --repair。", code="index-damaged",
    )


def document_view(archive: Archive, doc_id: str, version: int | None = None) -> dict | None:
    """The JSON of ``archive show`` and of the document page."""
    doc = archive.store.get(doc_id, version)
    if doc is None:
        return None
    view = doc.to_dict()
    view["id"] = doc.doc_id
    view["title"] = doc.title
    view["versions"] = archive.store.versions(doc_id)
    view["current"] = archive.store.current_version(doc_id) == doc.version
    view["edits"] = archive.store.edit_history(doc_id)
    view["authors"] = doc.authors()
    return view


def resolve_passage(archive: Archive, passage_id: str) -> dict | None:
    """Where a passage link lands now: the same passage, its revision, or an honest "gone"."""
    held = archive.store.passage_versions(passage_id)
    if not held:
        return None
    doc_id, newest, ordinal = held[0]
    current = archive.store.current_version(doc_id)
    if current is None:
        return None
    doc = archive.store.get(doc_id)
    assert doc is not None
    if newest == current:
        return _passage_view(archive, "current", passage_id, doc, ordinal, None, None)
    archived_doc = archive.store.get(doc_id, newest)
    assert archived_doc is not None
    archived = archived_doc.blocks[ordinal]
    alias = archive.store.alias(passage_id)
    if alias is None or alias.to_version != current:
        # Aliases are written with every new version; recompute if one is missing.
        found = passages.reanchor(archived_doc, [passage_id], doc)
        target = found[0].target if found else None
        confidence = found[0].confidence if found else None
    else:
        target, confidence = alias.target_id, alias.confidence
    if target:
        idx = next(i for i, b in enumerate(doc.blocks) if b.id == target)
        return _passage_view(archive,
            "revised", passage_id, doc, idx, archived_doc, confidence, archived
        )
    view = _passage_view(archive, "gone", passage_id, archived_doc, ordinal, archived_doc, confidence)
    view["current_version"] = current
    return view

def _passage_view(
    archive: Archive,
    status: str,
    requested: str,
    doc: Document,
    index: int,
    archived_doc: Document | None,
    confidence: float | None,
    archived_block=None,
) -> dict:
    block = doc.blocks[index]
    view = {
        "status": status,
        "requested": requested,
        "passage_id": block.id if status != "gone" else None,
        "doc_id": doc.doc_id,
        "version": doc.version,
        "confidence": confidence,
        "block": block.to_dict(),
        "index": index,
        "before": [b.to_dict() for b in doc.blocks[max(0, index - 2) : index]],
        "after": [b.to_dict() for b in doc.blocks[index + 1 : index + 3]],
        "selector": passages.quote_selector(doc, index),
        "document": {
            k: doc.meta(k)
            for k in ("title", "author", "affiliation", "series", "foundation", "date")
        }
        | {"title": doc.title, "page_count": doc.page_count, "sha256": doc.sha256},
    }
    if archived_doc is not None:
        view["archived_version"] = archived_doc.version
        view["archived"] = (archived_block or block).to_dict()
    return view

# -- search -----------------------------------------------------------------------------
def _limits(archive: Archive):
    from archive.search import Limits

    s = archive.settings
    return Limits(
        max_chars=s.query_max_chars, max_terms=s.query_max_terms, timeout_s=s.search_timeout_s
    )

def search(
    archive: Archive,
    q: str,
    *,
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 10,
    bridge: bool = True,
) -> dict:
    from archive import search as search_mod
    from archive.index import IndexError_

    try:
        return search_mod.search(
            archive.index,
            archive,
            q,
            filters=filters,
            sort=sort,
            page=page,
            per_page=per_page,
            bridge=bridge,
            limits=_limits(archive),
            merges=archive.merges.key_maps(),
        )
    except IndexError_ as exc:
        raise _index_error(archive, exc) from exc
    except INDEX_DAMAGE as exc:
        raise _index_damage(archive, exc) from exc

def highlight_blocks(archive: Archive, doc_id: str, q: str) -> dict[str, list[list[int]]]:
    from archive import search as search_mod

    doc = archive.store.get(doc_id)
    return search_mod.highlight_blocks(doc, q) if doc else {}

def more_like_this(archive: Archive, doc_id: str, limit: int = 5) -> list[dict]:
    from archive import search as search_mod
    from archive.index import IndexError_

    doc = archive.store.get(doc_id)
    if doc is None:
        return []
    key = (doc_id, doc.version, limit)
    now = time.monotonic()
    hit = archive.related.get(key, now)
    if hit is not None:
        return hit
    try:
        related = search_mod.more_like_this(archive.index, archive, doc_id, limit=limit)
    except IndexError_:
        return []
    except INDEX_DAMAGE as exc:  # the document still shows; its related list waits
        _index_damage(archive, exc)
        return []
    archive.related.put(key, now, related)
    return related

