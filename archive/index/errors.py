"""The index's exceptions, in a module of their own so that every part of the package
(directory, writers, searcher) can raise them without importing one another."""

from archive.errors import ArchiveError


class IndexError_(ArchiveError):
    """Base of the index's errors (a user-facing one-line message)."""

    code = "index"


class IndexVersionError(IndexError_):
    """The index on disk was written by another schema version."""

    code = "index-version"


class IndexEngineError(IndexVersionError):
    """The index on disk was built by another engine than ``index_engine`` names (a kind of
    version error: whatever rebuilds an old index rebuilds it with the configured engine)."""

    code = "index-engine"


class IndexMissingError(IndexError_):
    """The index is gone (its link dangles, or it was removed while documents exist)."""

    code = "index-missing"


class IndexBusyError(IndexError_):
    """Another writer holds the index lock."""

    code = "index-busy"
