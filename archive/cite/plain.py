"""The one-line Chinese citation of a passage, the sentence a researcher pastes into a footnote.

``作者，〈標題〉，《系列》，機構，日期，頁 N。URL``: made from the service's passage
view and a permalink handed in (the web's or the CLI's); it reads no store or index.
The styled references (Chicago, APA, GB/T 7714) are :mod:`archive.cite.styles`'.
"""

from __future__ import annotations

from typing import Any

from archive.models import split_names


def page_range(pages: list[int]) -> str:
    """``"3"`` or ``"3–5"`` (an en dash, as a Chinese footnote writes it), "" for none."""
    if not pages:
        return ""
    return str(pages[0]) if len(pages) == 1 else f"{pages[0]}–{pages[-1]}"


def citation(view: dict[str, Any], permalink: str) -> dict[str, Any]:
    """The parts of a citation, and ``text``: the sentence itself."""
    doc = view.get("document") or {}
    page = page_range((view.get("block") or {}).get("pages") or [])
    parts = {
        "author": doc.get("author"),
        "authors": split_names(doc.get("author") or ""),
        "title": doc.get("title"),
        "series": doc.get("series"),
        "foundation": doc.get("foundation"),
        "date": doc.get("date"),
        "page": page or None,
        "url": permalink,
    }
    text = []
    if parts["author"]:
        text.append(f"{parts['author']}，")
    text.append(f"〈{parts['title']}〉")
    if parts["series"]:
        text.append(f"，《{parts['series']}》")
    if parts["foundation"]:
        text.append(f"，{parts['foundation']}")
    if parts["date"]:
        text.append(f"，{parts['date']}")
    if page:
        text.append(f"，頁 {page}")
    text.append(f"。{permalink}")
    parts["text"] = "".join(text)
    return parts
