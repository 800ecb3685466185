"""The local index's schema, one migration a version (store/sqlite.py runs them in order).

A migration never changes once released: a new column or table is a new migration.
"""

from __future__ import annotations

import sqlite3


def v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            content_id TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX files_by_content ON files (content_id)")
    conn.execute(
        """CREATE TABLE photos (
            content_id TEXT PRIMARY KEY,
            width INTEGER,
            height INTEGER,
            thumbnail TEXT,
            processed_by TEXT,
            added REAL NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE faces (
            content_id TEXT NOT NULL,
            face_index INTEGER NOT NULL,
            embedding BLOB NOT NULL,
            PRIMARY KEY (content_id, face_index)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """CREATE TABLE skipped (
            path TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            time REAL NOT NULL
        )"""
    )


def v2(conn: sqlite3.Connection) -> None:
    """What each photo carries beyond its pixels (capture time, GPS and the place it names,
    camera) and its signature for finding near-duplicates. `duplicate_of` is the photo to keep
    of its near-duplicate group (itself for that one), `context` the photo's context tags (its
    place, date, event) as JSON text: read with the document's tags (library.py), never synced,
    as every computer works them out from its own files."""
    conn.execute(
        """CREATE TABLE captures (
            content_id TEXT PRIMARY KEY,
            taken TEXT,
            taken_guessed INTEGER NOT NULL DEFAULT 0,
            lat REAL,
            lon REAL,
            camera TEXT,
            place TEXT,
            signature BLOB,
            duplicate_of TEXT,
            context TEXT
        ) WITHOUT ROWID"""
    )


def v3(conn: sqlite3.Connection) -> None:
    """The objects the object detector found in each photo (class name, score, box in pixels of
    the full-size photo), in the order found, best first. Local like the face embeddings: a
    rescan rebuilds them, and photos analysed before have none until the scan redoes them
    (their models' signature names no object detector)."""
    conn.execute(
        """CREATE TABLE objects (
            content_id TEXT NOT NULL,
            object_index INTEGER NOT NULL,
            label TEXT NOT NULL,
            score REAL NOT NULL,
            x0 REAL NOT NULL,
            y0 REAL NOT NULL,
            x1 REAL NOT NULL,
            y1 REAL NOT NULL,
            PRIMARY KEY (content_id, object_index)
        ) WITHOUT ROWID"""
    )


def v4(conn: sqlite3.Connection) -> None:
    """Photos by when they were taken: the order of the window's grid and of its timeline
    (store/catalog.py reads the first screen off this index, without sorting every photo)."""
    conn.execute("CREATE INDEX captures_by_taken ON captures (taken)")


def v5(conn: sqlite3.Connection) -> None:
    """Which models' object detector looked at each photo: the models' signature (`processed_by`)
    of the scan that ran it, or of the closer look that ran it later (app/closer_look.py); NULL
    while the photo waits for that closer look (and for photos analysed before)."""
    conn.execute("ALTER TABLE photos ADD COLUMN objects_by TEXT")
    conn.execute(
        "CREATE INDEX photos_awaiting_objects ON photos (content_id) "
        "WHERE objects_by IS NOT processed_by"
    )


MIGRATIONS = (v1, v2, v3, v4, v5)
