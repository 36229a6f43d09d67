"""One reference: what every export and citation style is made from.

A :class:`Reference` is built from a stored document (and, for a passage, its
block) once; BibTeX, RIS, CSL-JSON, the styled citations, the embedded page
metadata and the results tables all read it, so a field cannot be right in one
and wrong in another.  It names the version it cites and the day it was
accessed, because a document in this archive can be revised after it is cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from archive.models import Block, Document, split_names

#: A name written in Latin letters ("Nancy Pelosi", "Smith, John") rather than in Han.
_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ.'\- ,]*$")


@dataclass(frozen=True)
class Name:
    """An author: a Latin name split into family and given, any other name kept whole.

    Chinese names are not split: a compound surname (歐陽, 司馬) cannot be told from a
    one-character surname by rule, and every style prints a Han name whole anyway.
    """

    literal: str
    family: str = ""
    given: str = ""

    @classmethod
    def parse(cls, text: str) -> Name:
        text = " ".join(text.split())
        if _LATIN_NAME.match(text):
            if "," in text:
                family, _, given = (p.strip() for p in text.partition(","))
                return cls(text, family, given)
            parts = text.split(" ")
            if len(parts) == 2 and "-" in parts[1] and "-" not in parts[0]:
                # A romanised Chinese name (Tsai Ing-wen): family name first.
                return cls(text, parts[0], parts[1])
            if len(parts) > 1:
                return cls(text, parts[-1], " ".join(parts[:-1]))
        return cls(text)

    def csl(self) -> dict[str, str]:
        return {"family": self.family, "given": self.given} if self.family else {"literal": self.literal}

    def inverted(self) -> str:
        """``Family, Given`` for BibTeX and RIS (a Han name as written)."""
        return f"{self.family}, {self.given}" if self.family else self.literal


@dataclass(frozen=True)
class Reference:
    """A document, or one passage of it, as a citation names it."""

    id: str  # the document id (a passage adds ``passage_id``)
    title: str
    url: str  # the permalink cited: the document page or the passage link
    version: int
    accessed: date
    authors: tuple[Name, ...] = ()
    affiliations: tuple[str, ...] = ()
    date: str = ""  # ISO 8601 prefix: YYYY, YYYY-MM or YYYY-MM-DD
    publisher: str = ""  # the foundation or institute that issued it
    place: str = ""  # the publisher's city, as a citation names it (臺北市)
    address: str = ""  # the publisher's full address, as the document gives it
    series: str = ""
    language: str = ""  # BCP 47 (zh-Hant, zh-Hans, en)
    pages: tuple[int, ...] = ()  # a passage's first and last page; empty for a whole document
    page_count: int = 0
    pdf_url: str = ""
    passage_id: str = ""
    quote: str = ""  # a passage's text, for notes that quote it
    keywords: tuple[str, ...] = field(default_factory=tuple)

    @property
    def year(self) -> str:
        return self.date[:4]

    @property
    def date_parts(self) -> list[int]:
        return [int(p) for p in self.date.split("-") if p.isdigit()]

    @property
    def page_range(self) -> str:
        """``"3"`` or ``"3-5"`` (an ASCII hyphen: every export format reads it)."""
        if not self.pages:
            return ""
        first, last = self.pages[0], self.pages[-1]
        return str(first) if first == last else f"{first}-{last}"

    @property
    def key(self) -> str:
        """A citation key that is ASCII, stable for a version, and unique in the archive."""
        base = re.sub(r"[^A-Za-z0-9]", "", self.id) or "doc"
        tail = f"-{re.sub(r'[^A-Za-z0-9]', '', self.passage_id)}" if self.passage_id else ""
        return f"{base}v{self.version}{tail}"


def from_document(
    doc: Document,
    *,
    url: str,
    accessed: date | None = None,
    pdf_url: str = "",
    block: Block | None = None,
) -> Reference:
    """The reference for ``doc`` (or for its passage ``block``), cited at ``url`` today."""
    names = tuple(Name.parse(n) for n in split_names(doc.meta("author") or ""))
    places = tuple(a["affiliation"] or "" for a in doc.authors() if a.get("affiliation"))
    # A passage cites its pages; a whole document cites none (it has ``page_count``).
    pages: tuple[int, ...] = (block.pages[0], block.pages[-1]) if block is not None and block.pages else ()
    return Reference(
        id=doc.doc_id,
        title=doc.meta("title") or "",
        url=url,
        version=doc.version,
        accessed=accessed or date.today(),
        authors=names,
        affiliations=tuple(dict.fromkeys(p for p in places if p)),
        date=doc.meta("date") or "",
        publisher=doc.meta("foundation") or "",
        place=place_of(doc.meta("address") or ""),
        address=doc.meta("address") or "",
        series=doc.meta("series") or "",
        language=doc.meta("language") or _language_of(doc),
        pages=pages,
        page_count=doc.page_count,
        pdf_url=pdf_url,
        passage_id=block.id if block is not None else "",
        quote=block.text if block is not None else "",
    )


#: A place of publication is the city or county an address starts with (after a postal code):
#: 臺北市汀州路三段 60 巷 1 號 → 臺北市; 10058 台北市中正區… → 台北市.
_CITY = re.compile(r"^\s*\d{0,6}\s*(?:(?:臺灣|台灣|中華民國)省?)?\s*(?P<city>[^\d\s,，]{1,4}?[市縣县])")


def place_of(address: str) -> str:
    """The city an address names first, or the address itself when it is only a place name."""
    m = _CITY.match(address)
    if m:
        return m.group("city")
    short = address.strip()
    return short if short and len(short) <= 12 and not re.search(r"\d", short) else ""


def _language_of(doc: Document) -> str:
    script = doc.meta("script")
    return {"Traditional": "zh-Hant", "Simplified": "zh-Hans"}.get(script or "", "zh")
