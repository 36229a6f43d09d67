"""A full disk and a read-only instance, on a real file system that really fills up or is
really mounted read-only (a small tmpfs; the tests need the right to mount one, as root in a
container has, and are skipped with that reason elsewhere)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest

from archive.service import Archive
from archive.web import create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "archive" / "sample").glob("*.pdf"))
PASSWORD = "a long enough passphrase"


class Tmpfs:
    def __init__(self, path: Path) -> None:
        self.path = path

    def remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.path)], check=True)

    def fill(self, leave: int) -> Path:
        """Leave about ``leave`` bytes free (a filler file takes the rest)."""
        filler = self.path / "filler"
        free = shutil.disk_usage(self.path).free
        with open(filler, "wb") as fh:
            fh.truncate(0)
            os.posix_fallocate(fh.fileno(), 0, max(0, free - leave))
        return filler


@pytest.fixture()
def tmpfs(tmp_path: Path) -> Iterator[Tmpfs]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    try:
        yield Tmpfs(mnt)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _cli(instance: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archive.cli", "--instance", str(instance), *args],
                          capture_output=True, text=True, input=stdin, timeout=300, cwd=ROOT)


def test_a_full_disk_fails_each_file_with_its_cause_and_the_batch_goes_on(tmpfs: Tmpfs) -> None:
    instance = tmpfs.path / "inst"
    assert _cli(instance, "list").returncode == 0
    biggest = max(SAMPLES, key=lambda p: p.stat().st_size)
    filler = tmpfs.fill(leave=biggest.stat().st_size // 2 + 64 * 1024)
    run = _cli(instance, "ingest", *map(str, SAMPLES))
    assert run.returncode == 1, run
    lines = run.stdout.strip().splitlines()
    failed = [line for line in lines if ": failed: " in line]
    assert failed and f"{biggest.name}: failed: not stored: no space left on device: inst/" in run.stdout
    assert all("no space left on device" in line for line in failed)
    assert any(": ingested " in line for line in lines)  # the rest of the batch was stored
    assert lines[-1].startswith(f"{len(SAMPLES)} files:")
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    filler.unlink()
    assert _cli(instance, "check", "--repair").returncode == 0
    again = _cli(instance, "ingest", str(biggest))
    assert again.returncode == 0 and ": ingested " in again.stdout
    assert _cli(instance, "check").returncode == 0


def test_an_upload_on_a_full_disk_ends_failed_not_working(tmpfs: Tmpfs) -> None:
    instance = tmpfs.path / "inst"
    archive = Archive(instance)
    archive.add_user("archivist", PASSWORD)
    app = create_app({"INSTANCE": str(instance), "ARCHIVE": archive, "TESTING": True})
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    client.post("/login", data={"name": "archivist", "password": PASSWORD, "csrf_token": token})
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    big = max(SAMPLES, key=lambda p: p.stat().st_size)
    data = big.read_bytes() + f"\n% {uuid.uuid4()}\n".encode()  # bytes never stored before
    tmpfs.fill(leave=len(data) // 2)
    resp = client.post("/ingest", data={"csrf_token": token, "files": (BytesIO(data), big.name)},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 202
    (job_id,) = [j["id"] for j in resp.get_json()["jobs"]]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        (job,) = client.get(f"/ingest.json?job={job_id}").get_json()["jobs"]
        if job["done"]:
            break
        time.sleep(0.2)
    assert job["done"] and job["status"] == "failed", job
    assert "no space left on device" in job["reason"] and str(tmpfs.path) not in job["reason"]
    archive.close()


def test_a_read_only_instance_is_served_and_says_so_on_writes(tmpfs: Tmpfs) -> None:
    instance = tmpfs.path / "inst"
    assert _cli(instance, "ingest", str(SAMPLES[0]), str(SAMPLES[1])).returncode == 0
    tmpfs.remount("ro")
    try:
        listed = _cli(instance, "list")
        assert listed.returncode == 0 and "2 documents" in listed.stdout, listed
        assert _cli(instance, "check").returncode == 0
        for args in (("ingest", str(SAMPLES[2])), ("check", "--repair"), ("reindex",)):
            r = _cli(instance, *args)
            assert r.returncode != 0, (args, r)
            assert "read-only" in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
        app = create_app({"INSTANCE": str(instance), "TESTING": True})
        client = app.test_client()
        assert client.get("/").status_code == 200
        doc_id = listed.stdout.split()[0]
        assert client.get(f"/d/{doc_id}").status_code == 200
        assert client.get("/search.json?q=查核").status_code == 200
    finally:
        tmpfs.remount("rw")
