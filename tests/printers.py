"""HTML printed to PDF by producers we do not write, for the ingest tests: Debian's WeasyPrint and
Debian's Chromium (through Playwright).  Each skips the test when its producer is not installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: Printing runs in its own interpreter: Playwright's sync API refuses to start inside a
#: process where another test's Playwright session already runs an event loop.
_PRINT = """
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


def weasyprint(html: str, tmp: Path) -> bytes:
    """``html`` as WeasyPrint prints it."""
    exe = shutil.which("weasyprint")
    if not exe:
        pytest.skip("weasyprint (Debian's package) is not installed")
    source, out = tmp / "page.html", tmp / "page.pdf"
    source.write_text(html, encoding="utf-8")
    subprocess.run([exe, str(source), str(out)], check=True, timeout=120, capture_output=True)
    return out.read_bytes()


def chromium(html: str, tmp: Path) -> bytes:
    """``html`` as Chromium's print to PDF makes it (A5)."""
    pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    source, out = tmp / "page.html", tmp / "page.pdf"
    source.write_text(html, encoding="utf-8")
    subprocess.run([sys.executable, "-c", _PRINT, str(source), str(out), CHROMIUM, *CHROMIUM_ARGS],
                   check=True, timeout=120)
    return out.read_bytes()
