"""The app without a browser: JSON twins, OpenAPI, headers, CSRF, sign-in, limits, errors."""

from __future__ import annotations

import re
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.config import Settings
from archive.web import create_app
from archive.web.api import spec
from archive.web.render import with_snippet_html
from tests.web.web_support import PASSWORD, SEMI, USER, Corpus

# -- helpers -----------------------------------------------------------------------------------


def _validate(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> None:
    """A small JSON Schema check (the subset /openapi.json uses); raises AssertionError."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _validate(value, root["components"]["schemas"][name], root, path)
    if "oneOf" in schema:
        errors = []
        for option in schema["oneOf"]:
            try:
                _validate(value, option, root, path)
                return None
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{path}: matches no oneOf option: {errors}")
    types = schema.get("type")
    if types:
        types = [types] if isinstance(types, str) else types
        checks = {
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
            "array": lambda v: isinstance(v, list),
            "object": lambda v: isinstance(v, dict),
        }
        assert any(checks[t](value) for t in types), f"{path}: {value!r} is not {types}"
    if "enum" in schema and value is not None:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if "const" in schema:
        assert value == schema["const"], f"{path}: {value!r} != {schema['const']!r}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: missing {key!r}"
        props = schema.get("properties", {})
        for key, sub in value.items():
            if key in props:
                _validate(sub, props[key], root, f"{path}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                _validate(sub, schema["additionalProperties"], root, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _validate(item, schema["items"], root, f"{path}[{i}]")
    return None


def _schema_for(doc: dict[str, Any], path: str, method: str = "get", status: str = "200"
                ) -> dict[str, Any]:
    return doc["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"]


def _login(client: Any) -> None:
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    resp = client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 303


def _token(client: Any) -> str:
    client.get("/login")
    with client.session_transaction() as sess:
        return str(sess["csrf_token"])


# -- JSON twins and the OpenAPI description ------------------------------------------------------


def test_openapi_describes_what_the_server_returns(client: Any, corpus: Corpus,
                                                   archive: Any) -> None:
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc == spec()
    pid = archive.get_document(corpus.seed_id).blocks[3].id
    cases = [
        ("/search.json", f"/search.json?q={SEMI}&sort=newest"),
        ("/search.json", "/search.json"),
        ("/search.json", "/search.json?q=完全不存在的詞"),
        ("/", "/?q=習近平&author=李明峻"),
        ("/d/{doc_id}.json", f"/d/{corpus.seed_id}.json?q=峰會"),
        ("/d/{doc_id}", f"/d/{corpus.seed_id}"),
        ("/p/{passage_id}.json", f"/p/{pid}.json"),
    ]
    for path, url in cases:
        resp = client.get(url, headers={"Accept": "application/json"})
        assert resp.status_code == 200, url
        _validate(resp.get_json(), _schema_for(doc, path), doc, url)
    resp = client.get("/d/nope.json")
    _validate(resp.get_json(), _schema_for(doc, "/d/{doc_id}.json", status="404"), doc)
    _login(client)
    resp = client.get("/ingest.json")
    _validate(resp.get_json(), _schema_for(doc, "/ingest.json"), doc)


def test_the_services_query_notices_reach_the_page(client: Any) -> None:
    long_query = "美中 " * 400
    page = client.get("/", query_string={"q": long_query})
    assert page.status_code == 200
    data = client.get("/search.json", query_string={"q": long_query}).get_json()
    assert data["notices"]
    html = page.get_data(as_text=True)
    assert 'class="notices"' in html
    from markupsafe import escape

    assert all(str(escape(n)) in html for n in data["notices"])


def test_search_json_is_the_service_dictionary(client: Any, archive: Any) -> None:
    data = client.get(f"/search.json?q={SEMI}&author=王小明&page=1").get_json()
    # The service gives highlight spans; the web adds each passage's snippet_html from them.
    direct = with_snippet_html(archive.search(SEMI, filters={"author": ["王小明"]}, page=1, per_page=2))
    for d in (data, direct):
        d.pop("took_ms")
    assert data == direct


def test_accept_header_picks_the_twin(client: Any, corpus: Corpus) -> None:
    html = client.get(f"/d/{corpus.seed_id}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.mimetype == "text/html" and "Accept" in html.headers["Vary"]
    js = client.get(f"/d/{corpus.seed_id}", headers={"Accept": "application/json"})
    assert js.mimetype == "application/json"
    assert js.get_json() == client.get(f"/d/{corpus.seed_id}.json").get_json()
    assert client.get(f"/d/{corpus.seed_id}", headers={"Accept": "*/*"}).mimetype == "text/html"


def test_document_json_highlights_follow_the_query(client: Any, corpus: Corpus) -> None:
    data = client.get(f"/d/{corpus.seed_id}.json?q=习近平").get_json()
    texts = {b["id"]: b["text"] for b in data["blocks"]}
    assert data["highlights"]
    for pid, spans in data["highlights"].items():
        for s, e in spans:
            assert texts[pid][s:e] == "習近平"


def test_passage_annotation_target(client: Any, corpus: Corpus, archive: Any) -> None:
    doc = archive.get_document(corpus.seed_id)
    block = doc.blocks[4]
    data = client.get(f"/p/{block.id}.json").get_json()
    target = data["annotation"]["target"]
    assert target["source"].endswith(f"/d/{corpus.seed_id}/v{doc.version}.txt")
    assert target["scope"].endswith(f"/d/{corpus.seed_id}") and target["format"] == "text/plain"
    full = client.get(target["source"].replace("http://localhost", "")).get_data(as_text=True)
    quote, position = target["selector"]
    assert quote["exact"] == block.text == full[position["start"]:position["end"]]
    assert full[: position["start"]].endswith(quote["prefix"])
    assert full[position["end"]:].startswith(quote["suffix"])
    assert data["citation"]["url"].endswith(f"/p/{block.id}")
    assert data["citation"]["author"] == doc.meta("author")


def test_original_pdf_is_byte_for_byte(client: Any, corpus: Corpus) -> None:
    original = (corpus.pdf_dir / "seed.pdf").read_bytes()
    resp = client.get(f"/d/{corpus.seed_id}/original.pdf")
    assert resp.data == original and resp.mimetype == "application/pdf"
    assert "attachment" not in resp.headers.get("Content-Disposition", "")
    resp = client.get(f"/d/{corpus.seed_id}/original.pdf?download=1")
    assert "attachment" in resp.headers["Content-Disposition"]


def test_feeds(client: Any, corpus: Corpus) -> None:
    atom = client.get("/feed.atom")
    assert atom.mimetype == "application/atom+xml"
    import xml.etree.ElementTree as ET

    root = ET.fromstring(atom.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert "美中 APEC 峰會後的東北亞安保情勢" in titles
    assert any("<script>" in (t or "") for t in titles)  # escaped in XML, literal once parsed
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(f"/d/{corpus.seed_id}") for loc in locs)


# -- security --------------------------------------------------------------------------------------


def test_security_headers_and_no_inline_code(client: Any, corpus: Corpus) -> None:
    for url in ("/", f"/?q={SEMI}", f"/d/{corpus.seed_id}", "/login", "/nope"):
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe" not in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"]
        assert resp.headers["X-Frame-Options"] == "DENY"
        html = resp.get_data(as_text=True)
        # Data blocks (schema.org JSON-LD) are not code: browsers never run them.
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))", html), url
        assert " style=" not in html and "onclick" not in html.lower()
        assert not re.search(r"\bsrc=\"(https?:)?//", html), url
        assert not re.search(r"<link rel=\"(stylesheet|icon|preload)\" href=\"(https?:)?//",
                             html), url


def test_session_cookie_flags(fresh: Any) -> None:
    app = fresh(secure_cookies=True)
    client = app.test_client()
    resp = client.get("/login")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert "Strict-Transport-Security" in resp.headers


def test_writes_need_a_csrf_token(own_client: Any) -> None:
    client = own_client
    _login(client)
    resp = client.post("/ingest", data={"files": (BytesIO(b"%PDF-1.4 x"), "a.pdf")},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 400 and "CSRF" in resp.get_json()["error"]["message"]
    resp = client.post("/logout")
    assert resp.status_code == 400
    resp = client.post("/login", data={"name": USER, "password": PASSWORD})
    assert resp.status_code == 400


def test_upload_needs_sign_in(own_client: Any) -> None:
    client = own_client
    resp = client.get("/ingest")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get("/ingest.json").status_code == 401
    token = _token(client)
    resp = client.post("/ingest", data={"csrf_token": token,
                                        "files": (BytesIO(b"%PDF-1.4 x"), "a.pdf")})
    assert resp.status_code == 401


def test_login_redirects_only_within_the_site(client: Any) -> None:
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    resp = client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": token,
                                       "next": "https://evil.example/"})
    assert resp.headers["Location"] == "/"


def test_sign_in_attempts_are_rate_limited(fresh: Any) -> None:
    app = fresh(login_attempts_per_minute=3)
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    codes = [client.post("/login", data={"name": USER, "password": "wrong",
                                         "csrf_token": token}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    resp = client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": token},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    assert resp.get_json()["error"]["status"] == 429


def test_the_sign_in_limit_holds_across_server_processes(fresh: Any) -> None:
    """Two apps on one instance stand for two gunicorn workers: they share one allowance."""
    from archive.service import Archive

    first = fresh(login_attempts_per_minute=3)
    instance = first.extensions["archive"].instance
    second = create_app({"INSTANCE": str(instance), "TESTING": True,
                         "ARCHIVE": Archive(instance, Settings(login_attempts_per_minute=3))})
    codes = []
    for app in (first, second, first, second):
        client = app.test_client()
        client.get("/login")
        with client.session_transaction() as sess:
            token = sess["csrf_token"]
        codes.append(client.post("/login", data={"name": USER, "password": "wrong",
                                                 "csrf_token": token}).status_code)
    assert codes == [401, 401, 401, 429]
    second.extensions["archive"].close()


def test_reading_can_require_sign_in(fresh: Any) -> None:
    app = fresh(require_login_for_read=True)
    client = app.test_client()
    resp = client.get("/?q=x")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get("/search.json?q=x").status_code == 401
    assert client.get("/feed.atom").status_code in (302, 401)
    assert client.get("/login").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    _login(client)
    assert client.get("/?q=x").status_code == 200
    assert client.get("/search.json").status_code == 200


def test_oversized_upload_is_a_clean_413(fresh: Any) -> None:
    app = fresh(max_upload_mb=0.05)
    client = app.test_client()
    _login(client)
    token = _token(client)
    big = b"%PDF-1.4\n" + b"0" * (400 * 1024)
    resp = client.post("/ingest", data={"csrf_token": token, "files": (BytesIO(big), "big.pdf")},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 413
    assert resp.get_json()["error"]["status"] == 413
    resp = client.post("/ingest", data={"csrf_token": token, "files": (BytesIO(big), "big.pdf")})
    assert resp.status_code == 413 and "檔案太大" in resp.get_data(as_text=True)


def test_upload_checks_magic_and_never_uses_the_file_name(fresh: Any, tmp_path: Path) -> None:
    app = fresh()
    app.extensions["jobs"]._autostart = False
    client = app.test_client()
    _login(client)
    token = _token(client)
    resp = client.post(
        "/ingest",
        data={"csrf_token": token, "files": [
            (BytesIO(b"GIF89a not a pdf"), "../../etc/passwd.pdf"),
            (BytesIO(b""), "empty.pdf"),
        ]},
        headers={"Accept": "application/json"},
    )
    assert resp.status_code == 202
    jobs = resp.get_json()["jobs"]
    assert [(j["filename"], j["status"], j["reason"]) for j in jobs] == [
        ("passwd.pdf", "failed", "not a PDF (no %PDF header)"),
        ("empty.pdf", "failed", "empty file"),
    ]
    assert not (tmp_path / "etc").exists()


def test_jobs_run_in_order_behind_one_writer(fresh: Any, corpus: Corpus) -> None:
    app = fresh()
    client = app.test_client()
    _login(client)
    token = _token(client)
    files = [(BytesIO((corpus.pdf_dir / f"facet-{i}.pdf").read_bytes()), f"f{i}.pdf")
             for i in range(2)]
    resp = client.post("/ingest", data={"csrf_token": token, "files": files},
                       headers={"Accept": "application/json"})
    ids = [j["id"] for j in resp.get_json()["jobs"]]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        jobs = client.get("/ingest.json?" + "&".join(f"job={i}" for i in ids)).get_json()["jobs"]
        if all(j["done"] for j in jobs):
            break
        time.sleep(0.2)
    assert [j["status"] for j in jobs] == ["ingested", "ingested"]
    queue = app.extensions["jobs"]
    finished = [queue.state.job(i)["finished_at"] for i in ids]
    assert finished == sorted(finished)


def test_an_upload_taken_by_one_worker_reports_on_any(fresh: Any, corpus: Corpus) -> None:
    """The browser polls whichever worker answers: progress and outcome are shared."""
    taker = fresh()
    other = create_app({"INSTANCE": str(taker.extensions["archive"].instance), "TESTING": True})
    client = taker.test_client()
    _login(client)
    data = (corpus.pdf_dir / "facet-0.pdf").read_bytes()
    resp = client.post("/ingest", data={"csrf_token": _token(client),
                                        "files": (BytesIO(data), "f.pdf")},
                       headers={"Accept": "application/json"})
    (job_id,) = [j["id"] for j in resp.get_json()["jobs"]]
    poller = other.test_client()
    _login(poller)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        (job,) = poller.get(f"/ingest.json?job={job_id}").get_json()["jobs"]
        if job["done"]:
            break
        assert job["status"] in ("queued", "working") and job["position"] == 0
        time.sleep(0.2)
    assert job["status"] == "ingested" and job["doc_id"]
    assert other.extensions["archive"].get_document(job["doc_id"]) is not None
    other.extensions["jobs"].writer.close()
    other.extensions["archive"].close()


def _upload(client: Any, data: bytes, name: str) -> dict[str, Any]:
    resp = client.post("/ingest", data={"csrf_token": _token(client),
                                        "files": (BytesIO(data), name)},
                       headers={"Accept": "application/json"})
    (job,) = resp.get_json()["jobs"]
    deadline = time.monotonic() + 60
    while not job["done"] and time.monotonic() < deadline:
        time.sleep(0.2)
        (job,) = client.get(f"/ingest.json?job={job['id']}").get_json()["jobs"]
    return job


def test_uploads_are_stored_by_a_niced_writer_process_that_is_replaced_if_it_dies(
        fresh: Any, corpus: Corpus) -> None:
    """Indexing runs outside the web process (readers never wait on its interpreter lock), at
    the lower CPU priority of ``ingest_nice``; a writer that died is replaced at the next job."""
    import os
    import signal

    app = fresh(ingest_nice=5)
    client = app.test_client()
    _login(client)
    first = _upload(client, (corpus.pdf_dir / "facet-0.pdf").read_bytes(), "a.pdf")
    assert first["status"] == "ingested"
    writer = app.extensions["jobs"].writer
    pid = writer.pid
    assert pid is not None and pid != os.getpid()
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    mine = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    assert int(stat[16]) == min(19, int(mine[16]) + 5)
    os.kill(pid, signal.SIGKILL)
    second = _upload(client, (corpus.pdf_dir / "facet-1.pdf").read_bytes(), "b.pdf")
    assert second["status"] == "ingested" and writer.pid not in (None, pid)
    archive = app.extensions["archive"]
    assert {first["doc_id"], second["doc_id"]} <= {d["id"] for d in archive.list_documents()}
    assert archive.search(SEMI)["total"] >= 2  # indexed by the writer, seen by the web


def test_a_pending_upload_of_a_stopped_worker_is_reported_failed(fresh: Any) -> None:
    """The bytes of a queued upload die with the process that held them: say so, once."""
    import subprocess
    import sys

    from archive.web.state import INTERRUPTED, process_token

    app = fresh()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    token = process_token(gone.pid)
    gone.wait()
    state = app.extensions["web_state"]
    state.add_job({"id": "lost", "filename": "a.pdf", "size": 10, "user": USER,
                   "status": "working", "queued_at": time.time(), "owner": token})
    state.add_job({"id": "mine", "filename": "b.pdf", "size": 10, "user": USER,
                   "status": "queued", "queued_at": time.time() + 1,
                   "owner": process_token()})
    client = app.test_client()
    _login(client)
    jobs = client.get("/ingest.json?job=lost&job=mine").get_json()["jobs"]
    assert [(j["id"], j["status"], j["reason"], j["position"]) for j in jobs] == [
        ("lost", "failed", INTERRUPTED, None),
        ("mine", "queued", None, 0),  # the lost one no longer holds a place ahead of it
    ]


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/d/doesnotexist", 404),
        ("GET", "/p/p-000000000000", 404),
        ("GET", "/nowhere", 404),
        ("POST", "/", 405),  # the route takes no POST: 405 with Allow, before any CSRF check
        ("PUT", "/d/x", 405),
        ("POST", "/logout", 400),  # a route that takes POST: no CSRF token
        ("GET", "/d/x?version=-1", 400),
    ],
)
def test_errors_have_pages_and_json_twins(client: Any, method: str, url: str,
                                          status: int) -> None:
    page = client.open(url, method=method)
    assert page.status_code == status and page.mimetype == "text/html"
    assert 'lang="zh-Hant"' in page.get_data(as_text=True)
    twin = client.open(url, method=method, headers={"Accept": "application/json"})
    assert twin.status_code == status and twin.get_json()["error"]["status"] == status
    code = twin.get_json()["error"]["code"]
    assert re.fullmatch(r"[a-z][a-z0-9-]*", code) and f'data-code="{code}"' in page.get_data(as_text=True)


def test_method_not_allowed(client: Any) -> None:
    client.get("/")
    with client.session_transaction() as sess:
        sess["csrf_token"] = "t"
    resp = client.post("/d/x", data={"csrf_token": "t"}, headers={"Accept": "application/json"})
    assert resp.status_code == 405 and resp.get_json()["error"]["status"] == 405


def test_an_internal_error_is_a_page_not_a_traceback(fresh: Any) -> None:
    app = fresh()

    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("secret detail")

    app.extensions["archive"].list_documents = boom
    client = app.test_client()
    resp = client.get("/", headers={"Accept": "application/json"})
    assert resp.status_code == 500
    assert "secret detail" not in resp.get_data(as_text=True)
    assert resp.get_json()["error"]["status"] == 500


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(max_size=600),
    page=st.one_of(st.text(max_size=8), st.integers(-5, 10**9).map(str)),
    sort=st.text(max_size=12),
    author=st.text(max_size=30),
)
def test_no_query_input_produces_a_500(client: Any, q: str, page: str, sort: str,
                                       author: str) -> None:
    resp = client.get("/", query_string={"q": q, "page": page, "sort": sort, "author": author,
                                         "bridge": "0"})
    assert resp.status_code in (200, 400), resp.get_data(as_text=True)[:500]
    resp = client.get(f"/d/{'x'}", query_string={"q": q})
    assert resp.status_code in (200, 404)


def test_delete_needs_an_archivist_and_a_confirmation(own_app: Any, corpus: Corpus) -> None:
    doc_id = corpus.facet_ids[0]
    client = own_app.test_client()
    token = _token(client)
    url = f"/d/{doc_id}/delete"
    assert client.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 401
    _login(client)
    token = _token(client)
    assert client.post(url, data={"csrf_token": token}).status_code == 400
    resp = client.post(url, data={"csrf_token": token, "confirm": "yes"},
                       headers={"Accept": "application/json"})
    assert resp.get_json() == {"deleted": doc_id}
    assert client.get(f"/d/{doc_id}").status_code == 404
    assert own_app.extensions["archive"].search(SEMI)["total"] == len(corpus.facet_ids) - 1


def test_an_idle_writer_exits_and_the_next_upload_starts_another(fresh: Any,
                                                                  corpus: Corpus) -> None:
    """The writer gives its memory back when idle; nothing is lost by it."""
    from archive.web.writer import WriterProcess

    archive = fresh().extensions["archive"]
    writer = WriterProcess(archive.instance, archive.settings, idle_exit_s=0.5)
    try:
        data = (corpus.pdf_dir / "facet-0.pdf").read_bytes()
        assert writer.ingest(data, filename="a.pdf")["status"] == "ingested"
        child = writer._child
        assert child is not None
        child.process.wait(timeout=30)  # exits by itself once idle
        again = writer.ingest((corpus.pdf_dir / "facet-1.pdf").read_bytes(), filename="b.pdf")
        assert again["status"] == "ingested" and writer._child is not child
        assert writer.ingest(data, filename="a.pdf")["status"] == "unchanged"
    finally:
        writer.close()


@pytest.mark.parametrize("param", ["_anchor=x", "_scheme=https", "_method=POST", "endpoint=x", "_external=1"])
def test_url_builders_take_no_instructions_from_the_query_string(client: Any, param: str) -> None:
    """url_for treats _anchor, _scheme, _external, _method as instructions: links use the app's own params."""
    resp = client.get(f"/?q=美國&{param}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "http://localhost" not in html and "#x" not in html
    twin = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', html)
    assert twin and twin.group(1).startswith("/search.json?") and "_" not in twin.group(1).split("?", 1)[1]


@pytest.mark.parametrize("base_url", ["", "https://archive.example.org"])
def test_no_host_header_names_the_site(fresh: Any, corpus: Corpus, base_url: str) -> None:
    """Canonical links, citations, the feed and the sitemap never carry a Host the request
    chose: without base_url only loopback names are answered; with it, links are on it."""
    app = fresh(base_url=base_url, trusted_hosts=("archive.internal",))
    client = app.test_client()
    for url in ("/", "/feed.atom", "/sitemap.xml", "/search.json?q=a"):
        evil = client.get(url, headers={"Host": "evil.example"})
        assert evil.status_code == 400, url
        body = evil.get_data(as_text=True)
        assert "base_url" in body and "evil.example" not in body and "Traceback" not in body
    feed = client.get("/feed.atom", headers={"Host": "archive.internal"})
    assert feed.status_code == 200
    want = base_url or "http://archive.internal"
    assert want in feed.get_data(as_text=True)
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_deeply_nested_query_is_a_notice_not_a_500(client: Any, corpus: Corpus) -> None:
    q = "(" * 245 + "美國" + ")" * 245
    for url in ("/", "/search.json", f"/d/{corpus.seed_id}"):
        resp = client.get(url, query_string={"q": q})
        assert resp.status_code == 200, url
    notices = client.get("/search.json", query_string={"q": q}).get_json()["notices"]
    assert any("16" in n for n in notices)


def _who(client: Any) -> Any:
    return client.get("/login", headers={"Accept": "application/json"}).get_json()["user"]


def _replay(app: Any, cookie: str) -> Any:
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return _who(other)


def _session_cookie(client: Any) -> str:
    cookie = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def test_sessions_end_at_sign_out_removal_and_password_change(fresh: Any) -> None:
    """A replayed cookie is worthless once its session ended: the record lives in the instance."""
    app = fresh()
    archive = app.extensions["archive"]
    client = app.test_client()
    _login(client)
    cookie = _session_cookie(client)
    assert _who(client) == USER and _replay(app, cookie) == USER
    client.post("/logout", data={"csrf_token": _token(client)})
    assert _who(client) is None and _replay(app, cookie) is None  # signed out: the old cookie is dead

    _login(client)
    cookie = _session_cookie(client)
    archive.add_user(USER, PASSWORD + "-changed", reset=True)  # a password change ends every session
    assert _replay(app, cookie) is None
    archive.add_user(USER, PASSWORD, reset=True)
    _login(client)
    cookie = _session_cookie(client)
    archive.store.delete_user(USER)  # and so does removal (what `archive user remove` does)
    assert _replay(app, cookie) is None


def test_idle_sessions_expire(fresh: Any) -> None:
    app = fresh(session_idle_minutes=1)
    client = app.test_client()
    _login(client)
    assert _who(client) == USER
    state = app.extensions["web_state"]
    state._conn().execute("UPDATE sessions SET seen = seen - 3600")  # an hour without a request
    assert _who(client) is None


def test_invisible_characters_in_metadata_never_reach_the_page(own_app: Any, corpus: Corpus) -> None:
    """A title or author with a bidi override or zero-width characters (a "Trojan Source"
    spoof) is stored as extracted and printed without them, on every page that shows it."""
    from archive.models import Field

    app = own_app
    archive = app.extensions["archive"]
    doc_id = corpus.facet_ids[0]
    doc = archive.get_document(doc_id)
    doc.metadata["title"] = Field("正常標題\u202egpj.exe\u202c\u200b附件", "text")
    doc.metadata["author"] = Field("王\u200d小\u2066明\u2069\ufeff", "text")
    archive.store.rewrite_version(doc)
    archive.index.add_document(archive.get_document(doc_id))
    client = app.test_client()
    invisible = "\u202e\u202c\u200b\u200d\u2066\u2069\ufeff"
    for url in (f"/d/{doc_id}", "/", "/?q=正常標題", "/feed.atom", f"/p/{doc.blocks[0].id}"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        html = resp.get_data(as_text=True)
        assert not set(invisible) & set(html), (url, [hex(ord(c)) for c in set(invisible) & set(html)])
    assert "正常標題gpj.exe附件" in client.get(f"/d/{doc_id}").get_data(as_text=True)
    stored = client.get(f"/d/{doc_id}.json").get_data(as_text=True)
    assert "\\u202e" in stored.lower() or "\u202e" in stored  # the data keeps what the PDF said


def test_a_wrong_method_is_a_405_with_allow_on_every_route(app: Any, corpus: Corpus) -> None:
    """Not a CSRF refusal (400): the route does not take the method, and says which it takes."""
    client = app.test_client()
    values = {"doc_id": corpus.seed_id, "passage_id": "p-000000000000", "filename": "css/app.css",
              "version": 1, "fmt": "bibtex", "name": "王小明"}
    checked = 0
    for rule in app.url_map.iter_rules():
        allowed = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        wrong = next(m for m in ("PUT", "DELETE", "PATCH", "POST") if m not in allowed)
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments},
                         append_unknown=False)[1]
        resp = client.open(url, method=wrong)
        assert resp.status_code == 405, (rule.rule, wrong, resp.status_code)
        assert allowed <= {m.strip() for m in resp.headers["Allow"].split(",")}, rule.rule
        checked += 1
    assert checked >= 15


def test_a_document_ingested_by_path_shows_only_its_file_name(client: Any, corpus: Corpus) -> None:
    """The CLI ingests by absolute path: the record keeps the base name only (the session's
    response watch in conftest checks every page for the folders themselves)."""
    twin = client.get(f"/d/{corpus.by_path_id}.json").get_json()
    assert twin["filename"] == "by-path.pdf"
    assert all(v["filename"] == "by-path.pdf" for v in twin.get("versions", []))
    listed = client.get("/search.json").get_json().get("recent") or []
    assert all("/" not in (d.get("filename") or "") for d in listed)


def test_editing_needs_an_archivist_a_token_and_a_valid_value(own_app: Any, corpus: Corpus) -> None:
    app = own_app
    archive = app.extensions["archive"]
    doc_id = corpus.facet_ids[0]
    url = f"/d/{doc_id}/edit"
    anonymous = app.test_client()
    assert anonymous.post(url, data={"title": "x", "csrf_token": _token(anonymous)},
                          headers={"Accept": "application/json"}).status_code == 401
    client = app.test_client()
    _login(client)
    assert client.post(url, data={"title": "沒有權杖"}).status_code == 400  # no CSRF token
    bad = client.post(url, data={"date": "下週二", "csrf_token": _token(client)},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "日期格式不正確" in bad.get_json()["error"]["message"]
    assert archive.get_document(doc_id).meta("date") != "下週二"
    ok = client.post(url, data={"author": "林校正", "date": "民國110年3月5日", "series": "",
                                "csrf_token": _token(client)}, headers={"Accept": "application/json"})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    view = ok.get_json()
    assert view["metadata"]["author"] == {"value": "林校正", "source": "archivist"}
    assert view["metadata"]["date"] == {"value": "2021-03-05", "source": "archivist"}
    assert "series" not in view["metadata"]  # sent empty: removed
    assert {e["field"] for e in view["edits"]} == {"author", "date", "series"}
    assert all(e["user"] == USER for e in view["edits"])
    facets = client.get("/search.json?q=半導體").get_json()["facets"]
    assert {"value": "林校正", "count": 1} in facets["author"]  # reindexed at once
    assert {"value": "2021", "count": 1} in facets["year"]
    assert client.get("/search.json?q=author:林校正").get_json()["total"] == 1


def test_an_edit_survives_a_new_version(own_archive: Any, corpus: Corpus) -> None:
    archive = own_archive
    archive.edit(corpus.rev_id, sets={"title": "館員訂正的標題"}, user="editor")
    assert corpus.rev_v2_pdf is not None
    second = archive.ingest_bytes(corpus.rev_v2_pdf.read_bytes(), "rev-v2.pdf")
    assert (second.doc_id, second.version) == (corpus.rev_id, 2)
    doc = archive.get_document(corpus.rev_id)
    assert doc.version == 2 and doc.title == "館員訂正的標題"
    assert doc.metadata["title"].source == "archivist"
    assert archive.search("館員訂正")["total"] == 1


def test_several_authors_are_a_list_each_with_an_affiliation(own_app: Any, corpus: Corpus) -> None:
    app = own_app
    archive = app.extensions["archive"]
    doc_id = corpus.facet_ids[0]
    archive.edit(doc_id, sets={"author": "林一、王二", "affiliation": "甲大學教授、乙研究院研究員"},
                 user="editor")
    client = app.test_client()
    view = client.get(f"/d/{doc_id}.json").get_json()
    assert view["authors"] == [{"name": "林一", "affiliation": "甲大學教授"},
                               {"name": "王二", "affiliation": "乙研究院研究員"}]
    facets = client.get("/search.json?q=半導體").get_json()["facets"]["author"]
    assert {"value": "林一", "count": 1} in facets and {"value": "王二", "count": 1} in facets
    pid = view["blocks"][1]["id"]
    cite = client.get(f"/p/{pid}.json").get_json()["citation"]
    assert cite["authors"] == ["林一", "王二"] and cite["text"].startswith("林一、王二，")
    archive.edit(doc_id, sets={"affiliation": "丙中心研究員"}, user="editor")
    shared = client.get(f"/d/{doc_id}.json").get_json()["authors"]
    assert shared == [{"name": "林一", "affiliation": "丙中心研究員"},
                      {"name": "王二", "affiliation": "丙中心研究員"}]
