"""Scanned pages for the OCR tests: text drawn onto an image with a real CJK font, saved as an
image-only PDF (no text layer), the way a scanner's PDF holds a page."""

from __future__ import annotations

import io
from pathlib import Path

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def _face(script: str, size: int):
    from PIL import ImageFont

    want = "TC" if script == "Traditional" else "SC"
    for index in range(10):
        face = ImageFont.truetype(FONT, size, index=index)
        if face.getname()[0].endswith(want):
            return face
    raise LookupError(f"no {want} face in {FONT}")


def page_image(lines: list[str], script: str = "Traditional", dpi: int = 200, width_mm: float = 150,
               turn: int = 0):
    """A white page with ``lines`` drawn in 12 pt type (PIL image), turned ``turn`` degrees."""
    from PIL import Image, ImageDraw

    size = int(12 / 72 * dpi)
    face = _face(script, size)
    width = int(width_mm / 25.4 * dpi)
    margin, leading = int(0.4 * dpi), int(size * 1.8)
    height = 2 * margin + leading * len(lines)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for k, line in enumerate(lines):
        draw.text((margin, margin + k * leading), line, font=face, fill=0)
    return img.rotate(turn, expand=True, fillcolor=255) if turn else img


def paragraph_lines(text: str, script: str = "Traditional", dpi: int = 200, width_mm: float = 150) -> list[str]:
    """``text`` broken into the lines :func:`page_image` draws, each as full as the measure allows."""
    size = int(12 / 72 * dpi)
    face = _face(script, size)
    measure = int(width_mm / 25.4 * dpi) - 2 * int(0.4 * dpi)
    lines, line = [], ""
    for ch in text:
        if face.getlength(line + ch) > measure:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


def skewed(image, degrees: float):
    """The page turned a little, as a sheet fed crooked into a scanner."""
    from PIL import Image

    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=255)


def vertical_page_image(columns: list[str], script: str = "Traditional", dpi: int = 200):
    """A white page with ``columns`` set top to bottom, the first on the right, in 12 pt type."""
    from PIL import Image, ImageDraw

    size = int(12 / 72 * dpi)
    face = _face(script, size)
    margin, step, advance = int(0.4 * dpi), int(size * 1.15), size * 2
    width = 2 * margin + advance * len(columns)
    height = 2 * margin + step * max(len(c) for c in columns)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for k, column in enumerate(columns):
        x = width - margin - (k + 1) * advance + size // 2
        for j, ch in enumerate(column):
            draw.text((x, margin + j * step), ch, font=face, fill=0)
    return img


def image_pdf(images, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=list(images[1:]))
    return buf.getvalue()


def scan_pdf(lines: list[str], script: str = "Traditional", dpi: int = 200, turn: int = 0) -> bytes:
    return image_pdf([page_image(lines, script, dpi, turn=turn)], dpi)


def concatenate(*pdfs: bytes) -> bytes:
    """One PDF of the pages of several (pypdf)."""
    import pypdf

    writer = pypdf.PdfWriter()
    for data in pdfs:
        for page in pypdf.PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def without_tounicode(data: bytes) -> bytes:
    """The PDF with every font's ToUnicode map removed: glyphs stay, their characters are lost."""
    import pypdf
    from pypdf.generic import NameObject

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            font.pop(NameObject("/ToUnicode"), None)
            for desc in font.get("/DescendantFonts", []):
                desc.get_object().pop(NameObject("/ToUnicode"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
