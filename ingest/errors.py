"""The one exception type ingest raises for bad input.

Callers (the CLI, the web upload, the store) print ``str(err)`` to users, so
the reason must be one short line with no traceback and no library jargon
beyond a short detail.  Subclasses let the sandbox and the fuzzer tell an
internal crash or a hang apart from ordinary bad input without changing the
contract that everything is an ``IngestError``.
"""

from __future__ import annotations

import re

_MAX_REASON = 200


def one_line(text: str, limit: int = _MAX_REASON) -> str:
    """Collapse whitespace and shorten, so a reason always fits on one line."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class IngestError(Exception):
    """Bad input: ``reason`` (and ``str()``) is one line such as ``"empty file"``."""

    def __init__(self, reason: str) -> None:
        self.reason = one_line(reason) or "unreadable PDF"
        super().__init__(self.reason)

    def __str__(self) -> str:
        return self.reason


class IngestTimeout(IngestError):
    """The sandboxed extraction ran past its wall-clock or CPU-time limit."""


class IngestCrash(IngestError):
    """The extraction failed with an unexpected exception (a bug, not bad input).

    ``detail`` keeps the child's traceback for logs and the fuzzer; ``reason``
    stays one line for users.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.detail = detail
