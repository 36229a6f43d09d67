"""Getting page texts and document info out of PDF bytes, with either extractor.

pypdf is the primary extractor; pypdfium2 (PDFium) is the second opinion that
the quality gate asks when pypdf's text looks wrong, and the recovery path
when pypdf cannot open a damaged file at all.  Everything the libraries raise
is turned into :class:`IngestError` here, so the rest of ingest works on
plain strings.
"""

from __future__ import annotations

import io
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pypdf
import pypdfium2 as pdfium
from pypdf.generic import IndirectObject

from .errors import IngestError, one_line
from .fontcache import reuse_fonts
from .geometry import TextLine, pdfium_lines
from .normalize import width
from .structure import document_roles, is_tagged

_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe


@dataclass
class PdfText:
    """One extractor's view of a PDF: raw page texts, Info fields, problems met.

    ``lines`` has, for each page, the page's lines with their geometry, or None
    where the extractor could not place them (rotated or vertical text, text
    whose positions disagree with the page text); layout then falls back to its
    text-only rules for that page.
    """

    extractor: str
    pages: list[str]
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    lines: list[list[TextLine] | None] = field(default_factory=list)
    unread: list[int] = field(default_factory=list)  # pages (1-based) the extractor failed to read

    @property
    def page_count(self) -> int:
        return len(self.pages)


def _detail(exc: BaseException) -> str:
    text = one_line(str(exc), 120)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


#: PDF files start with this; the spec tolerates junk before it within the first KiB.
PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024


def header_problem(data: bytes) -> IngestError | None:
    """Why ``data`` is not a PDF by its first KiB (empty, or no ``%PDF-``); None if it may be one.

    The one header check: extraction raises it (:func:`check_header`), the web
    upload refuses a file with its reason before queueing it.
    """
    if not data:
        return IngestError("empty file", web="檔案是空的")
    if PDF_MAGIC not in data[:MAGIC_WINDOW]:
        return IngestError("not a PDF (no %PDF header)", web="不是 PDF 檔（缺少 %PDF 檔頭）")
    return None


def check_header(data: bytes) -> None:
    """Refuse what is not a PDF before any parser sees it (readers allow junk in the first KB)."""
    problem = header_problem(data)
    if problem is not None:
        raise problem


def _decrypt(reader: pypdf.PdfReader, password: str | None) -> None:
    """Empty user password first; then the given one; a clear reason otherwise."""
    try:
        if reader.decrypt(""):
            return
        if password is None:
            raise IngestError("encrypted: give --password")
        if not reader.decrypt(password):
            raise IngestError("wrong password")
    except IngestError:
        raise
    except Exception as exc:  # unsupported algorithm, missing dependency, broken /Encrypt
        raise IngestError(f"encrypted: cannot decrypt ({_detail(exc)})") from exc


def open_pypdf(data: bytes, password: str | None) -> pypdf.PdfReader:
    """A decrypted, non-strict reader; ``IngestError`` for encryption problems.

    Other exceptions propagate so the caller can try recovery with PDFium.
    """
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        _decrypt(reader, password)
    return reader


def _info_value(value: Any) -> Any:
    if isinstance(value, IndirectObject):
        value = value.get_object()
    original = getattr(value, "original_bytes", None)
    if isinstance(value, str):
        return {"text": str(value), "bytes": original}
    return None


