"""The patches of citeproc-py's internals, in one place (applied on import by
:mod:`archive.cite.styles`).

Why: every document and passage page shows its citation in three styles, and citeproc-py
spent about 25 ms on each bibliography entry, most of it in ``xpath_search``: a
macro, a term or the enclosing layout is looked up by a fresh XPath query over the style's
tree every time it is used (``get_macro`` alone runs hundreds of queries per entry).  A
style's tree never changes once parsed, so a query from a given element always answers
the same nodes: :func:`apply` memoises the answers per element and expression.  It does
the same for ``calls_variable`` (whether a group's children print any variable, asked of
every ``cs:group`` at every render, recursively through macros), which reads only the
style's structure, never the item.

Soundness: lxml hands out a new Python proxy for a node once the old one is freed, so the
memo keys on the proxy's ``id`` *and holds the proxy*, which keeps that ``id`` from being
reused by another node.  What it holds is bounded by the styles and locales loaded (the
style cache of :mod:`archive.cite.styles` keeps a handful).  Only XPath answers and
structural yes/no answers are memoised, never rendered text, so an item renders exactly as without the patch
(``tests/cite/test_citeproc_fixes.py`` compares both ways on every style).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from citeproc import model

_original = model.CitationStylesElement.xpath_search
_memo: dict[int, tuple[Any, dict[str, list[Any]]]] = {}
_lock = threading.Lock()
#: The classes that define ``calls_variable``, with their own definitions.
_CALLS_VARIABLE: dict[Any, Callable[[Any], bool]] = {
    cls: cls.__dict__["calls_variable"]
    for cls in vars(model).values()
    if isinstance(cls, type) and "calls_variable" in cls.__dict__
}


def _answers(element: Any) -> dict[Any, Any]:
    """The memo of ``element``'s answers (held with the element, see the module doc)."""
    entry = _memo.get(id(element))
    if entry is None:
        with _lock:
            entry = _memo.setdefault(id(element), (element, {}))
    return entry[1]


def _xpath_search(self: Any, expression: str) -> list[Any]:
    answers = _answers(self)
    found = answers.get(expression)
    if found is None:
        found = answers[expression] = _original(self, expression)
    return list(found)


def _memoised_calls_variable(own: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def calls_variable(self: Any) -> bool:
        answers = _answers(self)
        key = ("calls_variable", own)
        found = answers.get(key)
        if found is None:
            found = answers[key] = own(self)
        return bool(found)

    return calls_variable


def apply() -> None:
    """Install the memos (idempotent)."""
    model.CitationStylesElement.xpath_search = _xpath_search
    for cls, own in _CALLS_VARIABLE.items():
        cls.calls_variable = _memoised_calls_variable(own)


def remove() -> None:
    """Restore citeproc-py's own methods (for the test that compares both)."""
    model.CitationStylesElement.xpath_search = _original
    for cls, own in _CALLS_VARIABLE.items():
        cls.calls_variable = own
