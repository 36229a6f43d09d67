"""The text rules, the gate and the normaliser on their own."""

from __future__ import annotations

import pytest

from ingest import layout, metadata, normalize, quality


@pytest.mark.parametrize(("text", "iso"), [
    ("2023 年 11 月 30 日", "2023-11-30"),
    ("民國112年11月30日", "2023-11-30"),
    ("中華民國１１２年１１月３０日", "2023-11-30"),
    ("中華民國一一二年十一月三十日", "2023-11-30"),
    ("發布日期：2023/11/30", "2023-11-30"),
    ("2023 年 11 月", "2023-11"),
])
def test_datelines(text, iso):
    assert metadata.dateline(text) == iso


def test_a_date_inside_a_sentence_is_not_a_dateline():
    assert metadata.dateline("美中 2023 年 11 月 15 日在舊金山舉行峰會") is None
    assert metadata.dateline("2023 年 2 月 30 日") is None


@pytest.mark.parametrize(("line", "want"), [
    ("李明峻", ("李明峻", None)),
    ("文／李明峻（新台灣國策智庫研發長）", ("李明峻", "新台灣國策智庫研發長")),
    ("作者：歐陽明（政治大學教授）", ("歐陽明", "政治大學教授")),
    ("李明峻／新台灣國策智庫研發長", ("李明峻", "新台灣國策智庫研發長")),
    ("前言", None),
    ("美國的首要目標", None),
])
def test_bylines(line, want):
    assert metadata.parse_byline(line) == want


def test_caption_and_credit():
    got = metadata.split_caption("王毅訪美。(圖片來源：<https://example.org/p/1>)")
    assert got == ("王毅訪美。", "https://example.org/p/1")
    assert metadata.split_caption("一般的句子（不是圖說）。") is None


@pytest.mark.parametrize(("line", "want"), [
    ("Tel: 886-2-23654366", {"phone": "886-2-23654366"}),
    ("電話：（０２）２３６５－４３６６", {"phone": "(02)2365-4366"}),
    ("Fax: 886-2-23679193", {"fax": "886-2-23679193"}),
    ("<http://www.pf.org.tw>", {"website": "http://www.pf.org.tw"}),
    ("E-mail: pf@pf.org.tw", {"email": "pf@pf.org.tw"}),
    ("臺北市汀州路三段 60 巷 1 號", {"address": "臺北市汀州路三段 60 巷 1 號"}),
])
def test_contact_lines(line, want):
    assert metadata.contact_fields(line) == want


def test_mojibake_titles_are_repaired():
    title = "美中 APEC 峰會"
    assert metadata.repair_mojibake(title.encode("cp950").decode("latin-1")) == title
    assert metadata.repair_mojibake(title.encode("utf-8").decode("latin-1")) == title
    assert metadata.repair_mojibake("Café Ingeniería") == "Café Ingeniería"


@pytest.mark.parametrize("junk", ["about:blank", "Microsoft Word - 1121130.docx", "Untitled", "C:\\tmp\\a.pdf",
                                  "report.pdf", "<4D6963726F736F667420576F7264202D20612E646F63>"])
def test_junk_info_titles_are_rejected(junk):
    assert metadata.clean_info_title(junk) is None


def test_lookalikes_map_to_ideographs():
    # Kangxi radicals (NFKC maps them) and CJK Radicals Supplement (it does not)
    assert normalize.normalize_line("\u2f64\u4e00\u2ed1\u2ea0") == "用一長民"


def test_spaces_between_cjk_are_dropped_others_kept():
    assert normalize.normalize_line("科 技 領 域 於 10 月\x00底 APEC  峰會") == "科技領域於 10 月底 APEC 峰會"


def test_joins():
    assert layout.join("提出", "「亞太再平衡」", True) == "提出「亞太再平衡」"
    assert layout.join("Barack", "Obama", True) == "Barack Obama"
    assert layout.join("inter-", "national", True) == "international"
    assert layout.join("於", "2011 年", True) == "於 2011 年"
    assert layout.join("於", "2011年", False) == "於2011年"
    assert layout.join("https://x.org/status/17181", "23594/photo/1", True) == "https://x.org/status/17181" + "23594/photo/1"


def test_quality_gate_flags_garbage():
    real = "中國外交部長王毅於 10 月底訪問美國，為 11 月拜登與習近平在舊金山 APEC 峰會期間舉行會晤鋪路。" * 3
    assert quality.score(real).score == 1.0
    garbled = "\u0a37立ၽᝄɽኪ၂e௹ɻኪЗ論˖ࣸό\u0b9dᇍ ɓe論˖ϣҏ ࠦ܆\x80ўਉᗙ" * 5
    assert quality.score(garbled).score < quality.ACCEPT
    assert quality.score("\ue000\ue001\ue002 abc" * 10).score < quality.ACCEPT
    rare = "".join(chr(0x4E00 + 97 * i % 20000) for i in range(200))  # codes read as Unicode
    assert quality.score(rare).score < quality.ACCEPT


def test_script_and_language():
    trad = metadata.script_and_language("這是臺灣的學術研究機構，關於國際關係與經濟發展。")
    simp = metadata.script_and_language("这是台湾的学术研究机构，关于国际关系与经济发展。")
    assert (trad["script"].value, trad["language"].value) == ("Traditional", "zh-Hant")
    assert (simp["script"].value, simp["language"].value) == ("Simplified", "zh-Hans")
    assert metadata.script_and_language("The policy of the state and the market.")["language"].value == "en"


def test_page_furniture_from_text_alone():
    bodies = ["正文第一頁的內容", "第二頁接著寫下去", "最後一頁的結語"]
    pages = layout.page_lines(["\n".join(["遠景論壇", body, f"- {n} -"]) for n, body in enumerate(bodies, start=1)])
    kept, running = layout.strip_furniture(pages)
    assert running == ["遠景論壇"]
    assert [[line.text for line in page] for page in kept] == [[body] for body in bodies]


def test_page_furniture_from_geometry():
    """Placed lines: furniture is what repeats at one height, or a number in the margin; not stream position."""
    def line(text: str, page: int, top: float) -> layout.Line:
        return layout.Line(text, page, 56.0, 56.0 + 12 * len(text), top, 12.0)

    bodies = [f"這是{word}頁的正文，長度超過十個字，位置在頁面中間。" for word in ("首", "次", "末")]
    pages = [[line(body, n, 100.0), line("12", n, 118.0), line(body + "再一行", n, 136.0),
              line(str(n), n, 800.0), line("遠景論壇", n, 30.0 + n % 2)] for n, body in enumerate(bodies, 1)]
    kept, running = layout.strip_furniture(pages)
    assert running == ["遠景論壇"]
    # "12" repeats at one height and is a number, but inside the text block: not furniture.
    assert [[x.text for x in page] for page in kept] == [[body, "12", body + "再一行"] for body in bodies]


@pytest.mark.parametrize("line", ["交通部臺灣鐵路管理局", "經濟部", "國家發展委員會", "國立臺灣大學", "臺北市政府",
                                  "財團法人兩岸交流遠景基金會", "中華經濟研究院"])
def test_issuing_bodies(line):
    assert metadata.is_issuer(line)


@pytest.mark.parametrize("line", ["兩岸關係的新局", "東亞變局", "美中對抗下的新格局", "如何走出僵局", "全球供應鏈與政局"])
def test_titles_that_end_like_names_are_not_issuers(line):
    assert not metadata.is_issuer(line)
