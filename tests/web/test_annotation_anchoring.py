"""Annotations anchor where they say, checked by Apache Annotator in a real browser.

Each passage's W3C Web Annotation (``/p/<id>.jsonld``) names a versioned ``text/plain``
source; chromium opens that source, and Apache Annotator's ``@apache-annotator/dom``
(bundled from the npm registry by esbuild for the test) matches the annotation's quote
selector and its position selector in it.  Both must find exactly the passage's text,
the quote in exactly one place: after a character outside the BMP (positions count code
points, not UTF-16 units), for a passage whose text occurs twice in the document, and
for a passage of an older version after a revision.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.web import create_app
from tests import pdfgen

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_BMP = "𠮷"  # U+20BB7, two UTF-16 code units
REPEATED = "同上表所列。"
V1 = [
    f"{OUTSIDE_BMP}野家的案例說明日本企業在台灣的布局。",
    "第二段說明研究方法與資料來源。",
    REPEATED,
    "第四段討論政策建議與審議程序。",
    REPEATED,
    "第六段為結論。",
]
V2 = [V1[0], V1[1], REPEATED, "新的第四段：審議程序已於今年修法。", REPEATED, V1[5]]

ANCHOR_JS = """
async (anno) => {
  const scope = document.createRange();
  scope.selectNodeContents(document.body);
  const [quote, position] = anno.target.selector;
  const quotes = [];
  for await (const m of AnnotatorDom.createTextQuoteSelectorMatcher(quote)(scope)) quotes.push(m.toString());
  const positions = [];
  for await (const m of AnnotatorDom.createTextPositionSelectorMatcher(position)(scope)) positions.push(m.toString());
  return {quotes, positions};
}
"""


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("annotator") / "annotator.js"
    entry = out.with_name("entry.mjs")
    entry.write_text('export * from "@apache-annotator/dom";\n')
    subprocess.run(
        [str(ROOT / "node_modules/.bin/esbuild"), str(entry), "--bundle", "--format=iife",
         "--global-name=AnnotatorDom", f"--outfile={out}", "--log-level=warning"],
        check=True, cwd=ROOT, env={"NODE_PATH": str(ROOT / "node_modules"), "PATH": "/usr/bin:/bin"},
    )
    return out


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    from archive.service import Archive

    commentary_pdf = pdfgen.commentary_pdf

    base = tmp_path_factory.mktemp("anchoring")
    archive = Archive(base / "instance")
    common = {"title": "日台產業合作的新課題", "author": "林研究", "affiliation": "研究員",
              "series": "遠景論壇", "foundation": "財團法人遠景基金會", "date": "2024-03-01", "font": "sans"}
    v1 = commentary_pdf(base / "v1.pdf", paragraphs=V1, **common)
    first = archive.ingest_bytes(v1.read_bytes(), filename="v1.pdf")
    assert first.ok, first
    old = archive.get_document(first.doc_id)
    v2 = commentary_pdf(base / "v2.pdf", paragraphs=V2, **common)
    second = archive.commit(archive.extract_bytes(v2.read_bytes(), "v2.pdf"), replaces=first.doc_id)
    assert second.ok and second.version == 2, second
    app = create_app({"INSTANCE": str(base / "instance"), "ARCHIVE": archive, "TESTING": True})
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", {"old": old, "new": archive.get_document(first.doc_id)}
    server.shutdown()
    archive.close()


def _anchor(browser: Any, bundle: Path, anno: dict[str, Any]) -> dict[str, list[str]]:
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        resp = page.goto(anno["target"]["source"])
        assert resp is not None and resp.headers["content-type"].startswith("text/plain")
        page.add_script_tag(path=str(bundle))
        return page.evaluate(ANCHOR_JS, anno)
    finally:
        context.close()


def test_annotations_anchor_by_quote_and_position(revised: tuple[str, Any], bundle: Path, browser: Any) -> None:
    base, docs = revised
    new, old = docs["new"], docs["old"]
    after_bmp = next(b for b in new.blocks if b.text.startswith(OUTSIDE_BMP[0]) or OUTSIDE_BMP in b.text)
    following = new.blocks[new.blocks.index(after_bmp) + 1]
    twice = [b for b in new.blocks if b.text == REPEATED]
    assert len(twice) == 2, [b.text for b in new.blocks]
    gone = next(b for b in old.blocks if b.text.startswith("第四段"))
    cases = [(after_bmp, after_bmp.text), (following, following.text), (twice[0], REPEATED),
             (twice[1], REPEATED), (gone, gone.text)]
    import urllib.request

    for block, text in cases:
        with urllib.request.urlopen(f"{base}/p/{block.id}.jsonld") as r:
            assert r.headers["Content-Type"].startswith("application/ld+json")
            assert 'profile="http://www.w3.org/ns/anno.jsonld"' in r.headers["Content-Type"]
            anno = json.load(r)
        source = anno["target"]["source"]
        version = 1 if block is gone else 2
        assert source.endswith(f"/v{version}.txt"), source
        assert anno["created"] and anno["creator"] and anno["target"]["format"] == "text/plain"
        assert anno["target"]["language"]
        found = _anchor(browser, bundle, anno)
        assert found["quotes"] == [text], (block.id, found)
        assert found["positions"] == [text], (block.id, found)
