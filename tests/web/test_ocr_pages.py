"""An OCR'd document on the web: the page says its text was read by OCR and how surely, low-confidence
passages are marked, and the JSON twin carries each block's source and confidence.  An archive of
its own (a real Tesseract reads a scan drawn by tests/scans.py)."""

from __future__ import annotations

import pytest

from archive.service import Archive
from archive.web import create_app
from ingest import ocr
from tests import scans

pytestmark = pytest.mark.skipif(not ocr.available(), reason="Tesseract is not installed (make setup)")

LINES = ["兩岸關係在美中峰會之後出現新的變化，", "各方均表示歡迎並持續關注後續發展。"]


@pytest.fixture
def scanned(tmp_path):
    instance = tmp_path / "instance"
    archive = Archive(instance)
    out = archive.ingest_bytes(scans.scan_pdf(LINES), filename="掃描.pdf")
    assert out.status == "ingested", out
    archive.close()
    app = create_app({"INSTANCE": str(instance), "TESTING": True})
    yield app, str(out.doc_id)
    app.extensions["archive"].close()


def test_the_page_says_ocr_and_the_json_carries_sources(scanned):
    app, doc_id = scanned
    client = app.test_client()
    page = client.get(f"/d/{doc_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "OCR 辨識文字，平均信心" in html and "第 1 頁由影像辨識" in html
    data = client.get(f"/d/{doc_id}.json").get_json()
    assert data["ocr"]["pages"] == [1] and data["ocr"]["confidence"] > 50
    assert all(b["source"] == "ocr" and 0 <= b["confidence"] <= 100 for b in data["blocks"])
    hits = client.get("/search.json", query_string={"q": "美中峰會"}).get_json()
    assert [h["id"] for h in hits["hits"]] == [doc_id]  # OCR text is searched like any other
