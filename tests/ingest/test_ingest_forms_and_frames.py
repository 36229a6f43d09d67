"""Regulations and form pages as universities and ministries typeset them: numbered items whose lines
all reach the measure, a date line spread over the width, a note set flush right under the title,
labels at tab stops inside a drawn frame, text that wraps round a floated box, and a hyphen that ends
a line between ideographs.  Debian's WeasyPrint and Chromium make the PDFs; the real extractor reads
them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import extract_document, layout
from tests import printers

BODY = "font-family: 'Noto Sans CJK TC'; font-size: 10pt;"
LONG = ("請依下列格式填寫摘要頁，各欄均須填寫完整，摘要頁置於目錄之前，中文摘要在前，英文摘要在後，"
        "各以一頁為原則，字數以五百字為限。")


def _page(body: str, css: str = "") -> str:
    return (f"<html lang='zh-Hant'><head><style>@page {{ size: A5; margin: 15mm }} body {{ {BODY} }} {css}"
            f"</style></head><body>{body}</body></html>")


def _texts(doc, *types: str) -> list[str]:
    return [b.text for b in doc.blocks if not types or b.type in types]


def test_numbered_items_whose_lines_fill_the_measure_stay_apart(tmp_path: Path) -> None:
    # Every last line is spread to the measure (text-align-last), so only the numbering tells
    # where item 十一 ends and item 十二 begins.
    items = ["十、字體：電腦打字排版，顏色為黑色。", "十一、插圖：必須用儀器繪製，依序編號。",
             "十二、文獻：參考文獻包括作者姓名。", "十三、各系所得另訂細則。"]
    html = _page("<h1>論文格式</h1>" + "".join(f"<p>{t}</p>" for t in items),
                 "p { margin: 0; text-align: justify; text-align-last: justify }")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="items.pdf")
    assert _texts(doc, "paragraph", "list_item") == items


@pytest.mark.parametrize(("first", "following", "next_item"), [
    ("十一、插圖：", "十二、文獻：", True), ("(一)封面。", "(二)摘要。", True), ("9. 方法", "10. 結果", True),
    ("壹、前言", "貳、背景", True), ("十一、插圖：", "十三、各系", False), ("(一)封面。", "二、份數：", False),
    ("本條例", "二、份數：", False), ("十、字體：", "十一、插圖：", True),
])
def test_an_item_follows_the_one_numbered_before_it(first: str, following: str, next_item: bool) -> None:
    assert layout._next_item(first, following) is next_item


@pytest.mark.browser
@pytest.mark.parametrize("printer", ["weasyprint", "chromium"])
def test_a_date_line_spread_over_the_width_is_a_line_of_its_own(tmp_path: Path, printer: str) -> None:
    html = _page("<h1>審定書</h1><p>本委員會審查完畢，同意通過，特此證明。</p>"
                 "<p class=d>中　華　民　國　　年　　月　　日</p><p>五、摘要：中、英摘要應簡明扼要，包括：</p>",
                 "p { margin: 0 } .d { text-align: justify; text-align-last: justify }")
    doc = extract_document(getattr(printers, printer)(html, tmp_path), filename="date.pdf")
    assert _texts(doc, "paragraph", "list_item") == [
        "本委員會審查完畢，同意通過，特此證明。", "中　華　民　國　年　月　日", "五、摘要：中、英摘要應簡明扼要，包括："]


def test_a_note_set_flush_right_under_the_title_is_read_before_the_text(tmp_path: Path) -> None:
    # The items are short, so the note stands right of all of them: no column, a line above.
    html = _page("<h1>研究生論文格式條例</h1><p class=r>八十五學年度第七次教務會議修正通過</p><p>一、論文次序：</p>"
                 "<p class=i>(一)封面。</p><p class=i>(二)論文指導教授推薦書。</p><p class=i>(三)摘要。</p>",
                 "p { margin: 0 } .r { text-align: right; font-size: 8pt } .i { margin-left: 2em }")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="flush.pdf")
    texts = _texts(doc)
    assert texts[1] == "八十五學年度第七次教務會議修正通過" and doc.blocks[1].type == "paragraph"
    assert texts[2:] == ["一、論文次序：", "(一)封面。", "(二)論文指導教授推薦書。", "(三)摘要。"]


@pytest.mark.browser
@pytest.mark.parametrize("printer", ["weasyprint", "chromium"])
def test_a_framed_form_is_one_box_read_row_by_row(tmp_path: Path, printer: str) -> None:
    rows = [("論文名稱：", ""), ("校院系：", "頁數："), ("畢業時間：年/月", "學位別："), ("研究生：", "指導教授：")]
    form = "".join(f"<div class=row><span>{a}</span><span>{b}</span></div>" for a, b in rows)
    after = "以上格式請勿更動，如有特殊需要，應經指導教授同意並報請系所核備後，方得調整欄位之順序或增列欄位。"
    html = _page(f"<h1>摘要格式</h1><p>{LONG}</p><div class=box>{form}</div><p>{after}</p>",
                 ".box { border: 0.8pt solid black; padding: 3mm; width: 80mm; margin: 4mm 0 }"
                 " .row span { display: inline-block; width: 35mm } .row { font-size: 8pt }")
    doc = extract_document(getattr(printers, printer)(html, tmp_path), filename="form.pdf")
    assert _texts(doc, "paragraph") == [LONG, after]
    boxed = _texts(doc, "aside")
    assert boxed == ["論文名稱：", "校院系：　頁數：", "畢業時間：年/月　學位別：", "研究生：　指導教授："]
    assert [b.type for b in doc.blocks][1:7] == ["paragraph", "aside", "aside", "aside", "aside", "paragraph"]


@pytest.mark.browser
@pytest.mark.parametrize("printer", ["weasyprint", "chromium"])
def test_a_paragraph_that_starts_beside_a_floated_box_is_one_paragraph(tmp_path: Path, printer: str) -> None:
    para = "支持陸軍的平民官員隊伍被裁減，而警察力量亦被裁減至戰前規模，其增長水平同人口掛鉤；準軍事部隊被禁止存在。" * 3
    note = "附記：退撫基金當初設計時就有很多限制，不可與民爭利，基金進場有一定機制。"
    html = _page(f"<h1>和約</h1><p>{para}</p><div class=f>{note}</div><p>{para}</p><p>{para}</p>",
                 ".f { float: right; width: 38mm; border: 0.8pt solid; padding: 2mm; margin: 0 0 2mm 3mm;"
                 " font-size: 9pt } p { margin: 0; text-indent: 2em; text-align: justify }")
    doc = extract_document(getattr(printers, printer)(html, tmp_path), filename="float.pdf")
    assert _texts(doc, "paragraph") == [para] * 3
    assert _texts(doc, "aside") == [note]


def test_a_hyphen_that_ends_a_line_between_ideographs_is_kept(tmp_path: Path) -> None:
    # One of these paragraphs breaks its first line right after the hyphen (PDFium reports such a
    # hyphen with a marker code point, not as "-").
    texts = [f"{'甲' * k}布列斯特-立陶夫斯克條約規定俄國失去三分之一的人口。" for k in range(12, 26)]
    html = _page("<h1>條約</h1>" + "".join(f"<p>{t}</p>" for t in texts), "p { margin: 0 0 2mm; width: 60mm }")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="hyphen.pdf")
    assert _texts(doc, "paragraph") == texts
