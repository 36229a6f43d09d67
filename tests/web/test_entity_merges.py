"""Merging and splitting entity names on the web: public to read, archivists write with the
CSRF token; the entity page, its JSON twin, the search facets and the sitemap follow at once."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from archive.web import create_app
from tests import pdfgen
from tests.web.web_support import PASSWORD, USER

SHORT, FULL = "東亞政策研究院", "財團法人東亞政策研究基金會"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from archive.service import Archive

    base = tmp_path_factory.mktemp("merges-web")
    archive = Archive(base / "instance")
    for i, foundation in enumerate([SHORT, FULL, FULL]):
        pdf = pdfgen.commentary_pdf(base / f"{i}.pdf", title=f"東亞安全評論第{i + 1}號", author=f"作者{'甲乙丙'[i]}",
                                    foundation=foundation, series="政策評析", date=f"202{i}-04-01",
                                    paragraphs=["東亞安全情勢持續變化，區域各國的戰略選擇值得分析。"])
        assert archive.ingest_bytes(pdf.read_bytes(), filename=pdf.name).status == "ingested"
    archive.add_user(USER, PASSWORD)
    app = create_app({"INSTANCE": str(base / "instance"), "ARCHIVE": archive, "TESTING": True})
    yield app.test_client()
    archive.close()


def _token(client: Any, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _sign_in(client: Any) -> None:
    token = _token(client, "/login")
    assert client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": token}).status_code == 303


def test_a_stranger_can_read_but_not_merge(client: Any) -> None:
    assert client.get("/entities/merges.json").get_json() == {"author": [], "foundation": [], "series": []}
    page = client.get(f"/f/{quote(SHORT)}").get_data(as_text=True)
    assert 'action="/entities/merge"' not in page
    token = _token(client, "/login")  # a session's token, but nobody signed in
    refused = client.post("/entities/merge", data={"kind": "foundation", "names": f"{SHORT}、{FULL}",
                                                   "csrf_token": token}, headers=JSON)
    assert refused.status_code == 401
    assert client.get(f"/f/{quote(SHORT)}.json").get_json()["merged"] == []


def test_an_archivist_merges_on_the_entity_page_and_splits_again(client: Any) -> None:
    _sign_in(client)
    no_token = client.post("/entities/merge", data={"kind": "foundation", "names": f"{SHORT}、{FULL}"}, headers=JSON)
    assert no_token.status_code == 400 and "CSRF" in no_token.get_json()["error"]["message"]

    page = client.get(f"/f/{quote(SHORT)}").get_data(as_text=True)
    assert 'action="/entities/merge"' in page and f'name="names" value="{SHORT}"' in page
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    # the form as the page sends it: its own name, then the others
    done = client.post("/entities/merge", data={"kind": "foundation", "names": [SHORT, FULL], "csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/f/{quote(SHORT)}")
    for name in (SHORT, FULL):
        view = client.get(f"/f/{quote(name)}.json").get_json()
        assert view["name"] == SHORT and view["total"] == 3 and view["merged"] == [SHORT, FULL]
    assert client.get(f"/search.json?q={quote('東亞安全')}").get_json()["facets"]["foundation"] == [{"value": SHORT, "count": 3}]
    assert client.get(f"/search.json?q={quote('東亞安全')}&foundation={quote(FULL)}").get_json()["total"] == 3
    shown = client.get(f"/f/{quote(FULL)}").get_data(as_text=True)
    assert f"館員已合併的名稱：{SHORT}、{FULL}" in shown and f"把「{FULL}」分開" in shown
    listed = client.get("/entities/merges").get_data(as_text=True)
    assert f'href="/f/{quote(SHORT)}"' in listed and FULL in listed
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text or "" for e in ET.fromstring(client.get("/sitemap.xml").data).findall("s:url/s:loc", ns)]
    assert f"http://localhost/f/{quote(SHORT)}" in locs and f"http://localhost/f/{quote(FULL)}" not in locs

    bad = client.post("/entities/merge", data={"kind": "foundation", "names": f"{SHORT}、沒有這個機構",
                                               "csrf_token": token}, headers=JSON)
    assert bad.status_code == 400 and "典藏中沒有這個名稱的文件" in bad.get_json()["error"]["message"]
    odd = client.post("/entities/merge", data={"kind": "publisher", "names": "甲、乙", "csrf_token": token},
                      headers=JSON)
    assert odd.status_code == 400 and "種類" in odd.get_json()["error"]["message"]

    split = client.post("/entities/split", data={"kind": "foundation", "name": FULL, "csrf_token": token})
    assert split.status_code == 303 and split.headers["Location"].endswith(f"/f/{quote(FULL)}")
    assert client.get(f"/f/{quote(FULL)}.json").get_json()["total"] == 2
    assert client.get(f"/f/{quote(SHORT)}.json").get_json()["merged"] == []
    again = client.post("/entities/split", data={"kind": "foundation", "name": FULL, "csrf_token": token},
                        headers=JSON)
    assert again.status_code == 400 and "沒有與其他名稱合併" in again.get_json()["error"]["message"]
