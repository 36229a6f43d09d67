"""Pages for authors, institutions and series, checked against the documents themselves."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

from tests.web.web_support import FACET_DOCS, Corpus


def test_an_author_page_lists_every_piece_with_its_affiliation(client: Any, corpus: Corpus,
                                                               archive: Any) -> None:
    title, author, foundation, series, date = FACET_DOCS[0]
    mine = [i for i, d in zip(corpus.facet_ids, FACET_DOCS, strict=True) if d[1] == author]
    data = client.get(f"/a/{quote(author)}.json").get_json()
    assert data["name"] == author and data["total"] == len(mine)
    assert {d["id"] for d in data["documents"]} == set(mine)
    dates = [d["date"] for d in data["documents"] if d["date"]]
    assert dates == sorted(dates, reverse=True)
    assert sum(y["count"] for y in data["years"]) == len(mine)
    assert data["affiliations"][0]["affiliation"] == "研究員"


def test_spellings_of_one_institution_are_one_page(client: Any, corpus: Corpus) -> None:
    _, _, foundation, _, _ = FACET_DOCS[2]
    assert "台" in foundation
    folded = foundation.replace("台", "臺")
    a = client.get(f"/f/{quote(foundation)}.json").get_json()
    b = client.get(f"/f/{quote(folded)}.json").get_json()
    assert a["key"] == b["key"] and {d["id"] for d in a["documents"]} == {d["id"] for d in b["documents"]}


def test_document_panel_links_to_the_pages_and_the_sitemap_lists_them(client: Any, corpus: Corpus) -> None:
    _, author, foundation, series, _ = FACET_DOCS[0]
    page = client.get(f"/d/{corpus.facet_ids[0]}").get_data(as_text=True)
    for letter, name in (("a", author), ("f", foundation), ("s", series)):
        assert f'href="/{letter}/{quote(name)}"' in page
        assert client.get(f"/{letter}/{quote(name)}").status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(client.get("/sitemap.xml").data).findall("s:url/s:loc", ns)]
    assert f"http://localhost/a/{quote(author)}" in locs and f"http://localhost/s/{quote(series)}" in locs


def test_an_unknown_name_is_a_404_in_the_users_language(client: Any) -> None:
    resp = client.get("/a/%E6%B2%92%E6%9C%89%E9%80%99%E5%80%8B%E4%BA%BA.json")
    assert resp.status_code == 404 and "典藏中沒有作者" in resp.get_json()["error"]["message"]
