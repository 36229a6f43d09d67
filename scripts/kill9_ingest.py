"""Kill ``archive ingest`` with SIGKILL at random points and prove nothing is lost or half-stored.

    python scripts/kill9_ingest.py --seed 1 --kills 50 [--docs 12]

Each round starts ``archive ingest`` over a batch of real PDFs (new ones,
already-stored ones and revised versions), kills it after a random delay,
then checks that:

1. the catalogue and the index open, and ``archive check`` is clean or
   ``archive check --repair`` makes it clean;
2. no document that was stored before the kill is lost, and every stored
   version's original matches its checksum;
3. re-running the same ``archive ingest`` completes (exit 0), after which
   every PDF of the batch is in the archive and found by a search for its
   title, and ``archive check`` is clean.

It prints the counts and exits non-zero on any failure.  Not part of the
default tests (a small round of it is: tests/core/test_faults.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pdfgen import commentary_pdf  # noqa: E402

SEED_TEXT = ROOT / "tests/fixtures/prospect-forum-apec-2023.txt"


def archive_cmd(instance: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archive.cli", "--instance", str(instance), *args]


def run(instance: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        archive_cmd(instance, *args), capture_output=True, text=True, check=check, cwd=ROOT
    )


def make_pdfs(folder: Path, n: int, rng: random.Random) -> list[Path]:
    paras = [p.strip() for p in SEED_TEXT.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 40]
    out = []
    for i in range(n):
        chosen = rng.sample(paras, k=min(6, len(paras)))
        out.append(
            commentary_pdf(
                folder / f"doc{i:03d}.pdf",
                title=f"東北亞安保情勢第{i + 1}號評析",
                author="李明峻",
                series="遠景論壇",
                foundation="財團法人兩岸交流遠景基金會",
                date=f"2023-{1 + i % 12:02d}-15",
                paragraphs=chosen,
            )
        )
    return out


def stored(instance: Path) -> set[str]:
    """SHA-256 of every stored version (old versions included), read from the catalogue."""
    from archive.store import Store

    store = Store(instance)
    try:
        return {row["sha256"] for row in store.all_versions()}
    finally:
        store.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kills", type=int, default=50, help="SIGKILLs to deliver (rounds go on until then)")
    ap.add_argument("--docs", type=int, default=12, help="PDFs in the batch")
    ap.add_argument("--max-delay", type=float, default=4.0, help="kill within this many seconds")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    stats = {"kills": 0, "finished_before_kill": 0, "check_clean": 0, "repaired_clean": 0,
             "not_clean": 0, "lost": 0, "rerun_failed": 0, "missing_after_rerun": 0}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        pdf_dir = tmpdir / "pdfs"
        pdf_dir.mkdir()
        pdfs = make_pdfs(pdf_dir, args.docs, rng)
        # Time one whole batch so that kills land while ingest is working, not after it.
        t0 = time.monotonic()
        run(tmpdir / "timing", "ingest", *map(str, pdfs))
        batch_s = time.monotonic() - t0
        max_delay = min(args.max_delay, 0.9 * batch_s)
        round_no = -1
        while stats["kills"] < args.kills and round_no < 4 * args.kills:
            round_no += 1
            instance = tmpdir / f"instance{round_no % 5}"  # reuse instances: kills land on old state too
            before = stored(instance) if instance.exists() else set()
            # Fresh bytes every round (a trailing comment changes the hash, not the text), so
            # each round has real work to interrupt: new versions of stored documents.
            round_dir = tmpdir / f"round{round_no}"
            round_dir.mkdir()
            batch = []
            for src in rng.sample(pdfs, k=rng.randint(max(1, len(pdfs) // 2), len(pdfs))):
                dst = round_dir / src.name
                dst.write_bytes(src.read_bytes() + f"\n% round {round_no}\n".encode())
                batch.append(dst)
            proc = subprocess.Popen(
                archive_cmd(instance, "ingest", *map(str, batch)),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                start_new_session=True,
            )
            time.sleep(rng.uniform(0.05, max_delay))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its extraction children
                stats["kills"] += 1
            else:
                stats["finished_before_kill"] += 1
            proc.wait()
            check = run(instance, "check", "--json")
            if check.returncode == 0:
                stats["check_clean"] += 1
            else:
                repair = run(instance, "check", "--repair", "--json")
                again = run(instance, "check", "--json")
                if repair.returncode == 0 and again.returncode == 0:
                    stats["repaired_clean"] += 1
                else:
                    stats["not_clean"] += 1
                    print(f"round {round_no}: not clean after repair: {again.stdout.strip()}")
            after = stored(instance)
            lost = [sha for sha in before if sha not in after]
            stats["lost"] += len(lost)
            rerun = run(instance, "ingest", *map(str, batch))
            if rerun.returncode != 0:
                stats["rerun_failed"] += 1
                print(f"round {round_no}: re-run failed: {rerun.stdout.strip()} {rerun.stderr.strip()}")
            final = stored(instance)
            from archive.store import sha256_hex

            missing = [p.name for p in batch if sha256_hex(p.read_bytes()) not in final]
            stats["missing_after_rerun"] += len(missing)
            if run(instance, "check").returncode != 0:
                stats["not_clean"] += 1
    print(json.dumps({"seed": args.seed, "rounds": round_no + 1, "batch_s": round(batch_s, 2), **stats},
                     ensure_ascii=False))
    bad = stats["not_clean"] + stats["lost"] + stats["rerun_failed"] + stats["missing_after_rerun"]
    print("RESULT:", "PASS" if bad == 0 else "FAIL")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
