"""The service verbs end to end: real PDFs, real extraction, a real catalogue and Whoosh index."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import Settings
from archive.service import Archive
from tests.pdfgen import commentary_pdf, seed_content, seed_pdf

PARAS = [
    "自 2008 年金融海嘯之後，隨著中國持續增加經濟軍事實力，美中關係進入戰略競爭階段，雙方在印太地區的角力日益明顯。",
    "其後，拜登政府一直努力緩和緊張局勢，希望逐步恢復軍事高層交流，以免雙方發生誤判或誤傳的危險性。",
    "中國方面一向將近年的關係惡化歸咎於美國，但改善中美關係終究有其實際需要，只是強調美國必須言行一致。",
    "然而，兩國元首在台灣問題方面還是各自重申立場，雙方並沒有任何突破，台海和平穩定仍受各方關注。",
    "另一方面，由於中國面臨經濟下滑的壓力，因此希望改善國際政治形象，並塑造受美國尊重的印象。",
]
COMMON = {"title": "美中關係的下一步", "author": "王小明", "series": "遠景論壇",
          "foundation": "財團法人兩岸交流遠景基金會", "date": "2024-03-01"}


@pytest.fixture()
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "instance")


def test_ingest_stores_the_original_byte_for_byte_and_is_idempotent(archive: Archive, tmp_path: Path) -> None:
    pdf = seed_pdf(tmp_path / "seed.pdf")
    data = pdf.read_bytes()
    first = archive.ingest_bytes(data, "seed.pdf")
    assert first.status == "ingested", first
    assert archive.original_path(archive.get_document(first.doc_id).sha256).read_bytes() == data
    again = archive.ingest_bytes(data, "renamed.pdf")
    assert (again.status, again.doc_id, again.version) == ("unchanged", first.doc_id, 1)
    assert len(archive.list_documents()) == 1
    doc = archive.get_document(first.doc_id)
    assert doc.meta("title") == seed_content()["title"]
    assert all(b.id.startswith("p-") for b in doc.blocks)
    assert archive.index.doc_ids() == {first.doc_id}


def test_reingesting_the_same_text_gives_the_same_passage_ids(tmp_path: Path) -> None:
    """Two archives, the same PDF: ids depend on the document, not on the run."""
    pdf = seed_pdf(tmp_path / "seed.pdf")
    ids = []
    for name in ("a", "b"):
        a = Archive(tmp_path / name)
        out = a.ingest_bytes(pdf.read_bytes(), "seed.pdf")
        ids.append([b.id for b in a.get_document(out.doc_id).blocks])
    assert ids[0] == ids[1]


def test_a_revised_pdf_updates_the_document_and_old_links_resolve(archive: Archive, tmp_path: Path) -> None:
    v1 = commentary_pdf(tmp_path / "v1.pdf", paragraphs=PARAS, **COMMON)
    out1 = archive.ingest_bytes(v1.read_bytes(), "v1.pdf")
    old = archive.get_document(out1.doc_id)
    old_ids = {b.text: b.id for b in old.blocks if b.type == "paragraph"}
    assert len(old_ids) == len(PARAS)

    edited = PARAS[2].replace("歸咎於", "歸因於")
    revised = [PARAS[0], "新增一段：本文於二〇二四年修訂，補充最新的發展與各方的反應。", PARAS[1], edited, PARAS[4]]
    v2 = commentary_pdf(tmp_path / "v2.pdf", paragraphs=revised, page_size="A5", **COMMON)
    out2 = archive.ingest_bytes(v2.read_bytes(), "other-name.pdf")
    assert (out2.status, out2.doc_id, out2.version) == ("updated", out1.doc_id, 2)
    new = archive.get_document(out1.doc_id)

    same = archive.resolve_passage(old_ids[PARAS[0]])
    assert same["status"] == "current" and same["block"]["text"] == PARAS[0]
    moved = archive.resolve_passage(old_ids[PARAS[1]])
    assert moved["status"] == "current" and moved["block"]["text"] == PARAS[1]
    rev = archive.resolve_passage(old_ids[PARAS[2]])
    assert rev["status"] == "revised"
    assert rev["block"]["text"] == edited and rev["archived"]["text"] == PARAS[2]
    assert rev["passage_id"] in {b.id for b in new.blocks}
    gone = archive.resolve_passage(old_ids[PARAS[3]])
    assert gone["status"] == "gone" and gone["passage_id"] is None
    assert gone["archived"]["text"] == PARAS[3] and gone["archived_version"] == 1
    assert archive.resolve_passage("p-000000000000") is None
    # The old version is kept, byte for byte.
    versions = archive.document_versions(out1.doc_id)
    assert [v["version"] for v in versions] == [1, 2]
    assert archive.original_path(versions[0]["sha256"]).read_bytes() == v1.read_bytes()


def test_replaces_names_the_document_explicitly(archive: Archive, tmp_path: Path) -> None:
    v1 = commentary_pdf(tmp_path / "v1.pdf", paragraphs=PARAS, **COMMON)
    out1 = archive.ingest_bytes(v1.read_bytes(), "v1.pdf")
    other = commentary_pdf(tmp_path / "v2.pdf", paragraphs=PARAS[:3], **(COMMON | {"title": "改了標題"}))
    out2 = archive.ingest_bytes(other.read_bytes(), "v2.pdf", replaces=out1.doc_id)
    assert (out2.status, out2.doc_id, out2.version) == ("updated", out1.doc_id, 2)
    bad = archive.ingest_bytes(v1.read_bytes() + b"\n%", "v3.pdf", replaces="nosuchdoc")
    assert bad.status == "failed" and "--replaces nosuchdoc" in bad.reason


def test_a_different_document_with_another_title_is_new(archive: Archive, tmp_path: Path) -> None:
    a = commentary_pdf(tmp_path / "a.pdf", paragraphs=PARAS, **COMMON)
    b = commentary_pdf(tmp_path / "b.pdf", paragraphs=PARAS, **(COMMON | {"title": "另一篇文章"}))
    ids = {archive.ingest_bytes(p.read_bytes(), p.name).doc_id for p in (a, b)}
    assert len(ids) == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"hello, not a pdf", "not a PDF"),
        (b"%PDF-1.7\n" + b"x" * 200, "corrupt"),
    ],
)
def test_bad_input_fails_with_a_reason_and_stores_nothing(archive: Archive, data: bytes, reason: str) -> None:
    out = archive.ingest_bytes(data, "bad.pdf")
    assert out.status == "failed" and reason in out.reason and "\n" not in out.reason
    assert archive.list_documents() == []
    assert archive.store.original_files() == []


def test_size_cap_is_enforced_before_extraction(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "i", Settings(max_upload_mb=0.01))
    pdf = seed_pdf(tmp_path / "seed.pdf")
    out = archive.ingest_bytes(pdf.read_bytes(), "seed.pdf")
    assert out.status == "failed" and out.reason.startswith("too large")
    assert archive.list_documents() == []


def test_check_finds_and_repairs_index_drift_and_orphans(archive: Archive, tmp_path: Path) -> None:
    pdf = commentary_pdf(tmp_path / "a.pdf", paragraphs=PARAS, **COMMON)
    out = archive.ingest_bytes(pdf.read_bytes(), "a.pdf")
    assert archive.check()["clean"]
    archive.index.remove_document(out.doc_id)  # as if killed between catalogue and index
    orphan = archive.store.original_path("ab" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF-orphan")  # as if killed between original and catalogue
    report = archive.check()
    kinds = {p["kind"] for p in report["problems"]}
    assert not report["clean"] and {"not-indexed", "orphan-original"} <= kinds
    fixed = archive.check(repair=True)
    assert fixed["clean"] and fixed["repaired"]
    assert archive.check()["clean"]
    assert archive.index.doc_ids() == {out.doc_id}
    assert (archive.instance / "lost+found" / orphan.name).exists()  # quarantined, not destroyed


def test_check_reports_a_damaged_original(archive: Archive, tmp_path: Path) -> None:
    pdf = commentary_pdf(tmp_path / "a.pdf", paragraphs=PARAS, **COMMON)
    out = archive.ingest_bytes(pdf.read_bytes(), "a.pdf")
    path = archive.original_path(archive.get_document(out.doc_id).sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-10])
    report = archive.check(repair=True)
    assert not report["clean"]
    assert {p["kind"] for p in report["problems"]} == {"checksum-mismatch"}


def test_export_and_import_restore_an_archive_that_answers_alike(archive: Archive, tmp_path: Path) -> None:
    for i, p in enumerate(PARAS[:3]):
        pdf = commentary_pdf(tmp_path / f"{i}.pdf", paragraphs=[p, PARAS[4]], **(COMMON | {"title": f"第{i}篇"}))
        archive.ingest_bytes(pdf.read_bytes(), pdf.name)
    dump = tmp_path / "backup.tar.gz"
    assert archive.export(dump)["documents"] == 3
    restored = Archive(tmp_path / "restored")
    assert restored.import_archive(dump)["documents"] == 3
    assert restored.check()["clean"]
    for q in ("美中", "台灣", "经济", "拜登 OR 元首"):
        a, b = archive.search(q), restored.search(q)
        assert [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]]
        assert a["total"] == b["total"]
    assert [d["id"] for d in archive.list_documents()] == [d["id"] for d in restored.list_documents()]


def test_delete_keeps_the_original_aside(archive: Archive, tmp_path: Path) -> None:
    pdf = commentary_pdf(tmp_path / "a.pdf", paragraphs=PARAS, **COMMON)
    out = archive.ingest_bytes(pdf.read_bytes(), "a.pdf")
    assert archive.delete_document(out.doc_id)
    assert archive.list_documents() == [] and archive.index.doc_ids() == set()
    assert len(list((archive.instance / "deleted").glob("*.pdf"))) == 1
    assert archive.check()["clean"]
    assert not archive.delete_document(out.doc_id)
