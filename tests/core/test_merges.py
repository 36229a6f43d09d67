"""Archivists' merges of entity names: real PDFs, a real store and Whoosh index on disk;
facets, filters, the entity view and the sitemap treat merged names as one at once."""

from __future__ import annotations

import json

import pytest

from archive import entities
from archive.merges import MergeError, MergeStore
from archive.service import Archive
from tests.pdfgen import commentary_pdf

#: (title, author, foundation, series, date): two spellings of one institution that do not
#: fold alike (an abbreviation and the full name), one that folds alike (台/臺), two series.
DOCS = [
    ("能源轉型的下一步", "王小明", "海峽政策研究院", "政策評析", "2022-03-01"),
    ("離岸風電的供應鏈", "陳美玲", "財團法人海峽政策研究基金會", "政策評析", "2023-05-10"),
    ("儲能產業的機會與挑戰", "林志強", "海峽政策研究院", "國策評論", "2024-01-15"),
    ("電網韌性與分散式能源", "王曉明", "財團法人海峽政策研究基金會", "國策評論", "2024-06-01"),
]
SHORT, FULL = DOCS[0][2], DOCS[1][2]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    base = tmp_path_factory.mktemp("merges")
    arch = Archive(base / "instance")
    for i, (title, author, foundation, series, date) in enumerate(DOCS):
        pdf = commentary_pdf(base / f"{i}.pdf", title=title, author=author, affiliation="研究員",
                             foundation=foundation, series=series, date=date,
                             paragraphs=[f"{title}是能源政策討論的重點，本文從產業與制度兩方面分析。",
                                         "政府應提出明確的時程與配套措施，以降低轉型的社會成本。"])
        out = arch.ingest_bytes(pdf.read_bytes(), filename=pdf.name)
        assert out.status == "ingested", out
    yield arch
    arch.close()


@pytest.fixture(autouse=True)
def _no_merges_between_tests(archive: Archive) -> None:
    archive.merges.path.unlink(missing_ok=True)


def _facet(archive: Archive, kind: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in archive.search("")["facets"][kind]}


def test_the_documents_say_what_the_test_expects(archive: Archive) -> None:
    assert _facet(archive, "foundation") == {SHORT: 2, FULL: 2}
    assert _facet(archive, "author") == {"王小明": 1, "陳美玲": 1, "林志強": 1, "王曉明": 1}


def test_a_merge_makes_one_facet_value_one_filter_and_one_page_at_once(archive: Archive) -> None:
    group = archive.merge_entities("foundation", [SHORT, FULL], by="tester")
    assert group.names == (SHORT, FULL)
    assert _facet(archive, "foundation") == {SHORT: 4}  # shown as the first name
    for name in (SHORT, FULL):
        found = archive.search("", filters={"foundation": [name]})
        assert found["total"] == 4
        view = entities.entity(archive, "foundation", name)
        assert view is not None and view["name"] == SHORT and view["total"] == 4
        assert view["merged"] == [SHORT, FULL] and set(view["spellings"]) == {SHORT, FULL}
    # other facets under a merged filter count as before
    assert _facet(archive, "series") == {"政策評析": 2, "國策評論": 2}
    # another process reads the same file
    assert MergeStore(archive.instance).group("foundation", FULL) == [SHORT, FULL]
    saved = json.loads((archive.instance / "merges.json").read_text(encoding="utf-8"))
    assert saved["foundation"][0]["names"] == [SHORT, FULL] and saved["foundation"][0]["by"] == "tester"


def test_a_split_undoes_it(archive: Archive) -> None:
    archive.merge_entities("foundation", [FULL, SHORT])
    assert _facet(archive, "foundation") == {FULL: 4}
    assert archive.split_entity("foundation", SHORT) is None  # one name left: the group is gone
    assert _facet(archive, "foundation") == {SHORT: 2, FULL: 2}
    view = entities.entity(archive, "foundation", SHORT)
    assert view is not None and view["total"] == 2 and view["merged"] == []


def test_merges_join_and_a_split_leaves_the_rest(archive: Archive) -> None:
    archive.merge_entities("author", ["王小明", "王曉明"])
    group = archive.merge_entities("author", ["陳美玲", "王曉明"])  # joins the group 王曉明 is in
    assert group.names == ("陳美玲", "王曉明", "王小明")
    assert _facet(archive, "author") == {"陳美玲": 3, "林志強": 1}
    left = archive.split_entity("author", "陳美玲")
    assert left is not None and left.names == ("王曉明", "王小明")
    view = entities.entity(archive, "author", "王小明")
    assert view is not None and view["name"] == "王曉明" and view["total"] == 2
    assert view["affiliations"][0]["count"] == 2  # each byline of a merged name is the entity's


def test_a_merge_that_cannot_be_is_refused_in_one_line(archive: Archive) -> None:
    with pytest.raises(MergeError, match="no document has the foundation"):
        archive.merge_entities("foundation", [SHORT, "沒有這個機構"])
    with pytest.raises(MergeError, match="two names"):
        archive.merge_entities("foundation", [SHORT, SHORT.replace("峽", "峡")])  # folds alike
    with pytest.raises(MergeError, match="unknown kind"):
        archive.merge_entities("publisher", [SHORT, FULL])
    with pytest.raises(MergeError, match="not merged"):
        archive.split_entity("foundation", SHORT)
    assert not (archive.instance / "merges.json").exists()


def test_a_damaged_file_means_no_merges_never_a_failed_search(archive: Archive) -> None:
    archive.merge_entities("foundation", [SHORT, FULL])
    (archive.instance / "merges.json").write_text("{not json", encoding="utf-8")
    assert _facet(archive, "foundation") == {SHORT: 2, FULL: 2}
