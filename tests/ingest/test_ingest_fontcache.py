"""A document's fonts are parsed once: same text as stock pypdf, fewer font builds."""

from __future__ import annotations

import io
import threading

import pypdf
from pypdf.generic._font import Font

from ingest.extract import open_pypdf, pypdf_text
from ingest.fontcache import reuse_fonts


def _font_dicts(reader: pypdf.PdfReader) -> list:
    return [
        page["/Resources"]["/Font"][name].get_object()
        for page in reader.pages
        for name in page["/Resources"]["/Font"]
    ]


def test_pages_share_one_parsed_font_inside_the_block_only(seed_pdfs):
    reader = pypdf.PdfReader(io.BytesIO(seed_pdfs["header"]))
    assert len(reader.pages) >= 2
    first, *others = _font_dicts(reader)
    assert any(d is first for d in others), "the seed's pages share one font object"
    with reuse_fonts():
        assert Font.from_font_resource(first) is Font.from_font_resource(first)
    assert Font.from_font_resource(first) is not Font.from_font_resource(first)


def test_each_block_and_thread_has_its_own_cache(seed_pdfs):
    reader = pypdf.PdfReader(io.BytesIO(seed_pdfs["header"]))
    font = _font_dicts(reader)[0]
    with reuse_fonts():
        outer = Font.from_font_resource(font)
        seen: list = []
        thread = threading.Thread(target=lambda: seen.append(Font.from_font_resource(font)))
        thread.start()
        thread.join()
        assert seen[0] is not outer  # a thread outside any block gets stock behaviour
    with reuse_fonts():
        assert Font.from_font_resource(font) is not outer  # a new document, a new cache


def test_text_and_geometry_equal_stock_pypdf(seed_pdfs):
    for data in seed_pdfs.values():
        cached = pypdf_text(open_pypdf(data, None))
        stock = pypdf.PdfReader(io.BytesIO(data))
        assert cached.pages == [page.extract_text() for page in stock.pages]
        assert all(lines for lines in cached.lines)
