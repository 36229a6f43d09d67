"""Sign-in throttling as an attacker meets it: guessing from elsewhere, from many addresses,
and timing names.  A real app on a real instance; addresses are the requests' own."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from archive.config import Settings
from archive.service import Archive
from archive.web import create_app

USER, PASSWORD = "archivist", "a long enough passphrase"


@pytest.fixture()
def app(tmp_path: Path) -> Any:
    instance = tmp_path / "instance"
    archive = Archive(instance, Settings(login_attempts_per_minute=3))
    archive.add_user(USER, PASSWORD)
    app = create_app({"INSTANCE": str(instance), "ARCHIVE": archive, "TESTING": True})
    yield app
    archive.close()


class Clock:
    """The shared state's clock, moved by hand (the throttle's waits are minutes)."""

    def __init__(self, app: Any) -> None:
        self.t = 1_900_000_000.0
        app.extensions["web_state"].now = lambda: self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def _try(client: Any, address: str, password: str, name: str = USER) -> Any:
    client.get("/login", environ_base={"REMOTE_ADDR": address})
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_a_guesser_elsewhere_does_not_lock_the_archivist_out(app: Any) -> None:
    attacker = app.test_client()
    codes = [_try(attacker, "203.0.113.9", f"guess {i}").status_code for i in range(8)]
    assert codes[:3] == [401, 401, 401] and set(codes[3:]) == {429}
    assert _try(attacker, "203.0.113.9", PASSWORD).status_code == 429  # even the right one
    assert _try(app.test_client(), "198.51.100.7", PASSWORD).status_code == 303


def test_the_wait_doubles_with_each_further_failure(app: Any) -> None:
    clock = Clock(app)
    client = app.test_client()
    for _ in range(3):
        assert _try(client, "203.0.113.9", "wrong").status_code == 401
    waits = []
    for _ in range(3):
        locked = _try(client, "203.0.113.9", "wrong")
        assert locked.status_code == 429
        waits.append(int(locked.headers["Retry-After"]))
        clock.advance(waits[-1] + 1)
        assert _try(client, "203.0.113.9", "wrong").status_code == 401  # one more try, then longer
    assert waits == [60, 120, 240]
    clock.advance(3600)
    assert _try(client, "203.0.113.9", PASSWORD).status_code == 303  # she waited it out
    assert _try(client, "203.0.113.9", "typo").status_code == 401  # and the slate is clean


def test_many_addresses_cannot_keep_her_out_of_her_own_browser(app: Any) -> None:
    hers = app.test_client()
    assert _try(hers, "198.51.100.7", PASSWORD).status_code == 303  # her browser, known since
    hers.post("/logout", data={"csrf_token": _token(hers)})
    for i in range(40):  # per name: 10 x 3 failures in ten minutes, from 40 addresses
        _try(app.test_client(), f"203.0.113.{i}", "guess")
    new_device = _try(app.test_client(), "198.51.100.8", PASSWORD)
    assert new_device.status_code == 429  # a browser never seen waits
    assert _try(hers, "198.51.100.7", PASSWORD).status_code == 303  # hers does not


def _token(client: Any) -> str:
    client.get("/login")
    with client.session_transaction() as sess:
        return str(sess["csrf_token"])


def test_a_forged_device_cookie_buys_nothing(app: Any) -> None:
    for i in range(40):
        _try(app.test_client(), f"203.0.113.{i}", "guess")
    forger = app.test_client()
    forger.set_cookie("archive_device", "WyJhcmNoaXZpc3QiXQ.forged.sig", path="/login")
    assert _try(forger, "198.51.100.9", PASSWORD).status_code == 429


def test_known_and_unknown_names_cost_one_hash_each(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same work (one scrypt) whether the name exists: timing cannot tell names apart.
    (bench/signin_timing.py measures the times themselves.)"""
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)  # werkzeug and the old format both call it
    archive = app.extensions["archive"]
    per_name = {}
    for name in (USER, "nobody-by-this-name", ""):
        calls.clear()
        assert archive.verify_user(name, "wrong") is False
        per_name[name] = len(calls)
    assert per_name == {USER: 1, "nobody-by-this-name": 1, "": 1}
    client = app.test_client()
    a = _try(client, "198.51.100.1", "wrong", name=USER)
    b = _try(client, "198.51.100.2", "wrong", name="nobody-by-this-name")
    assert a.status_code == b.status_code == 401
    assert a.get_data(as_text=True).replace(USER, "") == b.get_data(as_text=True).replace(
        "nobody-by-this-name", "")
