"""`archive import` of exports someone else made: hostile catalogues, missing or swapped
originals, planted accounts, oversized members.  Real tarballs, real SQLite, a real instance."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from archive.config import Settings
from archive.service import Archive, ServiceError
from archive.store import Store
from tests.pdfgen import commentary_pdf

PARAS = [
    "美中關係進入戰略競爭階段，雙方在印太地區的角力日益明顯。",
    "兩國元首在台灣問題方面還是各自重申立場，台海和平穩定仍受各方關注。",
]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real export of a two-document archive with one archivist."""
    root = tmp_path_factory.mktemp("export")
    archive = Archive(root / "instance")
    for i in range(2):
        pdf = commentary_pdf(root / f"{i}.pdf", paragraphs=PARAS[i:] + PARAS[:i], title=f"第{i}篇")
        assert archive.ingest_bytes(pdf.read_bytes(), pdf.name).ok
    archive.add_user("archivist", "correct horse battery staple")
    archive.export(root / "backup.tar.gz")
    archive.close()
    return root / "backup.tar.gz"


def _members(src: Path) -> dict[str, bytes]:
    with tarfile.open(src) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def _tarball(dest: Path, members: dict[str, bytes], extra: Callable[[tarfile.TarFile], None] | None = None) -> Path:
    with tarfile.open(dest, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if extra:
            extra(tar)
    return dest


def _with_catalogue(export: Path, tmp_path: Path, sql: str, *params: object) -> Path:
    """The export with its catalogue changed by ``sql``."""
    members = _members(export)
    db = tmp_path / "catalogue.sqlite3"
    db.write_bytes(members["catalogue.sqlite3"])
    conn = sqlite3.connect(db)
    conn.execute(sql, params)
    conn.commit()
    conn.close()
    members["catalogue.sqlite3"] = db.read_bytes()
    return _tarball(tmp_path / "crafted.tar.gz", members)


def _assert_untouched(target: Path) -> None:
    """A refused import leaves the instance as it was: no rows, no originals, no staging."""
    archive = Archive(target)
    assert archive.list_documents() == []
    assert archive.store.users() == []
    assert Store.stored_originals(target / "originals") == []
    assert not list(target.glob(".import-*"))
    archive.close()


def test_a_good_export_imports_without_its_accounts_unless_asked(export: Path, tmp_path: Path) -> None:
    plain = Archive(tmp_path / "plain")
    result = plain.import_archive(export)
    assert result["documents"] == 2 and result["users"] == 0
    assert plain.store.users() == []
    assert plain.check()["clean"]
    with_users = Archive(tmp_path / "with-users")
    assert with_users.import_archive(export, with_users=True)["users"] == 1
    assert with_users.verify_user("archivist", "correct horse battery staple")


def test_a_row_naming_an_absolute_path_is_refused(export: Path, tmp_path: Path) -> None:
    crafted = _with_catalogue(export, tmp_path, "UPDATE versions SET sha256=? WHERE rowid=1", "/etc/passwd")
    target = tmp_path / "target"
    with pytest.raises(ServiceError, match="invalid-sha256"):
        Archive(target).import_archive(crafted)
    _assert_untouched(target)


def test_a_catalogue_without_its_originals_is_refused(export: Path, tmp_path: Path) -> None:
    members = {k: v for k, v in _members(export).items() if not k.startswith("originals/")}
    target = tmp_path / "target"
    with pytest.raises(ServiceError, match="missing-original"):
        Archive(target).import_archive(_tarball(tmp_path / "bare.tar.gz", members))
    _assert_untouched(target)


def test_an_original_that_does_not_match_its_name_is_refused(export: Path, tmp_path: Path) -> None:
    members = _members(export)
    name = next(k for k in members if k.startswith("originals/"))
    data = bytearray(members[name])
    data[len(data) // 2] ^= 0x01
    members[name] = bytes(data)
    target = tmp_path / "target"
    with pytest.raises(ServiceError, match="does not match its checksum"):
        Archive(target).import_archive(_tarball(tmp_path / "swapped.tar.gz", members))
    _assert_untouched(target)


def test_a_document_that_does_not_parse_is_refused(export: Path, tmp_path: Path) -> None:
    crafted = _with_catalogue(export, tmp_path, "UPDATE versions SET document='{' WHERE rowid=1")
    target = tmp_path / "target"
    with pytest.raises(ServiceError, match="document-unreadable"):
        Archive(target).import_archive(crafted)
    _assert_untouched(target)


def test_planted_accounts_need_a_real_hash(export: Path, tmp_path: Path) -> None:
    crafted = _with_catalogue(
        export, tmp_path, "INSERT INTO users(name, password_hash, created_at) VALUES ('x', 'plain', '')"
    )
    target = tmp_path / "target"
    with pytest.raises(ServiceError, match="no valid password hash"):
        Archive(target).import_archive(crafted, with_users=True)
    _assert_untouched(target)
    Archive(tmp_path / "other").import_archive(crafted)  # without accounts it is fine
    assert Archive(tmp_path / "other").store.users() == []


@pytest.mark.parametrize("kind", ["traversal", "symlink", "stray", "twice"])
def test_members_other_than_catalogue_and_originals_are_refused(export: Path, tmp_path: Path, kind: str) -> None:
    members = _members(export)

    def extra(tar: tarfile.TarFile) -> None:
        if kind == "symlink":
            link = tarfile.TarInfo(next(k for k in members if k.startswith("originals/")).replace(".pdf", "0.pdf"))
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(link)
        elif kind == "twice":
            info = tarfile.TarInfo("catalogue.sqlite3")
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))

    if kind == "traversal":
        members["../outside.txt"] = b"x"
    elif kind == "stray":
        members["originals/ab/notes.txt"] = b"x"
    target = tmp_path / "target"
    with pytest.raises(ServiceError, match="nothing was imported"):
        Archive(target).import_archive(_tarball(tmp_path / f"{kind}.tar.gz", members, extra))
    _assert_untouched(target)
    assert not (tmp_path / "outside.txt").exists()


def test_an_oversized_member_is_refused_from_its_header(export: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    small = Archive(target, Settings(max_upload_mb=0.001))  # about 1 KB per original
    with pytest.raises(ServiceError, match="over the 1048-byte limit"):
        small.import_archive(export)
    _assert_untouched(target)


def test_import_into_a_non_empty_instance_is_refused(export: Path, tmp_path: Path) -> None:
    target = Archive(tmp_path / "target")
    target.import_archive(export)
    with pytest.raises(ServiceError, match="not empty"):
        target.import_archive(export)
    assert len(target.list_documents()) == 2


def test_the_cli_says_why_in_one_line_and_exits_1(export: Path, tmp_path: Path) -> None:
    members = {k: v for k, v in _members(export).items() if not k.startswith("originals/")}
    bare = _tarball(tmp_path / "bare.tar.gz", members)
    env = {**os.environ, "ARCHIVE_INSTANCE": str(tmp_path / "target")}
    run = subprocess.run([sys.executable, "-m", "archive.cli", "import", str(bare)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 1, run
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "bare.tar.gz" in lines[0] and "nothing was imported" in lines[0]
    assert "imported" not in run.stdout
