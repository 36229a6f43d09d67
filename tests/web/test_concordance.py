"""The concordance: every occurrence with its contexts, sortable, exportable."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.web.web_support import SEMI, Corpus


def _all_ids(corpus: Corpus) -> list[str]:
    return [corpus.seed_id, *corpus.facet_ids, corpus.xss_id, corpus.rev_id, corpus.by_path_id]


def test_every_occurrence_is_a_line(client: Any, corpus: Corpus, archive: Any) -> None:
    truth = []
    for doc_id in _all_ids(corpus):
        doc = archive.get_document(doc_id)
        for b in doc.blocks:
            start = b.text.find(SEMI)
            while start >= 0:
                truth.append((doc_id, b.id, start))
                start = b.text.find(SEMI, start + 1)
    data = client.get(f"/concordance.json?q={SEMI}").get_json()
    assert data["count"] == len(truth) and not data["truncated"]
    assert {(x["doc_id"], x["passage_id"]) for x in data["lines"]} == {(d, p) for d, p, _ in truth}
    for line in data["lines"]:
        assert line["match"] == SEMI
        block = next(b for b in archive.get_document(line["doc_id"]).blocks if b.id == line["passage_id"])
        assert f"{line['left']}{SEMI}{line['right']}" in " ".join(block.text.split())


def test_simplified_query_lists_traditional_text(client: Any) -> None:
    data = client.get("/concordance.json?q=半导体").get_json()
    assert data["count"] > 0 and all(x["match"] == SEMI for x in data["lines"])


def test_sorting_by_left_and_right_context(client: Any) -> None:
    left = client.get(f"/concordance.json?q={SEMI}&sort=left").get_json()["lines"]
    assert [x["left"][::-1] for x in left] == sorted(x["left"][::-1] for x in left)
    right = client.get(f"/concordance.json?q={SEMI}&sort=right").get_json()["lines"]
    assert [x["right"] for x in right] == sorted(x["right"] for x in right)


def test_csv_export_and_page(client: Any) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get(f"/concordance.csv?q={SEMI}").get_data(as_text=True))))
    data = client.get(f"/concordance.json?q={SEMI}").get_json()
    assert len(rows) == data["count"] and all(r["match"] == SEMI for r in rows)
    assert all(r["passage_url"].startswith("http://localhost/p/") for r in rows)
    page = client.get(f"/concordance?q={SEMI}").get_data(as_text=True)
    assert page.count('class="kwic__match"') == data["count"]
    assert client.get("/concordance.csv").status_code == 400
