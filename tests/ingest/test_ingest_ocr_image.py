"""The page image OCR reads: a scan rendered pixel for pixel, its body line height measured on the
image, the page scaled into the range Tesseract reads best; and the Simplified reading's corner
brackets taken from the Traditional model's.  Real PDFium rendering of pages drawn with a real CJK
font (``tests/scans.py``); the bracket rule on its own strings."""

from __future__ import annotations

import random

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from ingest import ocrimage
from ingest.ocrmerge import borrow_corners
from tests import scans

LINES = ["兩岸關係在美中峰會之後出現新的變化，各方均表示歡迎。"] * 8


def _page(data: bytes):
    return pdfium.PdfDocument(data)[0]


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_scan_is_rendered_at_its_own_pixels_not_stretched_by_one(dpi):
    page = _page(scans.scan_pdf(LINES, dpi=dpi))
    (image,) = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
    own = image.get_bitmap(render=False).to_pil().convert("L")
    read = ocrimage.page_image(page, dpi)
    assert read.size == own.size
    assert read.tobytes() == own.tobytes()
    turned = ocrimage.page_image(page, dpi, 90)  # a quarter clockwise, as PDFium turns pages
    assert turned.size == own.size[::-1]
    assert turned.tobytes() == own.transpose(0 + 4).tobytes()  # ROTATE_270


def test_a_page_at_another_resolution_than_its_scan_is_rendered():
    page = _page(scans.scan_pdf(LINES, dpi=200))
    assert ocrimage.page_image(page, 300).width == round(page.get_width() * 300 / 72)


@pytest.mark.parametrize("dpi", [150, 200, 300, 400])
def test_the_line_height_is_measured_on_the_image_whatever_the_resolution(dpi):
    image = scans.page_image(LINES, dpi=dpi)  # 12 pt type: ideographs ink about 0.9 em
    em = 12 / 72 * dpi
    assert 0.8 * em <= ocrimage.line_height(image) <= 1.05 * em


def test_specks_do_not_change_the_measured_line_height():
    image = scans.page_image(LINES, dpi=300)
    clean = ocrimage.line_height(image)
    rnd = random.Random(1)
    px = image.load()
    for _ in range(image.width * image.height // 400):
        px[rnd.randrange(image.width), rnd.randrange(image.height)] = rnd.choice((0, 255))
    assert ocrimage.line_height(image) == pytest.approx(clean, rel=0.1)


def test_a_page_without_lines_of_text_is_not_measured():
    from PIL import Image

    assert ocrimage.line_height(Image.new("L", (800, 1000), 255)) is None
    image, dpi, factor = ocrimage.fit(Image.new("L", (800, 1000), 255), 300)
    assert (image.size, dpi, factor) == ((800, 1000), 300, 1.0)


def test_large_type_is_scaled_down_to_the_models_line_height_and_its_resolution_with_it():
    image = scans.page_image(LINES, dpi=400)  # 12 pt at 400 dpi: lines some 60 pixels high
    scaled, dpi, factor = ocrimage.fit(image, 400)
    assert factor < 1 and dpi == pytest.approx(400 * factor)
    assert ocrimage.line_height(scaled) == pytest.approx(ocrimage.TARGET_PX, rel=0.1)


@pytest.mark.parametrize("dpi", [150, 200])
def test_type_not_too_large_is_read_as_scanned_never_scaled_up(dpi):
    image = scans.page_image(LINES, dpi=dpi)  # 12 pt at 150 and 200 dpi: lines of 23 and 30 pixels
    assert ocrimage.line_height(image) <= ocrimage.MAX_LINE_PX
    assert ocrimage.fit(image, dpi) == (image, dpi, 1.0)


@pytest.mark.parametrize(("simplified", "traditional", "meant"), [
    ("称为[九二共识]的", "称为「九二共识」的", "称为「九二共识」的"),  # look-alikes of the brackets
    ("表示【平等上的", "表示「平等」的", "表示「平等」的"),
    ("他说会谈很好", "他说「会谈」很好", "他说「会谈」很好"),  # dropped brackets
    ("提出【一带|」战略", "提出「一带」战略", "提出「一带」战略"),  # a bracket read twice
    ("在上海举行会谈", "在上海舉行會談", "在上海举行会谈"),  # no brackets: nothing taken
    ("发展「关系」", "發展「關係」", "发展「关系」"),  # ideographs are never taken
    ("发展和关系", "发展「和」關係", "发展「和」关系"),
])
def test_corner_brackets_come_from_the_traditional_reading_and_nothing_else(simplified, traditional, meant):
    from ingest.ocr import converters

    assert borrow_corners(simplified, converters()[0].convert(traditional)) == meant
