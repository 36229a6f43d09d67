"""Web workers booting together on a fresh instance share one state file without failing.

gunicorn starts its workers at once; each opens the state file and asks for WAL mode, which
needs a moment's exclusive lock and which SQLite may refuse at once (``database is locked``)
instead of waiting on the busy timeout. A 100k load test's worker died of it at boot.
"""
from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from archive.web.state import SharedState


def _boot(instance: str, barrier: mp.synchronize.Barrier, out: mp.Queue) -> None:
    barrier.wait()
    try:
        SharedState(Path(instance))
        out.put("ok")
    except Exception as exc:  # reported to the test, which names it
        out.put(f"{type(exc).__name__}: {exc}")


def test_workers_booting_at_once_all_open_the_state(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    results: list[str] = []
    for round_ in range(20):
        instance = tmp_path / f"instance-{round_}"
        instance.mkdir()
        n = 8
        barrier, out = ctx.Barrier(n), ctx.Queue()
        procs = [ctx.Process(target=_boot, args=(str(instance), barrier, out)) for _ in range(n)]
        for p in procs:
            p.start()
        results += [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
    assert [r for r in results if r != "ok"] == []
