"""What the user is told about a query (too long, unreadable syntax, unknown sort …).

Why a type: the core's notices reach two audiences.  The web shows them as they are
(zh-Hant); the CLI speaks English.  A :class:`Notice` *is* its zh-Hant string (so the
JSON result, the templates and every comparison see exactly what they saw before) and
carries its English wording in :attr:`Notice.en` for the CLI.
"""

from __future__ import annotations


class Notice(str):
    """A zh-Hant notice (``str(notice)``) with its English wording in ``.en``."""

    en: str

    def __new__(cls, zh: str, en: str) -> Notice:
        self = super().__new__(cls, zh)
        self.en = en
        return self

    def __reduce__(self) -> tuple[type[Notice], tuple[str, str]]:
        return (Notice, (str(self), self.en))


def english(note: str) -> str:
    """The English wording of a notice (a plain string is returned as it is)."""
    return getattr(note, "en", note)
