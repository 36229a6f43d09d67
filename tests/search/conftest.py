"""Fixtures for the search tests: real indexes on disk (each test that builds one runs on
both engines, ``engine``), documents built by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from archive.index import ENGINES, SearchIndex, engine_class
from archive.models import Block, Document, Field


class DictSource:
    """The smallest document source: ``get_document`` over a dict."""

    def __init__(self, docs: list[Document]) -> None:
        self.docs = {d.doc_id: d for d in docs}

    def get_document(self, doc_id: str) -> Document | None:
        return self.docs.get(doc_id)


def make_doc(doc_id: str, paragraphs: list[str] | str, *, title: str = "", author: str = "",
             foundation: str = "", series: str = "", date: str = "",
             pages: list[int] | None = None) -> Document:
    """A document whose blocks are ``paragraphs`` (passage ids ``<doc_id>-p<i>``)."""
    if isinstance(paragraphs, str):
        paragraphs = [paragraphs]
    meta = {}
    for k, v in (("title", title), ("author", author), ("foundation", foundation),
                 ("series", series), ("date", date)):
        if v:
            meta[k] = Field(v, "text")
    blocks = [Block("paragraph", t, [pages[i] if pages else 1], id=f"{doc_id}-p{i}")
              for i, t in enumerate(paragraphs)]
    return Document(sha256="0" * 64, size=1, page_count=max(pages or [1]), blocks=blocks,
                    metadata=meta, doc_id=doc_id)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The index engine a test runs on (every test that builds an index runs on each); a test
    marked ``ranking`` asserts an order only the archive's own BM25F path has (ties broken by
    date); the orders both engines share (title against body, a word against its scattered
    bigrams) run on each."""
    if request.param != "whoosh" and request.node.get_closest_marker("ranking"):
        pytest.skip(f"an order only the archive's BM25F path has (ties by date); not {request.param}'s")
    return str(request.param)


@pytest.fixture
def build(tmp_path: Path, engine: str) -> Callable[[list[Document]], tuple[SearchIndex, DictSource]]:
    """Index ``docs`` into a fresh on-disk index of ``engine`` (single process) and return it
    with a source."""

    def _build(docs: list[Document]) -> tuple[SearchIndex, DictSource]:
        index = engine_class(engine)(tmp_path / "index")
        index.rebuild(docs, workers=1)
        return index, DictSource(docs)

    return _build


#: A small archive of policy-commentary-like documents used by several tests.
CORPUS = [
    make_doc("apec", ["美中 APEC 峰會後的東北亞安保情勢",
                      "中國外交部長王毅訪問美國，為拜登與習近平在舊金山 APEC 峰會期間舉行會晤鋪路。",
                      "美國堅持一個中國\n政策，但反對片面改變現狀。"],
             title="美中 APEC 峰會後的東北亞安保情勢", author="李明峻",
             foundation="新台灣國策智庫", series="遠景論壇", date="2023-11-20", pages=[1, 1, 2]),
    make_doc("balloon", ["今年初中國「間諜氣球」飛越美國上空並遭擊落，布林肯延遲訪華。",
                         "臺灣海峽的緊張情勢持續升高。"],
             title="間諜氣球事件的影響", author="王美琇", foundation="台灣智庫",
             series="國策評論", date="2023-02-10"),
    make_doc("simp", ["习近平在会议上强调，台湾问题是中国核心利益。软件产业也被提及。"],
             title="大陆观点摘录", author="陳重生", foundation="新台灣國策智庫",
             series="遠景論壇", date="2022-12-01"),
    make_doc("fullwidth", ["ＡＰＥＣ會議與Ｇ２０會議的比較研究，⻑期觀察。"],
             title="區域經濟整合", author="李明峻", foundation="新台灣國策智庫",
             series="國策評論", date="2021-05-03"),
    make_doc("roc", ["民國一一二年的國防預算與軍購項目分析，軟體與專案管理。"],
             title="國防預算", author="林宗弘、李明峻", foundation="國防安全研究院",
             series="戰略觀察", date="2023-06"),
]
