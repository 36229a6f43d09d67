"""The fast citation path renders exactly what citeproc-py's own lookups and three
renders per style (with, without the version, without the access date) render."""

from __future__ import annotations

from datetime import date

import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from archive.cite import citeproc_fixes, from_document, render_all, styles
from archive.models import Block, Document, Field

ACCESSED = date(2026, 12, 2)

SHAPES = [
    {"title": "美中競逐下的APEC", "author": "王大同、Nancy Pelosi", "affiliation": "遠景基金會研究員",
     "foundation": "財團法人遠景基金會", "series": "遠景論壇", "date": "2023-11-30", "language": "zh-Hant",
     "address": "臺北市中正區"},
    {"title": "半导体供应链的再布局", "author": "李明", "foundation": "某研究院", "date": "2021-05",
     "language": "zh-Hans"},
    {"title": "Deterrence in the Taiwan Strait", "author": "Jane Smith", "date": "2019", "language": "en"},
    {"title": "無作者無日期的報告", "language": "zh-Hant"},
    {"title": "只有機構的報告", "foundation": "國防安全研究院", "language": "zh-Hant", "date": "2024-02-01"},
]


def _doc(meta: dict[str, str], version: int) -> Document:
    return Document(
        sha256="0" * 64, size=10, page_count=3, doc_id=f"d-{version:06x}", version=version,
        metadata={k: Field(v, "text") for k, v in meta.items()},
        blocks=[Block("paragraph", "一段正文。", [2], id="p-00000000000a")],
    )


def _citeproc(item: dict[str, object], file: str, locale: str) -> str:
    """One entry straight from citeproc-py, a freshly parsed style, no memo of any kind."""
    style = CitationStylesStyle(str(styles._STYLES_DIR / file), locale=locale, validate=False)
    bib = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bib.register(Citation([CitationItem(item["id"])]))
    return styles._dedupe_title(" ".join(str(bib.bibliography()[0]).split()), str(item.get("title") or ""))


def _slow(ref) -> list[str]:  # noqa: ANN001
    """Each style rendered as before the fast path: three renders, citeproc's own XPath."""
    out = []
    for key, spec in styles.STYLES.items():
        locale = spec.locale or styles.locale_for(ref.language)
        item = styles.csl_item(ref)
        text = _citeproc(item, spec.file, locale)
        if _citeproc(styles._without(item, "version"), spec.file, locale) == text:
            text = f"{text} {styles._version_note(ref, locale)}"
        if _citeproc(styles._without(item, "accessed"), spec.file, locale) == text:
            text = f"{text} {styles._access_note(ref, locale)}"
        out.append(styles._NUMBER.sub("", text, count=1))
        assert key
    return out


@pytest.mark.parametrize("meta", SHAPES, ids=lambda m: m["title"][:8])
def test_fast_citations_equal_citeprocs_own(meta: dict[str, str]) -> None:
    refs = []
    for version in (1, 7):
        doc = _doc(meta, version)
        refs.append(from_document(doc, url=f"https://archive.example/d/{doc.doc_id}", accessed=ACCESSED))
        refs.append(from_document(doc, url="https://archive.example/p/p-00000000000a", accessed=ACCESSED,
                                  block=doc.blocks[0]))
    fast = [[c["text"] for c in render_all(r)] for r in refs]  # the second of a shape is cached
    citeproc_fixes.remove()
    try:
        slow = [_slow(r) for r in refs]
    finally:
        citeproc_fixes.apply()
    assert fast == slow
    assert all(len(set(texts)) == len(texts) for texts in fast)  # three different styles


def test_the_memo_holds_what_it_keys_on() -> None:
    """An XPath answer is memoised on the element proxy it came from, held alive so that
    its id cannot be reused by another node."""
    render_all(from_document(_doc(SHAPES[0], 2), url="https://archive.example/d/x", accessed=ACCESSED))
    assert citeproc_fixes._memo
    assert all(id(el) == key for key, (el, _answers) in citeproc_fixes._memo.items())
