"""The shapes of what the archive returns: the JSON of the CLI's ``--json`` and the web's twins.

Each shape is a ``TypedDict``: mypy checks the code that builds it, and
:mod:`archive.web.openapi` turns the same classes into ``/openapi.json``'s schemas,
so the description and the responses cannot drift apart (the web tests also
validate real responses against it).  A key that is not always present is
``NotRequired``; ``Annotated[..., Doc(...)]`` carries a field's description (and any
further JSON Schema keywords) into the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, NotRequired, TypedDict


@dataclass(frozen=True)
class Doc:
    """A field's description, and JSON Schema keywords to add (``format="uri"``)."""

    text: str = ""
    keywords: tuple[tuple[str, Any], ...] = ()

    def __init__(self, text: str = "", **extra: Any) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "keywords", tuple(sorted(extra.items())))

    @property
    def extra(self) -> dict[str, Any]:
        return dict(self.keywords)


Span = Annotated[list[int], Doc(minItems=2, maxItems=2)]
Url = Annotated[str, Doc(format="uri")]
BlockType = Literal["title", "heading", "paragraph", "list_item", "caption", "table", "aside", "footnote",
                    "toc", "note", "back_matter"]
Provenance = Literal["pdf-info", "text", "inferred", "archivist"]
EditableField = Literal["title", "series", "author", "affiliation", "foundation", "address", "date", "language"]
PassageStatus = Literal["current", "revised", "gone"]


class ErrorBody(TypedDict):
    """What went wrong: the HTTP status, a title and a one-line message in the UI's language,
    and a stable code for programs (the archive error's own, else the status's word)."""

    status: int
    title: str
    message: str
    code: Annotated[str, Doc("a stable, machine-readable word for the error: the archive "
                             "error's own (edit, alias, catalogue, index-busy, …) or one of the "
                             "web's (csrf, bad-query, format, …), else the status's (bad-request, "
                             "sign-in-required, not-found, method-not-allowed, too-large, "
                             "rate-limited, internal, unavailable, …)",
                             pattern="^[a-z][a-z0-9-]*$")]


class Error(TypedDict):
    error: ErrorBody


class Block(TypedDict):
    id: Annotated[str, Doc("passage id, p- and 12 hex digits")]
    type: BlockType
    text: str
    pages: Annotated[list[int], Doc("1-based pages the block spans")]
    rows: NotRequired[Annotated[list[list[str]], Doc("a table's cells, row by row (tables only)")]]
    source: NotRequired[Annotated[Literal["pdf", "pdfium", "ocr"], Doc(
        "where the text came from: the text layer (pypdf's or PDFium's reading) or OCR")]]
    confidence: NotRequired[Annotated[float, Doc("OCR only: Tesseract's mean confidence, 0-100")]]


class Field(TypedDict):
    value: str
    source: Provenance


class Facet(TypedDict):
    value: str
    count: int


class PassageHit(TypedDict):
    id: str
    page: int | None
    snippet: Annotated[str, Doc("plain text in the document's own script")]
    highlights: Annotated[list[Span], Doc("[start, end) offsets into snippet")]
    snippet_html: Annotated[str, Doc("escaped snippet with <mark> around hits")]


class Hit(TypedDict):
    id: str
    title: str
    score: NotRequired[float]
    author: NotRequired[str | None]
    foundation: NotRequired[str | None]
    series: NotRequired[str | None]
    date: NotRequired[str | None]
    passages: list[PassageHit]
    matches: NotRequired[Annotated[int, Doc("the query's matches in the whole document")]]
    matching_passages: NotRequired[Annotated[int, Doc("passages of the document with a match")]]


class AlsoSearched(TypedDict):
    term: str
    also: list[str]


class Facets(TypedDict):
    author: list[Facet]
    foundation: list[Facet]
    series: list[Facet]
    year: list[Facet]


class TimelineBar(TypedDict):
    period: Annotated[str, Doc("a year (2021) or a month (2021-03)")]
    count: int


class Timeline(TypedDict):
    """Matching documents per year, or per month when the dated ones span two years or less;
    periods between the first and the last are present with 0."""

    unit: Literal["year", "month"]
    bars: list[TimelineBar]
    undated: Annotated[int, Doc("documents without a date, counted apart")]
    dated: int


class DocumentSummary(TypedDict):
    id: str
    title: str
    author: str | None
    foundation: str | None
    series: str | None
    date: str | None
    version: int
    page_count: int
    ingested_at: str


