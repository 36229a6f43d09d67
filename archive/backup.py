"""Reading an export back in: staged, verified, then swapped into an empty instance.

An export is a tarball someone hands us; nothing in it is trusted.  Members
are vetted by their headers before a byte is read (only ``catalogue.sqlite3``
and ``originals/<aa>/<digest>.pdf``, regular files, bounded sizes, room on the
disk), each original is hashed as it is copied, and the staged catalogue is
checked by :mod:`archive.integrity` exactly as ``archive check`` checks a live
one.  Only then do files move into the instance, originals first and the
catalogue last, so an interrupted import leaves originals a repair can
re-ingest, never a catalogue naming files that are not there.

Also the two verbs ``Archive.export`` and ``Archive.import_archive``
(:func:`export`, :func:`import_archive`): the export writes a consistent
SQLite backup and every original into a private tarball; the import may close
and reopen the archive's catalogue (through ``Archive.swap_store``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ServiceError
from archive.integrity import catalogue_problems, is_digest, read_only, version_problems
from archive.store import SCHEMA_VERSION, Store

if TYPE_CHECKING:
    from archive.service import Archive

CATALOGUE = "catalogue.sqlite3"
#: The largest catalogue an import accepts (a 10,000-document archive's is about 0.5 GiB).
MAX_CATALOGUE_BYTES = 8 << 30
#: The most members an export may hold (a catalogue and one file per version).
MAX_MEMBERS = 1_000_000
_ORIGINAL = re.compile(r"originals/([0-9a-f]{2})/([0-9a-f]{64})\.pdf")
_DIRS = re.compile(r"originals(/[0-9a-f]{2})?/?")


class ImportRefused(ServiceError):
    """The export cannot be imported; the message names the file and why."""

    code = "import-refused"


@dataclass
class Staged:
    root: Path
    catalogue: Path
    originals: dict[str, Path] = field(default_factory=dict)


@dataclass
class Report:
    named: list[str]
    users: int
    skipped: int


def _refuse(src: Path, why: str) -> ImportRefused:
    return ImportRefused(f"{src.name}: {why}; nothing was imported")


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> str:
    """Copy one member, reading no more than its header declares; returns its SHA-256."""
    h = hashlib.sha256()
    left = member.size
    fh = tar.extractfile(member)
    assert fh is not None  # a regular file, checked by the caller
    with fh, open(dest, "xb") as out:
        while left > 0:
            chunk = fh.read(min(left, 1 << 20))
            if not chunk:
                raise OSError(f"{member.name}: truncated")
            out.write(chunk)
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


def stage(src: Path, instance: Path, *, max_original: int) -> Staged:
    """Copy the export's members into a private folder inside ``instance`` (the same
    filesystem, so the swap is renames), checking each header before reading it."""
    root = Path(tempfile.mkdtemp(prefix=".import-", dir=instance))
    os.chmod(root, 0o700)
    staged = Staged(root=root, catalogue=root / CATALOGUE)
    (root / "originals").mkdir()
    try:
        try:
            tar = tarfile.open(src, "r:*")  # noqa: SIM115 - closed by the `with tar` below
        except (tarfile.TarError, OSError) as exc:
            raise _refuse(src, f"not an archive export ({exc})") from exc
        with tar:
            seen: set[str] = set()
            declared = 0
            free = shutil.disk_usage(instance).free
            for count, member in enumerate(tar, 1):
                name = member.name.removeprefix("./")
                if count > MAX_MEMBERS:
                    raise _refuse(src, f"more than {MAX_MEMBERS} members")
                if member.isdir() and _DIRS.fullmatch(name):
                    continue
                if name in seen:
                    raise _refuse(src, f"{name!r} appears twice")
                seen.add(name)
                if not member.isreg():
                    raise _refuse(src, f"{name!r} is not a regular file")
                match = _ORIGINAL.fullmatch(name)
                if name == CATALOGUE:
                    limit, dest = MAX_CATALOGUE_BYTES, staged.catalogue
                elif match and match.group(1) == match.group(2)[:2]:
                    limit, dest = max_original, root / "originals" / f"{match.group(2)}.pdf"
                else:
                    raise _refuse(src, f"unexpected member {name[:120]!r}; not an archive export")
                if member.size > limit:
                    raise _refuse(src, f"{name} is {member.size} bytes, over the {limit}-byte limit")
                declared += member.size
                if declared > free:
                    raise _refuse(src, f"needs {declared} bytes, {free} free on the instance's disk")
                digest = _copy_member(tar, member, dest)
                if match:
                    if digest != match.group(2):
                        raise _refuse(src, f"{name} does not match its checksum")
                    staged.originals[digest] = dest
    except ImportRefused:
        shutil.rmtree(root, ignore_errors=True)
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise _refuse(src, f"unreadable export ({type(exc).__name__}: {exc})") from exc
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    if not staged.catalogue.exists():
        shutil.rmtree(root, ignore_errors=True)
        raise _refuse(src, f"no {CATALOGUE} inside; not an archive export")
    return staged


def verify(src: Path, staged: Staged, *, with_users: bool, schema_version: int) -> Report:
    """The staged catalogue checked as ``archive check`` checks a live one; accounts
    are dropped unless asked for.  Raises :class:`ImportRefused` on the first problem."""
    problems = catalogue_problems(staged.catalogue, schema_version=schema_version)
    if problems:
        p = problems[0]
        raise _refuse(src, f"its catalogue is unusable ({p['kind']}: {p.get('detail', '')})")
    with read_only(staged.catalogue) as conn:
        found, named = version_problems(
            conn, lambda digest: staged.root / "originals" / f"{digest}.pdf", hash_file=None
        )
    if found:
        p = found[0]
        what = " ".join(f"{k}={str(v)[:80]}" for k, v in p.items() if k != "kind")
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise _refuse(src, f"{p['kind']} {what}{more}")
    with closing(sqlite3.connect(staged.catalogue)) as conn:
        if with_users:
            bad = [r[0] for r in conn.execute("SELECT name FROM users")
                   if not _plausible_account(conn, r[0])]
            if bad:
                raise _refuse(src, f"account {bad[0][:40]!r} has no valid password hash")
            users = int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])
        else:
            conn.execute("DELETE FROM users")
            conn.commit()
            users = 0
    os.chmod(staged.catalogue, 0o600)
    return Report(named=sorted(named), users=users, skipped=len(staged.originals.keys() - named))


def _plausible_account(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT password_hash FROM users WHERE name=?", (name,)).fetchone()
    parts = str(row[0]).split("$") if row else []
    if len(parts) == 3:  # werkzeug.security's scrypt:N:r:p$salt$hex
        method = parts[0].split(":")
        return method[0] == "scrypt" and all(p.isalnum() for p in [*method[1:], *parts[1:]])
    # the archive's older scrypt$N$r$p$salt$digest
    return len(parts) == 6 and parts[0] == "scrypt" and all(p.isalnum() for p in parts[1:])


def swap_in(staged: Staged, instance: Path, db_path: Path, named: list[str]) -> None:
    """Move the named originals, then the catalogue, into the (empty) instance; undo
    the originals' moves if anything fails before the catalogue is in place."""
    moved: list[Path] = []
    originals = instance / "originals"
    try:
        for digest in named:
            assert is_digest(digest)
            dest = originals / digest[:2] / f"{digest}.pdf"
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(staged.originals[digest], 0o444)
            os.replace(staged.originals[digest], dest)
            moved.append(dest)
        for suffix in ("-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(staged.catalogue, db_path)
    except BaseException:
        for dest in moved:
            with suppress(OSError):
                dest.unlink()
        raise


def export(archive: Archive, dest: Path) -> dict:
    """Write a tar archive of the catalogue (a consistent SQLite backup) and every original.

    The archive is checked first, every original hashed: a backup of a damaged
    archive would fail on import, so none is written.  The file is private (0600):
    it holds the archivists' password hashes.
    """
    with archive.write_lock(), tempfile.TemporaryDirectory() as tmp:
        problems = catalogue_problems(archive.store.db_path, schema_version=SCHEMA_VERSION)
        if not problems:
            with archive.store.reading() as conn:
                problems, _named = version_problems(
                    conn, archive.store.original_path, hash_file=archive.store.file_sha256
                )
        if problems:
            kinds = ", ".join(sorted({p["kind"] for p in problems}))
            raise ServiceError(
                f"{archive.instance}: not exported: the archive is damaged "
                f"({len(problems)} problems: {kinds}); run archive check"
            )
        snapshot = Path(tmp) / "catalogue.sqlite3"
        src = archive.store.connect()
        try:
            out = sqlite3.connect(snapshot)
            src.backup(out)
            out.close()
        finally:
            src.close()
        part = dest.with_name(f".{dest.name}.part")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                tar.add(snapshot, arcname="catalogue.sqlite3")
                for path in archive.store.original_files():
                    tar.add(path, arcname=f"originals/{path.parent.name}/{path.name}")
            os.chmod(part, 0o600)
            os.replace(part, dest)
        except BaseException:
            with suppress(FileNotFoundError):
                part.unlink()
            raise
    return {"file": str(dest), "documents": archive.store.count(), "bytes": dest.stat().st_size}


def import_archive(archive: Archive, src: Path, *, with_users: bool = False) -> dict:
    """Restore an export into this (empty) instance, then rebuild the index.

    Nothing lands until everything is verified: every member's name and size
    (checked from its header, before it is read), every original's hash, the
    catalogue's integrity, every version row's digest, original and document.
    Archivist accounts come along only with ``with_users``.  A failed import
    leaves the instance as it was.
    """
    if archive.store.count() or archive.store.original_files():
        raise ServiceError(f"{archive.instance}: not empty; import into a new instance folder")
    with archive.write_lock():
        staged = stage(src, archive.instance, max_original=archive.settings.max_upload_bytes)
        try:  # an ImportRefused (a ServiceError) names the file and why
            report = verify(src, staged, with_users=with_users, schema_version=SCHEMA_VERSION)
            db_path = archive.store.db_path
            archive.swap_store(None)
            swap_in(staged, archive.instance, db_path, report.named)
        finally:
            shutil.rmtree(staged.root, ignore_errors=True)
            if not archive.catalogue_open:
                archive.swap_store(Store(archive.instance))
    result = archive.reindex()
    return {"documents": result["documents"], "users": report.users,
            "skipped_originals": report.skipped}
