"""The catalogue's SQL schema and its migrations (applied by :class:`archive.store.Store`).

Why apart: the tables are the archive's durable contract (a backup made today must open in
a later release), so their definitions and every step from one schema version to the next
sit in one short file that a schema change edits and a reviewer reads whole.
"""

from __future__ import annotations

import sqlite3

#: 1: one version per original (versions.sha256 UNIQUE).  2: a version may re-read an original an
#: earlier version holds (``archive reocr``); an index on sha256 keeps the duplicate check quick.
SCHEMA_VERSION = 2

#: The versions table (its name a parameter: schema 1 to 2 copies it into a new one).
_VERSIONS = """CREATE TABLE IF NOT EXISTS {name} (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    filename TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (doc_id, version)
)"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    current_version INTEGER NOT NULL,
    identity TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_identity ON documents(identity);
{versions};
CREATE INDEX IF NOT EXISTS versions_sha ON versions(sha256);
CREATE TABLE IF NOT EXISTS passages (
    passage_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (passage_id, version)
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, version);
CREATE TABLE IF NOT EXISTS aliases (
    passage_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    from_version INTEGER NOT NULL,
    to_version INTEGER NOT NULL,
    target_id TEXT,
    confidence REAL,
    status TEXT NOT NULL CHECK (status IN ('revised', 'gone'))
);
CREATE TABLE IF NOT EXISTS edits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT,
    old_value TEXT,
    user TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS edits_doc ON edits(doc_id, id);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
""".replace("{versions}", _VERSIONS.format(name="versions"))


def migrate_to_2(conn: sqlite3.Connection) -> None:
    """Schema 1 to 2, in the caller's transaction: the versions table without UNIQUE on sha256
    (SQLite cannot drop a constraint, so the table is copied)."""
    conn.execute(_VERSIONS.format(name="versions_2"))
    conn.execute("INSERT INTO versions_2 SELECT doc_id, version, sha256, size, filename, ingested_at, "
                 "document FROM versions")
    conn.execute("DROP TABLE versions")
    conn.execute("ALTER TABLE versions_2 RENAME TO versions")
    conn.execute("CREATE INDEX IF NOT EXISTS versions_sha ON versions(sha256)")
    conn.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
