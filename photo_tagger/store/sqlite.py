"""One SQLite database file of a library: its connection, its schema version, its write batches.

`Database` is what the document log, the local index and the escalation queue are built on. A
subclass names the file in messages (`WHAT`), says how hard a commit must hold (`SYNCHRONOUS`) and
lists its schema's migrations in order (`MIGRATIONS`); `open(path)` connects and upgrades it.

Each database keeps its schema version in a one-row `schema_version` table and upgrades itself by
running, in order, the migrations the code lists after that version, each in its own transaction
with its version bump (a migration that fails leaves the database at the version before it). A
database written by a newer photo-tagger (a version beyond the last migration) is refused with
LibraryVersionError, never reset or moved aside: the user's data stays as it is until a
photo-tagger that understands it opens it.

Writes commit on their own unless inside `batch()`. Batches nest: only the outermost one begins
and commits, and an exception leaving any of them rolls the outermost one back whole.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Literal, Self

from photo_tagger.errors import LibraryError, LibraryVersionError
from photo_tagger.words import reason

Migration = Callable[[sqlite3.Connection], None]
Synchronous = Literal["FULL", "NORMAL"]


class ClosedAtExit:
    """`with thing:` closes the thing however the block ends."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Database(ClosedAtExit):
    """A connection to one SQLite file of a library; one per thread."""

    WHAT: ClassVar[str]  # names the database in messages: "local index"
    SYNCHRONOUS: ClassVar[Synchronous]
    MIGRATIONS: ClassVar[Sequence[Migration]]  # MIGRATIONS[v] takes the schema from v to v + 1

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._depth = 0  # how many batches are open
        self._failed = False  # an exception left an inner batch: the outermost rolls back

    @classmethod
    def connect(cls, path: Path) -> sqlite3.Connection:
        """A connection to the file at `path` (created if missing), its schema up to date."""
        conn = connect(path, cls.SYNCHRONOUS)
        try:
            migrate(conn, cls.MIGRATIONS, cls.WHAT, path)
        except BaseException:
            conn.close()
            raise
        return conn

    @classmethod
    def open(cls, path: Path) -> Self:
        return cls(cls.connect(path), path)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def batch(self, immediate: bool = False) -> Iterator[None]:
        """Every write inside commits together, when the outermost batch ends, or not at all if
        an exception leaves any batch inside it (even one the code around it then catches).
        `immediate` takes the write lock at the start, so that what is read inside is still true
        when written; it counts for the outermost batch only."""
        if self._depth > 0:
            self._depth += 1
            try:
                yield
            except BaseException:
                self._failed = True
                raise
            finally:
                self._depth -= 1
            return
        self._depth, self._failed = 1, False
        try:
            with _transaction(self._conn, immediate):
                yield
                if self._failed:
                    raise LibraryError(
                        f"A write to the {self.WHAT} {self.path} failed; "
                        "nothing of the changes made with it was saved."
                    )
        finally:
            self._depth, self._failed = 0, False


def connect(path: Path, synchronous: Synchronous) -> sqlite3.Connection:
    """An autocommit connection in WAL mode; transactions are opened explicitly (`batch`).

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
            f"Cannot open the library database {path}: {reason(exc)}. "
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
        raise LibraryError(f"Cannot read the {what} {path}: {reason(exc)}.") from exc


@contextmanager
def _transaction(conn: sqlite3.Connection, immediate: bool = False) -> Iterator[None]:
    """BEGIN ... COMMIT, or ROLLBACK if the block raises. Not reentrant: `batch` counts nesting."""
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
        with _transaction(conn, immediate=True):
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
