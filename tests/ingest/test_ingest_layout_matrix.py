"""The layout rules across the genre's layouts: a matrix of generated commentaries.

Each case prints the same kind of content differently (byline before or after
the title, with or without affiliation, inline 文／ byline, back matter on its
own page or right after the note, 台 or 臺, full- or half-width digits, A4 or
A5, Ming or sans type, the foundation alone or the full back matter, headings
or none, first-line indents instead of paragraph spacing, paragraphs split
across a page) and always includes paragraphs whose last line ends with 。
exactly at the right margin, which only the geometry can tell from a line that
goes on.  Every case must come back exactly: body paragraphs, block types in
order, and the metadata fields read from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from archive.models import Document
from ingest import extract_document
from tests import pdfgen

FOUNDATION = "財團法人兩岸交流遠景基金會"
DESCRIPTION = ("本基金會為研究國際政經情勢之民間學術智庫，旨在針對國際政經情勢及戰略與安全等領域，"
               "將學術研究成果具體轉化為政策研析，作為我政府參考。")

#: Ideographs and full-width punctuation only, so that every character is one em wide.
SENTENCES = [
    "美中兩國在經貿科技與安全領域的競爭持續升高，雙方都在尋找穩定關係的方法與底線。",
    "拜登政府強調與盟友合作，透過印太經濟架構與晶片聯盟建立更有韌性的供應鏈體系。",
    "北京則以擴大內需與一帶一路回應，並且試圖在全球南方國家之間爭取更多支持與認同。",
    "對臺灣而言，美中關係的變化直接影響兩岸情勢，也牽動國內經濟發展與安全戰略布局。",
    "未來一年雙方若能維持高層對話並管控分歧，將有助於區域和平，亦符合各方共同利益。",
    "日本與南韓在安全上依賴美國，在經濟上又與中國密切往來，因此必須謹慎拿捏分寸。",
    "東南亞國家普遍不願選邊站，而是希望在兩強之間保持彈性，以換取最大的發展空間。",
]
_TEXT = "".join(SENTENCES)
_NO_LINE_START = set("，。、；：？！」』）》〉】")


def paragraph(seed: int, lines: float, per_line: int, indent: int = 0) -> str:
    """A paragraph of ``lines`` lines ending in 。; a whole number of lines ends exactly at the margin."""
    length = round(lines * per_line) - indent
    for start in range(seed * 17, seed * 17 + len(_TEXT)):
        text = (_TEXT * 4)[start % len(_TEXT):][: length - 1] + "。"
        line_starts = [per_line - indent + k * per_line for k in range(int(lines) + 1)]
        if text[0] not in _NO_LINE_START and not any(
                p < len(text) and text[p] in _NO_LINE_START for p in line_starts):
            return text
    raise AssertionError("no paragraph without punctuation at a line start")


@dataclass
class Case:
    """One layout: the Spec overrides and what the text rules must find."""

    name: str
    spec: dict[str, Any]
    fields: dict[str, str]
    exact: list[int] = field(default_factory=lambda: [1, 4])  # paragraphs that end at the margin
    split: int | None = None  # paragraph broken across a page after its first line


TITLE = "美中關係的下一步"
AFFIL = "國立政治大學國際關係研究中心副研究員"
FULL_BACK = {"foundation": FOUNDATION, "description": DESCRIPTION, "address": "臺北市汀州路三段 60 巷 1 號",
             "phone": "Tel: 886-2-23654366", "fax": "Fax: 886-2-23679193", "website": "http://www.pf.org.tw"}
FULL_BACK_FIELDS = {"foundation": FOUNDATION, "address": "臺北市汀州路三段 60 巷 1 號", "phone": "886-2-23654366",
                    "fax": "886-2-23679193", "website": "http://www.pf.org.tw"}
WIDE_BACK = {"foundation": FOUNDATION, "address": "台北市汀州路三段６０巷１號",
             "phone": "電話：（０２）２３６５－４３６６", "fax": "傳真：（０２）２３６７－９１９３", "email": "pf@pf.org.tw"}
WIDE_BACK_FIELDS = {"foundation": FOUNDATION, "address": "台北市汀州路三段６０巷１號", "phone": "(02)2365-4366",
                    "fax": "(02)2367-9193", "email": "pf@pf.org.tw"}
NOTE = "編按：本文僅代表作者個人觀點，不代表本會之政策與立場。"

CASES = [
    Case("a4-ming-author-after-with-affiliation",
         {"author": "王小明", "affiliation": AFFIL, "series": "遠景論壇", "date": "2024-03-01",
          "headings": {2: "美國的首要目標"}, "note": NOTE, **FULL_BACK},
         {"title": TITLE, "author": "王小明", "affiliation": AFFIL, "series": "遠景論壇", "date": "2024-03-01",
          "editor_note": NOTE[3:], **FULL_BACK_FIELDS}),
    Case("a4-ming-author-after-alone-foundation-alone",  # the report: title and author merged, foundation a heading
         {"author": "王小明", "series": "遠景論壇", "foundation": FOUNDATION, "date": "2024-03-01"},
         {"title": TITLE, "author": "王小明", "series": "遠景論壇", "date": "2024-03-01", "foundation": FOUNDATION}),
    Case("a5-ming-author-after-alone-foundation-alone",
         {"author": "王小明", "series": "遠景論壇", "foundation": FOUNDATION, "date": "2024-03-01",
          "page_size": "A5"},
         {"title": TITLE, "author": "王小明", "series": "遠景論壇", "date": "2024-03-01", "foundation": FOUNDATION}),
    Case("a5-ming-author-before-with-affiliation-back-page",
         {"author": "陳大文", "affiliation": "新臺灣國策智庫研發長", "author_first": True, "page_size": "A5",
          "series": "國策評論", "date": "２０２４年３月１日", "headings": {1: "區域情勢", 3: "臺灣的選擇"},
          "back_matter_new_page": True, **WIDE_BACK},
         {"title": TITLE, "author": "陳大文", "affiliation": "新臺灣國策智庫研發長", "series": "國策評論",
          "date": "2024-03-01", **WIDE_BACK_FIELDS}),
    Case("a5-sans-author-before-alone",
         {"author": "林美華", "author_first": True, "page_size": "A5", "font": "sans", "series": "遠景論壇",
          "foundation": FOUNDATION, "date": "民國１１３年３月１日"},
         {"title": TITLE, "author": "林美華", "series": "遠景論壇", "date": "2024-03-01", "foundation": FOUNDATION}),
    Case("a4-sans-inline-byline",
         {"author": "歐陽明", "affiliation": "台灣大學政治學系教授", "byline": "inline", "font": "sans",
          "date": "中華民國113年3月1日", "note": NOTE, "headings": {3: "結語"}, "back_matter_new_page": True,
          **FULL_BACK},
         {"title": TITLE, "author": "歐陽明", "affiliation": "台灣大學政治學系教授", "date": "2024-03-01",
          "editor_note": NOTE[3:], **FULL_BACK_FIELDS}),
    Case("a5-ming-inline-byline-alone-before",
         {"author": "張國城", "byline": "inline", "author_first": True, "page_size": "A5",
          "headings": {2: "美國的首要目標"}, "foundation": FOUNDATION, "note": NOTE},
         {"title": TITLE, "author": "張國城", "foundation": FOUNDATION, "editor_note": NOTE[3:]}),
    Case("a4-ming-first-line-indents-no-spacing",
         {"author": "王小明", "affiliation": AFFIL, "indent": 2, "paragraph_gap": 0.0, "series": "遠景論壇",
          "headings": {3: "美國的首要目標"}, **WIDE_BACK},
         {"title": TITLE, "author": "王小明", "affiliation": AFFIL, "series": "遠景論壇", **WIDE_BACK_FIELDS}),
    Case("a4-ming-split-across-pages-running-head",
         {"author": "李明峻", "affiliation": "新台灣國策智庫研發長", "series": "遠景論壇",
          "running_header": "遠景論壇", "page_numbers": "{n}", "headings": {2: "美國的首要目標"},
          "note": NOTE, "back_matter_new_page": True, **FULL_BACK},
         {"title": TITLE, "author": "李明峻", "affiliation": "新台灣國策智庫研發長", "series": "遠景論壇",
          "editor_note": NOTE[3:], **FULL_BACK_FIELDS}, split=3),
    Case("a5-sans-split-date-at-end",
         {"author": "黃清賢", "affiliation": AFFIL, "page_size": "A5", "font": "sans", "series": "遠景論壇",
          "running_header": "遠景論壇", "page_numbers": "第 {n} 頁", "date": "2024年3月1日", "date_at_end": True,
          "foundation": FOUNDATION},
         {"title": TITLE, "author": "黃清賢", "affiliation": AFFIL, "series": "遠景論壇", "date": "2024-03-01",
          "foundation": FOUNDATION}, split=2),
    Case("a4-ming-photo-caption-taiwan-title",
         {"title": "臺灣在印太戰略中的角色", "author": "蔡明彥", "affiliation": "國防安全研究院研究員",
          "caption": "美國國務卿布林肯出席記者會。", "photo_credit": "美國國務院", "series": "遠景論壇",
          "note": NOTE, **FULL_BACK},
         {"title": "臺灣在印太戰略中的角色", "author": "蔡明彥", "affiliation": "國防安全研究院研究員",
          "series": "遠景論壇", "caption": "美國國務卿布林肯出席記者會。", "photo_credit": "美國國務院",
          "editor_note": NOTE[3:], **FULL_BACK_FIELDS}),
    Case("a5-ming-caption-without-credit",  # a caption known only by its small type above the title
         {"author": "王小明", "affiliation": AFFIL, "page_size": "A5", "series": "遠景論壇",
          "caption": "美中兩國元首在舊金山會面後握手致意", "foundation": FOUNDATION},
         {"title": TITLE, "author": "王小明", "affiliation": AFFIL, "series": "遠景論壇",
          "caption": "美中兩國元首在舊金山會面後握手致意", "foundation": FOUNDATION}),
]

TEXT_FIELDS = ("title", "series", "author", "affiliation", "foundation", "address", "phone", "fax", "website",
               "email", "date", "caption", "photo_credit", "editor_note")


def spec_for(case: Case) -> pdfgen.Spec:
    """The case's Spec with five paragraphs; those in ``case.exact`` end exactly at the margin."""
    values = {"title": TITLE, **case.spec}
    size = values.get("page_size", "A4")
    per_line = pdfgen.full_line_chars(page_size=size, font=values.get("font", "ming"))
    indent = int(values.get("indent", 0))
    shapes = [2.6, 2.0, 1.5, 3.4, 2.0]
    paragraphs = [paragraph(i, shape if i in case.exact else shape + 0.3, per_line, indent)
                  for i, shape in enumerate(shapes)]
    if case.split is not None:
        values["page_breaks"] = {case.split: [per_line - indent]}
    return pdfgen.Spec(paragraphs=paragraphs, **values)


def ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[pdfgen.Spec, Document]]:
    folder: Path = tmp_path_factory.mktemp("matrix")
    out = {}
    for case in CASES:
        spec = spec_for(case)
        data = pdfgen.build(spec, folder / f"{case.name}.pdf").read_bytes()
        out[case.name] = (spec, extract_document(data, filename=f"{case.name}.pdf"))
    return out


def test_the_margin_paragraphs_really_end_at_the_margin():
    """Guard the matrix itself: an 'exact' paragraph's last line is full and ends with 。."""
    for case in CASES:
        spec = spec_for(case)
        per_line = pdfgen.full_line_chars(page_size=spec.page_size, font=spec.font)
        for i in case.exact:
            lines = pdfgen.wrap_lines(spec.paragraphs[i], page_size=spec.page_size, font=spec.font,
                                      indent=spec.indent)
            assert len(lines) >= 2 and len(lines[-1]) == per_line and lines[-1].endswith("。"), (case.name, i)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_body_paragraphs(built, case):
    spec, doc = built[case.name]
    assert [ws(b.text) for b in doc.blocks if b.type == "paragraph"] == [ws(p) for p in spec.paragraphs]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_block_types_in_reading_order(built, case):
    spec, doc = built[case.name]
    want = ["caption"] if spec.caption else []
    want.append("title")
    for i in range(len(spec.paragraphs)):
        want += ["heading", "paragraph"] if i in spec.headings else ["paragraph"]
    want += ["note"] if spec.note else []
    want += ["back_matter"] if spec.foundation else []
    assert [b.type for b in doc.blocks] == want
    assert [b.text for b in doc.blocks if b.type == "heading"] == [spec.headings[i] for i in sorted(spec.headings)]
    assert next(b.text for b in doc.blocks if b.type == "title") == spec.title
    if spec.foundation:
        assert doc.blocks[-1].text.split("\n")[0] == spec.foundation


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_metadata_from_the_text(built, case):
    _, doc = built[case.name]
    got = {k: doc.metadata[k].value for k in TEXT_FIELDS if k in doc.metadata}
    assert got == case.fields
    assert {doc.metadata[k].source for k in got} == {"text"}


