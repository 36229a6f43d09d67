"""The page image Tesseract reads: rendered pixel for pixel from a scan, scaled to the line height
its models read best.

Two things about the image decide much of what Tesseract gets wrong, more than the resolution
printed on the scan:

* **Resampling.**  A scan rendered at a size one pixel off its own (PDFium rounds the page size
  up; the page's size in points is rounded in the file) is interpolated throughout, which smears
  specks and blur into the strokes: a page that is one upright scan is read from the scan's own
  pixels (:func:`scan_image`), and only other pages are rendered.
* **Line height.**  Tesseract's LSTM models are trained on text lines of a fixed height and scale
  each line to it; type much larger than that is read worse (in the OCR benchmark, 11 pt type at
  300 dpi, 42-pixel lines, has more errors than the same page scaled to 26-pixel lines).  The
  height is measured on the image — the height of the bands of ink rows in narrow vertical
  strips, whose median is the height of the body's lines whatever the dpi says — and a page whose
  lines are taller than :data:`MAX_LINE_PX` is scaled down (area-averaged) to :data:`TARGET_PX`.
  Small type is not scaled up: interpolating a scan's specks and blur into its strokes costs far
  more than the model gains (a noisy 200 dpi page scaled up by a fifth: from 4% to 10–13% of
  characters wrong), and a measurement that would shrink the page below :data:`MIN_FACTOR` (a
  photograph taken for lines) is not trusted.
"""

from __future__ import annotations

import math
from typing import Any

#: Body lines (ink, in pixels) up to this high are read as they are; a page of taller ones is
#: scaled down to :data:`TARGET_PX`.  (A line of ideographs inks about 0.9 em.)
MAX_LINE_PX = 32.0
TARGET_PX = 26.0
#: The most a page is scaled down.
MIN_FACTOR = 0.25
#: Strips the page is cut into for measuring (narrow enough that a skew of a degree or two
#: adds little to a band's height).
_STRIPS = 12
_DARK = 128


_TRANSPOSE = {90: "ROTATE_270", 180: "ROTATE_180", 270: "ROTATE_90"}  # turns clockwise, as PDFium's


def scan_image(page: Any, turn: int = 0) -> Any | None:
    """The scan a page is made of, as stored (PIL image, grey, turned ``turn`` degrees clockwise):
    the page's one image when it covers the page upright; None otherwise, or when the stored image
    does not look like the page rendered (a mask, an inverted decode, a colour space PIL does not
    read as PDFium does)."""
    import pypdfium2.raw as pdfium_c
    from PIL import Image, ImageChops, ImageStat

    try:
        objects = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        if len(objects) != 1 or page.get_rotation():
            return None
        width, height = page.get_width(), page.get_height()
        left, bottom, right, top = objects[0].get_bounds()
        matrix = objects[0].get_matrix()
        if max(abs(left), abs(right - width)) > 0.01 * width or max(abs(bottom), abs(top - height)) > 0.01 * height \
                or matrix.b or matrix.c or matrix.a <= 0 or matrix.d <= 0:
            return None
        image = objects[0].get_bitmap(render=False).to_pil().convert("L")
        thumb = page.render(scale=min(1.0, 200 / max(width, height)), grayscale=True).to_pil().convert("L")
    except Exception:  # an image PDFium cannot hand over as it is: rendered instead
        return None
    seen = ImageStat.Stat(ImageChops.difference(image.resize(thumb.size, Image.Resampling.BOX), thumb)).mean[0]
    if seen > 12:
        return None
    return image.transpose(getattr(Image.Transpose, _TRANSPOSE[turn])) if turn else image


def render(page: Any, dpi: float, turn: int = 0, crop: tuple[float, float, float, float] = (0, 0, 0, 0)) -> Any:
    """The page (or the crop of it: points off the left, bottom, right and top) rendered in grey
    at ``dpi`` as a PIL image, turned ``turn`` degrees clockwise."""
    width = page.get_width()
    # PDFium's bitmap is ceil(points × scale) wide: a scale a hair under the exact one keeps a
    # 1654-pixel page at 1654 pixels instead of 1655.
    pixels = max(1, round(width * dpi / 72))
    scale = (pixels - 1e-3) / width
    bitmap = page.render(scale=scale, grayscale=True, rotation=turn, crop=crop)
    return bitmap.to_pil().convert("L")


