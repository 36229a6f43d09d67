"""The W3C Web Annotation of a passage (the ``/p/<id>.json`` ``annotation`` and ``/p/<id>.jsonld``).

Built from the service's passage view and the document, with the URLs handed in
(the web builds them from its routes, the CLI from ``base_url``), so the
annotation is the same wherever it is made.  It reads no store or index.
"""

from __future__ import annotations

from typing import Any

from archive.models import Document

CREATOR = "政策評論典藏"


def passages_language(doc: Document) -> str:
    """The language tag of the document's script ("zh-Hant", "zh-Hans"), or ""."""
    return {"Traditional": "zh-Hant", "Simplified": "zh-Hans"}.get(doc.meta("script") or "", "")


def annotation(view: dict[str, Any], permalink: str, doc: Document, *, source: str, scope: str,
               homepage: str) -> dict[str, Any]:
    """A W3C Web Annotation of the passage in its version's served text.

    ``source`` is the versioned ``text/plain`` the selectors were computed on, so a quote
    and a position both anchor there and never drift after a revision; ``scope`` is the
    HTML page a reader sees (for a passage that is gone, its archived version's page).
    """
    selector = view.get("selector") or {}
    target: dict[str, Any] = {
        "source": source,
        "format": "text/plain",
        "scope": scope,
        "selector": [s for s in (selector.get("quote"), selector.get("position")) if s],
    }
    language = doc.meta("language") or passages_language(doc)
    if language:
        target["language"] = language
    anno: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": permalink,
        "type": "Annotation",
        "motivation": "linking",
        "creator": {"type": "Software", "name": CREATOR, "homepage": homepage},
        "target": target,
    }
    if doc.ingested_at:
        anno["created"] = doc.ingested_at  # the version's text, and so its selectors, date from then
    return anno
