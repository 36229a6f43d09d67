"""Fixtures for the web tests: a real instance folder, a real server, one real browser.

Two kinds of app, after Flask's tutorial (``app`` → ``create_app({...})``, ``client``):

* **shared, read-only**: ``corpus``, ``app``, ``client``, ``archive``, ``live_server`` and
  ``page`` are one instance per test session (per xdist worker), built from real PDFs made by
  ``tests/pdfgen.py`` and ingested through ``Archive.ingest_bytes``, the path the upload page
  takes.  Tests on them only read (signing in is allowed: its sessions are web state, not
  archive content).
* **a test's own**: a test that writes (uploads, deletes, edits, ingests, adds or removes
  aliases, changes accounts) takes ``own_app`` / ``own_client`` / ``own_archive`` (and
  ``own_server`` / ``own_page`` in a browser): a fresh copy of the session's instance as it
  was built (``corpus.template``, copied with ``shutil.copytree``, not ingested again), so
  ``corpus``'s ids and files hold in it too.  ``fresh(**settings)`` is an app on an *empty*
  instance with settings of its own, for limit and gate tests.

Browser tests drive Debian's chromium through Playwright against werkzeug servers on
ephemeral ports, all through the session's one ``browser``.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import vocabulary
from archive.config import Settings
from archive.web import create_app
from tests import pdfgen
from tests.web.web_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FACET_DOCS,
    PASSWORD,
    PER_PAGE,
    REV_AUTHOR,
    REV_TITLE,
    REV_V1,
    REV_V2,
    SEMI,
    USER,
    XSS_AUTHOR,
    XSS_BODY,
    XSS_TITLE,
    Corpus,
    PageWatch,
)


def _ingest(archive: Any, path: Path) -> str:
    out = archive.ingest_bytes(path.read_bytes(), filename=path.name)
    assert out.status in ("ingested", "updated", "unchanged"), out
    return str(out.doc_id)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    from archive.service import Archive

    seed_pdf, commentary_pdf = pdfgen.seed_pdf, pdfgen.commentary_pdf

    base = tmp_path_factory.mktemp("web")
    pdfs = base / "pdfs"
    pdfs.mkdir()
    corpus = Corpus(instance=base / "instance", pdf_dir=pdfs, template=base / "template")
    corpus.instance.mkdir()
    # many sign-ins happen from 127.0.0.1 in one session; the limit itself is tested separately
    (corpus.instance / "config.toml").write_text("login_attempts_per_minute = 1000\n")
    archive = Archive(corpus.instance)
    corpus.seed_id = _ingest(archive, seed_pdf(pdfs / "seed.pdf"))
    for i, (title, author, foundation, series, date) in enumerate(FACET_DOCS):
        path = commentary_pdf(
            pdfs / f"facet-{i}.pdf",
            title=title,
            author=author,
            affiliation="研究員",
            series=series,
            foundation=foundation,
            date=date,
            paragraphs=[
                f"{SEMI}是當代國際政治經濟競爭的核心，{title}的討論也因此備受關注。",
                f"本文第 {i + 1} 篇，從產業政策與國家安全的角度，分析各國的{SEMI}布局與合作。",
            ],
        )
        corpus.facet_ids.append(_ingest(archive, path))
    corpus.xss_id = _ingest(
        archive,
        commentary_pdf(
            pdfs / "xss.pdf",
            title=XSS_TITLE,
            author=XSS_AUTHOR,
            affiliation="<b>單位</b>",
            series="遠景論壇",
            foundation="財團法人兩岸交流遠景基金會",
            date="2023-12-01",
            paragraphs=[XSS_BODY, "第二段落，內容正常。"],
            info_title=XSS_TITLE,
            info_author=XSS_AUTHOR,
        ),
    )
    corpus.rev_id = _ingest(
        archive,
        commentary_pdf(pdfs / "rev-v1.pdf", title=REV_TITLE, author=REV_AUTHOR,
                       affiliation="國際事務研究員", series="遠景論壇",
                       foundation="財團法人兩岸交流遠景基金會", date="2023-08-01",
                       paragraphs=REV_V1),
    )
    corpus.rev_v2_pdf = commentary_pdf(
        pdfs / "rev-v2.pdf", title=REV_TITLE, author=REV_AUTHOR, affiliation="國際事務研究員",
        series="遠景論壇", foundation="財團法人兩岸交流遠景基金會", date="2023-08-01",
        paragraphs=REV_V2,
    )
    corpus.upload_pdf = commentary_pdf(
        pdfs / "上傳測試.pdf", title="上傳測試文件：海洋法與南海仲裁", author="吳上傳",
        affiliation="研究員", series="政策評析", foundation="台灣智庫", date="2021-07-12",
        paragraphs=["南海仲裁案判斷書公布後，各國對海洋法公約的解釋出現明顯分歧。"],
    )
    # One document ingested as the command line does, by its absolute path: no page, JSON,
    # feed or citation may show that path (see the ``app`` fixture's watch on every response).
    deep = pdfs / "deep" / "folder"
    deep.mkdir(parents=True)
    by_path = commentary_pdf(deep / "by-path.pdf", title="以路徑收錄的文件", author="路徑測試",
                             paragraphs=["這份文件以絕對路徑收錄，路徑不得出現在任何頁面。"])
    (outcome,) = list(archive.ingest_files([by_path]))
    assert outcome.ok, outcome
    corpus.by_path_id = str(outcome.doc_id)
    archive.add_user(USER, PASSWORD)
    archive.close()  # its extraction children; the app opens its own Archive
    # The instance as built, before any app opens it: what every test's own app starts from.
    shutil.copytree(corpus.instance, corpus.template, symlinks=True)
    return corpus


def _watch_for_server_paths(app: Any, secret: list[str]) -> list[str]:
    """Read every response of ``app`` for the server's folders; the list collects leaks."""
    leaks: list[str] = []

    @app.after_request
    def _no_server_paths(resp: Any) -> Any:
        if not resp.direct_passthrough and resp.mimetype != "application/pdf" \
                and not resp.mimetype.startswith("image/"):
            body = resp.get_data(as_text=True)
            for path in secret:
                if path in body or path in str(resp.headers):
                    leaks.append(f"{path} in the response to {resp.status_code} {resp.mimetype}")
        return resp

    return leaks