def page_image(page: Any, dpi: float, turn: int = 0) -> Any:
    """The whole page for OCR: its scan pixel for pixel when ``dpi`` is the scan's own (to
    a tenth of a percent), else rendered at ``dpi``."""
    scan = scan_image(page, turn)
    if scan is not None and abs(max(scan.size) / max(page.get_width(), page.get_height()) * 72 - dpi) <= 0.001 * dpi:
        return scan
    return render(page, dpi, turn)


def line_height(image: Any) -> float | None:
    """The median height in pixels of the bands of ink rows, measured in narrow vertical strips
    (the height of the body's lines); None for a page with too few such bands."""
    from PIL import Image

    width, height = image.size
    if width < _STRIPS or height < 8:
        return None
    ink = image.point(lambda v: 255 if v < _DARK else 0)
    strip = width // _STRIPS
    # a row of a strip is ink when at least 1% of it (and 2 pixels) is dark: a lone speck is not
    least = max(2.0, 0.01 * strip) / strip * 255
    bands: list[int] = []
    for i in range(_STRIPS):
        column = ink.crop((i * strip, 0, (i + 1) * strip, height)).resize((1, height), Image.Resampling.BOX)
        rows = [v >= least for v in column.tobytes()]
        run = 0
        for on in [*rows, False]:
            if on:
                run += 1
            elif run:
                if run >= 4:  # shorter runs are specks and rules
                    bands.append(run)
                run = 0
    if len(bands) < 8:
        return None
    bands.sort()
    return float(bands[len(bands) // 2])


def fit(image: Any, dpi: float) -> tuple[Any, float, float]:
    """The image scaled down so its body lines are :data:`TARGET_PX` high, when they are taller
    than :data:`MAX_LINE_PX`: (image, its resolution, the factor)."""
    from PIL import Image

    measured = line_height(image)
    if measured is None or measured <= MAX_LINE_PX or TARGET_PX / measured < MIN_FACTOR:
        return image, dpi, 1.0
    factor = TARGET_PX / measured
    size = (max(1, math.floor(image.width * factor)), max(1, math.floor(image.height * factor)))
    return image.resize(size, Image.Resampling.BOX), dpi * factor, factor


def skew(lines: list[list[tuple[float, float]]], width: float) -> float:
    """The page's skew as a slope (down per across, image coordinates) from the feet of the
    words of its lines, ``(x, foot)`` each: the median of the lines' least-squares slopes, over
    lines of three or more words that span a third of ``width``; 0 when there are too few."""
    slopes = []
    for feet in lines:
        if len(feet) < 3 or max(x for x, _ in feet) - min(x for x, _ in feet) < width / 3:
            continue
        mx = sum(x for x, _ in feet) / len(feet)
        my = sum(y for _, y in feet) / len(feet)
        sxx = sum((x - mx) ** 2 for x, _ in feet)
        if sxx > 0:
            slopes.append(sum((x - mx) * (y - my) for x, y in feet) / sxx)
    if len(slopes) < 3:
        return 0.0
    slopes.sort()
    slope = slopes[len(slopes) // 2]
    return slope if 0.001 <= abs(slope) <= math.tan(math.radians(5)) else 0.0


def sample_bands(image: Any, count: int) -> list[tuple[int, int]]:
    """Up to ``count`` rows of text spread over the page, as (top, bottom) pixel rows with a margin:
    the bands of ink rows across the middle half of the page that are about as high as the
    body's lines (not headings, rules or specks).  For reading a sample of the page's lines."""
    from PIL import Image

    width, height = image.size
    if width < 8 or height < 8:
        return []
    middle = image.crop((width // 4, 0, 3 * width // 4, height)).point(lambda v: 255 if v < _DARK else 0)
    profile = middle.resize((1, height), Image.Resampling.BOX).tobytes()
    least = max(2.0, 0.01 * middle.width) / middle.width * 255
    bands, start = [], None
    for y, v in enumerate([*profile, 0]):
        if v >= least and start is None:
            start = y
        elif v < least and start is not None:
            if y - start >= 4:
                bands.append((start, y))
            start = None
    if not bands:
        return []
    usual = sorted(b - a for a, b in bands)[len(bands) // 2]
    body = [(a, b) for a, b in bands if 0.7 * usual <= b - a <= 1.4 * usual]
    step = max(1, len(body) // count)
    pad = usual // 2
    return [(max(0, a - pad), min(height, b + pad)) for a, b in body[step // 2::step][:count]]
