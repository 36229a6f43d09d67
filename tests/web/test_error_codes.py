"""Every error answer carries a stable ``code``: the archive error's own where the failure came
from one, else the web's word for the refusal or the status's.  Each kind is triggered for real
(a real instance, real requests); the JSON bodies are checked against ``/openapi.json``'s
``Error`` schema, and the page shows the same code.

Reads go to the session's app; writes, tight limits and damage to apps of their own."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from archive.web import create_app
from tests.web.web_support import PASSWORD, USER, Corpus

JSON = {"Accept": "application/json"}


def _schema(client: Any) -> dict[str, Any]:
    doc = client.get("/openapi.json").get_json()
    return dict(doc["components"]["schemas"]["Error"]["properties"]["error"])


def _assert_body(resp: Any, status: int, code: str, schema: dict[str, Any]) -> None:
    """A JSON error body of ``status`` and ``code``, with every key the schema requires, each
    of its type, and the code matching the schema's pattern."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(schema["required"]) <= set(error) <= set(schema["properties"])
    assert {"status", "title", "message", "code"} <= set(schema["required"])
    kinds = {"integer": int, "string": str}
    for key, sub in schema["properties"].items():
        assert isinstance(error[key], kinds[sub["type"]]), (key, error[key])
    assert re.fullmatch(schema["properties"]["code"]["pattern"], error["code"]), error["code"]
    assert error["status"] == status
    assert error["code"] == code, (error, resp.request.path)


def _login(client: Any) -> str:
    client.get("/login")
    with client.session_transaction() as sess:
        token = str(sess["csrf_token"])
    resp = client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 303
    client.get("/login")
    with client.session_transaction() as sess:
        return str(sess["csrf_token"])


def _token(client: Any) -> str:
    client.get("/login")
    with client.session_transaction() as sess:
        return str(sess["csrf_token"])


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("GET", "/d/doesnotexist.json", 404, "not-found"),
        ("GET", "/p/p-000000000000.json", 404, "not-found"),
        ("GET", "/nowhere", 404, "not-found"),
        ("GET", "/d/x.json?version=-1", 400, "bad-version"),
        ("GET", "/export.docx?q=x", 404, "format"),
        ("GET", "/export.csv", 400, "no-query"),
        ("GET", "/concordance.csv", 400, "no-query"),
        ("PUT", "/d/x", 405, "method-not-allowed"),
        ("POST", "/", 405, "method-not-allowed"),
        ("POST", "/logout", 400, "csrf"),
    ],
)
def test_refusals_carry_their_code_in_json_and_on_the_page(client: Any, method: str, url: str,
                                                           status: int, code: str) -> None:
    schema = _schema(client)
    _assert_body(client.open(url, method=method, headers=JSON), status, code, schema)
    page = client.open(url.replace(".json", ""), method=method)
    assert page.status_code == status and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert f'data-code="{code}"' in html and f"<code>{code}</code>" in html


def test_a_document_files_refusals(client: Any, corpus: Corpus) -> None:
    schema = _schema(client)
    _assert_body(client.get(f"/d/{corpus.seed_id}/cite.docx", headers=JSON), 404, "format", schema)
    resp = client.get(f"/d/{corpus.seed_id}/original.pdf", headers={**JSON, "Range": "bytes=99999999-"})
    _assert_body(resp, 416, "range-not-satisfiable", schema)
    _assert_body(client.get("/ingest.json"), 401, "sign-in-required", schema)


