"""Screenshots of the search, document and passage pages, desktop and 375 px wide.

    .venv/bin/python scripts/screenshots.py [--instance DIR] [--out docs/screenshots]

Without ``--instance`` it builds a throw-away instance from the bundled sample
PDFs (``archive/sample``), or, where there are none, from the test PDF
generator's seed document.  It serves the app on an ephemeral port and drives
Debian's chromium through Playwright, the same browser the tests use.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.web.web_support import CHROMIUM  # noqa: E402  (one place for the browser's flags)
from tests.web.web_support import CHROMIUM_ARGS as _TEST_ARGS  # noqa: E402

CHROMIUM_ARGS = [*_TEST_ARGS, "--hide-scrollbars"]
SIZES = {"desktop": {"width": 1280, "height": 860}, "mobile": {"width": 375, "height": 760}}
QUERY = "习近平"  # Simplified on purpose: the pages show the Traditional text, highlighted


def build_instance(instance: Path) -> None:
    """Fill an empty instance with the sample PDFs, or with the test generator's seed."""
    from archive.service import Archive

    archive = Archive(instance)
    try:
        if archive.list_documents(limit=1):
            return
        samples = sorted((ROOT / "archive" / "sample").glob("*.pdf"))
        if samples:
            for out in archive.ingest_files(samples):
                print(out.line(), file=sys.stderr)
            return
        from tests.pdfgen import seed_pdf

        with tempfile.TemporaryDirectory() as tmp:
            path = seed_pdf(Path(tmp) / "seed.pdf")
            print(archive.ingest_bytes(Path(path).read_bytes(), filename="seed.pdf").line(),
                  file=sys.stderr)
    finally:
        archive.close()


def pick_targets(archive: Any) -> tuple[str, str]:
    """A document with a hit for QUERY and the passage holding its first hit."""
    result = archive.search(QUERY, per_page=1)
    if result["hits"]:
        hit = result["hits"][0]
        return hit["id"], hit["passages"][0]["id"]
    doc = archive.get_document(archive.list_documents(limit=1)[0]["id"])
    para = next((b for b in doc.blocks if b.type == "paragraph"), doc.blocks[0])
    return doc.doc_id, para.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", type=Path, help="an existing instance folder to show")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from archive.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        instance = args.instance or Path(tmp) / "instance"
        if args.instance is None:
            build_instance(instance)
        app = create_app({"INSTANCE": str(instance)})
        archive = app.extensions["archive"]
        doc_id, pid = pick_targets(archive)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        doc = archive.get_document(doc_id)
        author = (doc.meta("author") or "").split("、")[0] if doc else ""
        pages = {
            "search": f"/?q={QUERY}",
            "document": f"/d/{doc_id}?q={QUERY}",
            "passage": f"/p/{pid}",
            "pageview": f"/p/{pid}/page",
            "concordance": f"/concordance?q={QUERY}&sort=left",
        }
        if author:
            pages["author"] = f"/a/{author}"
        foundation = (doc.meta("foundation") or "") if doc else ""
        if foundation:
            pages["institution"] = f"/f/{foundation}"
        args.out.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
                for size, viewport in SIZES.items():
                    context = browser.new_context(base_url=base, viewport=viewport,
                                                  locale="zh-TW", device_scale_factor=1)
                    page = context.new_page()
                    for name, url in pages.items():
                        page.goto(url)
                        page.wait_for_load_state("networkidle")
                        page.wait_for_timeout(150)  # let the scroll to the first hit settle
                        path = args.out / f"{name}-{size}.png"
                        page.screenshot(path=str(path))
                        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
                    context.close()
                browser.close()
        finally:
            server.shutdown()
            archive.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
