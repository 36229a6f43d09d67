"""Load test: gunicorn on loopback, concurrent users searching and reading while ingest runs.

    python scripts/loadtest.py [--docs 10000] [--users 16] [--duration 60] [--seed 1] [--engine whoosh|tantivy]
                               [--corpus ../shared/corpus] [--workdir /tmp/archive-load]
                               [--proxy] [--no-slow]

1. Builds (or reuses) an instance of ``--docs`` commentary-length documents
   synthesised from the corpus (bench/corpus.py says how), stored through the
   service's commit path (passage ids, catalogue, originals) and indexed by one
   ``reindex``.  Each stored original is a small real PDF naming its document.
2. Starts the production server, gunicorn with ``deploy/gunicorn.conf.py``
   (gthread workers, one per core, four threads each), on 127.0.0.1 and an
   ephemeral port; with ``--proxy`` (``make loadtest``), Debian's nginx with
   ``deploy/nginx.conf`` in a temporary prefix in front of it (only its two
   addresses changed), and every request goes through nginx.
3. Runs ``wrk`` (Debian's package) against it with a Lua script that picks
   requests at random from a list: searches (random corpus words and
   substrings in both scripts, some with facet filters and pages), document
   pages, passage pages and their JSON twins.  Four phases of ``--users``
   connections: users with think time (0.5–1.5 s between requests) and no
   writer (the baseline); the same while ``archive ingest`` re-ingests revised
   PDFs in a loop, one process per file (the harshest writer: each pays the
   interpreter's and the word segmenter's start-up); the same while an
   archivist uploads revised PDFs through the web app and polls each job to
   its outcome (the uploads land on either worker); and back to back, no think
   time (saturation), with the ingest loop.  Unless ``--no-slow``, a fifth
   phase after the baseline: the same users while slow clients attack, 8
   connections trickling a sign-in POST's body a byte every 2 s and 12
   trickling their headers (each re-opened as soon as the server drops it).
   Without the proxy they hold gunicorn's threads; with it, nginx holds them.

Prints throughput, p50/p95/p99 latency and the error count for each phase, and the
server's processes and resident memory at its end.
Only 127.0.0.1 is ever contacted; every loop is bounded by ``--duration``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.service import Archive, Prepared  # noqa: E402
from archive.store import sha256_hex  # noqa: E402
from bench.corpus import load_corpus, synthetic_documents  # noqa: E402
from tests import pdfgen  # noqa: E402

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
#: The slow-client phase: connections trickling a body, connections trickling headers, and
#: the seconds between two of their bytes.
SLOW_BODIES, SLOW_HEADERS, SLOW_INTERVAL_S = 8, 12, 2.0

LUA = r"""
local paths = {}
local think_min, think_max = 0, 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  think_min, think_max = tonumber(args[2]), tonumber(args[3])
  math.randomseed(tonumber(args[4]) + math.floor(os.clock() * 1e6))
end
delay = function()
  if think_max <= 0 then return 0 end
  return math.random(think_min, think_max)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_s": %.2f, "rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, ' ..
    '"p99_ms": %.1f, "max_ms": %.1f, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


#: The archivist account the web-upload phase signs in as (made on the test instance).
UPLOADER, UPLOADER_PASSWORD = "loadtest", "loadtest-password"


