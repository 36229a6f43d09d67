"""Outcome messages name the real cause (issue 10, item 7).

They used to name the wrong one: an extraction child killed by a signal (the kernel's
out-of-memory killer sends SIGKILL) was reported "timed out after 120 s", because the pool's own
timeout kill is a SIGKILL too; an upload whose web process died was reported "stopped before
storing it" when its writer had stored it; a PDF whose page tree is nested 5,000 levels deep (no
reader can reach its page) was reported as a scan, "no text layer (needs OCR)".  Each test runs
the real thing: sandbox and writer children killed through their pids, hand-made PDF bytes, an
archive's catalogue.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ingest import IngestError, extract_document
from ingest.errors import IngestCrash, IngestTimeout
from ingest.sandbox import ExtractorPool, extract_in_subprocess
from tests import pdfgen
from tests.ingest.test_ingest_long_paragraph import one_paragraph_pdf


@pytest.fixture(scope="module")
def slow_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A PDF that takes a few seconds to extract (one paragraph of 100 pages)."""
    return one_paragraph_pdf(tmp_path_factory.mktemp("slow") / "slow.pdf", 100)


def _kill_later(pid: int, signum: int, after: float) -> threading.Timer:
    timer = threading.Timer(after, os.kill, (pid, signum))
    timer.start()
    return timer


# -- the extraction sandbox -------------------------------------------------------------------


@pytest.mark.parametrize(("signum", "reason"), [
    (signal.SIGKILL, "the ingest process was killed (signal SIGKILL) — possibly out of memory"),
    (signal.SIGTERM, "the ingest process was killed (signal SIGTERM)"),
], ids=["SIGKILL", "SIGTERM"])
def test_a_child_killed_by_a_signal_says_so_not_timed_out(seed_pdfs, slow_pdf, signum, reason):
    with ExtractorPool(1, timeout=120, memory_mb=1024) as pool:
        pool.extract(seed_pdfs["header"])  # the child is up
        (worker,) = pool._all
        timer = _kill_later(worker.process.pid, signum, 1.0)  # mid-extraction, from outside
        try:
            with pytest.raises(IngestError) as info:
                pool.extract(slow_pdf)
        finally:
            timer.cancel()
        assert info.value.reason == reason
        assert isinstance(info.value, IngestCrash) and not isinstance(info.value, IngestTimeout)
        assert pool.extract(seed_pdfs["header"]).page_count == 5  # replaced


def test_a_real_timeout_still_says_timed_out(slow_pdf):
    with ExtractorPool(1, timeout=0.5, memory_mb=1024) as pool, pytest.raises(IngestTimeout) as info:
        pool.extract(slow_pdf)
    assert info.value.reason == "timed out after 0.5 s"


# -- page trees no reader can walk -----------------------------------------------------------------

_CONTENT = b"BT /F1 12 Tf 72 720 Td (Hello world, this page has text.) Tj ET"


