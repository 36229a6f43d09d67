"""Documents → the writer's field values (pure functions, run in worker processes).

What it owns and why: the one mapping from an :class:`archive.models.Document` to
what each field of :func:`archive.index.schema.make_schema` receives, shared by the
incremental writer (:mod:`archive.index.searcher`) and the bulk writer
(:mod:`archive.index.bulk`), plus the stored key words "related documents" reads.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from archive import analysis
from archive.models import Document

from .schema import FACET_FIELDS, FACET_SEP, TEXT_FIELDS, USE_WORDS, word_counts

#: How many of a document's words are kept as its key words (see :func:`key_words`).
KEY_WORDS = 48


def key_words(words: Counter[str]) -> list[list[Any]]:
    """The document's ``KEY_WORDS`` most frequent words of two or more characters (longer
    first among equals), as ``[word, count]``: the candidates "related documents" weighs by
    rarity, stored with the document so that a page view need not re-read and re-cut it."""
    ranked = sorted((w for w in words if len(w) >= 2), key=lambda w: (-words[w], -len(w), w))
    return [[w, words[w]] for w in ranked[:KEY_WORDS]]


def field_values(doc: Document, *, with_words: bool = USE_WORDS) -> dict[str, Any]:
    """The writer's field values for one document: texts and keys; the fields tokenise them.
    ``with_words``: cut the ranking field's words (jieba) and the key words too."""
    meta: dict[str, Any] = {k: (doc.meta(k) or "") for k in ("title", "author", "foundation", "series", "date")}
    meta["title"] = doc.title or ""
    meta["version"] = doc.version  # lets `archive check` see a stale entry
    texts = [b.text for b in doc.blocks if b.text]
    fields: dict[str, Any] = {"doc_id": doc.doc_id, "body": texts}
    for name in TEXT_FIELDS:
        if meta[name]:
            fields[name] = [meta[name]]
    for name in FACET_FIELDS[:3]:
        vals = analysis.split_values(meta[name])
        if vals:
            fields[name + "_key"] = sorted({analysis.keyword(v) for v in vals})
            fields["_stored_" + name + "_key"] = FACET_SEP.join(vals)
    date = meta["date"].strip()
    if date:
        fields["date"] = [date]
        fields["_stored_date"] = date
        if date[:4].isdigit():
            fields["year"] = [date[:4]]
            fields["_stored_year"] = date[:4]
    if with_words:
        # The title's words too, when the text does not print it (the ranking field's bonus
        # then rewards a title hit as it rewards a body hit).
        title = meta.get("title") or ""
        words = word_counts(texts if not title or title in texts else [*texts, title])
        fields["words"] = words
        fields["keys"] = []
        fields["_stored_keys"] = json.dumps(key_words(words), ensure_ascii=False)
    fields["meta"] = json.dumps(meta, ensure_ascii=False)
    return fields