def test_a_host_the_app_does_not_answer(client: Any) -> None:
    resp = client.get("/search.json", headers={"Host": "evil.example"})
    _assert_body(resp, 400, "untrusted-host", _schema(client))
    text = client.get("/", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "untrusted-host" in text and "evil.example" not in text


def test_refused_writes_carry_the_archive_errors_code(own_client: Any, corpus: Corpus) -> None:
    """An edit and an alias the archive refuses: the ArchiveError's own code (the CLI's)."""
    from archive.aliases import AliasError
    from archive.edits import EditError

    client = own_client
    schema = _schema(client)
    url = f"/d/{corpus.facet_ids[0]}/edit"
    _assert_body(client.post(url, data={"title": "x", "csrf_token": _token(client)}, headers=JSON),
                 401, "sign-in-required", schema)
    page = client.post(url, data={"title": "x", "csrf_token": _token(client)})
    assert page.status_code == 401 and 'data-code="sign-in-required"' in page.get_data(as_text=True)
    token = _login(client)
    _assert_body(client.post(url, data={"title": "x"}, headers=JSON), 400, "csrf", schema)
    bad_date = client.post(url, data={"date": "下週二", "csrf_token": token}, headers=JSON)
    _assert_body(bad_date, 400, EditError.code, schema)
    assert "日期格式不正確" in bad_date.get_json()["error"]["message"]  # the zh-Hant wording
    _assert_body(client.post(url, data={"csrf_token": token}, headers=JSON), 400, EditError.code,
                 schema)  # nothing to change
    alias = client.post("/aliases/add", data={"forms": "台灣", "csrf_token": token}, headers=JSON)
    _assert_body(alias, 400, AliasError.code, schema)
    page = client.post("/aliases/add", data={"forms": "台灣", "csrf_token": token})
    assert f'data-code="{AliasError.code}"' in page.get_data(as_text=True)
    _assert_body(client.post(f"/d/{corpus.facet_ids[0]}/delete", data={"csrf_token": token},
                             headers=JSON), 400, "bad-request", schema)  # not confirmed
    _assert_body(client.post("/d/nope/delete", data={"csrf_token": token, "confirm": "yes"},
                             headers=JSON), 404, "not-found", schema)


def test_limits_carry_their_code(fresh: Any) -> None:
    app = fresh(max_upload_mb=0.05, login_attempts_per_minute=1)
    client = app.test_client()
    schema = _schema(client)
    token = _login(client)
    big = b"%PDF-1.4\n" + b"0" * (400 * 1024)
    resp = client.post("/ingest", data={"csrf_token": token, "files": (BytesIO(big), "big.pdf")},
                       headers=JSON)
    _assert_body(resp, 413, "too-large", schema)
    _assert_body(client.post("/ingest", data={"csrf_token": token}, headers=JSON), 400,
                 "bad-request", schema)  # no file
    other = app.test_client()
    token = _token(other)
    for _ in range(2):
        resp = other.post("/login", data={"name": USER, "password": "wrong", "csrf_token": token},
                          headers=JSON)
    _assert_body(resp, 429, "rate-limited", schema)
    assert int(resp.headers["Retry-After"]) > 0


def test_an_unexpected_failure_is_internal(fresh: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app = fresh()

    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(app.extensions["archive"], "list_documents", boom)
    client = app.test_client()
    resp = client.get("/", headers=JSON)
    _assert_body(resp, 500, "internal", _schema(client))
    assert "secret detail" not in resp.get_data(as_text=True)


def _damaged_copy(corpus: Corpus, dest: Path) -> Path:
    shutil.copytree(corpus.template, dest, symlinks=True)
    conn = sqlite3.connect(dest / "catalogue.sqlite3")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return dest


def test_damage_carries_the_catalogues_and_the_indexs_codes(corpus: Corpus, tmp_path: Path) -> None:
    """A record that does not parse and a garbled index: 503 with the archive's own codes."""
    instance = _damaged_copy(corpus, tmp_path / "instance")
    conn = sqlite3.connect(instance / "catalogue.sqlite3")
    conn.execute("UPDATE versions SET document='{' WHERE doc_id=?", (corpus.seed_id,))
    conn.commit()
    conn.close()
    for segment in (instance / "index").resolve().glob("*.seg"):
        data = bytearray(segment.read_bytes())
        data[:200] = bytes(b ^ 0xA5 for b in data[:200])
        segment.write_bytes(bytes(data))
    app = create_app({"INSTANCE": str(instance), "TESTING": True})
    try:
        client = app.test_client()
        schema = _schema(client)
        _assert_body(client.get(f"/d/{corpus.seed_id}.json"), 503, "catalogue", schema)
        page = client.get(f"/d/{corpus.seed_id}").get_data(as_text=True)
        assert 'data-code="catalogue"' in page
        _assert_body(client.get("/concordance.json?q=美國"), 503, "index-damaged", schema)
    finally:
        app.extensions["archive"].close()


def test_a_garbled_catalogue_is_the_catalogues_code(corpus: Corpus, tmp_path: Path) -> None:
    instance = _damaged_copy(corpus, tmp_path / "instance")
    db = instance / "catalogue.sqlite3"
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        fh.seek(4096)
        fh.write(os.urandom(size - 4096))
    app = create_app({"INSTANCE": str(instance), "TESTING": True})
    try:
        client = app.test_client()
        _assert_body(client.get(f"/d/{corpus.seed_id}.json"), 503, "catalogue", _schema(client))
    finally:
        app.extensions["archive"].close()
