"""Concurrency and crashes: real processes running the real ``archive`` command on one instance."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from archive.service import Archive
from tests.pdfgen import commentary_pdf

ROOT = Path(__file__).resolve().parents[2]
PARAS = [
    "自 2008 年金融海嘯之後，隨著中國持續增加經濟軍事實力，美中關係進入戰略競爭階段。",
    "拜登政府一直努力緩和緊張局勢，希望逐步恢復軍事高層交流，以免雙方發生誤判。",
    "兩國元首在台灣問題方面還是各自重申立場，雙方並沒有任何突破。",
]


def archive_cli(instance: Path, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "--instance", str(instance), *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw,
    )


def make_batch(folder: Path, prefix: str, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        commentary_pdf(folder / f"{prefix}{i}.pdf", title=f"{prefix}評論第{i}號", author="李明峻",
                       series="遠景論壇", date=f"2023-0{1 + i % 9}-01",
                       paragraphs=[*PARAS, f"第{i}號補充說明：{prefix}{i}。"])
        for i in range(n)
    ]


class Searcher(threading.Thread):
    """Searches in a loop until stopped, counting errors (any exception is one)."""

    def __init__(self, archive: Archive) -> None:
        super().__init__(daemon=True)
        self.archive, self.stop, self.count, self.errors = archive, threading.Event(), 0, []

    def run(self) -> None:
        queries = ["台湾", "美中 关系", '"軍事高層交流"', "李明峻 -不存在", "author:李明峻"]
        while not self.stop.is_set():
            try:
                r = self.archive.search(queries[self.count % len(queries)])
                assert r["total"] >= 0
            except Exception as exc:  # noqa: BLE001 - counting every failure is the point
                self.errors.append(repr(exc))
            self.count += 1


@pytest.mark.slow
def test_two_ingests_at_once_are_serialised_and_both_complete(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    a = make_batch(tmp_path / "a", "甲", 4)
    b = make_batch(tmp_path / "b", "乙", 4)
    procs = [archive_cli(instance, "ingest", *map(str, batch)) for batch in (a, b)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    archive = Archive(instance)
    assert len(archive.list_documents()) == 8
    assert archive.check()["clean"]
    assert archive.search("李明峻")["total"] == 8


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_searches_run_without_errors_during_ingest_and_reindex(tmp_path: Path, engine: str) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.toml").write_text(f'index_engine = "{engine}"\n')
    first = make_batch(tmp_path / "a", "甲", 3)
    archive = Archive(instance)
    for p in first:
        assert archive.ingest_bytes(p.read_bytes(), p.name).ok
    searcher = Searcher(archive)
    searcher.start()
    try:
        ingest = archive_cli(instance, "ingest", *map(str, make_batch(tmp_path / "b", "乙", 6)))
        assert ingest.wait(timeout=300) == 0
        reindex = archive_cli(instance, "reindex")
        assert reindex.wait(timeout=300) == 0, reindex.stderr.read()
    finally:
        searcher.stop.set()
        searcher.join(timeout=30)
    assert searcher.count > 5
    assert searcher.errors == []
    assert archive.search("李明峻")["total"] == 9
    report = archive_cli(instance, "check", "--json")
    out, _ = report.communicate(timeout=120)
    assert report.returncode == 0 and json.loads(out)["clean"]


@pytest.mark.slow
def test_kill9_smoke(tmp_path: Path) -> None:
    """Three rounds of the kill -9 script (the full run is 50+; see README)."""
    r = subprocess.run(
        [sys.executable, "scripts/kill9_ingest.py", "--seed", "3", "--kills", "3", "--docs", "5"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    stats = json.loads(r.stdout.strip().splitlines()[-2])
    assert stats["lost"] == 0 and stats["not_clean"] == 0 and stats["missing_after_rerun"] == 0