def nested_pages_pdf(levels: int) -> bytes:
    """One page of text under ``levels`` nested /Pages nodes, written by hand (object 1 the
    catalog, 2 .. levels+1 the /Pages nodes, each the only kid of the one before)."""
    page = levels + 2
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for i in range(levels):
        number = 2 + i
        kid = number + 1 if i < levels - 1 else page
        parent = b" /Parent %d 0 R" % (number - 1) if i else b""
        objs.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (kid, parent))
    objs.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (levels + 1, page + 1, page + 2))
    objs.append(b"<< /Length %d >>\nstream\n" % len(_CONTENT) + _CONTENT + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return pdfgen.assemble(objs)


def _one_page(pages_node: bytes, *more: bytes,
              page: bytes = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                            b"/Resources << /Font << /F1 5 0 R >> >> >>") -> bytes:
    stream = b"<< /Length %d >>\nstream\n" % len(_CONTENT) + _CONTENT + b"\nendstream"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return pdfgen.assemble([b"<< /Type /Catalog /Pages 2 0 R >>", pages_node, page, stream, font, *more])


def _reason(data: bytes) -> str:
    with pytest.raises(IngestError) as info:
        extract_document(data)
    return info.value.reason


DEEP = "the page tree is damaged or nested too deeply (5000 levels); no pages could be read"


def test_a_5000_level_page_tree_is_named_not_called_a_scan():
    data = nested_pages_pdf(5000)
    assert _reason(data) == DEEP
    with pytest.raises(IngestError) as info:  # and so through the sandbox
        extract_in_subprocess(data, timeout=60)
    assert info.value.reason == DEEP


def test_a_readable_nesting_is_read():
    assert extract_document(nested_pages_pdf(200)).blocks[0].text == "Hello world, this page has text."


def test_a_page_tree_that_loops_or_is_empty_says_so():
    assert _reason(_one_page(b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>")) == (
        "the page tree is damaged (a /Kids entry refers back up the tree); no pages could be read")
    assert _reason(_one_page(b"<< /Type /Pages /Kids [] /Count 0 >>")) == (
        "no pages: the page tree is empty or damaged")


def test_a_page_without_text_is_still_a_scan():
    blank = _one_page(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      page=b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    from ingest import ocr

    assert _reason(blank) == ("no text layer, and OCR found no text on its page" if ocr.available()
                              else "no text layer (needs OCR)")


# -- the web's writer and its job records --------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path):
    from archive.service import Archive

    archive = Archive(tmp_path / "instance")
    yield archive
    archive.close()


def test_a_writer_killed_by_a_signal_says_so(archive, slow_pdf):
    from archive.web.writer import WriterProcess

    writer = WriterProcess(archive.instance, archive.settings)
    killed: set[int] = set()
    done = threading.Event()

    def killer() -> None:  # the job is retried once on a fresh writer: kill that one too
        while not done.is_set():
            pid = writer.pid
            if pid is not None and pid not in killed:
                time.sleep(1.0)
                if not done.is_set():
                    killed.add(pid)
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        outcome = writer.ingest(slow_pdf, filename="slow.pdf")
    finally:
        done.set()
        thread.join()
        writer.close()
    assert len(killed) == 2
    assert outcome["status"] == "failed"
    assert outcome["reason"] == "the writer process was killed (signal SIGKILL) — possibly out of memory"


def test_a_writer_that_stored_the_upload_before_dying_reports_it_stored(archive, seed_pdfs):
    from archive.web.writer import WriterProcess

    started = time.time()
    stored = archive.ingest_bytes(seed_pdfs["header"], filename="a.pdf")
    writer = WriterProcess(archive.instance, archive.settings)
    outcome = writer._unanswered(seed_pdfs["header"], "a.pdf", started - 1, "the writer process was "
                                 "killed (signal SIGKILL) — possibly out of memory")
    assert (outcome["status"], outcome["doc_id"], outcome["version"]) == ("ingested", stored.doc_id, 1)
    assert outcome["reason"] == ("stored, but then the writer process was killed (signal SIGKILL) "
                                 "— possibly out of memory")
    missing = writer._unanswered(b"%PDF-1.4 other bytes", "b.pdf", started, "timed out after 1 s")
    assert (missing["status"], missing["reason"]) == ("failed", "timed out after 1 s")


def _dead_token() -> str:
    from archive.web.state import process_token

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    token = process_token(gone.pid)
    gone.wait()
    return token


def _lost_job(state, job_id: str, filename: str, size: int, queued_at: float, **more) -> None:
    state.add_job({"id": job_id, "filename": filename, "size": size, "user": "archivist",
                   "status": "working", "queued_at": queued_at, "owner": _dead_token(), **more})


def test_a_job_whose_server_died_after_storing_it_is_reported_stored(archive, seed_pdfs):
    from archive.web.state import INTERRUPTED, SharedState

    state = SharedState(archive.instance)
    data = seed_pdfs["header"]
    _lost_job(state, "stored", "a.pdf", len(data), time.time() - 1)
    _lost_job(state, "lost", "b.pdf", len(seed_pdfs["plain-a5"]), time.time() - 1)
    out = archive.ingest_bytes(data, filename="a.pdf")  # the writer finished it after all
    job = state.job("stored")
    assert (job["status"], job["doc_id"], job["version"], job["reason"]) == (
        "ingested", out.doc_id, 1, "stored, but the server stopped before it could confirm the upload")
    assert state.job("stored")["status"] == "ingested"  # recorded, not recomputed
    job = state.job("lost")
    assert (job["status"], job["reason"]) == ("failed", INTERRUPTED)
    # The orphaned writer stores it a moment later: the next poll says so.
    later = archive.ingest_bytes(seed_pdfs["plain-a5"], filename="b.pdf")  # the seed again: v2
    job = state.job("lost")
    assert (job["status"], job["doc_id"], job["version"]) == ("updated", later.doc_id, 2)
    assert job["reason"].startswith("stored")
    assert later.status == "updated"


def test_a_job_with_its_digest_is_found_by_it(archive, seed_pdfs):
    from archive.web.state import SharedState

    state = SharedState(archive.instance)
    data = seed_pdfs["header"]
    out = archive.ingest_bytes(data, filename="first-name.pdf")
    time.sleep(1.1)  # the catalogue keeps whole seconds
    _lost_job(state, "again", "another-name.pdf", len(data), time.time(),
              sha256=hashlib.sha256(data).hexdigest())
    job = state.job("again")  # the same bytes were stored before it was queued: unchanged
    assert (job["status"], job["doc_id"], job["version"]) == ("unchanged", out.doc_id, 1)
    assert job["reason"].startswith("stored")
