"""The browser face of the archive: a Flask application factory.

Views are thin: every verb lives in :mod:`archive.service`, so the command
line and the web print the same dictionaries.  Each area is one blueprint;
:mod:`archive.web.render` decides between a page and its JSON twin, and
:mod:`archive.web.urls` builds every URL that carries state.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask

from archive import config

#: ``static/`` lives at the repository root, beside ``archive/``.
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"

#: Room for multipart framing around one PDF of the maximum size.
MULTIPART_SLACK = 256 * 1024


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app for one instance folder.

    ``test_config`` may carry ``INSTANCE`` (the instance folder), ``SETTINGS``
    (an :class:`archive.config.Settings` to use instead of ``config.toml``),
    ``ARCHIVE`` (a ready :class:`archive.service.Archive`) and any Flask key.
    """
    from archive.service import Archive

    warm_by_default = test_config is None  # gunicorn's create_app(); tests pass a config
    test_config = dict(test_config or {})
    instance = config.resolve_instance(test_config.pop("INSTANCE", None))
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance),
        static_folder=str(STATIC_DIR),
        static_url_path="/static",
    )
    settings = test_config.pop("SETTINGS", None) or config.load_settings(instance)
    archive = test_config.pop("ARCHIVE", None) or Archive(instance, settings)
    settings = archive.settings
    app.config.update(
        SECRET_KEY=config.secret_key(instance),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + MULTIPART_SLACK,
        SESSION_COOKIE_NAME="archive_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.secure_cookies),
        PREFERRED_URL_SCHEME="https" if settings.secure_cookies else "http",
        JSON_SORT_KEYS=False,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        START_JOB_WORKER=True,
        TRUSTED_HOSTS=config.accepted_hosts(settings),
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider's, not on the declared type
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # (as above)
    app.config.update(test_config)
    app.extensions["archive"] = archive
    behind_proxy = app.config.get("BEHIND_PROXY", os.environ.get("ARCHIVE_BEHIND_PROXY") == "1")
    hops = int(settings.trusted_proxies) or (1 if behind_proxy else 0)
    if hops > 0:
        # Trust X-Forwarded-For from ``hops`` proxies (each appends the address it saw; the
        # client's is the one the outermost saw) and the nearest one's -Proto/-Host/-Port:
        # client addresses for the sign-in rate limit, https URLs when TLS ends at the proxy.
        # Without it every client would share the proxy's address (one sign-in allowance).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=1, x_host=1, x_port=1)  # type: ignore[method-assign]  # Flask's documented way to wrap it

    from archive.web import (
        aliases,
        api,
        auth,
        cite,
        concordance,
        documents,
        entities,
        errors,
        feeds,
        http,
        pageview,
        passages,
        render,
        search,
        security,
        upload,
        urls,
    )
    from archive.web.jobs import JobQueue
    from archive.web.state import SharedState

    app.extensions["web_state"] = SharedState(archive.instance)
    app.extensions["jobs"] = JobQueue(archive, app.extensions["web_state"],
                                      start=app.config["START_JOB_WORKER"])
    security.init_app(app)
    render.init_app(app)
    urls.init_app(app)
    errors.init_app(app)
    http.init_app(app)
    entities.init_app(app)
    for bp in (
        cite.bp,
        aliases.bp,
        concordance.bp,
        entities.bp,
        pageview.bp,
        search.bp,
        documents.bp,
        passages.bp,
        upload.bp,
        auth.bp,
        feeds.bp,
        api.bp,
    ):
        app.register_blueprint(bp)
    if app.config.get("WARM_UP", warm_by_default):
        threading.Thread(target=_warm_up, args=(archive,), name="warm-up", daemon=True).start()
    return app


def _warm_up(archive: Any) -> None:
    """Load the word segmenter's dictionary and the index's per-segment tables once, in the
    background, so that the first readers after a start do not wait for them."""
    try:
        archive.search("臺灣")
    except Exception:  # noqa: BLE001 - a cold start is only slower, never broken
        logging.getLogger(__name__).warning("warm-up search failed", exc_info=True)

