"""A tagged PDF's structure tree: which paragraph-level element each piece of a page's text is in.

Word, InDesign and LibreOffice write a structure tree (``/StructTreeRoot``)
when they export tagged PDF: every paragraph is a ``P`` (or ``H1``, ``LI``,
``Caption``, ``Note``, ``TD``…) element whose text on the pages is marked
content with an id (MCID) per page.  The author's paragraph boundaries are
then in the file, not only in the geometry, so layout can follow them (see
:func:`ingest.layout.build_paragraphs`) where they agree with the page.

The tree is read with pypdf, document-wide, because a paragraph that runs
over a page break is one element with marked content on both pages (PDFium's
per-page trees cannot say which page an id belongs to).  Each marked-content
id maps to the innermost *block-level* element above it: a ``Span`` or a
``Link`` belongs to its paragraph, and a list item's label and body are the item.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pypdf
import pypdfium2.raw as pdfium_c
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject

#: Standard structure types (ISO 32000-1, 14.8.4) that hold one paragraph-like block of text.
BLOCK_ROLES = frozenset({
    "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "Title", "Caption", "BlockQuote", "Note",
    "LI", "TOCI", "TD", "TH", "Figure", "Formula", "Code", "Aside", "FENote",
})
#: Roles inside a list item that the item itself stands for (label and body are one line).
_ITEM_PARTS = frozenset({"Lbl", "LBody"})
#: Structure elements read at most (a hostile or enormous tree stays cheap; past it, no structure).
MAX_ELEMENTS = 200_000

#: page index -> marked-content id -> (block key, role); keys are unique in the document.
Roles = dict[int, dict[int, tuple[int, str]]]


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def document_roles(data: bytes, password: str | None = None) -> Roles | None:
    """The structure tree's blocks for every marked-content id, per page; None when there is
    no usable tree (untagged, unreadable, or larger than :data:`MAX_ELEMENTS`)."""
    try:
        import io

        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(password or ""):
            return None
        root = _resolve(reader.trailer["/Root"])
        tree = _resolve(root.get("/StructTreeRoot"))
        if not isinstance(tree, DictionaryObject):
            return None
        page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)
                      if page.indirect_reference is not None}
        role_map = _resolve(tree.get("/RoleMap")) or {}
        return _walk(tree, page_index, role_map)
    except Exception:  # a broken tree is no tree: geometry decides  # noqa: BLE001
        return None


def _standard(role: str, role_map: Any) -> str:
    """A custom role mapped to the standard type it stands for (RoleMap chains followed a few steps)."""
    for _ in range(8):
        mapped = role_map.get("/" + role) if hasattr(role_map, "get") else None
        if mapped is None:
            return role
        role = str(_resolve(mapped)).lstrip("/")
    return role


def _walk(tree: DictionaryObject, page_index: dict[int, int], role_map: Any) -> Roles | None:
    out: Roles = {}
    seen = 0
    visited: set[int] = set()
    # (node, block it is in or None, page index inherited from /Pg)
    stack: list[tuple[Any, tuple[int, str] | None, int | None]] = [(tree.get("/K"), None, None)]
    while stack:
        node, block, page = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in visited:
                continue  # a loop, or an element listed twice
            visited.add(node.idnum)
        node = _resolve(node)
        if isinstance(node, ArrayObject):
            stack.extend((kid, block, page) for kid in reversed(node))
            continue
        if isinstance(node, NumberObject | int):
            if block is not None and page is not None:
                out.setdefault(page, {}).setdefault(int(node), block)
            continue
        if not isinstance(node, DictionaryObject):
            continue
        seen += 1
        if seen > MAX_ELEMENTS:
            return None
        pg = node.get("/Pg")
        if isinstance(pg, IndirectObject) and pg.idnum in page_index:
            page = page_index[pg.idnum]
        kind = node.get("/Type")
        if kind == NameObject("/MCR"):
            mcid = node.get("/MCID")
            if block is not None and page is not None and isinstance(mcid, int):
                out.setdefault(page, {}).setdefault(int(mcid), block)
            continue
        if kind == NameObject("/OBJR"):
            continue
        role = _standard(str(node.get("/S", "")).lstrip("/"), role_map)
        if role == "LI" or (role in BLOCK_ROLES and not (block is not None and block[1] == "LI")):
            block = (seen, role)  # (a paragraph inside a list item's body is the item's)
        elif role in _ITEM_PARTS and block is None:
            block = (seen, "LI")
        if "/K" in node:
            stack.append((node["/K"], block, page))
    return out or None


def is_tagged(document: Any) -> bool:
    """Does the PDFium document say it is tagged (``/MarkInfo /Marked true`` and a structure tree)?"""
    try:
        return bool(pdfium_c.FPDFCatalog_IsTagged(document))
    except AttributeError:  # an older PDFium build without the call
        return False


def glyph_block(textpage: Any, index: int, roles: dict[int, tuple[int, str]],
                cache: dict[int, tuple[int, str] | None]) -> tuple[int, str] | None:
    """The block (key, role) a glyph of the text page is marked as part of, if any."""
    obj = pdfium_c.FPDFText_GetTextObject(textpage, index)
    if not obj:
        return None
    address = ctypes.cast(obj, ctypes.c_void_p).value or 0
    if address in cache:
        return cache[address]
    mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(obj)
    found = roles.get(mcid) if mcid >= 0 else None
    cache[address] = found
    return found
