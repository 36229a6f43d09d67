"""A concordance (keyword in context): every occurrence of a query across the archive.

Corpus researchers read a term through its contexts: each occurrence on its own line,
the match in a column, so that what comes before or after it can be sorted and
compared (``sort="left"`` orders by the words before the match, read backwards from it,
as concordancers do).  Occurrences are found with the same matching as the highlights
(script folding and the vocabulary bridge), in the documents' own script.

The archive is searched page by page; a line is built from the stored document, never
from the index.  ``limit`` bounds the lines, so a common word cannot make a page or an
export without end; the result says when it was reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

#: Characters of context on each side of a match.
CONTEXT = 30
SORTS = ("document", "left", "right", "match")
_SEARCH_PAGE = 50


class _Archive(Protocol):
    def search(self, q: str, **kw: Any) -> dict[str, Any]: ...
    def get_document(self, doc_id: str, version: int | None = None) -> Any: ...


@dataclass(frozen=True)
class Line:
    """One occurrence: its document and passage, and the text around it."""

    doc_id: str
    title: str
    date: str
    passage_id: str
    page: int | None
    left: str
    match: str
    right: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def lines_of(doc: Any, spans: dict[str, list[list[int]]], *, context: int = CONTEXT) -> Iterator[Line]:
    """The concordance lines of one document from its highlight spans (block id → spans)."""
    for block in doc.blocks:
        for start, end in spans.get(block.id, ()):
            text = block.text
            left = " ".join(text[max(0, start - context):start].split())
            right = " ".join(text[end:end + context].split())
            yield Line(doc.doc_id, doc.title, doc.meta("date") or "", block.id,
                       block.pages[0] if block.pages else None, left, text[start:end], right)


def _sort(lines: list[Line], sort: str) -> list[Line]:
    if sort == "left":
        return sorted(lines, key=lambda x: (x.left[::-1], x.match, x.right))
    if sort == "right":
        return sorted(lines, key=lambda x: (x.right, x.match, x.left[::-1]))
    if sort == "match":
        return sorted(lines, key=lambda x: (x.match, x.right))
    return lines


def concordance(archive: _Archive, q: str, *, highlight: Any, filters: dict[str, list[str]] | None = None,
                sort: str = "document", limit: int = 2000, bridge: bool = True) -> dict[str, Any]:
    """Every occurrence of ``q`` (up to ``limit`` lines), newest documents first.

    ``highlight(doc, q, bridge=…)`` gives a document's spans (``archive.search``'s
    highlighter, so a concordance line and a highlighted hit are the same match).
    """
    if sort not in SORTS:
        sort = "document"
    lines: list[Line] = []
    documents = 0
    total_documents = 0
    page = 1
    truncated = False
    while not truncated:
        result = archive.search(q, filters=filters, sort="newest", page=page, per_page=_SEARCH_PAGE,
                                bridge=bridge)
        total_documents = int(result.get("total") or 0)
        for hit in result.get("hits") or []:
            doc = archive.get_document(hit["id"])
            if doc is None:
                continue
            documents += 1
            for line in lines_of(doc, highlight(doc, q, bridge=bridge)):
                if len(lines) >= limit:
                    truncated = True
                    break
                lines.append(line)
            if truncated:
                break
        if page >= int(result.get("pages") or 0):
            break
        page += 1
    return {
        "query": q,
        "sort": sort,
        "lines": [x.to_dict() for x in _sort(lines, sort)],
        "count": len(lines),
        "documents": documents,
        "total_documents": total_documents,
        "truncated": truncated,
        "limit": limit,
    }
