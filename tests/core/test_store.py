"""The catalogue and the originals, on a real SQLite file in a temporary instance."""

from __future__ import annotations

import os
import stat

import pytest

from archive import passages
from archive.models import Block, Document, Field
from archive.store import Store, StoreError, check_password, hash_password, sha256_hex


def doc_for(data: bytes, doc_id: str, version: int = 1, text: str = "正文。") -> Document:
    doc = Document(
        sha256=sha256_hex(data),
        size=len(data),
        page_count=1,
        blocks=[Block("title", "標題", [1]), Block("paragraph", text, [1])],
        metadata={"title": Field("標題", "text")},
        doc_id=doc_id,
        version=version,
        ingested_at="2026-01-01T00:00:00Z",
    )
    passages.assign_ids(doc)
    return doc


def test_originals_are_kept_byte_for_byte_and_read_only(tmp_path) -> None:
    store = Store(tmp_path)
    data = b"%PDF-1.7\n" + os.urandom(5000)
    path = store.put_original(data, sha256_hex(data))
    assert path.read_bytes() == data
    assert path.name == f"{sha256_hex(data)}.pdf"
    assert not path.stat().st_mode & stat.S_IWUSR
    assert store.put_original(data, sha256_hex(data)) == path  # idempotent
    assert not list(path.parent.glob(".tmp-*"))


def test_catalogue_row_needs_its_original_first(tmp_path) -> None:
    store = Store(tmp_path)
    doc = doc_for(b"%PDF-x", "d1")
    with pytest.raises(StoreError):
        store.add_version(doc, identity=None)
    assert store.count() == 0


def test_versions_round_trip_and_track_the_current_one(tmp_path) -> None:
    store = Store(tmp_path)
    v1, v2 = b"%PDF-one", b"%PDF-two"
    d1 = doc_for(v1, "d1")
    store.put_original(v1, d1.sha256)
    store.add_version(d1, identity="標題|")
    d2 = doc_for(v2, "d1", version=2, text="修訂後的正文。")
    store.put_original(v2, d2.sha256)
    store.add_version(d2, identity="標題|")
    assert store.current_version("d1") == 2
    assert store.get("d1").blocks[1].text == "修訂後的正文。"
    assert store.get("d1", 1).blocks[1].text == "正文。"
    assert store.version_by_sha(d1.sha256)["version"] == 1
    assert store.find_by_identity("標題|") == "d1"
    assert [v["current"] for v in store.versions("d1")] == [False, True]
    title_id = d1.blocks[0].id
    assert [v for _, v, _ in store.passage_versions(title_id)] == [2, 1]


def test_a_newer_catalogue_schema_is_refused_with_a_clear_message(tmp_path) -> None:
    store = Store(tmp_path)
    with store.transaction() as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="newer than this program"):
        Store(tmp_path)


def test_passwords_are_hashed_with_scrypt(tmp_path) -> None:
    store = Store(tmp_path)
    store.set_user("archivist", "correct horse")
    assert store.verify_user("archivist", "correct horse")
    assert not store.verify_user("archivist", "wrong horse")
    assert not store.verify_user("nobody", "correct horse")
    with store.reading() as conn:
        stored = conn.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("scrypt:16384:8:1$") and "correct" not in stored  # werkzeug's format
    h = hash_password("x" * 10)
    assert check_password(h, "x" * 10) and not check_password(h, "y" * 10)
    assert not check_password("garbage", "x")
    assert not check_password("nomethod:1$salt$00", "x")


def test_hashes_in_the_older_format_still_verify_and_new_ones_use_werkzeugs(tmp_path) -> None:
    import hashlib

    salt = bytes(range(16))
    digest = hashlib.scrypt(b"correct horse", salt=salt, dklen=32, n=2**14, r=8, p=1)
    old = f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"  # as the archive wrote them before
    assert check_password(old, "correct horse") and not check_password(old, "wrong horse")
    assert not check_password("scrypt$16384$8$1$zz$00", "correct horse")
    store = Store(tmp_path)
    store.set_user("archivist", "another passphrase")
    with store.transaction() as conn:
        conn.execute("UPDATE users SET password_hash=? WHERE name='archivist'", (old,))
    assert store.verify_user("archivist", "correct horse")
    store.set_user("archivist", "a new passphrase here")
    with store.reading() as conn:
        assert conn.execute("SELECT password_hash FROM users").fetchone()[0].startswith("scrypt:")
    assert store.verify_user("archivist", "a new passphrase here")


SCHEMA_1_VERSIONS = """CREATE TABLE versions (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    filename TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (doc_id, version))"""


def test_a_schema_1_catalogue_is_migrated_and_keeps_its_versions(tmp_path) -> None:
    import json
    import sqlite3

    data = b"%PDF-1.7\n" + os.urandom(3000)
    first = doc_for(data, "d1")
    store = Store(tmp_path)
    store.put_original(data, first.sha256)
    store.close()
    # A catalogue as schema 1 wrote it: versions.sha256 UNIQUE, schema_version 1, one row.
    conn = sqlite3.connect(tmp_path / "catalogue.sqlite3")
    conn.executescript("DROP TABLE IF EXISTS versions;" + SCHEMA_1_VERSIONS + ";")
    conn.execute("DELETE FROM meta")
    conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO documents VALUES ('d1', 1, NULL, ?, ?)", (first.ingested_at, first.ingested_at))
    conn.execute("INSERT INTO versions VALUES ('d1', 1, ?, ?, 'a.pdf', ?, ?)",
                 (first.sha256, first.size, first.ingested_at, json.dumps(first.to_dict(), ensure_ascii=False)))
    conn.commit()
    conn.close()

    store = Store(tmp_path)
    assert store.get("d1").blocks[1].text == "正文。"
    with store.reading() as c:
        assert c.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"
    # The same original may now carry a second reading.
    second = doc_for(data, "d1", version=2, text="另一種讀法。")
    store.add_version(second, identity=None)
    assert store.current_version("d1") == 2 and store.get("d1", 1).blocks[1].text == "正文。"
    assert dict(store.version_by_sha(first.sha256)) == {"doc_id": "d1", "version": 2}
