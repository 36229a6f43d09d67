"""Fuzz ingest with byte-level mutations and truncations of real PDFs.

Usage: python scripts/fuzz_ingest.py --seed N --count N [--jobs 2] [--timeout S] DIR...

Every mutant goes through the sandbox as the archive uses it (an
:class:`ingest.sandbox.ExtractorPool` of ``--jobs`` long-lived children) and
must end ``ingested`` or ``failed: <one-line reason>``.  A crash (an
exception other than IngestError inside the child, or a child that dies) or a
hang (the time limit) is a bug; the script prints the counts and exits 1 if
there are any.  PDFs are taken from tests/fixtures and the given folders
(files up to --max-kb, so that each run stays short).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.errors import IngestCrash, IngestError, IngestTimeout  # noqa: E402
from ingest.sandbox import ExtractorPool  # noqa: E402

PASSWORDS = {"enc_aes256_r6_userpw.pdf": "usersecret"}


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One random damage: truncation, bit flips, overwritten/deleted/duplicated runs, digit edits."""
    n = len(data)
    kind = rng.choice(["truncate", "flip", "overwrite", "delete", "duplicate", "digits", "nest"])
    buf = bytearray(data)
    if kind == "truncate":
        return kind, bytes(buf[: rng.randrange(1, n)])
    if kind == "flip":
        for _ in range(rng.randint(1, 32)):
            buf[rng.randrange(n)] ^= 1 << rng.randrange(8)
    elif kind == "overwrite":
        at, size = rng.randrange(n), rng.randint(1, 256)
        buf[at:at + size] = bytes(rng.randrange(256) for _ in range(size))
    elif kind == "delete":
        at = rng.randrange(n)
        del buf[at:at + rng.randint(1, 4096)]
    elif kind == "duplicate":
        at, size = rng.randrange(n), rng.randint(1, 4096)
        buf[at:at] = buf[at:at + size]
    elif kind == "digits":  # object numbers, lengths, xref offsets
        places = [i for i in range(0, n, max(1, n // 5000)) if 48 <= buf[i] <= 57]
        for i in rng.sample(places, min(len(places), rng.randint(1, 20))):
            buf[i] = rng.randrange(48, 58)
    else:  # deep nesting where a dictionary starts
        at = data.find(b"<<", rng.randrange(n))
        at = at if at >= 0 else rng.randrange(n)
        buf[at:at] = rng.choice([b"[", b"<<", b"<</A "]) * rng.randint(100, 5000)
    return kind, bytes(buf)


def sources(folders: list[Path], max_kb: int) -> list[Path]:
    found = []
    for folder in [ROOT / "tests" / "fixtures", *folders]:
        found += [p for p in sorted(folder.glob("*.pdf")) if p.stat().st_size <= max_kb * 1024]
    return list(dict.fromkeys(found))


def run_one(pool: ExtractorPool, path: Path, data: bytes) -> tuple[str, str]:
    try:
        pool.extract(data, password=PASSWORDS.get(path.name), filename=path.name)
        return "ingested", ""
    except IngestTimeout as exc:
        return "hang", exc.reason
    except IngestCrash as exc:
        return "crash", f"{exc.reason}\n{exc.detail}"
    except IngestError as exc:
        return "failed", exc.reason
    except Exception as exc:  # the sandbox itself must not raise anything else
        return "crash", f"{type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0, help="per-file limit; reaching it is a hang")
    parser.add_argument("--max-kb", type=int, default=400)
    args = parser.parse_args(argv)
    files = sources(args.folders, args.max_kb)
    if not files:
        print("no PDFs to mutate", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    originals = {p: p.read_bytes() for p in files}
    jobs = []
    for _ in range(args.count):
        path = rng.choice(files)
        kind, data = mutate(originals[path], rng)
        jobs.append((path, kind, data))
    started = time.perf_counter()
    with ExtractorPool(args.jobs, timeout=args.timeout, memory_mb=768) as extractors, \
            ThreadPoolExecutor(max_workers=args.jobs) as threads:
        results = list(threads.map(lambda job: run_one(extractors, job[0], job[2]), jobs))
    outcomes: Counter[str] = Counter(r[0] for r in results)
    reasons: Counter[str] = Counter(r[1].split(":")[0] for r in results if r[0] == "failed")
    for (path, kind, _), (outcome, detail) in zip(jobs, results, strict=True):
        if outcome in ("crash", "hang"):
            print(f"{outcome.upper()}: {path.name} ({kind}): {detail}")
    print(f"{len(jobs)} mutants of {len(files)} PDFs in {time.perf_counter() - started:.0f} s: "
          f"ingested {outcomes['ingested']}, failed {outcomes['failed']}, "
          f"crashes {outcomes['crash']}, hangs {outcomes['hang']}")
    for reason, count in reasons.most_common(8):
        print(f"  failed: {reason}: {count}")
    return 1 if outcomes["crash"] or outcomes["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
