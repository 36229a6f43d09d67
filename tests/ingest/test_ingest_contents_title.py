"""A manual's first page: its title, then a contents heading (目次) in the same type right
under it, then the contents.  The heading is a line of its own, never the title's tail; an
enumerated section line ends the title too.  Built with fpdf2 directly (our generator never
sets a contents page in the title's type)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from ingest import extract_document
from tests.pdfgen import FONTS

TITLE = "國立某大學圖書館學位論文上傳手冊"
BODY = "研究生完成口試後，應於離校前將論文全文上傳至系統，並依規定格式建檔。" * 4


def _manual(path: Path, second: str) -> bytes:
    pdf = FPDF(format="A4")
    font, index = FONTS["ming"]
    pdf.add_font("ming", fname=font, collection_font_number=index)
    pdf.add_page()
    pdf.set_font("ming", size=18)
    pdf.set_xy(20, 30)
    pdf.cell(0, 10, TITLE)
    pdf.set_xy(20, 40)
    pdf.cell(0, 10, second)  # same type, the next line
    pdf.set_font("ming", size=11)
    pdf.set_xy(20, 60)
    pdf.multi_cell(170, 7, BODY)
    pdf.output(str(path))
    return path.read_bytes()


def test_a_contents_heading_under_the_title_is_not_part_of_it(tmp_path: Path) -> None:
    doc = extract_document(_manual(tmp_path / "m.pdf", "目次"), filename="m.pdf")
    assert doc.meta("title") == TITLE
    assert ("heading", "目次") in [(b.type, b.text) for b in doc.blocks]


def test_an_enumerated_section_line_ends_the_title(tmp_path: Path) -> None:
    doc = extract_document(_manual(tmp_path / "m.pdf", "壹、研究生辦理離校流程"), filename="m.pdf")
    assert doc.meta("title") == TITLE
