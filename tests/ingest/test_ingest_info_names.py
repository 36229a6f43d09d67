"""PDF Info Author used with judgement: a name reaches ``author``; an account name stays
``pdf_author`` and never reaches the author facet.  Real PDFs made by our generator with the
Info fields set, and the rule itself on names and accounts of many kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import extract_document
from ingest.metadata import looks_like_name
from tests.pdfgen import commentary_pdf

NAMES = ["王小明", "王小明、李大同", "歐陽志宏", "史蒂芬·霍金", "김민수", "John Smith",
         "J. R. Tolkien", "Mary-Jane O'Neil", "Lee Kuan Yew", "財團法人兩岸交流遠景基金會",
         "中華經濟研究院", "Center for Strategic and International Studies"]
ACCOUNTS = ["user00", "win7 2007", "ctr", "Akira", "君の名は。", "Administrator", "微軟用戶",
            "Windows 使用者", "john", "Microsoft Office User", "sam.lee", "DESKTOP-AB12", "李",
            "kevin chen", "USER", "owner", "HP_Laptop", "a@b.org"]


@pytest.mark.parametrize("text", NAMES)
def test_names_read_as_names(text: str) -> None:
    assert looks_like_name(text)


@pytest.mark.parametrize("text", ACCOUNTS)
def test_accounts_do_not(text: str) -> None:
    assert not looks_like_name(text)


@pytest.mark.parametrize(("info_author", "author"), [("user00", None), ("win7 2007", None),
                                                     ("君の名は。", None), ("陳大文", "陳大文")])
def test_info_author_becomes_author_only_when_it_is_a_name(tmp_path: Path, info_author: str,
                                                           author: str | None) -> None:
    pdf = commentary_pdf(tmp_path / "a.pdf", title="區域安全的新局", author=None,
                         info_author=info_author,
                         paragraphs=["本文討論區域安全情勢的變化，以及各方可能採取的政策選項。" * 3])
    doc = extract_document(pdf.read_bytes(), filename="a.pdf")
    assert doc.meta("author") == author
    assert doc.meta("pdf_author") == info_author
    assert doc.metadata["pdf_author"].source == "pdf-info"
