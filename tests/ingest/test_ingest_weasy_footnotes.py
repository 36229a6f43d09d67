"""CSS footnotes printed by WeasyPrint: its footnote area is drawn with a rule and read as a
box, and its notes are still footnotes (a code box whose later line starts with "*" is not).
A real WeasyPrint (Debian's) makes the PDF; the real extractor reads it."""

from __future__ import annotations

from pathlib import Path

from ingest import extract_document
from tests import printers

PARA = "雙方同意在平等和尊重的基礎上恢復多項交流機制，具體成果包括以下幾項，各方均表示歡迎並持續關注後續發展。"
NOTES = ["本段所述訪問行程，依各方公開發布之資料整理。", "以上各項為峰會後雙方公開說明之共識，實際執行情形仍待觀察。"]
CSS = """
@page { size: A5; margin: 18mm 15mm; @footnote { border-top: 0.5pt solid #666; padding-top: 2mm; } }
body { font-family: 'Noto Sans CJK TC'; font-size: 9.5pt; line-height: 1.7; text-align: justify; }
.fn { float: footnote; font-size: 0.8em; text-indent: 0; text-align: left; }
::footnote-call { content: counter(footnote); vertical-align: super; font-size: 0.7em; }
::footnote-marker { content: counter(footnote) ' '; }
pre { border: 0.5pt solid #999; padding: 2mm; font-size: 7pt; }
"""


def test_weasyprint_footnotes_are_footnotes(tmp_path: Path) -> None:
    html = (f"<html lang='zh-Hant'><head><style>{CSS}</style></head><body><h1>美中軍事交流的恢復</h1>"
            f"<p>{PARA}<span class='fn'>{NOTES[0]}</span>{PARA}</p>"
            f"<p>{PARA}<span class='fn'>{NOTES[1]}</span></p></body></html>")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="notes.pdf")
    assert [b.text for b in doc.blocks if b.type == "footnote"] == [f"{i} {n}" for i, n in enumerate(NOTES, 1)]
    assert not [b for b in doc.blocks if b.type == "aside"]


def test_a_code_box_with_starred_lines_is_not_a_footnote(tmp_path: Path) -> None:
    code = "\\\\begin{tabular}{lcc}\\n模型 &amp; 係數 \\\\\\\\\\n*** p&lt;0.01, ** p&lt;0.05, * p&lt;0.1\\n\\\\end{tabular}"
    html = (f"<html lang='zh-Hant'><head><style>{CSS}</style></head><body><h1>表格範例</h1>"
            f"<p>{PARA * 3}</p><p>{PARA * 3}</p><pre>{code}</pre></body></html>")
    doc = extract_document(printers.weasyprint(html, tmp_path), filename="code.pdf")
    assert not [b for b in doc.blocks if b.type == "footnote"]
