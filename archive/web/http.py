"""HTTP as caches, viewers and other origins expect it: validators, CORS, ranges, file names.

* **Validators and caching.** Every successful GET of a page, a JSON twin, a feed or
  a text source carries a strong ``ETag`` (a hash of the body, so equal bytes give an
  equal tag) and, where the view knows it, ``Last-Modified``; a matching
  ``If-None-Match`` or ``If-Modified-Since`` gets 304 with no body.  Published
  responses are ``public`` with a short ``max-age`` (a search can change with the next
  ingest); a signed-in archivist's are ``private`` and never shared.
* **CORS.** Public PDFs, text and JSON may be read by a viewer or annotation tool on
  another origin (``Access-Control-Allow-Origin: *``, with the range and validator
  headers exposed); a signed-in response never carries it, and neither does any
  response when reading needs sign-in.
* **Ranges.** One range is Werkzeug's; several are answered as ``multipart/byteranges``
  (RFC 9110 §14.6), coalesced and capped; an unsatisfiable one is 416 with
  ``Content-Range: bytes */N``.
* **File names.** A download is named from the document's title with ``filename*``
  (RFC 6266 / RFC 8187, UTF-8) and an ASCII fallback.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable

#: How long a shared cache may reuse a published response before revalidating.
PUBLIC_MAX_AGE = {"page": 60, "document": 300, "feed": 300, "text": 3600}
#: Several ranges beyond this many are not worth a multipart answer: the whole file is.
MAX_RANGES = 16
#: Response types other origins may read when the response is public.
_CORS_TYPES = ("application/pdf", "multipart/byteranges", "application/json", "application/ld+json", "text/plain",
               "application/atom+xml", "application/x-bibtex", "application/x-research-info-systems",
               "application/vnd.citationstyles.csl+json", "text/csv", "application/x-ndjson",
               "application/jsonl")
_EXPOSED = "ETag, Last-Modified, Content-Range, Content-Length, Accept-Ranges, Content-Disposition, Link"
_FILENAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def last_modified(value: str | None) -> None:
    """Tell the response hooks when what this view shows last changed (ISO 8601)."""
    if not value:
        return
    try:
        g.last_modified = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return


def cache_kind(kind: str) -> None:
    """Which of :data:`PUBLIC_MAX_AGE`'s lifetimes this view's response gets."""
    g.cache_kind = kind


def etag_from(value: object) -> None:
    """Base this response's ETag on ``value`` (what the view shows, minus what changes on
    every request, such as a search's timing) instead of on the body's bytes."""
    basis = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    g.etag_basis = f"{basis}|{request.full_path}|{request.headers.get('Accept', '')}|{getattr(g, 'user', '')}"


def _signed_in() -> bool:
    return bool(getattr(g, "user", None))


def _reads_are_private() -> bool:
    return bool(current_app.extensions["archive"].settings.require_login_for_read)


def _conditional(resp: Response) -> Response:
    if request.method not in ("GET", "HEAD") or resp.status_code != 200:
        return resp
    if resp.direct_passthrough or resp.is_streamed:
        return resp  # files set their own validators; streams are not hashed
    if "ETag" not in resp.headers:
        basis = getattr(g, "etag_basis", None)
        digest = hashlib.sha256(current_app.config.get("ETAG_SALT", "").encode())
        digest.update(basis.encode() if basis is not None else resp.get_data())
        resp.set_etag(digest.hexdigest()[:32])
    when = getattr(g, "last_modified", None)
    if when is not None and resp.last_modified is None:
        resp.last_modified = when
    if "Cache-Control" not in resp.headers:
        if _signed_in():
            # An archivist's page shows forms and tokens: never stored, even privately.
            no = "no-store" if resp.mimetype == "text/html" else "no-cache"
            resp.headers["Cache-Control"] = f"private, {no}"
        elif _reads_are_private():
            resp.headers["Cache-Control"] = "private, no-cache"
        else:
            age = PUBLIC_MAX_AGE.get(getattr(g, "cache_kind", "page"), 60)
            resp.headers["Cache-Control"] = f"public, max-age={age}"
    resp.vary.add("Cookie")
    resp.make_conditional(request)  # turns ``resp`` itself into a 304 when the validators match
    return resp


def _cors(resp: Response) -> Response:
    if _signed_in() or _reads_are_private():
        return resp
    if resp.mimetype not in _CORS_TYPES and not (request.method == "OPTIONS" and request.origin):
        return resp
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Expose-Headers"] = _EXPOSED
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "Range, Accept, If-None-Match, If-Modified-Since"
        resp.headers["Access-Control-Max-Age"] = "86400"
    return resp


def content_disposition(title: str, fallback: str, *, attachment: bool, suffix: str = ".pdf") -> str:
    """``attachment`` (or ``inline``) with a UTF-8 ``filename*`` from ``title`` and an ASCII
    ``filename`` for clients that read only that (RFC 6266 §4.3)."""
    name = _FILENAME_UNSAFE.sub(" ", unicodedata.normalize("NFC", title or "")).strip(" .")
    name = " ".join(name.split())[:80].rstrip(" .") or fallback
    ascii_name = fallback if not name.isascii() else name
    kind = "attachment" if attachment else "inline"
    return (f'{kind}; filename="{ascii_name}{suffix}"; '
            f"filename*=UTF-8''{quote(name + suffix, safe='')}")


def _ranges(length: int) -> list[tuple[int, int]] | None:
    """The request's byte ranges as [start, stop) within ``length``, merged; None when the
    header is absent, malformed or asks for one range (Werkzeug answers those)."""
    rng = request.range
    if rng is None or rng.units != "bytes" or len(rng.ranges) < 2:
        return None
    spans = []
    for start, stop in rng.ranges:
        if start < 0:  # a suffix range: the last -start bytes
            start, stop = max(0, length + start), length
        elif stop is None or stop > length:
            stop = length
        if start < stop:
            spans.append((start, stop))
    if not spans:
        raise RequestedRangeNotSatisfiable(length=length)
    spans.sort()
    merged = [spans[0]]
    for start, stop in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def multipart_ranges(path: Path, mimetype: str, headers: dict[str, str]) -> Response | None:
    """A 206 ``multipart/byteranges`` answer for a request with several ranges, or None
    when the request has fewer than two (or more than :data:`MAX_RANGES`: the whole file)."""
    length = path.stat().st_size
    spans = _ranges(length)
    if spans is None or len(spans) > MAX_RANGES:
        return None
    if len(spans) == 1:
        return None  # merged into one: Werkzeug's single-range answer serves it
    boundary = secrets.token_hex(12)

    def body() -> Iterator[bytes]:
        with path.open("rb") as fh:
            for start, stop in spans:
                yield (f"\r\n--{boundary}\r\nContent-Type: {mimetype}\r\n"
                       f"Content-Range: bytes {start}-{stop - 1}/{length}\r\n\r\n").encode()
                fh.seek(start)
                left = stop - start
                while left:
                    chunk = fh.read(min(left, 65536))
                    if not chunk:
                        break
                    left -= len(chunk)
                    yield chunk
            yield f"\r\n--{boundary}--\r\n".encode()

    resp = Response(body(), status=206, mimetype=f"multipart/byteranges; boundary={boundary}",
                    direct_passthrough=True)
    for key, value in headers.items():
        resp.headers[key] = value
    resp.headers["Accept-Ranges"] = "bytes"
    return resp


def _salt(app: Flask) -> str:
    """Changes when the templates or static files do, so a deploy is never answered 304
    with the old page."""
    roots = [Path(app.root_path) / "templates", Path(app.static_folder or ".")]
    stamps = sorted(f"{p.name}:{p.stat().st_mtime_ns}" for root in roots if root.is_dir()
                    for p in root.rglob("*") if p.is_file())
    return hashlib.sha256("|".join(stamps).encode()).hexdigest()


def init_app(app: Flask) -> None:
    """Install the validator, caching and CORS hooks (after the security headers)."""
    app.config.setdefault("ETAG_SALT", _salt(app))
    app.after_request(_cors)
    app.after_request(_conditional)
