"""Slow clients against the production pair: a real gunicorn (deploy/gunicorn.conf.py) behind a
real nginx (deploy/nginx.conf), both on free loopback ports, over the session's instance.

A gthread worker gives a connection one of its threads as soon as the connection has sent a
byte, and keeps it until the request is whole; a client trickling its headers or its body holds
that thread.  With more such clients than threads in all workers, gunicorn alone answers no one;
nginx reads every request whole first (with short timeouts), so searches through it go on.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.web_support import ROOT, SEMI

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"

#: One worker of gunicorn.conf.py's four threads, whatever this machine has.  (With several
#: workers the direct attack starves them unevenly: the listening socket is shared and one
#: worker may accept most of the slow connections, so a search on another is still answered.)
WORKERS, THREADS = 1, 4
#: Each kind of slow client outnumbers every thread of every worker, by 4.
SLOW = WORKERS * THREADS + 4

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _search(port: int, timeout: float) -> tuple[int, dict]:
    query = urllib.parse.urlencode({"q": SEMI})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json?{query}", timeout=timeout) as r:
        return r.status, json.loads(r.read())


def _wait_up(port: int, proc: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            if _search(port, timeout=10)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not answer on port {port}: {log.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def gunicorn_port(corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", str(GUNICORN_CONF),
             "-b", f"127.0.0.1:{port}", "-w", str(WORKERS), "--threads", str(THREADS),
             "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, "ARCHIVE_INSTANCE": str(corpus.instance)},
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_up(port, proc, "gunicorn", log)
        yield port
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def proxy_port(gunicorn_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """nginx with the shipped config, only its LISTEN and UPSTREAM addresses changed."""
    port = _free_port()
    prefix = tmp_path_factory.mktemp("nginx")
    conf = NGINX_CONF.read_text()
    for old, new in (("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{port};"),
                     ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{gunicorn_port} ")):
        assert conf.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        conf = conf.replace(old, new)
    (prefix / "logs").mkdir()
    (prefix / "tmp").mkdir()
    (prefix / "nginx.conf").write_text(conf)
    # as root, nginx's workers would otherwise be `nobody`, who cannot enter pytest's tmp dirs
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    log = prefix / "nginx.stderr"  # start-up errors; logs/error.log has the rest
    with open(log, "wb") as out:
        proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                 "-g", directives], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_up(port, proc, "nginx", log)
        yield port
    finally:
        _stop(proc)


class SlowClients:
    """``body`` connections that send whole headers of a sign-in POST and then trickle its body,
    and ``header`` connections that trickle their headers; a byte each, every second."""

    def __init__(self, port: int, body: int, header: int) -> None:
        self.socks: list[socket.socket] = []
        for i in range(body + header):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i < body:
                s.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\n"
                          b"Content-Length: 100000\r\n\r\nname=")
            else:
                s.sendall(b"GET /?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            self.socks.append(s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def _trickle(self) -> None:
        while not self._stop.wait(1.0):
            for s in self.socks:
                with contextlib.suppress(OSError):  # closed by the server: answered() sees it
                    s.send(b"a")

    def answered(self) -> int:
        """How many of them the server has answered or closed (readable: a response or EOF)."""
        readable, _, _ = select.select(self.socks, [], [], 0)
        return len(readable)

    def __enter__(self) -> SlowClients:
        self._thread.start()
        time.sleep(1.5)  # every connection accepted and handed to whoever reads it
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for s in self.socks:
            s.close()


def test_slow_clients_are_held_by_nginx_and_searches_go_on(gunicorn_port: int, proxy_port: int) -> None:
    with SlowClients(proxy_port, body=SLOW, header=SLOW) as slow:
        status, result = _search(proxy_port, timeout=10)
        assert status == 200
        assert result["total"] > 0 and result["hits"], result
        assert slow.answered() == 0  # all still held open: the proxy, not a refusal, protected

    # The same attack straight at gunicorn holds every thread: the search is accepted and waits.
    with SlowClients(gunicorn_port, body=SLOW, header=SLOW), pytest.raises(OSError) as exc:
        _search(gunicorn_port, timeout=3)
    timed_out = exc.value if isinstance(exc.value, TimeoutError) else getattr(exc.value, "reason", None)
    assert isinstance(timed_out, TimeoutError), exc.value  # not refused: accepted, never answered

    # and once the slow clients are gone, gunicorn answers again
    assert _search(gunicorn_port, timeout=10)[0] == 200


def _burst(port: int, source: str, count: int) -> list[int]:
    """``count`` requests at once from ``source`` (another loopback address than the exempt
    127.0.0.1, as a client elsewhere would be); their status codes."""
    codes: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
            s.sendall(b"GET /static/favicon.svg HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            status = int(s.recv(64).split(b" ", 2)[1])
        with lock:
            codes.append(status)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return codes


def test_one_address_cannot_take_the_server_but_loopback_is_exempt(proxy_port: int) -> None:
    """nginx's per-address request rate (10/s, bursts of 40): a flood from one address gets
    429s, and the address behind it is still answered; loopback (health checks) is exempt."""
    flood = _burst(proxy_port, "127.0.0.9", 80)
    assert flood.count(429) >= 20 and flood.count(200) >= 30, sorted(flood)
    assert set(_burst(proxy_port, "127.0.0.10", 5)) == {200}  # another address: not affected
    assert set(_burst(proxy_port, "127.0.0.1", 80)) == {200}  # the exempt loopback
