"""What an archivist's name and password may be (NIST SP 800-63B, section 3.1.1.2).

Passwords: at least 12 characters and at most 1,024 (a passphrase is welcome; no
composition rules), compared after Unicode NFKC normalisation (the same password
typed on another keyboard signs in), and refused when they are easy to guess:
common or leaked passwords, keyboard walks, repeats, sequences, dates, or words
from the context (the name, the product), as zxcvbn estimates them (Dropbox's
estimator, with its lists of 30,000 common passwords among others).

Names: what is shown in the page header and logs, so nothing that displays as
something else: no spaces, no control characters, no invisible format
characters (zero-width spaces, joiners, bidi overrides), no unassigned code
points; normalised to NFC.
"""

from __future__ import annotations

import unicodedata

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_NAME = 64
#: zxcvbn's scale is 0-4; 3 is "safely unguessable: moderate protection from offline
#: slow-hash scenario" (10^8 guesses or more), which a memory-hard hash makes ample.
MIN_SCORE = 3
#: Only the start of a long passphrase is estimated (zxcvbn is slow on very long input, and
#: a long one is strong by length).
ESTIMATE_CHARS = 100
#: Words from the context a password must not lean on.
CONTEXT = ["archive", "archivist", "prospect", "foundation", "admin", "password"]


class AccountError(ValueError):
    """A refused name or password, in one line naming the field."""


def normal_password(password: str) -> str:
    """The form a password is hashed and checked in."""
    return unicodedata.normalize("NFKC", password)


def check_name(name: str) -> str:
    """The name as stored (NFC), or AccountError."""
    name = unicodedata.normalize("NFC", name)
    if not 1 <= len(name) <= MAX_NAME:
        raise AccountError(f"user name: 1 to {MAX_NAME} characters")
    for ch in name:
        kind = unicodedata.category(ch)
        if ch.isspace():
            raise AccountError("user name: no spaces")
        if kind in ("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"):
            raise AccountError(
                f"user name: no control or invisible characters (U+{ord(ch):04X} "
                f"{unicodedata.name(ch, 'unnamed')})"
            )
    return name


def check_password(password: str, name: str) -> str:
    """The password as hashed (NFKC), or AccountError saying why it is refused."""
    password = normal_password(password)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters (a passphrase of a few "
                           "words is easiest to remember)")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"password: at most {MAX_PASSWORD} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        raise AccountError("password: no control characters")
    from zxcvbn import zxcvbn

    estimate = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=[name, *CONTEXT])
    if estimate["score"] < MIN_SCORE:
        why = (estimate.get("feedback") or {}).get("warning") or "it is easy to guess"
        raise AccountError(f"password: refused, {why[0].lower()}{why[1:].rstrip('.')}; "
                           "choose a longer passphrase of unrelated words")
    return password
