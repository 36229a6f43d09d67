"""Fuzz the JSON API with schemathesis against its own ``/openapi.json``.

    python scripts/fuzz_api.py [--seed 1] [--examples 200]

Builds a throw-away instance with the bundled sample documents, serves it on
127.0.0.1 (an ephemeral port, the real Flask app under werkzeug), and runs
``schemathesis run`` with the checks that matter here: no server errors
(5xx) and every response conforming to the schema (status codes, content
types, bodies).  Prints schemathesis' summary; exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.service import Archive  # noqa: E402
from archive.web import create_app  # noqa: E402

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,unsupported_method,allow_header_conformance")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--examples", type=int, default=200, help="examples per operation")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        archive = Archive(instance)
        for out in archive.ingest_files(sorted((ROOT / "archive" / "sample").glob("*.pdf"))):
            assert out.ok, out
        app = create_app({"INSTANCE": str(instance), "ARCHIVE": archive})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_port}"
        try:
            cmd = [
                str(Path(sys.executable).with_name("schemathesis")), "run", f"{url}/openapi.json",
                "--checks", CHECKS, "--seed", str(args.seed), "--max-examples", str(args.examples),
                "--generation-deterministic", "--request-timeout", "30", "--no-color",
                "--suppress-health-check", "all",
            ]
            r = subprocess.run(cmd, cwd=ROOT, timeout=3600)
        finally:
            server.shutdown()
            archive.close()
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
