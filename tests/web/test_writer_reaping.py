"""The writer child of a web process exits when idle and leaves no zombie behind: a real child
process, a real archive, /proc read for its state."""

from __future__ import annotations

import time
from pathlib import Path

from archive.config import Settings
from archive.web.writer import WriterProcess

SAMPLE = Path(__file__).resolve().parents[2] / "archive" / "sample" / "cofacts-01.pdf"


def _state(pid: int) -> str | None:
    """The process's state letter (Z: a zombie), or None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def test_an_idle_writer_exits_and_is_reaped(tmp_path: Path) -> None:
    writer = WriterProcess(tmp_path / "instance", Settings(), idle_exit_s=1.0)
    try:
        out = writer.ingest(SAMPLE.read_bytes(), filename=SAMPLE.name)
        assert out["status"] == "ingested", out
        pid = writer.pid
        assert pid is not None and _state(pid) not in (None, "Z")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _state(pid) is not None:
            time.sleep(0.1)
        assert _state(pid) is None, f"writer {pid} left in state {_state(pid)}"
        again = writer.ingest(SAMPLE.read_bytes(), filename=SAMPLE.name)  # a new one starts
        assert again["status"] == "unchanged" and writer.pid != pid
    finally:
        writer.close()
