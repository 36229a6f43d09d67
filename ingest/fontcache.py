"""Parse each font of a PDF once per document, not once per page.

pypdf's ``extract_text`` rebuilds every font a page uses (``Font.from_font_resource``:
the ToUnicode CMap, the widths) on every page.  A commentary's CJK font has a
ToUnicode map of a few thousand entries, and parsing it again for each page is
about a third of pypdf's extraction time.  The font dictionaries are the same
objects from page to page (the reader resolves each indirect object once), so
:func:`reuse_fonts` memoises the parsed :class:`Font` by that object for the
duration of one document's extraction.

Only the wrapper is installed globally, once; the cache is a context variable,
so concurrent extractions in threads never share one, and outside
:func:`reuse_fonts` pypdf behaves exactly as shipped.  If a pypdf release
renames the hook, nothing is installed and extraction is merely slower.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator
from typing import Any

#: id(font dictionary) -> (the dictionary, kept alive so its id is not reused; its Font)
_CACHE: contextvars.ContextVar[dict[int, tuple[Any, Any]] | None] = contextvars.ContextVar(
    "pypdf_font_cache", default=None
)
_INSTALL_LOCK = threading.Lock()
_installed = False


def _install() -> bool:
    """Wrap ``pypdf``'s ``Font.from_font_resource`` with the cache lookup (once per process)."""
    global _installed
    with _INSTALL_LOCK:
        if _installed:
            return True
        try:
            from pypdf.generic._font import Font
        except ImportError:
            return False
        original = Font.__dict__.get("from_font_resource")
        if not isinstance(original, classmethod):
            return False
        build = original.__func__

        def from_font_resource(cls: type, pdf_font_dict: Any) -> Any:
            cache = _CACHE.get()
            if cache is None:
                return build(cls, pdf_font_dict)
            hit = cache.get(id(pdf_font_dict))
            if hit is not None and hit[0] is pdf_font_dict:
                return hit[1]
            font = build(cls, pdf_font_dict)
            cache[id(pdf_font_dict)] = (pdf_font_dict, font)
            return font

        Font.from_font_resource = classmethod(from_font_resource)  # type: ignore[method-assign,assignment]  # patching pypdf's Font on purpose
        _installed = True
        return True


@contextlib.contextmanager
def reuse_fonts() -> Iterator[None]:
    """Within this block (one document), each font dictionary is parsed by pypdf once."""
    if not _install():
        yield
        return
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)
