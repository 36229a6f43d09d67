"""Pages over damaged data: a 503 notice in the reader's language naming the repair, never a
500, never a server path.  A copy of the session's real instance (as built), damaged on disk."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive.web import create_app


@pytest.fixture()
def damaged(corpus: Any, tmp_path: Path) -> Path:
    dest = tmp_path / "instance"
    shutil.copytree(corpus.template, dest, symlinks=True)  # the instance as built
    conn = sqlite3.connect(dest / "catalogue.sqlite3")  # every page into the file itself,
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")      # so damage to the file is damage
    conn.close()
    return dest


def _client(instance: Path) -> Any:
    return create_app({"INSTANCE": str(instance), "TESTING": True}).test_client()


PAGES = ["/", "/?q=美國", "/search.json?q=美國", "/feed.atom", "/sitemap.xml"]


def _assert_notice(client: Any, url: str, instance: Path) -> None:
    r = client.get(url)
    body = r.get_data(as_text=True)
    assert r.status_code == 503, (url, r.status_code, body[:300])
    assert str(instance) not in body and "Traceback" not in body
    assert "archive" in body  # names the command an archivist runs


def test_a_garbled_catalogue_gives_notices(corpus: Any, damaged: Path) -> None:
    db = damaged / "catalogue.sqlite3"
    size = db.stat().st_size
    with open(db, "r+b") as fh:  # every page after the first (the header) is garbage
        fh.seek(4096)
        fh.write(os.urandom(size - 4096))
    client = _client(damaged)
    for url in [*PAGES, f"/d/{corpus.seed_id}", f"/d/{corpus.seed_id}.json"]:
        _assert_notice(client, url, damaged)
    notices = client.get("/search.json?q=美國").get_json()["notices"]
    assert any("archive check" in n for n in notices)  # the search page keeps its shape
    assert client.get(f"/d/{corpus.seed_id}.json").get_json()["error"]["status"] == 503


def test_an_empty_catalogue_beside_originals_gives_notices(corpus: Any, damaged: Path) -> None:
    (damaged / "catalogue.sqlite3").write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(f"{damaged}/catalogue.sqlite3{suffix}").unlink(missing_ok=True)
    client = _client(damaged)
    for url in PAGES:
        _assert_notice(client, url, damaged)


def test_one_damaged_record_spares_the_rest(corpus: Any, damaged: Path) -> None:
    conn = sqlite3.connect(damaged / "catalogue.sqlite3")
    conn.execute("UPDATE versions SET document='{' WHERE doc_id=?", (corpus.seed_id,))
    conn.commit()
    conn.close()
    client = _client(damaged)
    r = client.get(f"/d/{corpus.seed_id}")
    assert r.status_code == 503 and "archive check" in r.get_data(as_text=True)
    assert client.get("/").status_code == 200  # the listing skips it
    assert client.get("/feed.atom").status_code == 200


def test_a_damaged_index_segment_gives_a_search_notice(corpus: Any, damaged: Path) -> None:
    live = (damaged / "index").resolve()
    for segment in live.glob("*.seg"):
        data = bytearray(segment.read_bytes())
        data[:200] = bytes(b ^ 0xA5 for b in data[:200])
        segment.write_bytes(bytes(data))
    client = _client(damaged)
    for url in ["/?q=美國", "/search.json?q=美國"]:
        r = client.get(url)
        body = r.get_data(as_text=True)
        assert r.status_code == 503 and "archive check --repair" in body, (url, body[:300])
        assert str(damaged) not in body
    assert client.get(f"/d/{corpus.seed_id}").status_code == 200  # reading does not need it
