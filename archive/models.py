"""Plain data shapes shared by ingest, the store, the index and both faces.

They are dataclasses with a JSON round-trip so that the catalogue can store a
document as one JSON value and the CLI and the web can print the same
dictionaries.  Nothing here knows about PDFs, SQLite, Whoosh or Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: The block types ingest recognises, in the order a reader meets them.
BLOCK_TYPES = ("title", "heading", "paragraph", "list_item", "caption", "table", "aside", "footnote", "toc",
               "note", "back_matter")

#: Where a metadata value came from.
PROVENANCES = ("pdf-info", "text", "inferred", "archivist")

#: Fields an archivist may correct (``archive edit``, the document page).
EDITABLE = ("title", "series", "author", "affiliation", "foundation", "address", "date", "language")

#: Metadata keys ingest may fill.  A key that was not found is absent.
METADATA_KEYS = (
    "title",
    "series",
    "author",
    "affiliation",
    "foundation",
    "address",
    "phone",
    "fax",
    "website",
    "email",
    "date",  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    "caption",
    "photo_credit",
    "editor_note",
    "script",  # "Traditional" | "Simplified" | "mixed"
    "language",  # BCP 47, e.g. "zh-Hant", "zh-Hans", "en"
    "pdf_author",  # the Info/XMP Author as the file has it (often an account name): never a facet
    "pdf_created",  # ISO 8601 from Info/XMP
    "pdf_modified",
    "producer",
)


@dataclass
class Field:
    """One metadata value with its provenance (``pdf-info``, ``text`` or ``inferred``)."""

    value: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"value": self.value, "source": self.source}


@dataclass
class Block:
    """One unit of the rebuilt text, typed as one of ``BLOCK_TYPES``.

    A ``table`` keeps its cells in ``rows`` (and its text tab- and newline-
    separated, so it is searchable); a ``footnote`` is attached to its page,
    never spliced into a sentence; an ``aside`` is a box or sidebar read whole.

    ``pages`` are 1-based page numbers the block spans (a paragraph split
    across a page break has two).  ``id`` is the passage id, given by
    :mod:`archive.passages` when the document is stored; ingest leaves it empty.
    """

    type: str
    text: str
    pages: list[int] = field(default_factory=list)
    id: str = ""
    rows: list[list[str]] | None = None  # a table's cells, row by row (``text`` has them tab-separated)
    #: Where the text came from: "pdf" (pypdf's reading of the text layer), "pdfium" (PDFium's), "ocr".
    source: str = ""
    confidence: float | None = None  # OCR only: Tesseract's mean confidence for the block, 0-100

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type, "text": self.text, "pages": list(self.pages)}
        if self.rows is not None:
            d["rows"] = [list(row) for row in self.rows]
        if self.source:
            d["source"] = self.source
        if self.confidence is not None:
            d["confidence"] = self.confidence
        return d


#: What a document without a title is called on pages, in feeds and citations.
UNTITLED = "（無標題）"


#: Between two names in one author field (王大同、李小華; John Smith and Mary Lee).
NAME_SEPARATORS = re.compile(r"\s*(?:[、，,;；/／]|\s+and\s+|\s*&\s*)\s*")


def split_names(value: str) -> list[str]:
    """An author (or affiliation) field's parts, in order."""
    return [p.strip() for p in NAME_SEPARATORS.split(value or "") if p.strip()]


def base_name(name: str | None) -> str:
    """The last part of a file name as given (``/srv/in/a.pdf`` or ``C:\\in\\a.pdf`` → ``a.pdf``):
    a document records the name it was uploaded or ingested under, never a folder."""
    return re.split(r"[\\/]", name or "")[-1]


@dataclass
class Document:
    """A rebuilt document as ingest returns it and the store keeps it.

    ``doc_id``, ``version`` and ``ingested_at`` are filled by the store;
    ``sha256`` and ``size`` describe the original PDF's bytes.
    """

    sha256: str
    size: int
    page_count: int
    blocks: list[Block]
    metadata: dict[str, Field] = field(default_factory=dict)
    extractor: str = "pypdf"  # which extractor's text was kept
    quality: float = 1.0  # the quality gate's score of the kept text, 0..1
    filename: str = ""  # the name it was ingested under (display only)
    doc_id: str = ""
    version: int = 0
    ingested_at: str = ""
    warnings: list[str] = field(default_factory=list)
    #: What paragraph boundaries came from: "structure" (the tagged PDF's tree, which agreed
    #: with the page) or "geometry" (glyph positions and the text).
    layout: str = "geometry"
    #: OCR, when pages were read from their images: {"pages": [1-based], "confidence": mean 0-100,
    #: "languages": {page: models}, "missing": {page: reason}}; empty when no page was OCR'd.
    ocr: dict[str, Any] = field(default_factory=dict)

    # -- convenience -------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        f = self.metadata.get(key)
        return f.value if f else default

    @property
    def title(self) -> str:
        """The title found or set; never the file's name (a file name is not a title, and a
        path would publish the server's folders)."""
        return self.meta("title") or UNTITLED

    def __post_init__(self) -> None:
        self.filename = base_name(self.filename)

    def authors(self) -> list[dict[str, str | None]]:
        """The authors as a list, each with an affiliation: paired one to one when the
        affiliations are as many as the names, else the one affiliation given to each."""
        names = split_names(self.meta("author") or "")
        affiliation = self.meta("affiliation")
        places = split_names(affiliation or "")
        if len(names) > 1 and len(places) == len(names):
            return [{"name": n, "affiliation": a} for n, a in zip(names, places, strict=True)]
        return [{"name": n, "affiliation": affiliation} for n in names]

    def passages(self) -> list[Block]:
        """Blocks that carry a passage id (all of them, in reading order)."""
        return list(self.blocks)

    # -- JSON round-trip ---------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict, which deep-copies every block first:
        # this runs for every ingested PDF (sandbox reply, catalogue row).
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d["metadata"] = {k: v.to_dict() for k, v in self.metadata.items()}
        d["blocks"] = [b.to_dict() for b in self.blocks]
        d["warnings"] = list(self.warnings)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        d = dict(d)
        d["metadata"] = {k: Field(**v) for k, v in (d.get("metadata") or {}).items()}
        d["blocks"] = [Block(**b) for b in d.get("blocks") or []]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in known})
