"""People, institutions and series as pages: what they published, when, with whom, from where.

A researcher asks "what has this author written, and where did they work then?".  An
entity is a facet value (``author``, ``foundation``, ``series``) under its normalised
key (:func:`archive.analysis.keyword`: 臺灣 and 台灣 spellings of one institution are
one entity), so its documents are exactly what the facet filter finds.  From them:

* every piece, newest first (up to ``limit``);
* counts per year (the undated counted apart), and the timeline the page draws
  (:mod:`archive.timeline`: by month when the pieces span two years or less);
* for a person, the affiliation each byline gives, with the first and last date it was
  given, and the co-authors with how often;
* for an institution, the addresses and contacts its documents print, newest first;
* the spellings the documents use.

An archivist may merge names that do not fold alike (:mod:`archive.merges`): the entity is
then every document of every merged name, shown under the group's first name, and
``merged`` lists the group.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from archive import analysis
from archive.models import split_names
from archive.timeline import timeline

#: URL letter for each kind of entity (``/a/<name>``, ``/f/<name>``, ``/s/<name>``).
KINDS = {"author": "a", "foundation": "f", "series": "s"}
CONTACTS = ("address", "phone", "fax", "email", "website")
_PAGE = 100


class _Archive(Protocol):
    def search(self, q: str, **kw: Any) -> dict[str, Any]: ...
    def get_document(self, doc_id: str, version: int | None = None) -> Any: ...
    def entity_group(self, kind: str, name: str) -> list[str]: ...


def _names(doc: Any, kind: str) -> list[str]:
    value = doc.meta(kind) or ""
    return split_names(value) if kind == "author" else ([value] if value else [])


def entity(archive: _Archive, kind: str, name: str, *, limit: int = 500) -> dict[str, Any] | None:
    """The entity ``name`` of ``kind`` as its page shows it, or None when no document has it."""
    if kind not in KINDS or not name.strip():
        return None
    group = archive.entity_group(kind, name)
    keys = {analysis.keyword(n) for n in group} or {analysis.keyword(name)}
    hits: list[dict[str, Any]] = []
    total = 0
    page = 1
    while len(hits) < limit:
        result = archive.search("", filters={kind: [name]}, sort="newest", page=page, per_page=_PAGE)
        total = int(result.get("total") or 0)
        hits.extend(result.get("hits") or [])
        if page >= int(result.get("pages") or 0):
            break
        page += 1
    hits = hits[:limit]
    if not hits:
        return None
    spellings: Counter[str] = Counter()
    years: Counter[str] = Counter()
    coauthors: Counter[str] = Counter()
    affiliations: dict[str, dict[str, Any]] = {}
    contacts: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in CONTACTS}
    documents = []
    for hit in hits:
        doc = archive.get_document(hit["id"])
        if doc is None:
            continue
        date = doc.meta("date") or ""
        years[date[:4] or "undated"] += 1
        mine = [n for n in _names(doc, kind) if analysis.keyword(n) in keys]
        spellings.update(mine)
        entry = {"id": doc.doc_id, "title": doc.title, "date": date or None, "author": doc.meta("author"),
                 "foundation": doc.meta("foundation"), "series": doc.meta("series")}
        if kind == "author":
            for person in doc.authors():
                name_k = analysis.keyword(person["name"] or "")
                if name_k in keys:
                    place = person.get("affiliation") or ""
                    entry["affiliation"] = place or None
                    if place:
                        a = affiliations.setdefault(place, {"affiliation": place, "count": 0,
                                                            "first": date or None, "last": date or None})
                        a["count"] += 1
                        if date:
                            a["first"] = min(filter(None, [a["first"], date]))
                            a["last"] = max(filter(None, [a["last"], date]))
                elif person["name"]:
                    coauthors[person["name"]] += 1
        if kind == "foundation":
            for c in CONTACTS:
                value = doc.meta(c)
                if value:
                    seen = contacts[c].setdefault(value, {"value": value, "count": 0, "last": date or None})
                    seen["count"] += 1
                    seen["last"] = max(filter(None, [seen["last"], date]), default=None)
        documents.append(entry)
    shown = group[0] if group else spellings.most_common(1)[0][0] if spellings else name
    view: dict[str, Any] = {
        "kind": kind,
        "name": shown,
        "key": analysis.keyword(shown),
        "spellings": [s for s, _ in spellings.most_common()],
        "merged": group,
        "total": total,
        "documents": documents,
        "years": [{"year": y, "count": c} for y, c in sorted(years.items(), reverse=True)],
        "timeline": timeline([d["date"] or "" for d in documents]),
    }
    if kind == "author":
        view["affiliations"] = sorted(affiliations.values(), key=lambda a: a["last"] or "", reverse=True)
        view["coauthors"] = [{"name": n, "count": c} for n, c in coauthors.most_common(20)]
    if kind == "foundation":
        view["contacts"] = {c: sorted(v.values(), key=lambda x: x["last"] or "", reverse=True)
                            for c, v in contacts.items() if v}
    return view
