"""Sign-in timing: does a wrong password cost the same for a name that exists and one that
does not?  (If not, a stopwatch lists the archivists.)

Posts wrong passwords through the real app (Flask's test client, the whole request path:
CSRF, throttle, password check, page), alternating a real name and unknown names, from a
fresh address each time so the throttle never answers first, and prints the medians and
their ratio.  The baseline is the real name, in the same run.

    python bench/signin_timing.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.config import Settings  # noqa: E402
from archive.service import Archive  # noqa: E402
from archive.web import create_app  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "instance", Settings(login_attempts_per_minute=1000))
        archive.add_user("archivist", "a long enough passphrase")
        app = create_app({"INSTANCE": str(archive.instance), "ARCHIVE": archive, "TESTING": True})
        client = app.test_client()
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for i in range(args.rounds * 2):
            kind = "known" if i % 2 == 0 else "unknown"
            name = "archivist" if kind == "known" else f"nobody{i}"
            env = {"REMOTE_ADDR": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}
            client.get("/login", environ_base=env)
            with client.session_transaction() as sess:
                token = sess["csrf_token"]
            started = time.perf_counter()
            resp = client.post("/login", data={"name": name, "password": "wrong guess",
                                               "csrf_token": token}, environ_base=env)
            times[kind].append(time.perf_counter() - started)
            assert resp.status_code == 401, resp.status_code
        archive.close()
    known, unknown = (statistics.median(times[k]) * 1000 for k in ("known", "unknown"))
    print(f"wrong password, {args.rounds} rounds each, median through the app:")
    print(f"  existing name  {known:7.1f} ms  (baseline)")
    print(f"  unknown name   {unknown:7.1f} ms  {unknown / known:5.2f}x")
    lo_k, hi_k = min(times["known"]) * 1000, max(times["known"]) * 1000
    lo_u, hi_u = min(times["unknown"]) * 1000, max(times["unknown"]) * 1000
    print(f"  ranges: existing {lo_k:.1f}-{hi_k:.1f} ms, unknown {lo_u:.1f}-{hi_u:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
