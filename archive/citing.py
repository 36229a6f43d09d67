"""A document's or passage's reference in a style or an export format, outside a request.

``archive cite`` prints what the web's cite menu and ``/d/<id>/cite.<fmt>`` serve:
the same :mod:`archive.cite` reference, with URLs built on ``settings.base_url``
(or relative ``/d/<id>``, ``/p/<id>`` when it is empty).  It reads the store
through the archive's verbs; it writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from archive import cite
from archive.errors import ServiceError

if TYPE_CHECKING:
    from archive.service import Archive


def _url(archive: Archive, path: str) -> str:
    return (archive.settings.base_url or "").rstrip("/") + path


def cite_text(archive: Archive, ident: str, fmt: str, version: int | None = None) -> str:
    """``ident`` (a document id, or a passage id) in ``fmt`` (a style or an export format)."""
    if fmt not in cite.FORMATS:
        raise ServiceError(f"--format {fmt}: use one of {', '.join(cite.FORMATS)}", code="format")
    block = None
    doc = archive.get_document(ident, version)
    if doc is None or (version is not None and doc.version != version):
        view = archive.resolve_passage(ident) if version is None else None
        if view is None:
            raise ServiceError(f"no document or passage {ident}"
                               f"{f' version {version}' if version else ''}; see archive list",
                               web="找不到這份文件或段落。", code="not-found")
        doc = archive.get_document(view["doc_id"], view["version"])
        if doc is None:
            raise ServiceError(f"no passage {ident}; see archive list", code="not-found")
        block_id = view["block"].get("id") or ""
        block = next((b for b in doc.blocks if b.id == block_id), None)
    doc_id = quote(doc.doc_id, safe="")
    url = (_url(archive, f"/p/{quote(block.id, safe='')}") if block is not None
           else _url(archive, f"/d/{doc_id}"))
    ref = cite.from_document(
        doc, url=url, accessed=datetime.now(UTC).date(), block=block,
        pdf_url=_url(archive, f"/d/{doc_id}/original.pdf?version={doc.version}"),
    )
    return cite.render(ref, fmt) + "\n" if fmt in cite.STYLES else cite.export([ref], fmt)
