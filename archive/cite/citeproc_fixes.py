"""The one patch of citeproc-py's internals, in one place (applied on import by
:mod:`archive.cite.styles`).

Why: every document and passage page shows its citation in three styles, and citeproc-py
spent about 25 ms on each bibliography entry, most of it in ``xpath_search``: a
macro, a term or the enclosing layout is looked up by a fresh XPath query over the style's
tree every time it is used (``get_macro`` alone runs hundreds of queries per entry).  A
style's tree never changes once parsed, so a query from a given element always answers
the same nodes: :func:`apply` memoises the answers per element and expression.

Soundness: lxml hands out a new Python proxy for a node once the old one is freed, so the
memo keys on the proxy's ``id`` *and holds the proxy*, which keeps that ``id`` from being
reused by another node.  What it holds is bounded by the styles and locales loaded (the
style cache of :mod:`archive.cite.styles` keeps a handful).  Only XPath answers are
memoised, never rendered text, so an item renders exactly as without the patch
(``tests/cite/test_citeproc_fixes.py`` compares both ways on every style).
"""

from __future__ import annotations

import threading
from typing import Any

from citeproc import model

_original = model.CitationStylesElement.xpath_search
_memo: dict[int, tuple[Any, dict[str, list[Any]]]] = {}
_lock = threading.Lock()


def _xpath_search(self: Any, expression: str) -> list[Any]:
    entry = _memo.get(id(self))
    if entry is None or entry[0] is not self:
        with _lock:
            entry = _memo.setdefault(id(self), (self, {}))
    answers = entry[1]
    found = answers.get(expression)
    if found is None:
        found = answers[expression] = _original(self, expression)
    return list(found)


def apply() -> None:
    """Install the memo (idempotent)."""
    model.CitationStylesElement.xpath_search = _xpath_search


def remove() -> None:
    """Restore citeproc-py's own lookup (for the test that compares both)."""
    model.CitationStylesElement.xpath_search = _original
