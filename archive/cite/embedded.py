"""Metadata embedded in a page for the clients that read pages, not APIs.

* Highwire Press ``citation_*`` meta tags: Google Scholar's inclusion guidelines and
  Zotero's *Embedded Metadata* translator read them (a report is recognised by
  ``citation_technical_report_institution``);
* COinS (OpenURL 1.0 KEV in a ``span.Z3988``): Zotero's COinS translator and link
  resolvers;
* schema.org JSON-LD (``Report`` with ``isPartOf`` its series): search engines and
  Zotero's schema.org support;
* OpenGraph: link previews, with the plain title and the document's locale.

The functions return values, never markup: the template escapes them (and
:func:`json_ld_text` makes the JSON safe inside ``<script>``), so an extracted
title cannot break out of an attribute or a script element.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from archive.cite.reference import Reference

#: OpenGraph's locale for a document language (``og:locale`` is language_TERRITORY).
_OG_LOCALE = {"zh-Hant": "zh_TW", "zh-TW": "zh_TW", "zh-Hans": "zh_CN", "zh-CN": "zh_CN", "zh": "zh_TW",
              "en": "en_US"}


def _slashed(iso: str) -> str:
    """``2023-11-30`` → ``2023/11/30``: the form Google Scholar asks for."""
    return iso.replace("-", "/")


def highwire(ref: Reference) -> list[tuple[str, str]]:
    """The ``citation_*`` tags in the order the guidelines give (each author, then the
    author's institution, so a reader pairs them)."""
    tags: list[tuple[str, str]] = [("citation_title", ref.title)]
    affiliations = list(ref.affiliations)
    for i, name in enumerate(ref.authors):
        tags.append(("citation_author", name.inverted()))
        if len(affiliations) == len(ref.authors):
            tags.append(("citation_author_institution", affiliations[i]))
        elif len(affiliations) == 1:
            tags.append(("citation_author_institution", affiliations[0]))
    if ref.date:
        tags.append(("citation_publication_date", _slashed(ref.date)))
        tags.append(("citation_date", _slashed(ref.date)))
    if ref.publisher:
        tags.append(("citation_technical_report_institution", ref.publisher))
        tags.append(("citation_publisher", ref.publisher))
    if ref.series:
        tags.append(("citation_series_title", ref.series))
    if ref.language:
        tags.append(("citation_language", ref.language))
    first, last = (ref.pages[0], ref.pages[-1]) if ref.pages else ((1, ref.page_count) if ref.page_count else (0, 0))
    if first:
        tags.append(("citation_firstpage", str(first)))
        tags.append(("citation_lastpage", str(last)))
    if ref.pdf_url:
        tags.append(("citation_pdf_url", ref.pdf_url))
    tags.append(("citation_abstract_html_url", ref.url))
    return [(k, v) for k, v in tags if v]


def coins(ref: Reference) -> str:
    """The ``title`` of a COinS span: an OpenURL ContextObject for a report."""
    pairs: list[tuple[str, str]] = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
        ("rft.genre", "report"),
        ("rft.btitle", ref.title),
    ]
    pairs += [("rft.au", n.inverted()) for n in ref.authors]
    if ref.date:
        pairs.append(("rft.date", ref.date))
    if ref.publisher:
        pairs.append(("rft.pub", ref.publisher))
    if ref.place:
        pairs.append(("rft.place", ref.place))
    if ref.series:
        pairs.append(("rft.series", ref.series))
    if ref.pages:
        pairs += [("rft.spage", str(ref.pages[0])), ("rft.epage", str(ref.pages[-1]))]
    elif ref.page_count:
        pairs.append(("rft.tpages", str(ref.page_count)))
    if ref.language:
        pairs.append(("rft.language", ref.language))
    pairs.append(("rft_id", ref.url))
    return urlencode(pairs)


def json_ld(ref: Reference, *, image_url: str = "") -> dict[str, Any]:
    """schema.org ``Report`` for a document; a passage is a ``Quotation`` that is part of it."""
    report: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": ref.title,
        "headline": ref.title[:110],
        "url": ref.url if not ref.passage_id else "",
        "version": str(ref.version),
    }
    if ref.authors:
        affiliations = list(ref.affiliations)
        people = []
        for i, name in enumerate(ref.authors):
            person: dict[str, Any] = {"@type": "Person", "name": name.literal}
            place = affiliations[i] if len(affiliations) == len(ref.authors) else (
                affiliations[0] if len(affiliations) == 1 else "")
            if place:
                person["affiliation"] = {"@type": "Organization", "name": place}
            people.append(person)
        report["author"] = people
    if ref.date:
        report["datePublished"] = ref.date
    if ref.publisher:
        org: dict[str, Any] = {"@type": "Organization", "name": ref.publisher}
        if ref.address:
            org["address"] = ref.address
        report["publisher"] = org
    if ref.series:
        report["isPartOf"] = {"@type": "CreativeWorkSeries", "name": ref.series}
    if ref.language:
        report["inLanguage"] = ref.language
    if ref.page_count:
        report["numberOfPages"] = ref.page_count
    if ref.pdf_url:
        report["encoding"] = {"@type": "MediaObject", "contentUrl": ref.pdf_url,
                              "encodingFormat": "application/pdf"}
    if image_url:
        report["image"] = image_url
    report = {k: v for k, v in report.items() if v}
    if not ref.passage_id:
        return report
    quotation: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "url": ref.url,
        "text": ref.quote,
        "isPartOf": {k: v for k, v in report.items() if k != "@context"},
    }
    if ref.pages:
        quotation["pagination"] = ref.page_range
    return quotation


def json_ld_text(data: dict[str, Any]) -> str:
    """JSON that is safe inside ``<script type="application/ld+json">``: no ``</script>``,
    no ``<!--``, whatever the extracted strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def opengraph(ref: Reference, *, image_url: str = "", site_name: str = "") -> list[tuple[str, str]]:
    """OpenGraph properties: the plain title (never with the author appended), the locale."""
    props = [
        ("og:type", "article"),
        ("og:title", ref.title),
        ("og:url", ref.url),
        ("og:locale", _OG_LOCALE.get(ref.language, "zh_TW")),
    ]
    if site_name:
        props.append(("og:site_name", site_name))
    if image_url:
        props.append(("og:image", image_url))
    if ref.date:
        props.append(("article:published_time", ref.date))
    props += [("article:author", n.literal) for n in ref.authors]
    return [(k, v) for k, v in props if v]
