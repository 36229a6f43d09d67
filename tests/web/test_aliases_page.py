"""The aliases page: public to read, archivists add and remove with the CSRF token (on an
instance of the test's own: ``own_client``)."""

from __future__ import annotations

from typing import Any

from tests.web.web_support import PASSWORD, USER


def test_archivists_add_and_remove_aliases(own_client: Any) -> None:
    client = own_client
    before = client.get("/aliases.json").get_json()
    assert before["added"] == [] and before["removed"] == []
    refused = client.post("/aliases/add", data={"forms": "朝鲜 北韓"}, headers={"Accept": "application/json"})
    assert refused.status_code in (400, 401)  # no token, not signed in
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    assert client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": token}).status_code == 303
    page = client.get("/aliases").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    ok = client.post("/aliases/add", data={"forms": "朝鲜、北韓", "csrf_token": token},
                     headers={"Accept": "application/json"})
    assert ok.status_code == 200 and ok.get_json()["added"][0]["forms"] == ["朝鲜", "北韓"]
    assert client.get("/search.json?q=朝鲜").get_json()["also_searched"][0]["also"] == ["北韓"]
    bad = client.post("/aliases/add", data={"forms": "台灣", "csrf_token": token},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "別名需要兩個" in bad.get_json()["error"]["message"]
    gone = client.post("/aliases/remove", data={"a": "朝鲜", "b": "北韓", "csrf_token": token},
                       headers={"Accept": "application/json"})
    assert gone.get_json()["removed"] == [["朝鲜", "北韓"]]
    assert "北韓" in client.get("/aliases").get_data(as_text=True)
