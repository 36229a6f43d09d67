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

Also the archive's account verbs (:func:`add_user`, :func:`verify_user`,
:func:`list_users`, :func:`remove_user`), which ``Archive`` exposes and which
touch only the catalogue's ``users`` table through the store.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from archive.errors import ArchiveError, ServiceError

if TYPE_CHECKING:
    from archive.service import Archive

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


class AccountError(ArchiveError, ValueError):
    """A refused name or password, in one line naming the field."""

    code = "account"
    web_default = "帳號名稱或密碼不符合規定。"


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


def add_user(archive: Archive, name: str, password: str, *, reset: bool = False) -> None:
    """Add an archivist, or with ``reset`` set a new password for an existing one (every
    session of theirs ends).  Names and passwords are vetted by :mod:`archive.accounts`."""
    try:
        name = check_name(name)
        password = check_password(password, name)
    except AccountError as exc:
        raise ServiceError(str(exc), code=exc.code) from exc
    exists = name in archive.store.users()
    if exists and not reset:
        raise ServiceError(f"user {name} exists; to set a new password use user add --reset")
    if reset and not exists:
        raise ServiceError(f"no user {name} to reset (see archive user list)")
    archive.store.set_user(name, password)


def verify_user(archive: Archive, name: str, password: str) -> bool:
    return archive.store.verify_user(name, password)


def user_stamp(archive: Archive, name: str) -> str | None:
    return archive.store.user_stamp(name)



def list_users(archive: Archive) -> list[str]:
    return archive.store.users()


def remove_user(archive: Archive, name: str) -> bool:
    """Remove an archivist (their sessions end); False when there was none by that name."""
    return archive.store.delete_user(name)
