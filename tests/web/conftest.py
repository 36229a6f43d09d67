"""Fixtures for the web tests: a real instance folder, a real server, one real browser.

The instance is built once per test session (per xdist worker) from real
PDFs made by ``tests/pdfgen.py`` and ingested through ``Archive.ingest_bytes``,
the same path the upload page takes.  Browser tests drive Debian's chromium
through Playwright against a werkzeug server on an ephemeral port.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import archive.service  # noqa: E402,F401  (bind the real ``ingest`` before sys.path grows)

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # for web_support; tests/ itself stays off sys.path
    sys.path.insert(0, str(HERE))

from web_support import (  # noqa: E402
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
    load_pdfgen,
)

from archive.web import create_app  # noqa: E402


def _ingest(archive: Any, path: Path) -> str:
    out = archive.ingest_bytes(path.read_bytes(), filename=path.name)
    assert out.status in ("ingested", "updated", "unchanged"), out
    return str(out.doc_id)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    from archive.service import Archive

    pdfgen = load_pdfgen()
    seed_pdf, commentary_pdf = pdfgen.seed_pdf, pdfgen.commentary_pdf

    base = tmp_path_factory.mktemp("web")
    pdfs = base / "pdfs"
    pdfs.mkdir()
    corpus = Corpus(instance=base / "instance", pdf_dir=pdfs)
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
    return corpus


@pytest.fixture(scope="session")
def app(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    app = create_app({"INSTANCE": str(corpus.instance), "TESTING": True, "PER_PAGE": PER_PAGE})
    secret = [str(tmp_path_factory.getbasetemp()), str(corpus.instance), str(corpus.pdf_dir)]
    leaks: list[str] = []

    @app.after_request
    def _no_server_paths(resp: Any) -> Any:
        """Every response of the session is read for the server's folders."""
        if not resp.direct_passthrough and resp.mimetype != "application/pdf" \
                and not resp.mimetype.startswith("image/"):
            body = resp.get_data(as_text=True)
            for path in secret:
                if path in body or path in str(resp.headers):
                    leaks.append(f"{path} in the response to {resp.status_code} {resp.mimetype}")
        return resp

    yield app
    app.extensions["archive"].close()
    assert not leaks, leaks[:5]


@pytest.fixture(scope="session")
def archive(app: Any) -> Any:
    return app.extensions["archive"]


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app: Any) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def watch(live_server: str) -> PageWatch:
    return PageWatch(live_server)


@pytest.fixture
def page(browser: Any, live_server: str, watch: PageWatch) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 1280, "height": 900},
        locale="zh-TW",
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch.attach(page)
    yield page
    context.close()


