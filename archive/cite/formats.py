"""Reference managers' exchange formats: CSL-JSON, BibTeX and RIS.

Each writer takes :class:`~archive.cite.reference.Reference` values and returns text
that the format's own parsers read back field for field (the tests parse every
export with citeproc-py, bibtexparser and rispy).  A document is a *report*
(CSL ``report``, BibTeX ``@techreport``, RIS ``RPRT``): commentary and papers
issued by an institute, with the institute as publisher and the series named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from archive.cite.reference import Reference

#: The formats ``archive cite`` and the export links offer, with their media types.
MEDIA_TYPES = {
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl": "application/vnd.citationstyles.csl+json; charset=utf-8",
}
EXTENSIONS = {"bibtex": "bib", "ris": "ris", "csl": "json"}


def _date_parts(iso: str) -> dict[str, list[list[int]]]:
    return {"date-parts": [[int(p) for p in iso.split("-") if p.isdigit()]]}


def csl_item(ref: Reference) -> dict[str, object]:
    """One CSL-JSON item (the schema citeproc-js, citeproc-py and Zotero read)."""
    item: dict[str, object] = {
        "id": ref.key,
        "type": "report",
        "title": ref.title,
        "URL": ref.url,
        "version": str(ref.version),
        "accessed": _date_parts(ref.accessed.isoformat()),
    }
    if ref.authors:
        item["author"] = [n.csl() for n in ref.authors]
    elif ref.publisher:
        # A report with no personal author is cited under its institution (a group author).
        item["author"] = [{"literal": ref.publisher}]
    if ref.date_parts:
        item["issued"] = {"date-parts": [ref.date_parts]}
    if ref.publisher:
        item["publisher"] = ref.publisher
    if ref.place:
        item["publisher-place"] = ref.place
    if ref.series:
        item["collection-title"] = ref.series
    if ref.language:
        item["language"] = ref.language
    if ref.page_range:
        item["page"] = ref.page_range
    if ref.page_count and not ref.passage_id:
        item["number-of-pages"] = str(ref.page_count)
    if ref.passage_id:
        item["note"] = f"Passage {ref.passage_id}"
    return item


def csl_json(refs: Iterable[Reference]) -> str:
    return json.dumps([csl_item(r) for r in refs], ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- BibTeX

_BIB_SPECIAL = re.compile(r"([\\{}%&$#_~^])")
_BIB_REPLACE = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bib(value: str) -> str:
    """A value safe inside BibTeX braces: specials escaped, whitespace on one line."""
    value = " ".join(value.split())
    return _BIB_SPECIAL.sub(lambda m: _BIB_REPLACE.get(m.group(1), "\\" + m.group(1)), value)


def bibtex_entry(ref: Reference) -> str:
    """One ``@techreport`` entry; biblatex's ``date``, ``urldate`` and ``version`` beside
    BibTeX's ``year`` and ``month`` so both toolchains find what they read."""
    fields: list[tuple[str, str]] = [("title", ref.title)]
    if ref.authors:
        fields.append(("author", " and ".join(n.inverted() for n in ref.authors)))
    if ref.publisher:
        fields.append(("institution", ref.publisher))
    if ref.place:
        fields.append(("address", ref.place))
    if ref.series:
        fields.append(("series", ref.series))
    if ref.year:
        fields.append(("year", ref.year))
    if len(ref.date_parts) > 1:
        fields.append(("month", str(ref.date_parts[1])))
    if ref.date:
        fields.append(("date", ref.date))
    if ref.page_range:
        fields.append(("pages", ref.page_range.replace("-", "--")))
    if ref.language:
        fields.append(("language", ref.language))
    fields += [("version", str(ref.version)), ("url", ref.url), ("urldate", ref.accessed.isoformat())]
    if ref.passage_id:
        fields.append(("note", f"Passage {ref.passage_id}"))
    body = ",\n".join(f"  {name} = {{{_bib(value)}}}" for name, value in fields)
    return f"@techreport{{{ref.key},\n{body}\n}}\n"


def bibtex(refs: Iterable[Reference]) -> str:
    return "\n".join(bibtex_entry(r) for r in refs)


# --------------------------------------------------------------------------- RIS


def ris_record(ref: Reference) -> str:
    """One RIS record (``TY  - RPRT`` … ``ER  -``), one tag per line."""
    lines: list[tuple[str, str]] = [("TY", "RPRT"), ("ID", ref.key), ("TI", ref.title)]
    lines += [("AU", n.inverted()) for n in ref.authors]
    if ref.year:
        lines.append(("PY", ref.year))
    if ref.date:
        parts = ref.date.split("-") + ["", ""]
        lines.append(("DA", f"{parts[0]}/{parts[1]}/{parts[2]}/"))
    if ref.publisher:
        lines.append(("PB", ref.publisher))
    if ref.place:
        lines.append(("CY", ref.place))
    if ref.series:
        lines.append(("T3", ref.series))
    if ref.language:
        lines.append(("LA", ref.language))
    if ref.pages:
        lines.append(("SP", str(ref.pages[0])))
        lines.append(("EP", str(ref.pages[-1])))
    lines += [("UR", ref.url), ("Y2", ref.accessed.strftime("%Y/%m/%d/")), ("ET", f"v{ref.version}")]
    if ref.pdf_url:
        lines.append(("L1", ref.pdf_url))
    if ref.passage_id:
        lines.append(("N1", f"Passage {ref.passage_id}"))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}".rstrip() + "\n" for tag, value in lines)


def ris(refs: Iterable[Reference]) -> str:
    return "".join(ris_record(r) for r in refs)


WRITERS = {"bibtex": bibtex, "ris": ris, "csl": csl_json}


def export(refs: Iterable[Reference], fmt: str) -> str:
    """``refs`` in ``fmt`` (a key of :data:`WRITERS`)."""
    return WRITERS[fmt](refs)