def pypdf_info(reader: pypdf.PdfReader) -> dict[str, Any]:
    """Info dictionary and XMP fields as ``{"Title": {"text", "bytes"}, ..., "xmp_*": str}``."""
    info: dict[str, Any] = {}
    try:
        raw = reader.trailer.get("/Info")
        raw = raw.get_object() if raw is not None else None
        if isinstance(raw, dict):
            for key in ("/Title", "/Author", "/CreationDate", "/ModDate", "/Producer", "/Creator"):
                if key in raw:
                    value = _info_value(raw[key])
                    if value is not None:
                        info[key[1:]] = value
    except Exception as exc:
        info["error"] = _detail(exc)
    try:
        xmp = reader.xmp_metadata
        if xmp is not None:
            title = xmp.dc_title or {}
            if isinstance(title, dict) and title:
                info["xmp_title"] = title.get("x-default") or next(iter(title.values()))
            creators = xmp.dc_creator or []
            if creators:
                info["xmp_author"] = "、".join(str(c) for c in creators)
            for attr, key in (("xmp_create_date", "xmp_created"), ("xmp_modify_date", "xmp_modified")):
                value = getattr(xmp, attr, None)
                if value is not None:
                    info[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
            if xmp.pdf_producer:
                info["xmp_producer"] = str(xmp.pdf_producer)
    except Exception:  # malformed XMP is common and never fatal
        pass
    return info


_BOLD = re.compile(r"bold|black|heavy|demi|[-,]b$|w[6-9]$", re.IGNORECASE)


def _font_is_bold(font: Any) -> bool:
    try:
        name = str(font.get("/BaseFont", "")) if font is not None else ""
    except Exception:
        return False
    return bool(_BOLD.search(name.split("+")[-1]))


class _LineCollector:
    """pypdf ``visitor_text``: its text runs, with their matrices and sizes, grouped into lines.

    pypdf calls the visitor with every run it adds to the page text, and
    with the newlines it inserts, so the lines here are exactly the lines of
    ``extract_text``'s result, each placed where its first run was drawn.
    """

    __slots__ = ("lines", "_frags", "_usable", "_bold", "_top")

    def __init__(self, top: float) -> None:
        self.lines: list[TextLine] = []
        self._frags: list[tuple[str, float, float, float, float, bool]] = []
        self._usable = True
        self._bold: dict[int, bool] = {}
        self._top = top  # the page's top edge in user space

    def __call__(self, text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text:
            return
        if "\n" not in text:
            self._add(text, cm, tm, font, size)
            return
        head, *rest = text.split("\n")
        if head:
            self._add(head, cm, tm, font, size)
        for part in rest:
            self._flush()
            if part:  # a run that spans lines: its second line's position is unknown
                self._usable = False
                self._add(part, cm, tm, font, size)

    def _add(self, text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        if a <= 0 or d <= 0 or abs(b) > 0.01 * a or abs(c) > 0.01 * d:
            if text.strip():
                self._usable = False  # rotated, mirrored or vertical: positions mean nothing here
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        key = id(font)
        bold = self._bold.get(key)
        if bold is None:
            bold = self._bold[key] = _font_is_bold(font)
        self._frags.append((text, x, y, abs(size) * d, abs(size) * a, bold))

    def _flush(self) -> None:
        frags = [f for f in self._frags if f[0].strip()]
        self._frags = []
        if not frags:
            return
        main = max(frags, key=lambda f: len(f[0]))
        self.lines.append(TextLine(
            text="".join(f[0] for f in frags),
            x0=min(f[1] for f in frags),
            x1=max(f[1] + width(f[0].rstrip()) * f[4] for f in frags),
            top=self._top - frags[0][2],
            size=round(main[3], 2),
            bold=all(f[5] for f in frags),
        ))

    def finish(self, page_text: str) -> list[TextLine] | None:
        """The page's lines, or None if they do not spell the page text (then geometry is unusable)."""
        self._flush()
        if not self._usable:
            return None
        mine = "".join("".join(line.text for line in self.lines).split())
        return self.lines if mine == "".join(page_text.split()) else None


def _page_top(page: Any) -> float:
    try:
        return float(page.mediabox.top)
    except Exception:
        return 0.0


def pypdf_text(reader: pypdf.PdfReader) -> PdfText:
    """Page texts (and their lines' geometry) from pypdf; a page that fails becomes '' with a warning."""
    pages: list[str] = []
    lines: list[list[TextLine] | None] = []
    warnings: list[str] = []
    unread: list[int] = []
    with reuse_fonts():  # a document's fonts are parsed once, not once per page
        for number, page in enumerate(reader.pages, start=1):
            collector = _LineCollector(_page_top(page))
            try:
                text = page.extract_text(visitor_text=collector) or ""
            except Exception as exc:  # includes RecursionError and pypdf's LimitReachedError
                pages.append("")
                lines.append(None)
                warnings.append(f"pypdf page {number}: {_detail(exc)}")
                unread.append(number)
                continue
            pages.append(text)
            lines.append(collector.finish(text))
    return PdfText("pypdf", pages, pypdf_info(reader), warnings, lines, unread)


def pdfium_text(data: bytes, password: str | None) -> PdfText:
    """Page texts and Info from PDFium; ``IngestError`` if it cannot open the file."""
    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data, password=password)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise IngestError("wrong password" if password else "encrypted: give --password") from exc
            raise IngestError(f"corrupt PDF: {_detail(exc)}") from exc
        pages: list[str] = []
        lines: list[list[TextLine] | None] = []
        warnings: list[str] = []
        unread: list[int] = []
        try:
            roles = document_roles(data, password) if is_tagged(doc.raw) else None
            for index in range(len(doc)):
                try:
                    page = doc[index]
                    textpage = page.get_textpage()
                    text = textpage.get_text_range()
                    geometry = pdfium_lines(textpage, page.get_height(), page,
                                            roles.get(index) if roles else None)
                    pages.append(text)
                    lines.append(geometry)
                    textpage.close()
                    page.close()
                except Exception as exc:
                    pages.append("")
                    lines.append(None)
                    warnings.append(f"pypdfium2 page {index + 1}: {_detail(exc)}")
                    unread.append(index + 1)
            info: dict[str, Any] = {}
            try:
                for key, value in doc.get_metadata_dict(skip_empty=True).items():
                    if key in ("Title", "Author", "CreationDate", "ModDate", "Producer", "Creator"):
                        info[key] = {"text": value, "bytes": None}
            except Exception:
                pass
        finally:
            doc.close()
    # PDFium marks a hyphen it generated at a line end with U+FFFE (or U+0002).
    pages = [_pdfium_hyphens(p) for p in pages]
    for page_lines in lines:
        for line in page_lines or ():
            line.text = _pdfium_hyphens(line.text)
    return PdfText("pypdfium2", pages, info, warnings, lines, unread)


@dataclass
class PageTree:
    """The shape of a document's page tree, walked without recursion (see :func:`page_tree`)."""

    depth: int  # /Pages nodes on the longest path from the root (a one-level tree: 1)
    pages: int  # leaves: the page objects
    looped: bool  # a node is reached twice: a /Kids entry refers back up the tree


#: Nodes :func:`page_tree` visits at most (a walk through a hostile file stays short).
MAX_TREE_NODES = 200_000


def page_tree(data: bytes, password: str | None = None) -> PageTree | None:
    """The page tree's depth, page count and loops, read node by node with pypdf (whose own
    walk stops at 100 levels); None when even its root cannot be read."""
    try:
        reader = open_pypdf(data, password)
        root = reader.trailer["/Root"].get_object()
        assert isinstance(root, pypdf.generic.DictionaryObject)
        top = root.raw_get("/Pages")
    except Exception:
        return None
    tree = PageTree(0, 0, False)
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(top, 1)]
    visited = 0
    while stack and visited < MAX_TREE_NODES:
        ref, depth = stack.pop()
        visited += 1
        if isinstance(ref, IndirectObject):
            key = (ref.idnum, ref.generation)
            if key in seen:
                tree.looped = True
                continue
            seen.add(key)
        try:
            node = ref.get_object()
            kids = node.raw_get("/Kids") if "/Kids" in node else None
            kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
        except Exception:
            continue  # an unreadable node: neither a level nor a page
        if kids is None:
            tree.pages += 1
            continue
        tree.depth = max(tree.depth, depth)
        if isinstance(kids, list):
            stack.extend((kid, depth + 1) for kid in reversed(kids))
    return tree


def _pdfium_hyphens(text: str) -> str:
    return text.replace("\ufffe", "-").replace("\x02", "-")


def place(placed: list[list[TextLine] | None], page_texts: list[str],
          own: list[list[TextLine] | None]) -> list[list[TextLine] | None]:
    """PDFium's glyph-placed lines for each page whose characters agree with ``page_texts``.

    The kept text (pypdf's, here) decides whether a page is readable; PDFium
    says *where* each glyph is.  Where the two read different characters,
    PDFium's lines are used only if the quality gate scores them good and no
    worse than the kept text (pypdf misreads some embedded CFF CMaps);
    otherwise the page keeps the kept extractor's own line positions (``own``).
    """
    out = []
    for index, text in enumerate(page_texts):
        lines = placed[index] if index < len(placed) else None
        fallback = own[index] if index < len(own) else None
        usable = lines is not None and _better_or_same("".join(line.text for line in lines), text)
        out.append(lines if usable else fallback)
    return out


def _better_or_same(placed: str, kept: str) -> bool:
    """Use PDFium's glyphs when they read what the kept text reads, or read it at least as cleanly."""
    if agrees(placed, kept):
        return True
    from .quality import GOOD, score

    mine = score(placed).score
    return mine >= GOOD and mine >= score(kept).score


def agrees(a: str, b: str, threshold: float = 0.97) -> bool:
    """Do two extractions of a page read (nearly) the same characters, whatever their order?"""
    bag_a = Counter(ch for ch in a if not ch.isspace())
    bag_b = Counter(ch for ch in b if not ch.isspace() and ch != "\x00")
    total = max(sum(bag_a.values()), sum(bag_b.values()))
    if total == 0:
        return False
    return sum((bag_a & bag_b).values()) >= threshold * total
