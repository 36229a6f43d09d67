"""Archivists' merges of entity names: two spellings of one institution, one page.

Names that fold alike (:func:`archive.analysis.keyword`: 臺灣智庫 and 台灣智庫) are one
entity already.  Names that do not — an abbreviation, an author printed with and without
a space, a series renamed — are made one by an archivist: ``archive entity merge KIND
NAME NAME…`` or the form on the entity page.  A merge is a group of names of one kind;
its first name is the one shown.  ``split`` takes a name out of its group again (the
group goes when one name is left).  Telling apart two people who share one name is not
done here: it would need a decision per document, not per name.

Why at query time, not in the index: the index stores each document's facet values as
printed and folds them into keys when a searcher first reads them
(:meth:`archive.index.view.WhooshView.facet_rows`); :mod:`archive.search` maps those keys
through the groups here before it filters and counts.  So a merge or split shows on the
next search in every process (one ``stat`` of the file, as for ``aliases.json``), with no
reindex, and the archive of originals and the index stay exactly what the documents say.

The file is ``instance/merges.json``, small and written whole, atomically (a temporary
file renamed over it), under the archive's write lock (the callers hold it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import analysis
from archive.errors import ServiceError
from archive.store.files import atomic_write, file_stamp

FILENAME = "merges.json"
#: The kinds of entity, as the facets name them (the URL letters are archive.entities').
KINDS = ("author", "foundation", "series")
#: Names in one group, and characters in one name (longer is no facet value of ours).
MAX_NAMES = 20
MAX_NAME_CHARS = 200

#: Per kind: a member name's key → (the group's key, the group's shown name).
KeyMap = Mapping[str, tuple[str, str]]


class MergeError(ServiceError):
    """A merge or split that cannot be done (one line; ``web`` in zh-Hant)."""

    code = "merge"


@dataclass(frozen=True)
class Group:
    """Names of one kind that are one entity; ``names[0]`` is shown."""

    names: tuple[str, ...]
    by: str = ""
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "by": self.by, "at": self.at}


@dataclass
class MergeBook:
    """What ``merges.json`` holds: per kind, its groups."""

    groups: dict[str, list[Group]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def to_dict(self) -> dict[str, Any]:
        return {k: [g.to_dict() for g in self.groups.get(k, [])] for k in KINDS}

    @classmethod
    def from_dict(cls, data: Any) -> MergeBook:
        book = cls()
        if not isinstance(data, dict):
            return book
        for kind in KINDS:
            for raw in data.get(kind) or []:
                if not isinstance(raw, dict):
                    continue
                names = tuple(str(n) for n in raw.get("names") or [] if str(n).strip())
                if len({analysis.keyword(n) for n in names}) >= 2:
                    book.groups[kind].append(Group(names, str(raw.get("by") or ""), str(raw.get("at") or "")))
        return book

    def key_map(self, kind: str) -> dict[str, tuple[str, str]]:
        """Each merged name's key → (its group's key, its group's shown name)."""
        out: dict[str, tuple[str, str]] = {}
        for g in self.groups.get(kind, []):
            shown = g.names[0]
            target = (analysis.keyword(shown), shown)
            for n in g.names:
                out.setdefault(analysis.keyword(n), target)
        return out

    def group_of(self, kind: str, name: str) -> Group | None:
        key = analysis.keyword(name)
        for g in self.groups.get(kind, []):
            if any(analysis.keyword(n) == key for n in g.names):
                return g
        return None


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise MergeError(f"unknown kind {kind!r}: use author, foundation or series",
                         web="種類必須是作者、機構或系列。")
    return kind


