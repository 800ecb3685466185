"""SQLite plumbing shared by the document log and the local index: connections, schema versions.

Each database keeps its schema version in a one-row `schema_version` table and upgrades itself by
running, in order, the migrations the code lists after that version. A database written by a newer
photo-tagger (a version beyond the last migration) is refused with LibraryVersionError, never reset
or moved aside: the user's data stays as it is until a photo-tagger that understands it opens it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from photo_tagger.errors import LibraryError, LibraryVersionError

Migration = Callable[[sqlite3.Connection], None]


def connect(path: Path, synchronous: str) -> sqlite3.Connection:
    """An autocommit connection in WAL mode; transactions are opened explicitly (see `transaction`).

    `synchronous` is "FULL" where a committed row must survive a power cut (the document log), or
    "NORMAL" where losing the last commits to a power cut is acceptable (a cache that a rescan
    rebuilds); both survive the process being killed.
    """
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        raise LibraryError(
            f"Cannot open the library database {path}: {exc}. "
            "Check that the folder is writable and the disk is not full."
        ) from exc
    return conn


def connect_readonly(path: Path, what: str) -> sqlite3.Connection:
    """A read-only autocommit connection, for reading beside the thread that writes (WAL lets
    both go on); `what` names the database in the error."""
    try:
        return sqlite3.connect(
            f"{Path(path).absolute().as_uri()}?mode=ro", uri=True, isolation_level=None
        )
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot read the {what} {path}: {exc}") from exc


@contextmanager
def transaction(conn: sqlite3.Connection, immediate: bool = False) -> Iterator[None]:
    """BEGIN ... COMMIT, or ROLLBACK if the block raises. Not reentrant: callers track nesting."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def schema_version(conn: sqlite3.Connection) -> int:
    """0 for a new database (no version table yet)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(
    conn: sqlite3.Connection, migrations: Sequence[Migration], what: str, path: Path
) -> None:
    """Bring the database to version len(migrations); each step commits with its version bump.

    Every step re-reads the version under a write lock, so two processes opening the same library
    at once run each migration once.
    """
    known = len(migrations)
    if schema_version(conn) == known:
        return  # the usual case: no write lock needed
    while True:
        with transaction(conn, immediate=True):
            current = schema_version(conn)
            if current > known:
                raise LibraryVersionError(
                    f"The {what} in {path} was written by a newer photo-tagger (schema {current};"
                    f" this version reads up to {known}). Update photo-tagger to open this library."
                )
            if current == known:
                return
            migrations[current](conn)
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (current + 1,))