class SearchResult(TypedDict):
    """Exactly what `archive search --json` prints."""

    query: str
    total: int
    page: int
    per_page: int
    pages: int
    sort: str
    took_ms: float
    notices: list[str]
    also_searched: list[AlsoSearched]
    bridge: NotRequired[bool]
    filters: dict[str, list[str]]
    facets: Facets
    timeline: NotRequired[Annotated[Timeline, Doc("the matching documents over time (the year filter left out, as its facet)")]]
    hits: list[Hit]
    recent: NotRequired[Annotated[list[DocumentSummary], Doc("only without a query: the newest documents")]]


class Version(TypedDict):
    version: int
    sha256: str
    ingested_at: str
    page_count: int | None
    current: bool


class Edit(TypedDict):
    field: EditableField
    value: str | None
    old_value: str | None
    user: str
    at: Annotated[str, Doc("ISO 8601, UTC")]


class Ocr(TypedDict, total=False):
    """pages read by OCR, their mean confidence and the models used; empty when none was"""

    pages: list[int]
    confidence: float | None
    languages: dict[str, str]
    missing: Annotated[dict[str, str], Doc("page -> why it has no text")]
    lines: Annotated[int, Doc("lines whose text layer was font-map garbage, read with OCR where they are printed")]


class Author(TypedDict):
    name: str
    affiliation: str | None


class StyledCitation(TypedDict):
    style: Literal["chicago", "apa", "gbt7714"]
    label: str
    text: Annotated[str, Doc("plain text, with version and access date")]
    html: Annotated[str, Doc("the same, HTML-escaped")]


class DocumentView(TypedDict):
    id: str
    doc_id: str
    title: str
    version: int
    current: NotRequired[Annotated[bool, Doc("whether this is the current version")]]
    current_version: NotRequired[int]
    sha256: str
    size: NotRequired[int]
    page_count: int
    filename: NotRequired[str]
    ingested_at: NotRequired[str]
    extractor: NotRequired[str]
    ocr: NotRequired[Ocr]
    layout: NotRequired[Annotated[Literal["structure", "geometry"], Doc(
        "where paragraph boundaries came from: the tagged PDF's structure tree (it agreed with the page) "
        "or glyph geometry")]]
    quality: NotRequired[float]
    warnings: NotRequired[list[str]]
    metadata: dict[str, Field]
    blocks: list[Block]
    versions: list[Version]
    authors: NotRequired[Annotated[list[Author], Doc("the author field as a list, each with an affiliation")]]
    edits: NotRequired[Annotated[list[Edit], Doc("archivists' corrections of the metadata, newest first")]]
    url: Annotated[str, Doc("the document's permanent URL", format="uri")]
    original_url: Annotated[str, Doc("the stored PDF", format="uri")]
    query: NotRequired[Annotated[str, Doc("only with ?q=")]]
    highlights: NotRequired[Annotated[dict[str, list[Span]], Doc("only with ?q=: passage id -> [start, end) spans")]]
    citations: NotRequired[list[StyledCitation]]
    text_url: NotRequired[Annotated[str, Doc("this version's text/plain", format="uri")]]


class TextQuoteSelector(TypedDict):
    type: Literal["TextQuoteSelector"]
    exact: str
    prefix: str
    suffix: str


class TextPositionSelector(TypedDict):
    """Unicode code point offsets into the document's full text: its blocks' text joined by a blank line ("\\n\\n")."""

    type: Literal["TextPositionSelector"]
    start: int
    end: int


class Selectors(TypedDict):
    quote: TextQuoteSelector
    position: TextPositionSelector


class PassageDocument(TypedDict):
    title: str
    author: NotRequired[str | None]
    affiliation: NotRequired[str | None]
    series: NotRequired[str | None]
    foundation: NotRequired[str | None]
    date: NotRequired[str | None]
    page_count: NotRequired[int]
    sha256: NotRequired[str]


class Passage(TypedDict):
    status: PassageStatus
    requested: str
    passage_id: Annotated[str | None, Doc("id in the current version; null when gone")]
    doc_id: str
    version: Annotated[int, Doc("version the block is shown from")]
    confidence: NotRequired[float | None]
    block: Block
    before: list[Block]
    after: list[Block]
    archived: NotRequired[Block]
    archived_version: NotRequired[int]
    current_version: NotRequired[Annotated[int, Doc("only when gone")]]
    index: NotRequired[Annotated[int, Doc("the block's place in its version")]]
    selector: NotRequired[Selectors]
    document: PassageDocument


class Creator(TypedDict):
    type: str
    name: str
    homepage: str


class AnnotationTarget(TypedDict):
    source: Annotated[str, Doc("the cited version's text, /d/{doc_id}/v{version}.txt: the selectors count "
                               "its code points", format="uri")]
    format: Literal["text/plain"]
    language: NotRequired[Annotated[str, Doc("BCP 47")]]
    scope: Annotated[str, Doc("the HTML page a reader sees", format="uri")]
    selector: list[TextQuoteSelector | TextPositionSelector]


