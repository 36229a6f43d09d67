"""The original page at a passage: the outlined region covers the passage's characters.

The check is independent of the page view's own matching: PDFium's text search finds the
passage on the page, and every character it reports must lie inside the outlined boxes,
within a few pixels, and the boxes must not reach beyond those characters.
"""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium

from tests.web.web_support import Corpus

SLACK = 3.0  # pixels


def _char_boxes(path: str, page_no: int, text: str, scale: float) -> list[tuple[float, float, float, float]]:
    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[page_no - 1]
        height = page.get_size()[1]
        textpage = page.get_textpage()
        searcher = textpage.search(text[:12], match_case=True)
        found = searcher.get_next()
        assert found, text[:12]
        start, _count = found
        boxes = []
        i, k = start, 0
        wanted = "".join(c for c in text if not c.isspace())
        while k < len(wanted) and i < textpage.count_chars():
            ch = textpage.get_text_range(i, 1)
            if ch == wanted[k]:
                left, bottom, right, top = textpage.get_charbox(i, loose=False)
                boxes.append((left * scale, (height - top) * scale, right * scale, (height - bottom) * scale))
                k += 1
            i += 1
        return boxes
    finally:
        pdf.close()


def _inside(box: tuple[float, float, float, float], rects: list[list[float]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 >= x - SLACK and y0 >= y - SLACK and x1 <= x + w + SLACK and y1 <= y + h + SLACK
               for x, y, w, h in rects)


def test_the_outline_covers_the_passage_on_the_rendered_page(client: Any, corpus: Corpus, archive: Any) -> None:
    doc = archive.get_document(corpus.seed_id)
    block = max((b for b in doc.blocks if b.type == "paragraph" and len(b.pages) == 1), key=lambda b: len(b.text))
    data = client.get(f"/p/{block.id}/page.json").get_json()
    assert data["page"] == block.pages[0] and data["found"] == data["of"] > 40
    assert len(data["boxes"]) >= 2  # a paragraph of several printed lines
    chars = _char_boxes(str(archive.original_path(doc.sha256)), block.pages[0], block.text, data["scale"])
    assert len(chars) == data["of"]
    assert all(_inside(c, data["boxes"]) for c in chars)
    for x, y, w, h in data["boxes"]:  # and no box reaches beyond the characters it outlines
        xs = [c for c in chars if c[1] >= y - SLACK and c[3] <= y + h + SLACK]
        assert xs and abs(min(c[0] for c in xs) - x) <= SLACK and abs(max(c[2] for c in xs) - (x + w)) <= SLACK
    image = client.get(f"/p/{block.id}/page.png")
    assert image.mimetype == "image/png" and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    page = client.get(f"/p/{block.id}/page").get_data(as_text=True)
    assert page.count('class="pageview__hit"') == len(data["boxes"])
    assert f'href="/p/{block.id}/page"' in client.get(f"/p/{block.id}").get_data(as_text=True)


def test_an_unknown_passage_or_page_is_a_clear_404(client: Any) -> None:
    resp = client.get("/p/p-000000000000/page.json")
    assert resp.status_code == 404 and "找不到這個段落" in resp.get_json()["error"]["message"]