def clean_names(names: Iterable[str]) -> list[str]:
    """The names as given, whitespace squeezed, one per key (the first spelling kept)."""
    out: list[str] = []
    keys: set[str] = set()
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > MAX_NAME_CHARS:
            raise MergeError(f"name too long (at most {MAX_NAME_CHARS} characters): {name[:20]}…",
                             web=f"名稱太長（最多 {MAX_NAME_CHARS} 個字）：{name[:20]}…")
        key = analysis.keyword(name)
        if key not in keys:
            keys.add(key)
            out.append(name)
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class MergeStore:
    """``instance/merges.json``, re-read when it changes (one ``stat`` per look)."""

    def __init__(self, instance: Path) -> None:
        self.path = Path(instance) / FILENAME
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._book = MergeBook()
        self._maps: dict[str, dict[str, tuple[str, str]]] = {k: {} for k in KINDS}

    def book(self) -> MergeBook:
        """The merges as the file has them now (read again only when it changed)."""
        with self._lock:
            stamp = file_stamp(self.path)
            if stamp != self._stamp:
                self._book = self._read() if stamp else MergeBook()
                self._maps = {k: self._book.key_map(k) for k in KINDS}
                self._stamp = stamp
            return self._book

    def key_maps(self) -> dict[str, dict[str, tuple[str, str]]]:
        """Per kind, each merged name's key → (group key, shown name): what search applies."""
        self.book()
        return self._maps

    def group(self, kind: str, name: str) -> list[str]:
        """The names merged with ``name`` (the shown one first), or [] when it stands alone."""
        g = self.book().group_of(kind, name)
        return list(g.names) if g else []

    def _read(self) -> MergeBook:
        try:
            return MergeBook.from_dict(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return MergeBook()  # a damaged file: every name stands alone, never a failed page

    def _write(self, book: MergeBook) -> None:
        text = json.dumps(book.to_dict(), ensure_ascii=False, indent=1)
        atomic_write(self.path, text.encode("utf-8"))
        self.book()

    # -- the archivist's verbs (callers hold the archive's write lock) --------------------------
    def merge(self, kind: str, names: Iterable[str], *, by: str = "") -> Group:
        """Make ``names`` one entity shown as the first; groups they already belong to join."""
        check_kind(kind)
        wanted = clean_names(names)
        if len(wanted) < 2:
            raise MergeError("a merge needs two names that differ beyond script and spacing "
                             "(names that fold alike are one entity already)",
                             web="合併需要兩個不同的名稱（繁簡寫法相同的名稱本來就是同一頁）。")
        book = self.book()
        keys = {analysis.keyword(n) for n in wanted}
        merged = list(wanted)
        kept: list[Group] = []
        for g in book.groups[kind]:
            if any(analysis.keyword(n) in keys for n in g.names):
                merged.extend(g.names)
            else:
                kept.append(g)
        names_out = tuple(clean_names(merged))
        if len(names_out) > MAX_NAMES:
            raise MergeError(f"at most {MAX_NAMES} names in one merge",
                             web=f"一次合併最多 {MAX_NAMES} 個名稱。")
        group = Group(names_out, by, _now())
        groups = dict(book.groups)
        groups[kind] = [*kept, group]
        self._write(MergeBook(groups))
        return group

    def split(self, kind: str, name: str) -> Group | None:
        """Take ``name`` out of its group; what is left of the group (None when it is gone)."""
        check_kind(kind)
        cleaned = clean_names([name])
        book = self.book()
        g = book.group_of(kind, cleaned[0]) if cleaned else None
        if g is None:
            raise MergeError(f"{kind} {name[:40]!r} is not merged with another name",
                             web=f"「{name[:40]}」沒有與其他名稱合併。")
        key = analysis.keyword(cleaned[0])
        rest = tuple(n for n in g.names if analysis.keyword(n) != key)
        left = Group(rest, g.by, g.at) if len(rest) >= 2 else None
        groups = dict(book.groups)
        groups[kind] = [x for x in book.groups[kind] if x is not g] + ([left] if left else [])
        self._write(MergeBook(groups))
        return left

    def listing(self, kind: str | None = None) -> dict[str, Any]:
        data = self.book().to_dict()
        return {check_kind(kind): data[kind]} if kind else data
