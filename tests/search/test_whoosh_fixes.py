"""Each workaround in :mod:`archive.index.whoosh_fixes` against upstream whoosh-reloaded.

Why: a fix is only worth keeping while upstream still has the problem.  Each test here
shows upstream's own behaviour (Whoosh's classes, in a fresh interpreter where the
archive's patches are not installed, or the upstream method the patch replaced) still
needs its fix, so it fails once upstream fixes it: then drop the fix.  The fixes are
installed only on the pinned version (:func:`whoosh_fixes.pinned`).
"""

from __future__ import annotations

import subprocess
import sys

from whoosh.codec.whoosh3 import W3TermInfo

from archive.index import whoosh_fixes as wf


def _upstream(code: str) -> str:
    """Run ``code`` in a fresh interpreter with plain Whoosh (no archive import)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_the_fixes_are_installed_on_the_pinned_version_only() -> None:
    assert wf.pinned() == (wf.installed_version() == wf.TESTED_VERSION)
    if wf.pinned():
        assert W3TermInfo.set_inline is wf._set_inline
        assert W3TermInfo.to_bytes is wf._to_bytes
    else:
        assert not hasattr(W3TermInfo, "set_inline") or W3TermInfo.set_inline is not wf._set_inline


def test_upstream_still_calls_set_inline_without_defining_it() -> None:
    code = (
        "import tempfile\n"
        "from whoosh import fields, index\n"
        "from whoosh.codec.whoosh3 import W3Codec, W3TermInfo\n"
        "print(hasattr(W3TermInfo, 'set_inline'))\n"
        "d = tempfile.mkdtemp()\n"
        "ix = index.create_in(d, fields.Schema(t=fields.KEYWORD))\n"
        "w = ix.writer(codec=W3Codec(inlinelimit=16))\n"
        "w.add_document(t='a')\n"
        "try:\n"
        "    w.commit()\n"
        "    print('ok')\n"
        "except AttributeError as e:\n"
        "    print('AttributeError', 'set_inline' in str(e))\n"
    )
    assert _upstream(code).splitlines() == ["False", "AttributeError True"]


def test_upstream_still_pickles_inlined_postings() -> None:
    """Upstream's term info for a short posting list is a pickle several times the size of
    the packed arrays (the reason the term dictionary outgrew the postings file)."""
    ti = W3TermInfo()
    ids = tuple(range(0, 40, 3))
    for d in ids:
        ti.add_posting(d, 1.0, 1)
    ti._inlined = (ids, (1.0,) * len(ids), tuple(b"\x01\x02" for _ in ids))
    upstream, ours = wf._W3_to_bytes(ti), wf._to_bytes(ti)
    assert len(upstream) > 2 * len(ours)
    back = wf._from_bytes.__func__(W3TermInfo, ours)
    assert back._inlined == ti._inlined
