"""`archive check`, `export` and the pages on damaged data: real SQLite files damaged on disk,
a real Whoosh segment with flipped bytes, real re-ingest from the originals."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from archive.service import Archive, ServiceError
from archive.store import Store, StoreError
from tests.pdfgen import commentary_pdf

PARAS = [
    "自 2008 年金融海嘯之後，美中關係進入戰略競爭階段，雙方在印太地區的角力日益明顯。",
    "其後，拜登政府一直努力緩和緊張局勢，希望逐步恢復軍事高層交流，以免雙方發生誤判。",
    "然而，兩國元首在台灣問題方面還是各自重申立場，台海和平穩定仍受各方關注。",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance with three documents (built once; each test damages its own copy)."""
    root = tmp_path_factory.mktemp("built")
    archive = Archive(root / "instance")
    for i in range(3):
        pdf = commentary_pdf(root / f"{i}.pdf", paragraphs=PARAS[i:] + PARAS[:i],
                             title=f"美中關係第{i}篇", author="王小明", date=f"2024-0{i + 1}-01")
        assert archive.ingest_bytes(pdf.read_bytes(), pdf.name).ok
    archive.close()
    return root / "instance"


@pytest.fixture()
def instance(built: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "instance"
    shutil.copytree(built, dest, symlinks=True)
    return dest


def _garble(path: Path, offset: int, size: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(os.urandom(size))


def _listing(instance: Path) -> list[tuple[str, str]]:
    archive = Archive(instance)
    try:
        return sorted((d["id"], d["title"]) for d in archive.list_documents())
    finally:
        archive.close()


def test_garbage_inside_the_catalogue_is_found_and_export_refuses_it(instance: Path, tmp_path: Path) -> None:
    db = instance / "catalogue.sqlite3"
    pages = db.stat().st_size // 4096
    _garble(db, 4096 * (pages - 3), 8192)  # two pages near the end: the file still opens
    archive = Archive(instance)
    report = archive.check()
    assert not report["clean"]
    assert report["problems"][0]["kind"] == "catalogue-damaged"
    with pytest.raises(ServiceError, match="not exported: the archive is damaged"):
        archive.export(tmp_path / "backup.tar.gz")
    assert not list(tmp_path.glob("*backup.tar.gz*"))  # no file, no half-written part


def test_a_damaged_catalogue_is_rebuilt_from_the_originals_never_discarded(instance: Path) -> None:
    before = _listing(instance)
    originals = sorted(p.name for p in Store.stored_originals(instance / "originals"))
    _garble(instance / "catalogue.sqlite3", 4096, 8192)
    archive = Archive(instance)
    assert archive.store_error  # page 2 onwards is garbage: it cannot even be opened
    assert not archive.check()["clean"]
    fixed = archive.check(repair=True)
    assert fixed["clean"], fixed
    assert any("rebuilt the catalogue from 3 of 3 originals" in line for line in fixed["repaired"])
    assert sorted(p.name for p in Store.stored_originals(instance / "originals")) == originals
    assert not (instance / "lost+found").exists()
    assert list(instance.glob("catalogue.sqlite3.damaged-*"))  # the damaged file is kept
    assert _listing(instance) == before  # same ids (from the originals' digests), same titles
    assert Archive(instance).search("美中")["total"] == 3


@pytest.mark.parametrize("how", ["empty", "fresh"])
def test_an_empty_catalogue_beside_originals_is_not_a_clean_empty_archive(instance: Path, how: str) -> None:
    db = instance / "catalogue.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if how == "empty":
        db.write_bytes(b"")
    else:  # a new catalogue with the schema and no rows (e.g. copied from a new instance)
        db.unlink()
        Store(instance, rebuilding=True).close()
    archive = Archive(instance)
    report = archive.check()
    assert not report["clean"]
    assert report["problems"][0]["kind"] in {"catalogue-empty", "catalogue-unopenable"}
    fixed = archive.check(repair=True)
    assert fixed["clean"] and fixed["documents"] == 3
    assert len(Store.stored_originals(instance / "originals")) == 3
    assert not (instance / "lost+found").exists()


def test_an_empty_catalogue_is_not_silently_recreated(instance: Path) -> None:
    (instance / "catalogue.sqlite3").write_bytes(b"")
    with pytest.raises(StoreError, match="empty but originals/ holds 3 PDFs"):
        Store(instance)
    archive = Archive(instance)
    with pytest.raises(ServiceError, match="archive check --repair"):
        archive.list_documents()


def test_one_unreadable_document_is_reported_and_re_extracted(instance: Path) -> None:
    conn = sqlite3.connect(instance / "catalogue.sqlite3")
    doc_id, version = conn.execute("SELECT doc_id, version FROM versions LIMIT 1").fetchone()
    conn.execute("UPDATE versions SET document='{\"blocks\": [' WHERE doc_id=?", (doc_id,))
    conn.commit()
    conn.close()
    archive = Archive(instance)
    with pytest.raises(StoreError, match=f"stored record of document {doc_id}"):
        archive.get_document(doc_id)
    assert len(archive.list_documents()) == 2  # the others still list
    report = archive.check()
    assert [p["kind"] for p in report["problems"]] == ["document-unreadable"], report
    fixed = archive.check(repair=True)
    assert fixed["clean"] and f"re-extracted {doc_id} v{version} from its original" in fixed["repaired"]
    assert archive.get_document(doc_id).title.startswith("美中關係第")
    assert archive.check()["clean"]


def test_a_row_naming_a_path_instead_of_a_digest_is_refused(instance: Path) -> None:
    conn = sqlite3.connect(instance / "catalogue.sqlite3")
    conn.execute("UPDATE versions SET sha256='/etc/passwd' WHERE rowid=1")
    conn.commit()
    conn.close()
    archive = Archive(instance)
    with pytest.raises(StoreError, match="not a SHA-256 digest"):
        archive.original_path("/etc/passwd")
    with pytest.raises(StoreError):
        archive.original_path("../" + "a" * 61)
    report = archive.check()
    assert "invalid-sha256" in {p["kind"] for p in report["problems"]}


def test_flipped_bytes_in_an_index_segment_are_found_searches_get_a_notice(instance: Path) -> None:
    live = (instance / "index").resolve()
    segment = max((p for p in live.iterdir() if p.suffix == ".seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    for i in range(200):
        data[i] ^= 0xA5  # the compound file's directory: every reader trips on it
    segment.write_bytes(bytes(data))
    archive = Archive(instance)
    with pytest.raises(ServiceError, match="search index unreadable") as caught:
        archive.search("美中")
    assert "archive check --repair" in caught.value.web
    assert archive.check()["problems"][0]["kind"] == "index-damaged"
    assert archive.check(repair=True)["clean"]
    assert archive.search("美中")["total"] == 3


def test_quietly_flipped_bytes_are_found_by_the_seal(instance: Path) -> None:
    """Bytes flipped where no query of ours happens to read still make the index untrusted."""
    live = (instance / "index").resolve()
    segment = max((p for p in live.iterdir() if p.suffix == ".seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(b ^ 0xFF for b in data[middle : middle + 200])
    segment.write_bytes(bytes(data))
    report = Archive(instance).check(quick=True)
    assert [p["kind"] for p in report["problems"]] == ["index-damaged"]
    seal = json.loads((live / "CHECKSUMS.json").read_text())
    assert segment.name in seal


def test_check_hashes_originals_and_quick_only_compares_sizes(instance: Path) -> None:
    original = Store.stored_originals(instance / "originals")[0]
    original.chmod(0o644)
    data = bytearray(original.read_bytes())
    data[100] ^= 0x01  # same size, other bytes
    original.write_bytes(bytes(data))
    archive = Archive(instance)
    assert [p["kind"] for p in archive.check()["problems"]] == ["checksum-mismatch"]
    assert archive.check(quick=True)["clean"]


def test_catalogue_and_exports_are_private(instance: Path, tmp_path: Path) -> None:
    archive = Archive(instance)
    assert (instance / "catalogue.sqlite3").stat().st_mode & 0o777 == 0o600
    out = archive.export(tmp_path / "backup.tar.gz")
    assert Path(out["file"]).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("how", ["dangling link", "removed"])
def test_a_missing_index_is_said_not_silently_replaced_by_an_empty_one(instance: Path, how: str) -> None:
    link = instance / "index"
    if how == "dangling link":
        shutil.rmtree(link.resolve())
    else:
        link.unlink()
    archive = Archive(instance)
    with pytest.raises(ServiceError, match="run archive reindex") as caught:
        archive.search("美中")
    assert "archive reindex" in caught.value.web
    assert [p["kind"] for p in archive.check()["problems"]] == ["index-missing"]
    assert archive.check(repair=True)["clean"]
    assert archive.search("美中")["total"] == 3
