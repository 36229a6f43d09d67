"""Running heads and feet that the audit (scripts/header_audit.py) found surviving on real
PDFs, made again: a page-1 header set on the title's baseline, page numbers in Chinese
numerals, and a running foot printed with its page number on some pages and apart from it
on others."""

from __future__ import annotations

from pathlib import Path

from ingest import extract_document, layout
from tests.pdfgen import commentary_pdf

TOPICS = ["漁業資源", "海上執法", "港口建設", "海洋污染", "離岸風電", "航運安全", "海底電纜", "海洋研究",
          "島嶼治理", "海岸保育", "海事教育", "國際合作"]
ACTS = ["主管機關提出改革方案", "學者建議加強協調", "地方政府要求增加預算", "業者期待法規鬆綁", "民間團體呼籲資訊公開"]
PARAS = [f"第{i + 1}節討論{t}的現況與挑戰。" + "".join(
    f"在{t}的第{j + 1}項議題上，{ACTS[(i + j) % 5]}，{2010 + (i * 7 + j) % 13}年以來已有{i + j + 3}次修正。"
    for j in range(6)) for i, t in enumerate(TOPICS * 2)]
TITLE = "海洋政策年度檢討報告"


def test_a_header_beside_the_title_and_han_numeral_page_feet_never_count_as_text(tmp_path: Path) -> None:
    pdf = commentary_pdf(tmp_path / "exam.pdf", title=TITLE, paragraphs=PARAS, title_in_header=True,
                         header_right="代號：80512　頁次：{n}", page_numbers="評論叢刊　{han}")
    doc = extract_document(pdf.read_bytes(), filename=pdf.name)
    pages = {p for b in doc.blocks for p in b.pages}
    assert len(pages) >= 4  # the header is on every page: a running head by repetition
    assert doc.title == TITLE  # not "海洋政策年度檢討報告　代號：80512 頁次：1"
    body = [b.text for b in doc.blocks if b.type != "title"]
    assert not [t for t in body if "代號" in t or "頁次" in t or "評論叢刊" in t]
    # the feet no longer stand between the halves of a paragraph that crosses a page
    assert [b.text for b in doc.blocks if b.type == "paragraph"] == PARAS


def _placed(text: str, page: int, top: float) -> layout.Line:
    return layout.Line(text, page, 56.0, 56.0 + 12 * len(text), top, 12.0)


def test_a_running_foot_with_and_apart_from_its_page_number_in_a_mixed_document() -> None:
    """Vertical pages come as text alone, where the foot and its number are two lines; the
    horizontal pages place it as one line.  Both are one running foot."""
    bodies = [f"{word}頁的正文，這一行的長度超過十個字，位置在頁面中間。" for word in "甲乙丙丁戊己"]
    numerals = "一二三四五六"
    pages: list[list[layout.Line]] = []
    for n, body in enumerate(bodies, start=1):
        if n % 2:  # placed
            pages.append([_placed(body, n, 100.0), _placed(body + "再一行", n, 118.0),
                          _placed(f"石頭記評註　{numerals[n - 1]}", n, 800.0)])
        else:  # text alone
            pages.append(layout.page_lines(["\n".join([body, "石頭記評註", numerals[n - 1]])])[0])
            for line in pages[-1]:
                line.page = n
    kept, running = layout.strip_furniture(pages)
    assert running == ["石頭記評註"]
    assert [[x.text for x in page][:1] for page in kept] == [[b] for b in bodies]
    assert all("石頭記評註" not in x.text and x.text not in numerals for page in kept for x in page)


def test_a_number_beside_a_heading_at_the_page_numbers_height_is_not_cut() -> None:
    bodies = [f"這是{word}頁的正文，長度超過十個字，位置在頁面中間。" for word in ("首", "次", "末")]
    pages = [[_placed(str(n), n, 30.0), _placed(body, n, 100.0), _placed(body + "再一行", n, 118.0)]
             for n, body in enumerate(bodies, start=1)]
    pages[2][0] = _placed("3 結論與建議", 3, 30.0)
    kept, _ = layout.strip_furniture(pages)
    assert kept[2][0].text == "3 結論與建議"
    assert [x.text for x in kept[0]] == [bodies[0], bodies[0] + "再一行"]


def test_the_audit_finds_the_running_lines_and_none_survives(tmp_path: Path) -> None:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "header_audit", Path(__file__).resolve().parents[2] / "scripts" / "header_audit.py")
    assert spec and spec.loader
    audit = sys.modules.setdefault("header_audit", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(audit)
    pdf = commentary_pdf(tmp_path / "exam.pdf", title=TITLE, paragraphs=PARAS, title_in_header=True,
                         header_right="代號：80512　頁次：{n}", page_numbers="評論叢刊　{han}")
    report = audit.audit(pdf, 50.0)
    found = {r["key"] for r in report.running}
    assert found >= {"代號:#頁次:#", "評論叢刊#"}  # NFKC, no whitespace, numbers as #
    assert not report.bad, report.line()
