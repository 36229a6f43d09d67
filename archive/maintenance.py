"""Maintenance: rebuilding the index, deleting, and checking and repairing the archive.

Owns ``archive reindex``, ``archive check [--repair]`` (catalogue, originals,
stored documents and index compared; a repair never discards an original), the
catalogue rebuild from originals, and document deletion (originals move to
``deleted/``).  It may close and reopen the archive's catalogue and drop its
open index (through :meth:`Archive.swap_store` and :meth:`Archive.drop_index`).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from archive import passages
from archive.store import SCHEMA_VERSION, Store
from ingest import IngestError

if TYPE_CHECKING:
    from archive.service import Archive


def reindex(archive: Archive, engine: str | None = None) -> dict:
    """Rebuild the index from the archive into a new directory and swap it in, with the
    engine ``index_engine`` names, or with ``engine``: then the new engine's index is built
    and swapped in first, and ``config.toml`` records the switch after (a failed build
    leaves the old index and the old setting; web workers opened on the old engine answer
    "run archive reindex" until they are restarted)."""
    from archive.config import set_index_engine
    from archive.index import engine_class

    target = engine or archive.settings.index_engine
    started = time.monotonic()
    with archive.write_lock():
        count = engine_class(target).rebuild_at(archive.instance / "index",
                                                archive.store.iter_current())
        if target != archive.settings.index_engine:
            set_index_engine(archive.instance, target)
            archive.settings.index_engine = target
        archive.drop_index()
    return {"documents": count, "seconds": round(time.monotonic() - started, 2),
            "engine": target}


def upgrade_index(archive: Archive) -> dict | None:
    """Rebuild the index from the archive when it was written by another schema version
    (after an upgrade); None when it is current.  The index is derived data."""
    from archive.index import IndexMissingError, IndexVersionError

    try:
        archive.index.doc_count()
        return None
    except (IndexVersionError, IndexMissingError) as exc:
        return {"reason": str(exc).split(": run ")[0], **archive.reindex()}

def delete_document(archive: Archive, doc_id: str) -> bool:
    """Remove a document from the catalogue and index; its originals move to ``deleted/``."""
    with archive.write_lock():
        if not archive.store.has_document(doc_id):
            return False
        shas = archive.store.delete_document(doc_id)
        for sha in shas:
            src = archive.store.original_path(sha)
            if src.exists():
                dest = archive.instance / "deleted" / src.name
                dest.parent.mkdir(exist_ok=True)
                os.replace(src, dest)
        with contextlib.suppress(Exception):  # `archive check` repairs a stale entry
            archive.index.remove_document(doc_id)
    return True

def check(archive: Archive, repair: bool = False, *, quick: bool = False) -> dict:
    """Does the archive agree with itself and with the index?  Optionally repair from the archive.

    Checked: the catalogue file (SQLite's integrity check over every page), every
    stored document (parsed as the pages parse it), every original (present, and
    hashed unless ``quick``), stray and temporary files, and every index segment
    read through.  A repair never discards an original: an empty or damaged
    catalogue is set aside and rebuilt by re-ingesting the originals.
    """
    from archive.integrity import catalogue_problems

    if archive.read_only and repair:
        with archive.write_lock():  # says that the instance is read-only
            pass
    with _check_lock(archive):
        originals = Store.stored_originals(archive.instance / "originals")
        broken = catalogue_problems(archive.instance / "catalogue.sqlite3",
                                    schema_version=SCHEMA_VERSION)
        if not archive.catalogue_open and not broken:
            broken = [{"kind": "catalogue-unopenable", "detail": archive.store_error or ""}]
        if not broken and originals and not archive.store.all_versions():
            # A fresh catalogue beside originals: they are not orphans, it is lost.
            broken = [{"kind": "catalogue-empty",
                       "detail": f"no documents, {len(originals)} originals"}]
        if broken and not (broken[0]["kind"] == "catalogue-missing" and not originals):
            if not repair:
                return _report(broken, [], documents=0, versions=0)
        else:
            broken = []
    if broken:
        return _rebuild_catalogue(archive, broken, originals)
    with _check_lock(archive):
        return _check_rows(archive, repair=repair, quick=quick)

def _check_lock(archive: Archive) -> contextlib.AbstractContextManager[None]:
    """The writer's lock, or nothing on a read-only instance (no one can write it)."""
    return contextlib.nullcontext() if archive.read_only else archive.write_lock()

def _report(problems: list[dict], repaired: list[str], *, documents: int, versions: int,
            repairable: bool = False) -> dict:
    unrepairable = {"missing-original", "checksum-mismatch", "size-mismatch",
                    "invalid-sha256", "document-unreadable", "document-mismatch",
                    "no-current-version", "stray-file"}
    remaining = (
        [p for p in problems if p["kind"] in unrepairable and not p.get("repaired")]
        if repairable else problems
    )
    return {
        "documents": documents,
        "versions": versions,
        "problems": problems,
        "repaired": repaired,
        "clean": not remaining,
    }

def _check_rows(archive: Archive, *, repair: bool, quick: bool) -> dict:
    from archive.index import IndexMissingError, IndexVersionError, engine_class
    from archive.integrity import version_problems

    problems: list[dict] = []
    repaired: list[str] = []
    store = archive.store
    with store.reading() as conn:
        found, named = version_problems(
            conn, store.original_path, hash_file=None if quick else store.file_sha256
        )
    problems += found
    if repair:
        repaired += _reextract(archive, [p for p in found if p["kind"].startswith("document-")])
    for tmp in store.originals.glob("*/.tmp-*"):
        problems.append({"kind": "temporary-file", "path": f"originals/{tmp.parent.name}/{tmp.name}"})
        if repair:
            tmp.unlink(missing_ok=True)
            repaired.append(f"removed {tmp.name}")
    for stray in store.stray_files():
        problems.append({"kind": "stray-file", "path": str(stray.relative_to(archive.instance))})
    for path in store.original_files():
        if path.stem not in named:
            problems.append({"kind": "orphan-original", "sha256": path.stem})
            if repair:
                dest = archive.instance / "lost+found" / path.name
                dest.parent.mkdir(exist_ok=True)
                os.replace(path, dest)
                repaired.append(f"moved orphan {path.stem[:12]} to lost+found/")
    current = store.current_ids()
    rebuild = False
    try:
        archive.drop_index()
        damage = archive.index.verify()
        if damage:
            problems.append({"kind": "index-damaged", "detail": damage[0]})
            indexed, rebuild = {}, True
        else:
            indexed = archive.index.doc_versions()
    except IndexVersionError as exc:
        problems.append({"kind": "index-schema", "detail": str(exc)})
        indexed, rebuild = {}, True
    except IndexMissingError as exc:
        problems.append({"kind": "index-missing", "detail": str(exc)})
        indexed, rebuild = {}, True
    except Exception as exc:  # noqa: BLE001 - any failure to read the index is damage
        problems.append({"kind": "index-unreadable", "detail": f"{type(exc).__name__}: {exc}"})
        indexed, rebuild = {}, True
    if not rebuild:
        for doc_id, version in current.items():
            if doc_id not in indexed:
                problems.append({"kind": "not-indexed", "doc_id": doc_id})
            elif indexed[doc_id] != version:
                problems.append({"kind": "stale-index", "doc_id": doc_id})
        for doc_id in indexed.keys() - current.keys():
            problems.append({"kind": "index-orphan", "doc_id": doc_id})
    if repair:
        if rebuild:
            engine_class(archive.settings.index_engine).rebuild_at(
                archive.instance / "index", store.iter_current())
            archive.drop_index()
            repaired.append("rebuilt the index")
        else:
            for p in problems:
                if p["kind"] in ("not-indexed", "stale-index"):
                    doc = store.get(p["doc_id"])
                    if doc is not None:
                        archive.index.add_document(doc)
                        repaired.append(f"indexed {p['doc_id']}")
                elif p["kind"] == "index-orphan":
                    archive.index.remove_document(p["doc_id"])
                    repaired.append(f"removed {p['doc_id']} from the index")
    return _report(problems, repaired, documents=len(current), versions=len(named),
                        repairable=repair)

def _reextract(archive: Archive, damaged: list[dict]) -> list[str]:
    """Rewrite versions whose stored document is unreadable from their originals (the
    source of truth), keeping the document id, version and ingest time."""
    done = []
    for p in damaged:
        with archive.store.reading() as conn:
            row = conn.execute(
                "SELECT sha256, filename, ingested_at FROM versions WHERE doc_id=? AND version=?",
                (p["doc_id"], p["version"]),
            ).fetchone()
        path = archive.store.original_path(row["sha256"])
        if not path.is_file() or archive.store.file_sha256(path) != row["sha256"]:
            continue
        try:
            doc = archive.extractor().extract(path.read_bytes(), filename=row["filename"])
        except (IngestError, OSError):
            continue  # e.g. an encrypted original (its password is not kept): stays reported
        doc.doc_id, doc.version = p["doc_id"], int(p["version"])
        doc.filename, doc.ingested_at = row["filename"], row["ingested_at"]
        passages.assign_ids(doc)
        archive.store.rewrite_version(doc)
        p["repaired"] = True
        if archive.store.current_version(doc.doc_id) == doc.version:
            with contextlib.suppress(Exception):  # the index check below catches up
                archive.index.add_document(doc)
        done.append(f"re-extracted {doc.doc_id} v{doc.version} from its original")
    return done

def _rebuild_catalogue(archive: Archive, broken: list[dict], originals: list[Path]) -> dict:
    """Set the damaged or empty catalogue aside (kept, never deleted) and rebuild it by
    re-ingesting every original, oldest first, so versions line up again by identity."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    repaired: list[str] = []
    with archive.write_lock():
        archive.swap_store(None)
        db = archive.instance / "catalogue.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{db}{suffix}")
            if part.exists():
                aside = part.with_name(f"{part.name}.damaged-{stamp}")
                os.replace(part, aside)
                if not suffix:
                    repaired.append(f"set the catalogue aside as {aside.name}")
        # The rebuild reads the originals in place; they are never moved or rewritten.
        archive.swap_store(Store(archive.instance, rebuilding=True))
        archive.store_error = None
    ordered = sorted(originals, key=lambda p: (p.stat().st_mtime, p.name))
    failed = []
    stored = 0
    for out in archive.ingest_files(ordered):
        if out.ok:
            stored += 1
        else:
            failed.append({"kind": "original-not-reingested", "sha256": Path(out.filename).stem,
                           "detail": out.reason or out.status})
    repaired.append(f"rebuilt the catalogue from {stored} of {len(ordered)} originals "
                    "(each as version 1 of its own record unless its identity matches an earlier one)")
    archive.reindex()
    repaired.append("rebuilt the index")
    return _report(broken + failed, repaired, documents=archive.store.count(),
                        versions=len(archive.store.all_versions()), repairable=True)

