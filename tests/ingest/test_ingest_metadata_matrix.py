"""Author, affiliation and date across the forms commentaries print them: bylines of many
shapes, several authors, an author's note closing the text, datelines in every common form
(民國 years converted) at the top or the end, and PDF Info author fields that are account
names.  Real PDFs from our generator; every field exact, every field not printed absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import extract_document
from tests.pdfgen import commentary_pdf

TITLE = "區域安全情勢的新變化"
BODY = ["隨著國際局勢變化，區域各國紛紛調整其外交與安全政策，以因應新的戰略環境與挑戰。" * 3,
        "另一方面，經濟安全議題日益受到重視，供應鏈重組成為各國政府的施政重點之一。" * 3]

#: name -> (commentary_pdf arguments, the fields that must come out; any other is absent)
CASES: dict[str, tuple[dict, dict[str, str]]] = {
    "date-cjk": ({"date": "2021年3月5日"}, {"date": "2021-03-05"}),
    "date-labelled": ({"date": "報告日期：2021年03月05日"}, {"date": "2021-03-05"}),
    "date-roc-bare": ({"date": "110年3月5日"}, {"date": "2021-03-05"}),
    "date-roc": ({"date": "中華民國110年3月5日"}, {"date": "2021-03-05"}),
    "date-dots": ({"date": "2021.03.05"}, {"date": "2021-03-05"}),
    "date-slashes": ({"date": "2021/3/5"}, {"date": "2021-03-05"}),
    "date-published": ({"date": "發布時間 2021-03-05"}, {"date": "2021-03-05"}),
    "date-fullwidth": ({"date": "２０２１年３月５日"}, {"date": "2021-03-05"}),
    "date-month": ({"date": "2021年3月"}, {"date": "2021-03"}),
    "date-end": ({"date": "2021年3月5日", "date_at_end": True}, {"date": "2021-03-05"}),
    "date-end-labelled": ({"date": "出版日期：民國110年3月5日", "date_at_end": True},
                          {"date": "2021-03-05"}),
    "byline-slash": ({"author": "王大同／亞洲研究中心研究員"},
                     {"author": "王大同", "affiliation": "亞洲研究中心研究員"}),
    "byline-fullwidth-space": ({"author": "王大同\u3000亞洲研究中心研究員"},
                               {"author": "王大同", "affiliation": "亞洲研究中心研究員"}),
    "byline-fullwidth-spaces": ({"author": "作者：王大同\u3000\u3000國立大學政治學系教授"},
                                {"author": "王大同", "affiliation": "國立大學政治學系教授"}),
    "byline-wen": ({"author": "文／王大同"}, {"author": "王大同"}),
    "byline-zhuanwen": ({"author": "撰文：王大同"}, {"author": "王大同"}),
    "byline-circle": ({"author": "◎王大同"}, {"author": "王大同"}),
    "byline-by": ({"author": "By John Smith"}, {"author": "John Smith"}),
    "byline-two": ({"author": "王大同、李小華"}, {"author": "王大同、李小華"}),
    "byline-two-labelled": ({"author": "作者：王大同、李小華（亞洲研究中心研究員）"},
                            {"author": "王大同、李小華", "affiliation": "亞洲研究中心研究員"}),
    "byline-paren": ({"author": "王大同（亞洲研究中心研究員）"},
                     {"author": "王大同", "affiliation": "亞洲研究中心研究員"}),
    "byline-labelled": ({"author": "作者：歐陽志宏（國立大學政治學系教授）"},
                        {"author": "歐陽志宏", "affiliation": "國立大學政治學系教授"}),
    "byline-lines": ({"author": "王大同", "affiliation": "亞洲研究中心研究員"},
                     {"author": "王大同", "affiliation": "亞洲研究中心研究員"}),
    "note-as": ({"paragraphs": [*BODY, "（作者為某大學政治學系副教授張小文）"]},
                {"author": "張小文", "affiliation": "某大學政治學系副教授"}),
    "note-sentence": ({"paragraphs": [*BODY, "本文作者張小文為某大學政治學系副教授。"]},
                      {"author": "張小文", "affiliation": "某大學政治學系副教授"}),
    "note-pair": ({"paragraphs": [*BODY, "（張小文，某大學政治學系副教授）"]},
                  {"author": "張小文", "affiliation": "某大學政治學系副教授"}),
    "byline-wins-over-note": ({"author": "文／王大同",
                               "paragraphs": [*BODY, "（作者為某大學政治學系副教授張小文）"]},
                              {"author": "王大同"}),
    "info-account": ({"info_author": "user00"}, {"pdf_author": "user00"}),
    "info-version": ({"info_author": "win7 2007"}, {"pdf_author": "win7 2007"}),
    "info-kana": ({"info_author": "君の名は。"}, {"pdf_author": "君の名は。"}),
    "info-name": ({"info_author": "陳大文"}, {"author": "陳大文", "pdf_author": "陳大文"}),
    "byline-over-info": ({"author": "文／王大同", "info_author": "Administrator"},
                         {"author": "王大同", "pdf_author": "Administrator"}),
    "byline-and-date": ({"author": "王大同／亞洲研究中心研究員", "date": "民國112年11月30日"},
                        {"author": "王大同", "affiliation": "亞洲研究中心研究員", "date": "2023-11-30"}),
    "publisher-foundation": ({"foundation": "財團法人國策研究院文教基金會"},
                             {"foundation": "財團法人國策研究院文教基金會"}),
    "publisher-institute": ({"foundation": "中華經濟研究院"}, {"foundation": "中華經濟研究院"}),
    "publisher-research-institute": ({"foundation": "台灣經濟研究所"}, {"foundation": "台灣經濟研究所"}),
    "publisher-centre": ({"foundation": "國立政治大學國際關係研究中心"},
                         {"foundation": "國立政治大學國際關係研究中心"}),
    "publisher-department": ({"foundation": "國立臺灣大學政治學系"}, {"foundation": "國立臺灣大學政治學系"}),
    "publisher-firm": ({"foundation": "元富證券投資顧問股份有限公司"},
                       {"foundation": "元富證券投資顧問股份有限公司"}),
    "publisher-english": ({"foundation": "Center for Strategic and International Studies"},
                          {"foundation": "Center for Strategic and International Studies"}),
    "info-title-licence": ({"info_title": "版權所有 翻印必究"}, {}),
    "info-title-masthead": ({"info_title": "國策研究季刊 第12卷第3期"}, {}),
    "info-title-url": ({"info_title": "https://www.example.org/report/2021/03"}, {}),
    "info-title-path": ({"info_title": "C:\\Users\\user\\Desktop\\報告.docx"}, {}),
    "masthead-line": ({"series": "國策研究季刊 第12卷第3期"}, {"series": "國策研究季刊"}),
    "masthead-vol": ({"series": "Strategic Review Vol. 12, No. 3"}, {"series": "Strategic Review"}),
    "licence-line": ({"series": "翻印必究版權所有"}, {}),
    "date-labelled-wins": ({"date": "2023年11月15日", "paragraphs": [*BODY, "出版日期：2023年12月1日"]},
                           {"date": "2023-12-01"}),
    "date-first-labelled-kept": ({"date": "發布時間 2023-12-01",
                                  "paragraphs": [*BODY, "2023年11月15日"]}, {"date": "2023-12-01"}),
    "analyst": ({"author": "分析師：王大同"}, {"author": "王大同", "affiliation": "分析師"}),
    "analyst-simplified": ({"author": "分析师 王大同"}, {"author": "王大同", "affiliation": "分析师"}),
    "analyst-licence": ({"author": "分析師：王大同", "affiliation": "執業證書編號：S0570519080001"},
                        {"author": "王大同", "affiliation": "分析師"}),
    "address-postcode": ({"foundation": "中華經濟研究院", "address": "106台北市大安區長興街75號"},
                         {"foundation": "中華經濟研究院", "address": "106台北市大安區長興街75號"}),
    "address-postcode-tai": ({"foundation": "中華經濟研究院", "address": "10617 臺北市大安區長興街75號"},
                             {"foundation": "中華經濟研究院", "address": "10617 臺北市大安區長興街75號"}),
    "address-floor": ({"foundation": "財團法人國策研究院文教基金會",
                       "address": "10055臺北市中正區八德路一段1號3樓"},
                      {"foundation": "財團法人國策研究院文教基金會",
                       "address": "10055臺北市中正區八德路一段1號3樓"}),
    "nothing": ({}, {}),
}
FIELDS = ("author", "affiliation", "date", "pdf_author", "foundation", "series", "address")


@pytest.mark.parametrize("name", sorted(CASES))
def test_fields_are_exact_and_the_unprinted_absent(tmp_path: Path, name: str) -> None:
    args, want = CASES[name]
    args = {"paragraphs": BODY, **args}
    pdf = commentary_pdf(tmp_path / f"{name}.pdf", title=TITLE, **args)
    doc = extract_document(pdf.read_bytes(), filename=f"{name}.pdf")
    got = {k: doc.meta(k) for k in FIELDS if doc.meta(k) is not None}
    assert got == want
    assert doc.meta("title") == TITLE
    assert [b.text for b in doc.blocks if b.type == "paragraph"][:2] == BODY  # the body intact


@pytest.mark.parametrize("angle", [0, 35])
def test_a_watermark_is_neither_title_nor_text(angle: float, tmp_path: Path) -> None:
    """A broker portal's stamp printed large and light across every page, level or turned."""
    stamp = "本報告僅供永豐金證券客戶參考"
    body = [p * 3 for p in BODY] * 4
    pdf = commentary_pdf(tmp_path / "stamped.pdf", title=TITLE, author="王大同", affiliation="亞洲研究中心研究員",
                         paragraphs=body, watermark=stamp, watermark_angle=angle)
    doc = extract_document(pdf.read_bytes(), filename="stamped.pdf")
    assert doc.page_count >= 3
    assert doc.meta("title") == TITLE and doc.meta("author") == "王大同"
    assert not [b for b in doc.blocks if "僅供" in b.text]
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == body
