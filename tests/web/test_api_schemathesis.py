"""schemathesis against ``/openapi.json``, inside the test suite, on the session's server.

Every documented operation is called with generated inputs (a few deterministic
examples each) and its responses are checked by schemathesis' own checks: no server
error, only documented status codes and content types, bodies that conform to the
schema, and 405 with a conforming ``Allow`` for methods a path does not take.
``scripts/fuzz_api.py`` runs the same checks with many more examples.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,unsupported_method,allow_header_conformance")


def test_every_operation_conforms(live_server: str, tmp_path: Path) -> None:
    cmd = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{live_server}/openapi.json",
           "--checks", CHECKS, "--max-examples", "6", "--generation-deterministic",
           "--request-timeout", "30", "--no-color", "--suppress-health-check", "all"]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    tail = run.stdout[-3000:]
    assert run.returncode == 0, tail
