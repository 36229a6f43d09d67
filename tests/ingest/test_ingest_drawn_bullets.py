"""List bullets a browser draws as shapes: Chromium prints a <ul>'s discs as small filled
paths, with no character in the text layer.  A real Chromium (Playwright) prints the page;
the real extractor reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import extract_document
from tests import printers

ITEMS = ["恢復兩軍高層溝通與國防部工作會晤", "恢復中美海上軍事安全磋商機制會議", "開展中美兩軍戰區領導通話"]
PARA = "雙方同意在平等和尊重的基礎上恢復多項交流機制，具體成果包括以下幾項，各方均表示歡迎並持續關注後續發展。"

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("marker", ["disc", "square"])
def test_drawn_bullets_make_list_items(marker: str, tmp_path: Path) -> None:
    items = "".join(f"<li>{t}</li>" for t in ITEMS)
    html = (f"<html lang='zh-Hant'><body style=\"font-family: 'Noto Sans CJK TC'; font-size: 11pt\">"
            f"<h1>美中軍事交流的恢復</h1><p>{PARA}</p><ul style='list-style: {marker}'>{items}</ul>"
            f"<p>{PARA}</p></body></html>")
    doc = extract_document(printers.chromium(html, tmp_path), filename="list.pdf")
    listed = [b.text for b in doc.blocks if b.type == "list_item"]
    assert listed == [f"• {t}" for t in ITEMS]
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == [PARA, PARA]  # no bullet
