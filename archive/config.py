"""Where the instance folder is and what it configures.

The instance folder (Flask's) holds everything that is not code: the stored
originals, the catalogue, the index and a ``config.toml`` of settings.  It
comes from ``--instance DIR``, else ``ARCHIVE_INSTANCE``, else ``./instance``.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

ENV_VAR = "ARCHIVE_INSTANCE"

#: The search engines ``index_engine`` may name (archive.index.ENGINES is the same tuple;
#: this module imports nothing of the project).
INDEX_ENGINES = ("whoosh", "tantivy")


def resolve_instance(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The instance folder: the explicit path, else ``$ARCHIVE_INSTANCE``, else ``./instance``."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return (Path.cwd() / "instance").resolve()


@dataclass
class Settings:
    """Settings read from ``instance/config.toml``; every one has a safe default."""

    max_upload_mb: float = 50.0  # PDFs larger than this are refused, on the CLI and the web
    extract_timeout_s: float = 120.0  # wall-clock limit for extracting one PDF in the sandbox
    extract_memory_mb: int = 2048  # address-space limit for the extraction process
    ingest_nice: int = 10  # lower CPU priority of extraction and batch CLI work (0: none)
    ocr_dpi: int = 300  # resolution pages are rendered at for OCR
    ocr_page_timeout_s: float = 120.0  # wall-clock limit for one Tesseract run on one page
    ocr_timeout_s: float = 1800.0  # OCR time for one document; later pages are listed as missing
    query_max_chars: int = 500
    query_max_terms: int = 32
    search_timeout_s: float = 5.0
    export_max_results: int = 5000  # documents in one exported result list (CSV, BibTeX, …)
    require_login_for_read: bool = False
    secure_cookies: bool = False  # set true behind TLS
    login_attempts_per_minute: int = 5
    session_idle_minutes: float = 120.0  # a web session unused this long ends (sign in again)
    base_url: str = ""  # used in citations and feeds when set, e.g. https://archive.example.org
    trusted_hosts: tuple[str, ...] = ()  # Host names accepted besides base_url's and loopback
    trusted_proxies: int = 0  # proxies in front (1 behind deploy/nginx.conf): trust their X-Forwarded-*
    index_engine: str = "whoosh"  # the search index's engine: "whoosh" or "tantivy" (then archive reindex)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def load_settings(instance: Path) -> Settings:
    """Read ``config.toml`` from the instance folder; unknown keys are an error naming the key."""
    path = instance / "config.toml"
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid TOML ({exc}); fix or remove the file") from exc
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"{path}: unknown setting {unknown[0]!r}; known: {', '.join(known)}")
    if "trusted_hosts" in data:
        hosts = data["trusted_hosts"]
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
            raise ValueError(f"{path}: trusted_hosts must be a list of host names, "
                             'e.g. trusted_hosts = ["archive.example.org"]')
        data["trusted_hosts"] = tuple(hosts)
    if "index_engine" in data and data["index_engine"] not in INDEX_ENGINES:
        raise ValueError(f"{path}: index_engine must be one of {', '.join(map(repr, INDEX_ENGINES))}, "
                         f"not {data['index_engine']!r}")
    return Settings(**data)


#: Names a request on this machine may carry in its Host header.  (IPv6 literals cannot be
#: listed: werkzeug's host check cuts a trusted name at its first colon.)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def accepted_hosts(settings: Settings) -> list[str]:
    """The Host names the web app answers (Flask's TRUSTED_HOSTS): loopback, ``base_url``'s
    host and ``trusted_hosts``.  Any other Host gets a 400, so that without ``base_url`` a
    request cannot make canonical links, citations, the feed or the sitemap name its host."""
    from urllib.parse import urlsplit

    hosts = list(LOOPBACK_HOSTS)
    if settings.base_url:
        name = urlsplit(settings.base_url).hostname
        if name:
            hosts.append(name)
    hosts.extend(settings.trusted_hosts)
    return hosts


def secret_key(instance: Path) -> str:
    """The Flask secret key, made once and kept in ``instance/secret_key`` (mode 0600)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    if instance.is_dir() and not os.access(instance, os.W_OK):
        # A read-only instance without a key: one for this process (nobody signs in there:
        # nothing can be changed), rather than no web app at all.
        return secrets.token_hex(32)
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    os.replace(tmp, path)
    return key


def set_index_engine(instance: Path, engine: str) -> None:
    """Record ``index_engine = engine`` in ``instance/config.toml`` (the line replaced, or
    added; every other line, comments included, kept), written whole and atomically: what
    ``archive reindex --engine`` does once the new index is swapped in."""
    import re

    from archive.store.files import atomic_write

    if engine not in INDEX_ENGINES:
        raise ValueError(f"index_engine must be one of {', '.join(map(repr, INDEX_ENGINES))}, not {engine!r}")
    path = instance / "config.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f'index_engine = "{engine}"'
    pattern = re.compile(r"^[ \t]*index_engine[ \t]*=.*$", re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(line, text, count=1)
    else:
        text = (text if not text or text.endswith("\n") else text + "\n") + line + "\n"
    tomllib.loads(text)  # never write a file the next start cannot read
    atomic_write(path, text.encode("utf-8"))
