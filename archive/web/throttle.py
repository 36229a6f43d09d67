"""Who may try a password now: sign-in throttling that a guesser elsewhere cannot turn
into a lock-out.

Only failed sign-ins count, and they count under several keys at once
(OWASP's "Blocking Brute Force Attacks"):

* **name and address** -- ``login_attempts_per_minute`` failures, then a wait
  that doubles with every further failure (1 min, 2, 4 … up to an hour);
  a success from that address clears it.  A guesser at another address
  never touches this key, so the archivist at hers is not locked out.
* **address** -- four times that across every name, for one address spraying
  many names.
* **name** -- ten times that in ten minutes from all addresses together, for a
  guesser with many addresses.  A browser that has signed in as that name
  before carries a *device cookie* (signed, HttpOnly, 180 days) and is exempt,
  so even a distributed guesser cannot keep the archivist out of her own
  browser; only new devices wait.
* **everyone** -- a ceiling on failures per minute for the whole server (each
  costs a memory-hard hash), with the same device exemption.

The failures live in the shared web state (every gunicorn worker sees the
same counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Flask, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from archive.web.state import SharedState

DEVICE_COOKIE = "archive_device"
DEVICE_DAYS = 180
#: The longest wait the backoff reaches.
MAX_WAIT_S = 3600.0
#: The pair's failures are remembered this long (a success clears them at once).
PAIR_MEMORY_S = 24 * 3600.0


@dataclass(frozen=True)
class Policy:
    per_minute: int  # failures a (name, address) pair may make before the backoff starts

    @property
    def per_address(self) -> int:
        return 4 * self.per_minute

    @property
    def per_name(self) -> int:
        return 10 * self.per_minute

    @property
    def everyone(self) -> int:
        return 100 * self.per_minute


def _pair(name: str, address: str) -> str:
    return f"pair:{name.casefold()}|{address}"


class SignInThrottle:
    """The sign-in page's gatekeeper (one per app; state shared across processes)."""

    def __init__(self, state: SharedState, per_minute: int, secret: str | bytes) -> None:
        self.state = state
        self.policy = Policy(max(1, per_minute))
        self.devices = URLSafeTimedSerializer(secret, salt="archive-device")

    # -- devices -----------------------------------------------------------
    def known_device(self, request: Request, name: str) -> bool:
        """Whether this browser has signed in as ``name`` before (its device cookie)."""
        token = request.cookies.get(DEVICE_COOKIE)
        if not token:
            return False
        try:
            names = self.devices.loads(token, max_age=DEVICE_DAYS * 86400)
        except BadSignature:
            return False
        return isinstance(names, list) and name.casefold() in names

    def remember_device(self, request: Request, response: Response, name: str, secure: bool) -> None:
        try:
            names = self.devices.loads(request.cookies.get(DEVICE_COOKIE) or "",
                                       max_age=DEVICE_DAYS * 86400)
        except BadSignature:
            names = []
        names = [n for n in names if isinstance(n, str) and n != name.casefold()][-7:]
        response.set_cookie(DEVICE_COOKIE, self.devices.dumps([*names, name.casefold()]),
                            max_age=DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                            secure=secure, path="/login")

    # -- the gate ----------------------------------------------------------
    def wait(self, name: str, address: str, *, device: bool) -> float:
        """Seconds until this name may be tried from this address (0: now)."""
        p, s = self.policy, self.state
        waits = [self._backoff(_pair(name, address))]
        waits.append(s.wait_for(f"addr:{address}", p.per_address, 600.0))
        if not device:
            waits.append(s.wait_for(f"name:{name.casefold()}", p.per_name, 600.0))
            waits.append(s.wait_for("everyone", p.everyone, 60.0))
        return max(waits)

    def _backoff(self, key: str) -> float:
        count, last = self.state.failures(key, PAIR_MEMORY_S)
        over = count - self.policy.per_minute
        if over < 0 or last is None:
            return 0.0
        wait = min(MAX_WAIT_S, 60.0 * math.pow(2, over))
        return max(0.0, wait - (self.state.now() - last))

    def failed(self, name: str, address: str, *, device: bool) -> None:
        keys = [_pair(name, address), f"addr:{address}"]
        if not device:
            keys += [f"name:{name.casefold()}", "everyone"]
        self.state.record_failure(keys)

    def succeeded(self, name: str, address: str) -> None:
        self.state.clear_failures(_pair(name, address))


def init_app(app: Flask, state: SharedState, per_minute: int) -> SignInThrottle:
    throttle = SignInThrottle(state, per_minute, app.secret_key or "")
    app.extensions["signin_throttle"] = throttle
    return throttle