@pytest.mark.parametrize("case", [c for c in CASES if c.split is not None], ids=lambda c: c.name)
def test_a_paragraph_split_across_a_page_is_one_block(built, case):
    spec, doc = built[case.name]
    paragraphs = [b for b in doc.blocks if b.type == "paragraph"]
    assert len(paragraphs[case.split].pages) == 2
    assert "遠景論壇" not in "\n".join(b.text for b in doc.blocks if b.type != "back_matter")


@pytest.mark.parametrize("case", [c for c in CASES if c.spec.get("font", "ming") == "ming"][:4],
                         ids=lambda c: c.name)
def test_text_only_fallback(built, case, tmp_path):
    """Without geometry the text rules rebuild every paragraph except those ending exactly at the
    margin, which they cannot tell from a line that goes on: those run into the next one."""
    from ingest import layout
    from ingest.extract import open_pypdf, pypdf_text

    spec, _ = built[case.name]
    text = pypdf_text(open_pypdf(pdfgen.build(spec, tmp_path / "x.pdf").read_bytes(), None))
    pages, running = layout.strip_furniture(layout.page_lines(text.pages))  # no geometry
    typed = layout.type_blocks(layout.build_paragraphs(pages), running)
    paras, want, i = spec.paragraphs, [], 0
    while i < len(paras) - 1:  # (the last may run into the note or back matter)
        merged = paras[i]
        while i in case.exact and i + 1 < len(paras) - 1:
            if i + 1 in spec.headings:  # the heading after it runs in instead
                merged += spec.headings[i + 1]
                break
            i += 1
            merged += paras[i]
        want.append(ws(merged))
        i += 1
    got = [ws(b.text) for b in typed.blocks if b.type == "paragraph"]
    assert got[:len(want)] == want
