"""The one place that decides between a page and its JSON twin.

A view builds one dictionary.  ``Accept: application/json`` (preferred over
HTML) or a ``.json`` URL gets that dictionary as JSON; everyone else gets the
template rendered with the same dictionary as ``data``.  Keeping the twin and
the page on one dictionary is what keeps them from drifting apart.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from markupsafe import Markup, escape


def wants_json() -> bool:
    """True for a ``.json`` URL or when the client prefers JSON to HTML."""
    if request.path.endswith(".json"):
        return True
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", "application/json"])
    if best != "application/json":
        return False
    return accept["application/json"] > accept["text/html"]


def render(
    template: str,
    data: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **page: Any,
) -> Response:
    """Render ``template`` with ``data`` (and page-only extras), or ``data`` as JSON.

    ``page`` holds things only the HTML needs (e.g. a CSRF token or URL
    helpers); they never leak into the JSON twin.
    """
    if wants_json():
        resp = jsonify(data)
    else:
        resp = Response(render_template(template, data=data, **page), mimetype="text/html")
    resp.status_code = status
    resp.headers.add("Vary", "Accept")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


# -- template helpers: the only places text becomes markup ------------------
def marked(text: str | None, spans: list[list[int]] | None, *, css_class: str | None = "hit"
           ) -> Markup:
    """``text`` escaped, with ``<mark>`` around each ``[start, end)`` span.

    Spans come from the service as offsets into the original text; overlapping
    or out-of-range spans are clipped rather than trusted.
    """
    text = text or ""
    out: list[str] = []
    pos = 0
    open_tag = f'<mark class="{css_class}">' if css_class else "<mark>"
    for start, end in sorted((int(s), int(e)) for s, e in (spans or [])):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(str(escape(text[pos:start])))
        out.append(f"{open_tag}{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def with_snippet_html(result: dict[str, Any]) -> dict[str, Any]:
    """Add each passage's ``snippet_html`` (the JSON contract: the escaped snippet with a
    plain ``<mark>`` around each highlight) to a search result; the core gives spans only."""
    for hit in result.get("hits", []):
        for p in hit.get("passages", []):
            if "snippet" in p:
                p["snippet_html"] = str(marked(p["snippet"], p.get("highlights"), css_class=None))
    return result


def safe_href(url: str | None) -> str | None:
    """A link target for an extracted web address, or None if it is not plainly http(s)."""
    url = (url or "").strip().strip("<>")
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    lower = url.lower()
    if lower.startswith(("http://", "https://")):
        return url
    if re.match(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", lower):
        return "http://" + url
    return None


def filesize(n: int | None) -> str:
    n = int(n or 0)
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def page_label(pages: list[int] | None) -> str:
    """"第 3 頁" or "第 3–4 頁" for a block spanning a page break."""
    pages = list(pages or [])
    if not pages:
        return ""
    if pages[0] == pages[-1]:
        return f"第 {pages[0]} 頁"
    return f"第 {pages[0]}–{pages[-1]} 頁"


#: Invisible characters that reorder or hide text: bidi embeddings, overrides and isolates,
#: directional marks, zero-width spaces and joiners, the word joiner and invisible operators,
#: and the BOM.  A title or author carrying them can display as something else (a spoofed
#: "Trojan Source" name); the stored text keeps them, every page prints without them.
INVISIBLE = dict.fromkeys(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
     *range(0x2066, 0x206A), 0xFEFF, 0x00AD, 0x180E],
)


_HAS_INVISIBLE = re.compile("[" + "".join(map(chr, INVISIBLE)) + "]")


def visible(value: Any) -> Any:
    """Jinja's ``finalize``: every printed string without :data:`INVISIBLE` characters (a
    regex scan first: it runs for every ``{{ }}`` on every page, and almost never finds one)."""
    if not isinstance(value, str) or not _HAS_INVISIBLE.search(value):
        return value
    if isinstance(value, Markup):
        return Markup(str(value).translate(INVISIBLE))
    return value.translate(INVISIBLE)


def init_app(app: Flask) -> None:
    app.jinja_env.finalize = visible
    app.jinja_env.filters.update(marked=marked, safe_href=safe_href, filesize=filesize,
                                 page_label=page_label, visible=visible)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
