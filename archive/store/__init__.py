"""The archive's source of truth: stored originals and the SQLite catalogue.

This package is what writes the catalogue and the originals under the instance folder (the
index, :mod:`archive.index`, and the small JSON settings files of aliases and entity merges
write their own, through :func:`archive.store.files.atomic_write`).  Originals are written to a temporary file, fsynced and renamed into
``originals/<aa>/<sha256>.pdf`` *before* the catalogue transaction that names
them commits, so a crash leaves at most an orphan file (which ``archive
check`` reports) and never a catalogue row without its file.  A version, its
passages and its passage aliases are one transaction.

Modules: :mod:`.catalogue` (:class:`Store`: every statement against the catalogue),
:mod:`.schema` (the tables and migrations), :mod:`.files` (atomic writes, the clock),
:mod:`.passwords` (account hashes).
"""

from __future__ import annotations

from .catalogue import Alias, CatalogueLost, Store, StoreError
from .files import atomic_write, file_stamp, fsync_dir, now_iso, sha256_hex
from .passwords import PASSWORD_METHOD, check_password, dummy_hash, hash_password
from .schema import SCHEMA_VERSION

__all__ = [
    "PASSWORD_METHOD", "SCHEMA_VERSION", "Alias", "CatalogueLost", "Store", "StoreError",
    "atomic_write", "check_password", "file_stamp", "dummy_hash", "fsync_dir", "hash_password", "now_iso",
    "sha256_hex",
]