def tiny_pdf(text: str) -> bytes:
    """A small, valid one-page PDF whose content names the document (ASCII)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return pdfgen.assemble(objs)


def build_instance(instance: Path, corpus: Path, n: int, seed: int, engine: str = "whoosh") -> Archive:
    """The instance of ``n`` synthetic documents with its index built by ``engine`` (a stored
    instance is reused; switching engines is ``reindex --engine``, the documents stay)."""
    archive = Archive(instance)
    have = archive.store.count()
    if have >= n and archive.settings.index_engine != engine:
        r = archive.reindex(engine)
        print(f"reusing {instance} ({have} documents): {engine} index built in {r['seconds']} s")
        return archive
    if have >= n:
        print(f"reusing {instance} ({have} documents)")
        from archive.index import IndexError_

        try:
            indexed = archive.index.doc_count()
        except IndexError_ as exc:  # built by an older schema: rebuild from the archive
            print(f"  {exc}")
            indexed = -1
        if indexed != have:
            r = archive.reindex()
            print(f"  reindexed {r['documents']} documents in {r['seconds']} s")
        return archive
    t0 = time.monotonic()
    rows = load_corpus(corpus)
    for i, doc in enumerate(synthetic_documents(rows, n, seed)):
        if i < have:
            continue
        data = tiny_pdf(f"synthetic load-test document {i} seed {seed}")
        if "title" in doc.metadata:
            doc.metadata["title"].value += f" #{i}"  # titles stay unique: no merging by identity
        doc.sha256, doc.size, doc.doc_id = sha256_hex(data), len(data), ""
        out = archive.commit(Prepared(f"synthetic-{i}.pdf", data, doc.sha256, doc=doc), defer_index=True)
        assert out.status == "ingested", out
        if (i + 1) % 1000 == 0:
            print(f"  stored {i + 1} documents ({time.monotonic() - t0:.0f} s)", flush=True)
    r = archive.reindex(engine)
    print(f"built {n} documents in {time.monotonic() - t0:.0f} s ({engine} reindex {r['seconds']} s)")
    return archive


def request_paths(archive: Archive, rows: list[dict], rng: random.Random, count: int = 3000) -> list[str]:
    from archive.analysis import fold

    docs = archive.list_documents()
    words: list[str] = []
    for row in rng.sample(rows, k=min(400, len(rows))):
        text = row["text"]
        for _ in range(3):
            n = rng.randint(2, 4)
            i = rng.randrange(max(1, len(text) - n))
            piece = text[i : i + n]
            if all("\u4e00" <= ch <= "\u9fff" for ch in piece):
                words.append(piece)
                words.append(fold(piece))  # the Simplified form
    authors = sorted({d["author"] for d in docs[:500] if d["author"]})
    paths = []
    for _ in range(count):
        r = rng.random()
        if r < 0.55:
            q = rng.choice(words)
            params = {"q": q}
            if rng.random() < 0.2 and authors:
                params["author"] = rng.choice(authors)
            if rng.random() < 0.2:
                params["page"] = str(rng.randint(2, 3))
            path = "/?" + urllib.parse.urlencode(params)
            if rng.random() < 0.2:
                path = "/search.json?" + urllib.parse.urlencode(params)
        elif r < 0.85:
            d = rng.choice(docs)
            path = f"/d/{d['id']}" + (".json" if rng.random() < 0.2 else "")
        else:
            doc = archive.get_document(rng.choice(docs)["id"])
            path = f"/p/{rng.choice(doc.blocks).id}" if doc and doc.blocks else "/"
        paths.append(path)
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not come up")


def run_wrk(url: str, lua: Path, paths: Path, users: int, duration: int, think: tuple[int, int], seed: int) -> dict:
    cmd = ["wrk", "-t", "2", "-c", str(users), "-d", f"{duration}s", "--timeout", "10s",
           "-s", str(lua), url, "--", str(paths), str(think[0]), str(think[1]), str(seed)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def ingest_loop(instance: Path, pdf_dir: Path, stop_at: float) -> subprocess.Popen:
    """A shell loop re-ingesting revised PDFs until ``stop_at``: a bounded background writer."""
    script = (
        f"i=0; while [ $(date +%s) -lt {int(stop_at)} ]; do "
        f"for f in {pdf_dir}/*.pdf; do cp \"$f\" /tmp/archive-load-$$.pdf; "
        f"printf '%%%% rev %s\\n' $i >> /tmp/archive-load-$$.pdf; "
        f"{sys.executable} -m archive.cli --instance {instance} ingest /tmp/archive-load-$$.pdf >/dev/null 2>&1; "
        f"i=$((i+1)); [ $(date +%s) -lt {int(stop_at)} ] || break; done; done; echo $i"
    )
    return subprocess.Popen(["bash", "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group: a run that overruns is killed whole


class Uploader(threading.Thread):
    """An archivist uploading revised PDFs through the web app, one at a time, until
    ``stop_at``: sign in once, then for each file POST it (CSRF token from the form) and poll
    the job's JSON twin until its outcome, on whichever worker answers."""

    def __init__(self, url: str, pdf_dir: Path, stop_at: float, name: str, password: str) -> None:
        super().__init__(daemon=True)
        self.url, self.pdf_dir, self.stop_at = url, pdf_dir, stop_at
        self.name_, self.password = name, password
        self.outcomes: dict[str, int] = {}
        self.seconds: list[float] = []  # upload to outcome, per file
        self.error: str | None = None
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def _token(self, path: str) -> str:
        with self.opener.open(self.url + path, timeout=30) as r:
            page = r.read().decode()
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _post(self, path: str, body: bytes, ctype: str) -> dict:
        req = urllib.request.Request(self.url + path, data=body, method="POST",
                                     headers={"Content-Type": ctype, "Accept": "application/json"})
        with self.opener.open(req, timeout=60) as r:
            return json.loads(r.read())

    def run(self) -> None:
        try:
            token = self._token("/login")
            form = urllib.parse.urlencode({"name": self.name_, "password": self.password,
                                           "csrf_token": token}).encode()
            self._post("/login", form, "application/x-www-form-urlencoded")
            pdfs = sorted(self.pdf_dir.glob("*.pdf"))
            i = 0
            while time.time() < self.stop_at:
                data = pdfs[i % len(pdfs)].read_bytes() + f"%% web rev {i} {time.time()}\n".encode()
                i += 1
                boundary = f"----loadtest{i}"
                token = self._token("/ingest")
                body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                        f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                        f'filename="rev{i}.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode()
                body += data + f"\r\n--{boundary}--\r\n".encode()
                started = time.monotonic()
                (job,) = self._post("/ingest", body, f"multipart/form-data; boundary={boundary}")["jobs"]
                while not job["done"] and time.monotonic() - started < 120:
                    time.sleep(0.25)
                    with self.opener.open(f"{self.url}/ingest.json?job={job['id']}", timeout=30) as r:
                        (job,) = json.loads(r.read())["jobs"]
                self.seconds.append(time.monotonic() - started)
                self.outcomes[job["status"]] = self.outcomes.get(job["status"], 0) + 1
        except Exception as exc:  # reported, not raised: the phase's figures still print
            self.error = f"{type(exc).__name__}: {exc}"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def start_proxy(prefix: Path, port: int, upstream_port: int) -> subprocess.Popen:
    """nginx with deploy/nginx.conf in ``prefix``: its LISTEN and UPSTREAM addresses replaced by
    loopback ports, nothing else changed.  In the foreground, in its own process group."""
    conf = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in (("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{port};"),
                     ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{upstream_port} ")):
        if conf.count(old) != 1:
            raise RuntimeError(f"{NGINX_CONF}: expected one {old!r}")
        conf = conf.replace(old, new)
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(conf, encoding="utf-8")
    # as root, nginx's workers would be `nobody`, who may not enter the work directory
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    return subprocess.Popen([nginx_binary(), "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                             "-g", directives], start_new_session=True)


class SlowClients(threading.Thread):
    """``bodies`` connections that send a sign-in POST's headers and then trickle its body,
    and ``headers`` connections that trickle their headers, a byte each every ``interval`` s,
    until ``stop_at``.  A connection the server answers or closes is opened again at once (a
    persistent attacker); ``dropped`` counts those, ``refused`` the connections that failed."""

    BODY = (b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nname=")
    HEADER = b"GET /?q=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

    def __init__(self, port: int, bodies: int, headers: int, interval: float, stop_at: float) -> None:
        super().__init__(daemon=True)
        self.port, self.interval, self.stop_at = port, interval, stop_at
        self.kinds = [self.BODY] * bodies + [self.HEADER] * headers
        self.dropped = self.refused = self.opened = 0
        self._stop_event = threading.Event()

    def _open(self, first: bytes) -> socket.socket | None:
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            s.sendall(first)
        except OSError:
            self.refused += 1
            return None
        self.opened += 1
        return s

    def run(self) -> None:
        conns: list[socket.socket | None] = [self._open(k) for k in self.kinds]
        try:
            while not self._stop_event.wait(self.interval) and time.time() < self.stop_at:
                for i, s in enumerate(conns):
                    if s is not None:
                        readable, _, _ = select.select([s], [], [], 0)
                        try:
                            if readable:  # answered (a 408, a 400) or closed: drop it
                                raise ConnectionError
                            s.send(b"a")
                            continue
                        except OSError:
                            self.dropped += 1
                            s.close()
                    conns[i] = self._open(self.kinds[i])
        finally:
            for s in conns:
                if s is not None:
                    s.close()

    def stop(self) -> None:
        self._stop_event.set()


def group_memory(pgid: int) -> tuple[int, float]:
    """(processes, MiB resident) of the process group ``pgid``: the server, its workers, their
    writer and extraction children."""
    count, pages = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            pages += int((entry / "statm").read_text().split()[1])
            count += 1
        except (OSError, IndexError, ValueError):
            continue
    return count, pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--users", type=int, default=16)
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "archive-load")
    ap.add_argument("--engine", choices=("whoosh", "tantivy"), default="whoosh",
                    help="the index engine the server searches (the instance is reindexed to it)")
    ap.add_argument("--proxy", action="store_true",
                    help="put nginx with deploy/nginx.conf in front of gunicorn (make loadtest does)")
    ap.add_argument("--slow", action=argparse.BooleanOptionalAction, default=True,
                    help=f"a phase with {SLOW_BODIES} slow-body and {SLOW_HEADERS} slow-header "
                         "connections (default: on)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("loadtest: wrk is not installed; run: apt-get install -y wrk", file=sys.stderr)
        return 2
    if args.proxy and not nginx_binary():
        print("loadtest: nginx is not installed; run: apt-get install -y nginx", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    instance = args.workdir / f"instance-{args.docs}-{args.seed}"
    archive = build_instance(instance, args.corpus, args.docs, args.seed, args.engine)
    print(f"engine: {archive.settings.index_engine}")
    rows = load_corpus(args.corpus)
    paths_file = args.workdir / "paths.txt"
    paths_file.write_text("\n".join(request_paths(archive, rows, rng)) + "\n", encoding="utf-8")
    lua = args.workdir / "load.lua"
    lua.write_text(LUA, encoding="utf-8")
    pdf_dir = args.workdir / "ingest-pdfs"
    if not pdf_dir.exists():
        pdf_dir.mkdir(parents=True)
        pdfgen.seed_pdf(pdf_dir / "seed-header.pdf", layout="header")
        pdfgen.seed_pdf(pdf_dir / "seed-a5.pdf", layout="plain-a5")

    archive.add_user(UPLOADER, UPLOADER_PASSWORD, reset=UPLOADER in archive.users())
    port = free_port()
    workers = len(os.sched_getaffinity(0)) or 2
    env = {**os.environ, "ARCHIVE_INSTANCE": str(instance)}
    if args.proxy:
        env["ARCHIVE_BEHIND_PROXY"] = "1"  # trusted_proxies = 1: client addresses from nginx
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", str(GUNICORN_CONF),
         "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    proxy = None
    front = port
    if args.proxy:
        front = free_port()
        proxy = start_proxy(Path(tempfile.mkdtemp(prefix="nginx-", dir=args.workdir)), front, port)
    url = f"http://127.0.0.1:{front}"
    results = {}
    try:
        wait_up(url + "/")
        for p in ("/?q=台灣", "/?q=美国"):  # warm the searchers
            urllib.request.urlopen(url + urllib.parse.quote(p, safe="/?="), timeout=30).read()
        phases = [("users, no ingest (baseline)", (500, 1500), None),
                  ("users with think time", (500, 1500), "cli"),
                  ("users, web uploads", (500, 1500), "web"),
                  ("back to back", (0, 0), "cli")]
        if args.slow:
            phases.insert(1, ("users, slow clients", (500, 1500), "slow"))
        for phase, think, writer_kind in phases:
            stop_at = time.time() + args.duration
            writer = ingest_loop(instance, pdf_dir, stop_at) if writer_kind == "cli" else None
            uploader = None
            if writer_kind == "web":
                uploader = Uploader(url, pdf_dir, stop_at, UPLOADER, UPLOADER_PASSWORD)
                uploader.start()
            slow = None
            if writer_kind == "slow":
                slow = SlowClients(front, SLOW_BODIES, SLOW_HEADERS, SLOW_INTERVAL_S, stop_at)
                slow.start()
                time.sleep(1.0)  # all connected and trickling before the users start
            try:
                res = run_wrk(url, lua, paths_file, args.users, args.duration, think, args.seed)
            finally:
                if slow is not None:
                    slow.stop()
                    slow.join(timeout=30)
            res["ingests_during"] = 0
            if slow is not None:
                res["slow"] = {"held": len(slow.kinds), "opened": slow.opened,
                               "dropped_by_server": slow.dropped, "refused": slow.refused}
            if writer is not None:
                try:
                    writer_out, _ = writer.communicate(timeout=300)
                    res["ingests_during"] = int((writer_out or "0").strip().splitlines()[-1] or 0)
                except subprocess.TimeoutExpired:  # one ingest ran on 5 minutes past the phase
                    os.killpg(writer.pid, signal.SIGKILL)
                    writer.communicate()
                    res["ingests_during"] = -1
                    res["writer_overran_s"] = 300
            if uploader is not None:
                uploader.join(timeout=180)
                res["ingests_during"] = sum(uploader.outcomes.values())
                res["uploads"] = dict(uploader.outcomes)
                res["upload_error"] = uploader.error
                done = sorted(uploader.seconds)
                res["upload_p50_s"] = round(done[len(done) // 2], 2) if done else None
            res["server_processes"], res["server_rss_mib"] = group_memory(server.pid)
            if proxy is not None:
                res["proxy_processes"], res["proxy_rss_mib"] = group_memory(proxy.pid)
            results[phase] = res
    finally:
        if proxy is not None:
            os.killpg(proxy.pid, signal.SIGTERM)
            proxy.wait(timeout=30)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    check = Archive(instance).check()
    front_desc = (f"through nginx (deploy/nginx.conf) on 127.0.0.1:{front}" if proxy is not None
                  else "straight at gunicorn, no proxy")
    print(f"\nload test: {args.docs} documents, {args.users} concurrent users, {args.duration} s a phase, "
          f"gunicorn gthread {workers}x4 on 127.0.0.1, {front_desc}, seed {args.seed}")
    for phase, r in results.items():
        errors = sum(v for k, v in r.items() if k.startswith("errors_"))
        print(f"  {phase:28} {r['requests']:6d} requests  {r['rps']:7.1f} req/s  "
              f"p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
              f"errors {errors}  (ingests during: {r['ingests_during']})  "
              f"server {r['server_processes']} processes {r['server_rss_mib']:.0f} MiB resident")
        if "uploads" in r:
            print(f"  {'':28} web uploads: {r['uploads']} on {workers} workers, upload to outcome "
                  f"p50 {r['upload_p50_s']} s" + (f", error: {r['upload_error']}" if r["upload_error"] else ""))
        if "slow" in r:
            sl = r["slow"]
            print(f"  {'':28} slow clients: {SLOW_BODIES} trickling a body, {SLOW_HEADERS} trickling "
                  f"headers, a byte every {SLOW_INTERVAL_S:g} s; {sl['opened']} connections opened, "
                  f"{sl['dropped_by_server']} dropped by the server, {sl['refused']} refused")
    normal, slowed = results.get("users, no ingest (baseline)"), results.get("users, slow clients")
    if normal and slowed:
        def errs(r: dict) -> int:
            return sum(v for k, v in r.items() if k.startswith("errors_"))

        print(f"  slow clients {'behind nginx' if proxy is not None else 'straight at gunicorn'}: "
              f"normal p50 {normal['p50_ms']:.1f} ms p95 {normal['p95_ms']:.1f} ms errors {errs(normal)} "
              f"({normal['requests']} requests); slow p50 {slowed['p50_ms']:.1f} ms "
              f"p95 {slowed['p95_ms']:.1f} ms errors {errs(slowed)} ({slowed['requests']} requests)")
    print(f"  archive check after the run: {'clean' if check['clean'] else check['problems'][:3]}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
