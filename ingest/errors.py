"""The one exception type ingest raises for bad input.

Callers (the CLI, the web upload, the store) print ``str(err)`` to users, so
the reason must be one short line with no traceback and no library jargon
beyond a short detail.  Subclasses let the sandbox and the fuzzer tell an
internal crash or a hang apart from ordinary bad input without changing the
contract that everything is an ``IngestError``.
"""

from __future__ import annotations

from archive.errors import ArchiveError, one_line

__all__ = ["IngestCrash", "IngestError", "IngestTimeout", "one_line"]


class IngestError(ArchiveError):
    """Bad input: ``reason`` (and ``str()``) is one line such as ``"empty file"``."""

    code = "bad-pdf"

    def __init__(self, reason: str, *, web: str | None = None) -> None:
        self.reason = one_line(reason) or "unreadable PDF"
        super().__init__(self.reason, web=web)

    def __str__(self) -> str:
        return self.reason


class IngestTimeout(IngestError):
    """The sandboxed extraction ran past its wall-clock or CPU-time limit."""

    code = "ingest-limit"


class IngestCrash(IngestError):
    """The extraction failed with an unexpected exception (a bug, not bad input).

    ``detail`` keeps the child's traceback for logs and the fuzzer; ``reason``
    stays one line for users.
    """

    code = "ingest-crash"

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.detail = detail
