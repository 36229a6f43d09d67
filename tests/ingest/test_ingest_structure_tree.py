"""Tagged PDFs: layout follows the structure tree where it agrees with the page, and falls back to
geometry where it does not.  The tagged file is LibreOffice Writer's own export (the producer
fixture); the broken trees are that file's tree rewritten with pypdf, as careless exporters write them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject

from ingest import extract_document
from ingest.structure import MAX_ELEMENTS, document_roles

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "producers"


def _norm(text: str) -> str:
    return "".join(text.split())


def _truth_paragraphs(name: str) -> list[str]:
    truth = json.loads((FIXTURES / f"{name}.truth.json").read_text(encoding="utf-8"))
    return [_norm(b["text"]) for b in truth["blocks"] if b["type"] == "paragraph"]


def _rewrite_roles(data: bytes, rename: dict[str, str], *, drop_role_map: bool = False) -> bytes:
    """The same PDF with its structure elements' types renamed (``/Span`` -> ``/P``…); without its
    RoleMap, Writer's own types ("Text body", "Byline") stand for nothing standard."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    root = writer._root_object["/StructTreeRoot"].get_object()
    if drop_role_map and "/RoleMap" in root:
        del root["/RoleMap"]
    stack, seen = [root.get("/K")], set()
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, ArrayObject):
            stack.extend(node)
        elif isinstance(node, DictionaryObject):
            role = str(node.get("/S", ""))
            if role in rename:
                node[NameObject("/S")] = NameObject(rename[role])
            if "/K" in node:
                stack.append(node["/K"])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def writer_pdf() -> bytes:
    return (FIXTURES / "writer-small.pdf").read_bytes()


def test_a_tagged_export_is_read_by_its_structure(writer_pdf: bytes) -> None:
    doc = extract_document(writer_pdf, filename="writer.pdf")
    assert doc.layout == "structure"
    got = {_norm(b.text) for b in doc.blocks}
    assert all(p in got for p in _truth_paragraphs("writer-small"))
    assert doc.to_dict()["layout"] == "structure"  # the JSON twin says so


def test_an_untagged_print_is_read_by_geometry() -> None:
    doc = extract_document((FIXTURES / "chrome-small-justify.pdf").read_bytes(), filename="chrome.pdf")
    assert doc.layout == "geometry"


def test_a_tree_that_tags_pieces_of_lines_is_not_followed(writer_pdf: bytes) -> None:
    # Every inline run becomes a "paragraph": the tree now breaks lines mid-sentence.
    broken = _rewrite_roles(writer_pdf, {"/Span": "/P", "/P": "/Div"})
    assert document_roles(broken)  # the tree is there and readable…
    doc = extract_document(broken, filename="broken.pdf")
    assert doc.layout == "geometry"  # …but contradicts the page
    got = {_norm(b.text) for b in doc.blocks}
    assert all(p in got for p in _truth_paragraphs("writer-small"))


def test_a_tree_that_makes_everything_one_paragraph_is_not_followed(writer_pdf: bytes) -> None:
    merged = _rewrite_roles(writer_pdf, {"/P": "/Span", "/H1": "/Span", "/Title": "/Span", "/Document": "/P"},
                            drop_role_map=True)
    roles = document_roles(merged)
    assert roles and len({key for page in roles.values() for key, role in page.values() if role == "P"}) == 1
    doc = extract_document(merged, filename="merged.pdf")
    assert doc.layout == "geometry"
    got = {_norm(b.text) for b in doc.blocks}
    assert all(p in got for p in _truth_paragraphs("writer-small"))


def test_a_looping_tree_is_read_once(writer_pdf: bytes) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(writer_pdf)))
    root = writer._root_object["/StructTreeRoot"]
    kids = root.get_object()["/K"]
    first = (kids.get_object() if isinstance(kids, IndirectObject) else kids)
    element = first[0].get_object() if isinstance(first, ArrayObject) else first
    element[NameObject("/K")] = ArrayObject([root, NumberObject(0)])  # a kid that is the root again
    out = io.BytesIO()
    writer.write(out)
    doc = extract_document(out.getvalue(), filename="loop.pdf")  # returns: no endless walk
    assert doc.blocks


def test_an_oversized_tree_is_no_tree(monkeypatch: pytest.MonkeyPatch, writer_pdf: bytes) -> None:
    import ingest.structure as structure

    assert MAX_ELEMENTS > 1000
    monkeypatch.setattr(structure, "MAX_ELEMENTS", 3)
    assert structure.document_roles(writer_pdf) is None
