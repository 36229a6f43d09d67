"""List bullets a browser draws as shapes: Chromium prints a <ul>'s discs as small filled
paths, with no character in the text layer.  A real Chromium (Playwright) prints the page;
the real extractor reads it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import extract_document

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ITEMS = ["恢復兩軍高層溝通與國防部工作會晤", "恢復中美海上軍事安全磋商機制會議", "開展中美兩軍戰區領導通話"]
PARA = "雙方同意在平等和尊重的基礎上恢復多項交流機制，具體成果包括以下幾項，各方均表示歡迎並持續關注後續發展。"

pytestmark = pytest.mark.browser


#: Printing runs in its own interpreter: Playwright's sync API refuses to start inside a
#: process where another test's Playwright session already runs an event loop.
PRINT = """
import sys
from pathlib import Path
from playwright.sync_api import sync_playwright
html, out, exe = Path(sys.argv[1]).read_text(encoding="utf-8"), Path(sys.argv[2]), sys.argv[3]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=exe, args=sys.argv[4:])
    page = browser.new_page()
    page.set_content(html)
    out.write_bytes(page.pdf(format="A5"))
    browser.close()
"""


def _print(html: str, tmp: Path) -> bytes:
    pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    source, out = tmp / "page.html", tmp / "page.pdf"
    source.write_text(html, encoding="utf-8")
    subprocess.run([sys.executable, "-c", PRINT, str(source), str(out), CHROMIUM, *ARGS],
                   check=True, timeout=120)
    return out.read_bytes()


@pytest.mark.parametrize("marker", ["disc", "square"])
def test_drawn_bullets_make_list_items(marker: str, tmp_path: Path) -> None:
    items = "".join(f"<li>{t}</li>" for t in ITEMS)
    html = (f"<html lang='zh-Hant'><body style=\"font-family: 'Noto Sans CJK TC'; font-size: 11pt\">"
            f"<h1>美中軍事交流的恢復</h1><p>{PARA}</p><ul style='list-style: {marker}'>{items}</ul>"
            f"<p>{PARA}</p></body></html>")
    doc = extract_document(_print(html, tmp_path), filename="list.pdf")
    listed = [b.text for b in doc.blocks if b.type == "list_item"]
    assert listed == [f"• {t}" for t in ITEMS]
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == [PARA, PARA]  # no bullet
