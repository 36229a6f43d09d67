"""The archive's one error hierarchy: a stable code and a message in each face's language.

Every error a user can act on is an :class:`ArchiveError`.  It carries

* ``code``: a short, stable, machine-readable word (``"index-busy"``,
  ``"bad-pdf"``), which the JSON API returns and tests assert on;
* ``str(err)`` / ``err.message``: one English line for the command line;
* ``err.web``: the same in Traditional Chinese for the web, with no server path.

The web shows :func:`web_message`; the CLI prints ``str(err)``.  This module imports
nothing from the rest of the project, so ``ingest`` may use it as it uses
``archive.models`` without an import cycle between the packages.
"""

from __future__ import annotations

import re

_MAX_MESSAGE = 200
#: What the web says when an error has no Traditional Chinese wording of its own.
GENERIC_WEB = "無法完成這個操作，請稍後再試。"


def one_line(text: object, limit: int = _MAX_MESSAGE) -> str:
    """Collapse whitespace and shorten, so a message always fits on one line."""
    flat = re.sub(r"\s+", " ", str(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ArchiveError(Exception):
    """Base of every error the archive reports to a user.

    Subclasses set a class-level ``code``; an instance may override it.  ``web`` is
    the zh-Hant wording; when a subclass has a fixed one it may set ``web_default``.
    """

    code: str = "error"
    web_default: str | None = None

    def __init__(self, message: str, *, web: str | None = None, code: str | None = None) -> None:
        self.message = one_line(message)
        super().__init__(self.message)
        self.web = web if web is not None else self.web_default
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def to_dict(self, language: str = "en") -> dict[str, str]:
        """The error as the JSON API returns it: its code and the message in ``language``."""
        text = web_message(self) if language.startswith("zh") else self.message
        return {"code": self.code, "message": text}


def web_message(err: BaseException) -> str:
    """What the web page says for ``err``: its zh-Hant wording, or a generic notice."""
    if isinstance(err, ArchiveError) and err.web:
        return err.web
    return GENERIC_WEB


class ServiceError(ArchiveError):
    """A request the archive's verbs refuse or cannot do, in one line (``archive.service``
    and the modules behind it raise it; ``web`` is the zh-Hant wording, without server paths)."""

    code = "service"