def _contents(instance: Path) -> str:
    """A digest of what a write changes in an instance: every row of the catalogue
    (documents, versions, passages, edits, users), the stored originals, the aliases and the
    entity merges."""
    digest = hashlib.sha256()
    conn = sqlite3.connect(f"file:{instance / 'catalogue.sqlite3'}?mode=ro", uri=True)
    try:
        for line in conn.iterdump():
            digest.update(line.encode())
    finally:
        conn.close()
    for path in sorted((instance / "originals").rglob("*")):
        digest.update(path.name.encode())
    for name in ("aliases.json", "merges.json"):
        settings = instance / name
        digest.update(name.encode() + (settings.read_bytes() if settings.exists() else b""))
    return digest.hexdigest()


def _close(app: Any) -> None:
    """Stop what an app started: its writer child, the archive's extraction children."""
    app.extensions["jobs"].writer.close()
    app.extensions["archive"].close()


@pytest.fixture(scope="session")
def app(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The session's app over the shared instance: for tests that only read."""
    app = create_app({"INSTANCE": str(corpus.instance), "TESTING": True, "PER_PAGE": PER_PAGE})
    leaks = _watch_for_server_paths(
        app, [str(tmp_path_factory.getbasetemp()), str(corpus.instance), str(corpus.pdf_dir)])
    built = _contents(corpus.instance)
    yield app
    _close(app)
    assert not leaks, leaks[:5]
    assert _contents(corpus.instance) == built, \
        "a test wrote to the shared instance: writers take own_app / own_client / own_page"


@pytest.fixture(scope="session")
def archive(app: Any) -> Any:
    return app.extensions["archive"]


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def own_app(corpus: Corpus, tmp_path: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An app of the test's own on a copy of the session's instance as it was built: for
    tests that write.  Same documents, ids and archivist as ``corpus``; closed afterwards,
    and the process's installed aliases (a global of the query parser) put back."""
    instance = tmp_path / "own-instance"
    shutil.copytree(corpus.template, instance, symlinks=True)
    installed = vocabulary._installed
    app = create_app({"INSTANCE": str(instance), "TESTING": True, "PER_PAGE": PER_PAGE})
    leaks = _watch_for_server_paths(
        app, [str(tmp_path_factory.getbasetemp()), str(instance), str(corpus.pdf_dir)])
    yield app
    _close(app)
    vocabulary.install(installed)
    assert not leaks, leaks[:5]


@pytest.fixture
def own_archive(own_app: Any) -> Any:
    return own_app.extensions["archive"]


@pytest.fixture
def own_client(own_app: Any) -> Any:
    return own_app.test_client()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``fresh(**settings)``: an app on an empty instance (with the archivist) and settings
    of its own, for limit and gate tests; each call is another instance."""
    from archive.service import Archive

    made: list[Any] = []
    installed = vocabulary._installed

    def make(**settings: Any) -> Any:
        instance = tmp_path / f"instance-{len(made)}"
        archive = Archive(instance, Settings(**settings))
        archive.add_user(USER, PASSWORD)
        app = create_app({"INSTANCE": str(instance), "ARCHIVE": archive, "TESTING": True})
        made.append(app)
        return app

    yield make
    for app in made:
        _close(app)
    vocabulary.install(installed)


def _serve(app: Any) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(app: Any) -> Iterator[str]:
    yield from _serve(app)


@pytest.fixture
def own_server(own_app: Any) -> Iterator[str]:
    """A server on the test's own app (``own_app``)."""
    yield from _serve(own_app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser: Any, base: str, watch: PageWatch) -> Iterator[Any]:
    context = browser.new_context(
        base_url=base,
        viewport={"width": 1280, "height": 900},
        locale="zh-TW",
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch.attach(page)
    yield page
    context.close()


@pytest.fixture
def watch(live_server: str) -> PageWatch:
    return PageWatch(live_server)


@pytest.fixture
def page(browser: Any, live_server: str, watch: PageWatch) -> Iterator[Any]:
    yield from _page(browser, live_server, watch)


@pytest.fixture
def own_watch(own_server: str) -> PageWatch:
    return PageWatch(own_server)


@pytest.fixture
def own_page(browser: Any, own_server: str, own_watch: PageWatch) -> Iterator[Any]:
    """A page on the test's own server (``own_server``), watched by ``own_watch``."""
    yield from _page(browser, own_server, own_watch)
