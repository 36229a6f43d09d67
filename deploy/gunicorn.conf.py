"""gunicorn settings for the archive's web app, behind the buffering proxy in deploy/nginx.conf.

    ARCHIVE_INSTANCE=/srv/archive/instance gunicorn -c deploy/gunicorn.conf.py

Command-line flags override these (``-b unix:/run/archive/gunicorn.sock``, ``-w 2``); so do
``ARCHIVE_BIND`` and ``WEB_CONCURRENCY`` in the environment.  gunicorn reads whole requests
from nginx only: on its own a gthread worker gives every connection a thread while it reads the
request, and a dozen slow clients hold them all (README.md, "Production").
"""

from __future__ import annotations

import os
from pathlib import Path

#: The checkout: the app serves ``static/`` from beside ``archive/`` (README: run from a checkout).
chdir = str(Path(__file__).resolve().parents[1])
wsgi_app = "archive.web:create_app()"

#: Loopback only: nginx is the one that faces clients (deploy/nginx.conf's UPSTREAM).
bind = [os.environ.get("ARCHIVE_BIND", "127.0.0.1:8000")]

#: One worker per core available to this process; each reads with its own searchers and stores
#: its uploads in its own writer process.  Four threads a worker overlap the waits of a request.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)) or 1)
threads = 4
worker_connections = 1000

#: A worker whose main loop has not reported for this long is killed and replaced.  Searches
#: stop at search_timeout_s (5 s) and extraction runs in child processes, so this is generous
#: headroom for a worker starved of its interpreter lock under saturation.
timeout = 60
#: After SIGTERM (or a restart), requests in flight get this long to finish.
graceful_timeout = 30
#: Idle keep-alive connections from nginx are closed after 5 s (nginx's upstream
#: keepalive_timeout is 4 s, so nginx never reuses one gunicorn is closing).
keepalive = 5

#: Request bounds: 8190 is gunicorn's maximum request line (a 500-character CJK query is
#: ~4.5 KB percent-encoded, over the default 4094); nginx's large_client_header_buffers match.
limit_request_line = 8190
limit_request_fields = 64
limit_request_field_size = 8190

#: X-Forwarded-Proto and friends are believed only from these (gunicorn's default); the app's
#: own trust of X-Forwarded-* is trusted_proxies in instance/config.toml.
forwarded_allow_ips = "127.0.0.1,::1"

#: nginx writes the access log; gunicorn's errors go to stderr (the journal under systemd).
accesslog = None
errorlog = "-"
loglevel = "info"

#: The worker heartbeat on a memory file system where there is one (not a slow disk).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
