"""The persistent sandbox pool: same results as in-process, children reused, replaced when they fail."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from ingest import IngestError
from ingest.errors import IngestTimeout
from ingest.sandbox import ExtractorPool


def pids(pool: ExtractorPool) -> set[int]:
    return {worker.process.pid for worker in pool._all}


def test_children_are_reused_across_files(seed_pdfs, seed_docs):
    with ExtractorPool(1, timeout=60, memory_mb=1024) as pool:
        first = pool.extract(seed_pdfs["header"], filename="header.pdf")
        before = pids(pool)
        second = pool.extract(seed_pdfs["plain-a5"], filename="plain-a5.pdf")
        assert pids(pool) == before and len(before) == 1
    assert first.to_dict() == seed_docs["header"].to_dict()
    assert second.to_dict() == seed_docs["plain-a5"].to_dict()


def _niceness(pid: int) -> int:
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[16])


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc")
def test_children_run_at_lower_cpu_priority(seed_pdfs):
    """Extraction yields the CPU to a server on the same cores: children are niced."""
    mine = _niceness(os.getpid())
    with ExtractorPool(1, timeout=60, memory_mb=1024, nice=7) as pool:
        pool.extract(seed_pdfs["header"])
        (child,) = pids(pool)
        assert _niceness(child) == min(19, mine + 7)
    with ExtractorPool(1, timeout=60, memory_mb=1024) as pool:
        pool.extract(seed_pdfs["header"])
        (child,) = pids(pool)
        assert _niceness(child) == mine


def test_a_timed_out_child_is_replaced(seed_pdfs, seed_docs):
    with ExtractorPool(1, timeout=0.01, memory_mb=1024) as pool:
        with pytest.raises(IngestTimeout) as info:
            pool.extract(seed_pdfs["header"])
        assert info.value.reason == "timed out after 0.01 s"
        assert pids(pool) == set()  # killed and forgotten
        pool.timeout = 60.0
        assert pool.extract(seed_pdfs["header"], filename="header.pdf").to_dict() == seed_docs["header"].to_dict()


def test_a_child_that_died_while_idle_is_replaced(seed_pdfs):
    with ExtractorPool(1, timeout=60, memory_mb=1024) as pool:
        pool.extract(seed_pdfs["header"])
        (old,) = pids(pool)
        os.kill(old, signal.SIGKILL)
        assert pool.extract(seed_pdfs["header"]).page_count == 5
        assert old not in pids(pool) and len(pids(pool)) == 1


def test_out_of_memory_then_the_next_file_works(seed_pdfs):
    from tests.ingest.test_ingest_sandbox_and_real_pdfs import bomb_pdf

    with ExtractorPool(1, timeout=60, memory_mb=16) as pool:
        with pytest.raises(IngestError) as info:
            pool.extract(bomb_pdf(60))
        assert info.value.reason.startswith("out of memory (limit 16 MB")
        assert "\n" not in info.value.reason
        assert pool.extract(seed_pdfs["header"]).page_count == 5


def test_errors_pass_through_and_keep_the_child(seed_pdfs):
    with ExtractorPool(1, timeout=60, memory_mb=1024) as pool:
        pool.extract(seed_pdfs["header"])
        before = pids(pool)
        with pytest.raises(IngestError) as info:
            pool.extract(b"hello, not a pdf")
        assert info.value.reason == "not a PDF (no %PDF header)"
        with pytest.raises(IngestError, match="empty file"):
            pool.extract(b"")
        assert pids(pool) == before


def test_many_threads_share_two_children(seed_pdfs, seed_docs):
    want = {name: doc.to_dict() for name, doc in seed_docs.items()}
    got: list[tuple[str, dict]] = []
    errors: list[BaseException] = []
    seen: set[int] = set()
    with ExtractorPool(2, timeout=60, memory_mb=1024) as pool:

        def work(name: str) -> None:
            try:
                for _ in range(2):
                    got.append((name, pool.extract(seed_pdfs[name], filename=f"{name}.pdf").to_dict()))
                    seen.update(pids(pool))
            except BaseException as exc:  # report in the main thread
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(name,)) for name in ("header", "plain-a5") * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert len(got) == 8 and all(doc == want[name] for name, doc in got)
        assert len(seen) == 2  # never more children than workers, and they were reused
    assert pids(pool) == set()


def test_a_closed_pool_refuses_work(seed_pdfs):
    pool = ExtractorPool(1, timeout=60, memory_mb=1024)
    pool.extract(seed_pdfs["header"])
    (child,) = list(pool._all)
    pool.close()
    assert child.process.poll() is not None
    with pytest.raises(IngestError, match="closed"):
        pool.extract(seed_pdfs["header"])
