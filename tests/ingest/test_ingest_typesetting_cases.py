"""Typesetting that real producers do and our own generator does not: an unruled table of terms, the
two-em dash drawn as one glyph, a byline set flush right over two lines, loose leading in two columns
whose first lines do not line up, justification that spreads ideographs.  Debian's WeasyPrint and
Chromium make the PDFs; the real extractor reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import extract_document
from tests import printers

PARA = "雙方同意在平等和尊重的基礎上恢復多項交流機制，具體成果包括以下幾項，各方均表示歡迎並持續關注後續發展。"
BODY = "font-family: 'Noto Sans CJK TC'; font-size: 10pt;"


def _page(body: str, css: str = "") -> str:
    return (f"<html lang='zh-Hant'><head><style>@page {{ size: A5; margin: 15mm }} body {{ {BODY} }} {css}"
            f"</style></head><body>{body}</body></html>")


def test_an_unruled_table_of_terms_is_a_table(tmp_path: Path) -> None:
    terms = [("HPC", "高性能計算"), ("SMP", "對稱多處理"), ("API", "應用程序編程接口"), ("PBI", "聚苯並咪唑")]
    rows = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in terms)  # no borders: no rules drawn
    html = _page(f"<h1>符號說明</h1><p>{PARA}</p><table>{rows}</table><p>{PARA}</p>",
                 "table { border-collapse: collapse; margin: 6mm 0 } td { padding: 0 0 5mm 0 }"
                 " td:first-child { width: 25mm }")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="terms.pdf")
    tables = [b for b in doc.blocks if b.type == "table"]
    assert len(tables) == 1 and tables[0].rows == [list(t) for t in terms]
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == [PARA, PARA]


def test_a_two_column_page_of_prose_is_not_a_table(tmp_path: Path) -> None:
    html = _page("".join(f"<p>{PARA * 2}</p>" for _ in range(6)), "body { columns: 2; column-gap: 6mm }")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="columns.pdf")
    assert not [b for b in doc.blocks if b.type == "table"]
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == [PARA * 2] * 6


def test_the_two_em_dash_stays_one_mark(tmp_path: Path) -> None:
    text = "越窯青瓷的名品——秘色瓷是很長一段時間裡人們只聞其名、不見其物的傳說，直到出土才得以證實。"
    html = _page(f"<h1>瓷器</h1><p>{text}</p><p>{PARA}</p>")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="dash.pdf")
    assert text in [b.text for b in doc.blocks]


def test_a_byline_set_flush_right_is_the_author_not_headings(tmp_path: Path) -> None:
    html = _page("<h1>美中峰會後的東北亞情勢</h1><p class='by'>李明峻</p><p class='by'>新台灣國策智庫研發長</p>"
                 f"<p>{PARA * 3}</p><p>{PARA * 2}</p>",
                 ".by { text-align: right; margin: 0 } h1 { font-size: 18pt; text-align: center }")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="byline.pdf")
    assert doc.meta("author") == "李明峻" and doc.meta("affiliation") == "新台灣國策智庫研發長"
    assert not [b for b in doc.blocks if b.type == "heading"]
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == [PARA * 3, PARA * 2]


def test_loose_leading_in_two_columns_beside_a_heading(tmp_path: Path) -> None:
    # 1.9 line height leaves most of an em between rows; the right column's first line sits
    # beside the left column's heading, above its first line of text.
    first, second = PARA * 4, "第二段：" + PARA * 3
    html = _page(f"<div class='c'><h2>瓷器</h2><p>{first}</p><p>{second}</p></div>",
                 ".c { columns: 2; column-gap: 7mm; line-height: 1.9; text-align: justify }"
                 " h2 { font-size: 13pt; margin: 0 0 4mm } p { margin: 0; text-indent: 2em }")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="loose.pdf")
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == [first, second]


@pytest.mark.browser
def test_justified_ideographs_spread_apart_get_no_spaces(tmp_path: Path) -> None:
    text = ("隨後美國財政部長葉倫(Janet Louise Yellen)、氣候特使克里(John Kerry)和商務部長雷蒙多"
            "(Gina Marie Raimondo)相繼訪華，試圖與中國重建相關領域的高層對話。") * 3
    html = _page(f"<h1>訪華</h1><p>{text}</p><p>{PARA}</p>",
                 "p { text-align: justify; text-justify: inter-character; width: 70mm }")
    doc = extract_document(printers.chromium(html, tmp_path), filename="spread.pdf")
    assert text in [b.text for b in doc.blocks]
