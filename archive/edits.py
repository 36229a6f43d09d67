"""What an archivist's correction of a document's metadata may say.

One place for the rules the command line and the web share: which fields
(:data:`archive.models.EDITABLE`), how long, which characters, and what a
date or a language tag must look like.  Dates are stored as the rest of the
archive stores them (ISO 8601 ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) and may
be typed in any form the search syntax accepts, 民國 years included.

:func:`apply` is the verb itself (``Archive.edit``): validated changes written
to the catalogue's edit history under the write lock, then the document
re-indexed; it touches the store, the index and the related-documents cache.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from archive.errors import ArchiveError, ServiceError
from archive.models import EDITABLE

if TYPE_CHECKING:
    from archive.service import Archive

log = logging.getLogger("archive.service")

MAX_VALUE = 500
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}")
LABELS = {"title": "標題", "series": "系列", "author": "作者", "affiliation": "作者單位",
          "foundation": "出版機構", "address": "地址", "date": "日期", "language": "語言"}


class EditError(ArchiveError, ValueError):
    """A refused correction: ``str`` in English for the CLI, ``web`` in the web's language."""

    code = "edit"

    def __init__(self, message: str, web: str) -> None:
        super().__init__(message, web=web)


def _clean(field: str, value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                    for c in value if unicodedata.category(c) != "Cf")
    value = re.sub(r"\s+", " ", value).strip()
    if not value:
        raise EditError(f"{field}: empty; use --unset {field} to remove it",
                        f"{LABELS[field]}不可空白；若要移除請勾選「移除」。")
    if len(value) > MAX_VALUE:
        raise EditError(f"{field}: at most {MAX_VALUE} characters",
                        f"{LABELS[field]}最多 {MAX_VALUE} 個字。")
    if field == "date":
        from archive.query import QuerySyntaxError, parse_date

        try:
            return parse_date(value)
        except QuerySyntaxError as exc:
            raise EditError(f"date: {value!r} is not a date (e.g. 2023-11-30, 2023-11, "
                            "民國112年11月30日)",
                            "日期格式不正確，請寫成 2023-11-30、2023-11 或 民國112年11月30日。") from exc
    if field == "language" and not _LANGUAGE.fullmatch(value):
        raise EditError(f"language: {value!r} is not a language tag (e.g. zh-Hant, en)",
                        "語言請用語言標記，例如 zh-Hant、zh-Hans、en。")
    return value


def validate(sets: dict[str, str], unsets: Iterable[str]) -> dict[str, str | None]:
    """The changes as stored: field → clean value, or None for a removed field."""
    unsets = list(unsets)
    for field in [*sets, *unsets]:
        if field not in EDITABLE:
            raise EditError(f"{field}: not an editable field (editable: {', '.join(EDITABLE)})",
                            "這個欄位不能修改。")
    both = set(sets) & set(unsets)
    if both:
        field = sorted(both)[0]
        raise EditError(f"{field}: both set and unset", f"{LABELS[field]}不能同時修改與移除。")
    if not sets and not unsets:
        raise EditError("nothing to change: give --set field=value or --unset field",
                        "沒有要修改的欄位。")
    changes: dict[str, str | None] = {k: _clean(k, v) for k, v in sets.items()}
    changes.update(dict.fromkeys(unsets))
    return changes


def apply(archive: Archive, doc_id: str, *, sets: dict[str, str] | None = None,
         unsets: Iterable[str] = (), user: str) -> dict:
    """Correct a document's metadata: ``sets`` field → value, ``unsets`` removed.

    Values are checked by :mod:`archive.edits` (a date must parse; 民國 years are
    converted); each change is recorded with who, when and the old value, outlives
    re-ingests of new versions, and is in the index at once.  Returns the document view.
    """
    try:
        changes = validate(sets or {}, unsets)
    except EditError as exc:
        raise ServiceError(str(exc), web=exc.web, code=exc.code) from exc
    with archive.write_lock():
        doc = archive.store.get(doc_id)
        if doc is None:
            raise ServiceError(f"no document {doc_id}; see archive list",
                               web="找不到這份文件。")
        old = {k: doc.meta(k) for k in changes}
        changed = {k: v for k, v in changes.items() if old[k] != v}
        if changed:
            archive.store.add_edits(doc_id, changed, user, old)
            stored = archive.store.get(doc_id)
            warnings = archive.index_document(stored) if stored is not None else []
            if warnings:
                log.warning("edit of %s: %s", doc_id, "; ".join(warnings))
    archive.related.clear()
    view = archive.document_view(doc_id)
    assert view is not None
    return view