Annotation = TypedDict("Annotation", {
    "@context": str,
    "id": str,
    "type": Literal["Annotation"],
    "motivation": str,
    "created": NotRequired[Annotated[str, Doc("when the cited version was stored")]],
    "creator": Creator,
    "target": AnnotationTarget,
})
Annotation.__doc__ = "A W3C Web Annotation whose target is the passage in its version's text."


class Citation(TypedDict):
    author: str | None
    authors: list[str]
    title: str
    series: str | None
    foundation: str | None
    date: str | None
    page: str | None
    url: str
    text: Annotated[str, Doc("ready to paste")]


class PassagePage(TypedDict):
    status: PassageStatus
    url: Annotated[str, Doc("the permanent URL", format="uri")]
    passage: Passage
    citation: Citation
    citations: NotRequired[list[StyledCitation]]
    annotation: Annotation
    annotation_url: NotRequired[Annotated[str, Doc(
        "the annotation alone, application/ld+json with the Web Annotation profile", format="uri")]]
    text_url: NotRequired[Annotated[str, Doc("the version's text/plain", format="uri")]]
    document_url: NotRequired[Annotated[str, Doc("where to read it (not when gone)")]]
    archived_url: NotRequired[Annotated[str, Doc("the archived version (only when gone)")]]


class ConcordanceLine(TypedDict):
    doc_id: str
    title: str
    date: str
    passage_id: str
    page: int | None
    left: str
    match: str
    right: str
    url: NotRequired[str]


class Concordance(TypedDict):
    """Every occurrence of the query with its left and right context."""

    query: str
    sort: Literal["document", "left", "right", "match"]
    lines: list[ConcordanceLine]
    count: int
    documents: int
    total_documents: int
    truncated: bool
    limit: int


class EntityDocument(TypedDict):
    id: str
    title: str
    date: NotRequired[str | None]
    author: NotRequired[str | None]
    foundation: NotRequired[str | None]
    series: NotRequired[str | None]
    affiliation: NotRequired[str | None]


class YearCount(TypedDict):
    year: str
    count: int


class Affiliation(TypedDict):
    affiliation: str
    count: int
    first: str | None
    last: str | None


class NameCount(TypedDict):
    name: str
    count: int


class Contact(TypedDict):
    value: str
    count: int
    last: str | None


class Entity(TypedDict):
    """A person, institution or series: its documents, years, affiliations, contacts."""

    kind: Literal["author", "foundation", "series"]
    name: str
    key: str
    spellings: list[str]
    #: the names an archivist merged into this entity, the shown one first ([]: none)
    merged: list[str]
    total: int
    documents: list[EntityDocument]
    years: list[YearCount]
    timeline: Timeline
    affiliations: NotRequired[list[Affiliation]]
    coauthors: NotRequired[list[NameCount]]
    contacts: NotRequired[dict[str, list[Contact]]]


class PageView(TypedDict):
    """A passage on its original page: the page image's size and the passage's boxes."""

    page: int
    width: int
    height: int
    scale: Annotated[float, Doc("image pixels per PDF point")]
    points: Annotated[list[float], Doc("the page's width and height in PDF points")]
    found: Annotated[int, Doc("characters of the passage found on this page")]
    of: Annotated[int, Doc("characters of the passage (whitespace left out)")]
    boxes: Annotated[list[list[float]], Doc("one box per printed line: x, y, width, height in image pixels")]
    pdf_boxes: Annotated[list[list[float]], Doc("the same in PDF points: left, bottom, right, top")]
    passage_id: str
    doc_id: str
    version: int
    pages: list[int]
    image_url: Url
    passage_url: Url


class Job(TypedDict):
    id: str
    filename: str
    size: int
    status: Literal["queued", "working", "ingested", "unchanged", "updated", "failed"]
    done: bool
    position: Annotated[int | None, Doc("place in the queue while pending")]
    doc_id: str | None
    version: int | None
    reason: str | None
    replaces: str | None


class UploadState(TypedDict):
    user: str | None
    max_upload_bytes: int
    max_files: int
    jobs: list[Job]
    done: bool


class Session(TypedDict):
    user: str | None
    error: str | None
    next: str | None


#: The shapes ``/openapi.json`` names under ``components/schemas``.
SCHEMA_TYPES: tuple[Any, ...] = (
    Error, Block, Field, Facet, PassageHit, Hit, SearchResult, DocumentSummary, Version, Edit, DocumentView,
    Passage, TextQuoteSelector, TextPositionSelector, Annotation, ConcordanceLine, Concordance, Entity,
    StyledCitation, Citation, PassagePage, PageView, Job, UploadState, Session,
)
