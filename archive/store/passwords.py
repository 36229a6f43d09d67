"""Password hashes of the archivists' accounts (the users table stores them).

Why werkzeug: its scrypt format carries the method and cost with the hash, so the cost can
rise without breaking stored accounts; the archive's older format is still read.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

#: werkzeug.security's scrypt, at the cost the archive has always used (N=2^14, r=8, p=1).
PASSWORD_METHOD = "scrypt:16384:8:1"


def hash_password(password: str) -> str:
    """scrypt with a random salt, in werkzeug.security's format (``scrypt:N:r:p$salt$hex``)."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


@functools.cache
def dummy_hash() -> str:
    """A hash of a random password, made once: checking against it costs what a real check does."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``: werkzeug's format, or the archive's older
    ``scrypt$N$r$p$salthex$digesthex`` (hashes written before werkzeug; still read, never written)."""
    if not stored.startswith("scrypt$"):
        try:
            return check_password_hash(stored, password)
        except ValueError:  # an unknown method in a damaged row
            return False
    try:
        _algo, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)
