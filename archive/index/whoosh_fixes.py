"""Every workaround for whoosh-reloaded's internals, in one place.

What it owns and why: :mod:`archive.index` relies on a few private parts of
whoosh-reloaded 2.7.5 (the W3 codec's term info).  Keeping
every such patch here, each with the reason it exists, means an upgrade of Whoosh
has one module to re-read.  ``pyproject.toml`` pins the tested version; importing
this module with another installed version warns (:data:`TESTED_VERSION`).

Process-wide patches (applied once, on import, by :func:`apply`):

* ``W3TermInfo.set_inline``: whoosh-reloaded 2.7.5 calls it but defines only
  ``set_inlined``, so inlining short posting lists crashed (upstream leaves it off).
* ``W3TermInfo.to_bytes`` / ``from_bytes``: inlined postings as packed arrays
  instead of a protocol-2 pickle (flag :data:`INLINE_FLAG` in the flags byte).

Behind a version check: every fix is installed only on the pinned release
(:data:`TESTED_VERSION`, :func:`pinned`).  On any other version :func:`apply` warns and
installs nothing: the tests in
``tests/search/test_whoosh_fixes.py`` show, one per fix, that upstream still needs it
(each fails once upstream fixes its problem), so an upgrade re-runs them and drops the
fixes that are no longer needed.  (Indexes written with the packed inline format are
then unreadable, loudly: ``archive reindex`` after an upgrade.)
"""

from __future__ import annotations

import warnings
from array import array
from importlib import metadata
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import W3TermInfo

#: The whoosh-reloaded release these patches were written against and tested with.
TESTED_VERSION = "2.7.5"

#: Flag value in a term info's flags byte: the postings are inlined as packed arrays.
INLINE_FLAG = 2


def pinned() -> bool:
    """Whether the installed whoosh-reloaded is the release these fixes were made for."""
    return installed_version() == TESTED_VERSION


def installed_version() -> str | None:
    """The installed whoosh-reloaded distribution's version (None: not installed as such)."""
    try:
        return metadata.version("whoosh-reloaded")
    except metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------
# Inlined postings in the term dictionary


def _set_inline(self: W3TermInfo, ids: Any, weights: Any, values: Any) -> None:
    """The ``set_inline`` whoosh-reloaded 2.7.5 calls but does not define (it has
    ``set_inlined``).  Inlining is what keeps a bigram that occurs in a handful of
    documents from paying for a whole posting block (magic, pickled block info, a zlib
    stream: ~70 bytes before any posting).  Inlined postings must carry a bytes value per
    posting: value-less formats (Existence) hand over None or nothing, which reads back as
    '' and makes the next segment merge fail (``AssertionError: vbytes=''`` in
    whoosh.writing)."""
    ids = tuple(ids)
    vals = tuple(v if isinstance(v, bytes) else b"" for v in values) if values else ()
    self._inlined = (ids, tuple(weights), vals or (b"",) * len(ids))


_W3_to_bytes = W3TermInfo.to_bytes
_W3_from_bytes = W3TermInfo.from_bytes.__func__


def _acode(top: int) -> str:
    return "B" if top < 256 else "H" if top < 65536 else "I"


def pack_inline(ids: tuple[int, ...], weights: tuple[float, ...], values: tuple[bytes, ...]
                ) -> bytes:
    """Inlined postings as packed arrays: delta-coded ids, weights (omitted when all 1,
    bytes when small integers), value lengths and values."""
    deltas = [ids[0]] + [b - a for a, b in zip(ids, ids[1:], strict=False)]
    icode = _acode(max(deltas))
    if all(w == 1.0 for w in weights):
        wcode, wbytes = "-", b""
    elif all(w == int(w) and 0 <= w < 256 for w in weights):
        wcode, wbytes = "B", bytes(int(w) for w in weights)
    else:
        wcode, wbytes = "f", array("f", weights).tobytes()
    vals = values if values and any(values) else ()
    lcode = _acode(max(len(v) for v in vals)) if vals else "-"
    lbytes = array(lcode, [len(v) for v in vals]).tobytes() if vals else b""
    head = (icode + wcode + lcode).encode() + bytes([len(ids)])
    return head + array(icode, deltas).tobytes() + wbytes + lbytes + b"".join(vals)


def unpack_inline(b: bytes) -> tuple[tuple[int, ...], tuple[float, ...], tuple[bytes, ...]]:
    """The inverse of :func:`pack_inline`."""
    icode, wcode, lcode = chr(b[0]), chr(b[1]), chr(b[2])
    n = b[3]
    pos = 4
    deltas = array(icode)
    deltas.frombytes(b[pos : pos + n * deltas.itemsize])
    pos += n * deltas.itemsize
    ids = tuple(accumulate(deltas))
    if wcode == "-":
        weights: tuple[float, ...] = (1.0,) * n
    elif wcode == "B":
        weights = tuple(float(x) for x in b[pos : pos + n])
        pos += n
    else:
        wa = array("f")
        wa.frombytes(b[pos : pos + 4 * n])
        weights = tuple(wa)
        pos += 4 * n
    if lcode == "-":
        return ids, weights, (b"",) * n
    la = array(lcode)
    la.frombytes(b[pos : pos + n * la.itemsize])
    pos += n * la.itemsize
    vals = []
    for ln in la:
        vals.append(b[pos : pos + ln])
        pos += ln
    return ids, weights, tuple(vals)


def _to_bytes(self: W3TermInfo) -> bytes:
    """Inlined postings were pickled with protocol 2, where every bytes value becomes a
    ``_codecs.encode(str, 'latin1')`` call (~20 bytes of overhead per posting): with the
    long tail of rare bigrams that made the term dictionary 3-4x the size of the postings
    file.  Here they are packed arrays instead, flagged :data:`INLINE_FLAG`."""
    if not self.is_inlined() or len(self._inlined[0]) > 255:
        return _W3_to_bytes(self)
    inl, off, ln = self._inlined, self._offset, self._length
    self._inlined, self._offset, self._length = None, 0, 0
    try:
        st = bytearray(_W3_to_bytes(self))
    finally:
        self._inlined, self._offset, self._length = inl, off, ln
    size = W3TermInfo._struct.size
    st[0] = INLINE_FLAG
    return bytes(st[:size]) + pack_inline(*inl)


@classmethod  # type: ignore[misc]  # a classmethod defined outside its class, assigned below
def _from_bytes(cls: type[W3TermInfo], s: bytes) -> W3TermInfo:
    """Reads what :func:`_to_bytes` writes (and anything Whoosh wrote itself)."""
    if s[0] != INLINE_FLAG:
        return _W3_from_bytes(cls, s)
    size = cls._struct.size
    ti = _W3_from_bytes(cls, b"\x00" + s[1:size] + b"\x00" * 12)
    ti._offset = ti._length = None
    ti._inlined = unpack_inline(s[size:])
    return ti


_applied = False


def apply() -> None:
    """Install the process-wide patches on the pinned release (idempotent); on any other
    version warn and leave Whoosh as it is."""
    global _applied
    if _applied:
        return
    found = installed_version()
    if found != TESTED_VERSION:
        warnings.warn(
            f"archive.index's fixes are for whoosh-reloaded {TESTED_VERSION} but "
            f"{found or 'another Whoosh'} is installed: none applied; run "
            f"tests/search/test_whoosh_fixes.py to see which are still needed",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    W3TermInfo.set_inline = _set_inline
    W3TermInfo.to_bytes = _to_bytes
    W3TermInfo.from_bytes = _from_bytes
    _applied = True


apply()
