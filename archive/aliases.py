"""The archive's own aliases: names glossed alike in its documents, and the archivists' word.

The published tables (:mod:`archive.vocabulary`) know 特朗普 and 川普; they do not know
that this archive's 裴洛西 and 佩洛西 are one person.  The documents say so when they
gloss a name with its original (裴洛西（Nancy Pelosi）), and an archivist may say so,
or say that two forms are not one.  This module keeps both in ``instance/aliases.json``:

* ``learned``: aliases :func:`archive.vocabulary.learn` finds in every stored document
  (rebuilt by ``archive alias learn``, and by ``archive reindex``);
* ``added``: groups of forms an archivist made one;
* ``removed``: pairs an archivist said are not one (they win over both of the above).

The file is small and written whole, atomically (a temporary file renamed over it), under
the archive's write lock.  Every process installs the vocabulary it describes and reloads
it when the file changes, so a web worker sees an archivist's change on its next search.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import analysis, vocabulary
from archive.errors import ArchiveError
from archive.store.files import atomic_write, file_stamp

FILENAME = "aliases.json"
#: Forms in one group, and characters in one form: an alias is a name or a term.
MAX_FORMS = 12
MAX_FORM_CHARS = 40


class AliasError(ArchiveError):
    """An alias the archivist asked for that cannot be kept (one line, both languages)."""

    code = "alias"


@dataclass
class AliasBook:
    """What ``aliases.json`` holds."""

    learned: list[vocabulary.Alias] = field(default_factory=list)
    added: list[vocabulary.Alias] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)

    def vocabulary(self) -> vocabulary.Vocabulary:
        return vocabulary.build([*self.learned, *self.added], removed=self.removed)

    def to_dict(self) -> dict[str, Any]:
        def group(a: vocabulary.Alias) -> dict[str, Any]:
            return {"forms": list(a.forms), "gloss": a.gloss, "source": a.source}

        return {"learned": [group(a) for a in self.learned], "added": [group(a) for a in self.added],
                "removed": [list(p) for p in self.removed]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AliasBook:
        def groups(key: str, source: str) -> list[vocabulary.Alias]:
            return [vocabulary.Alias(tuple(str(f) for f in g.get("forms") or []), source, str(g.get("gloss") or ""))
                    for g in data.get(key) or [] if isinstance(g, dict)]

        removed = [(str(p[0]), str(p[1])) for p in data.get("removed") or []
                   if isinstance(p, list) and len(p) == 2]
        return cls(groups("learned", "learned"), groups("added", "archivist"), removed)


def _clean(forms: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for form in forms:
        text = " ".join(str(form).split())
        if not text:
            continue
        if len(text) > MAX_FORM_CHARS:
            raise AliasError(f"alias form too long (at most {MAX_FORM_CHARS} characters): {text[:20]}…",
                             web=f"別名太長（最多 {MAX_FORM_CHARS} 個字）：{text[:20]}…")
        if all(analysis.fold(text) != analysis.fold(o) for o in out):
            out.append(text)
    if len(out) < 2:
        raise AliasError("an alias needs two forms that differ beyond script (e.g. 佩洛西 裴洛西)",
                         web="別名需要兩個寫法不同的詞（繁簡差異已自動對應），例如：佩洛西 裴洛西。")
    if len(out) > MAX_FORMS:
        raise AliasError(f"at most {MAX_FORMS} forms in one alias", web=f"一組別名最多 {MAX_FORMS} 個寫法。")
    return tuple(out)


class AliasStore:
    """``instance/aliases.json``, and the vocabulary it makes installed in this process."""

    def __init__(self, instance: Path) -> None:
        self.path = Path(instance) / FILENAME
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._book = AliasBook()

    def book(self) -> AliasBook:
        """The aliases as the file has them now (read again only when it changed)."""
        with self._lock:
            stamp = file_stamp(self.path)
            if stamp != self._stamp:
                self._book = self._read() if stamp else AliasBook()
                self._stamp = stamp
                vocabulary.install(self._book.vocabulary() if stamp else None)
            return self._book

    def refresh(self) -> None:
        """Install the file's vocabulary in this process if it changed (cheap: one stat)."""
        self.book()

    def _read(self) -> AliasBook:
        try:
            return AliasBook.from_dict(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return AliasBook()  # a damaged file: the published tables alone, never a failed search

    def _write(self, book: AliasBook) -> None:
        text = json.dumps(book.to_dict(), ensure_ascii=False, indent=1)
        atomic_write(self.path, text.encode("utf-8"))
        self.book()

    # -- the archivist's verbs (callers hold the archive's write lock) --------------------------
    def add(self, forms: Iterable[str]) -> vocabulary.Alias:
        group = vocabulary.Alias(_clean(forms), "archivist")
        book = self.book()
        keys = {analysis.fold(f) for f in group.forms}
        removed = [p for p in book.removed
                   if not {analysis.fold(p[0]), analysis.fold(p[1])} <= keys]
        self._write(AliasBook(book.learned, [*book.added, group], removed))
        return group

    def remove(self, a: str, b: str) -> None:
        """Say that ``a`` and ``b`` are not one (whatever table or document made them one)."""
        a, b = _clean([a, b])
        book = self.book()
        pair_keys = {analysis.fold(a), analysis.fold(b)}
        added = [g for g in book.added if not pair_keys <= {analysis.fold(f) for f in g.forms}]
        removed = book.removed if (a, b) in book.removed else [*book.removed, (a, b)]
        self._write(AliasBook(book.learned, added, removed))

    def learn(self, texts: Iterable[str]) -> list[vocabulary.Alias]:
        """Replace the learned aliases with those the texts gloss alike."""
        learned = vocabulary.learn(texts)
        book = self.book()
        self._write(AliasBook(learned, book.added, book.removed))
        return learned

    def listing(self) -> dict[str, Any]:
        return self.book().to_dict()
