"""The server's database, whatever the backend: a pool of connections, transactions, and the
schema, versioned (`schema_version`) and upgraded by ordered migrations, never reset.

A backend (storage.py's SQLiteStorage, PostgresStorage) says how to connect, how to start a
transaction that holds one library's write lock, and how to start one that no other process runs at
the same time; a database error becomes `StorageUnavailable`.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, ClassVar

from photo_tagger.errors import ServerError


class StorageUnavailable(ServerError):
    """The database cannot be reached or refused a query; the request may be retried."""


# The schema, with {blob} {serial} {real} filled in per backend.
MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE libraries (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
        " created {real} NOT NULL)",
        "CREATE TABLE tokens (id TEXT PRIMARY KEY,"
        " library_id TEXT NOT NULL REFERENCES libraries (id),"
        " secret_hash TEXT NOT NULL, created {real} NOT NULL, revoked {real})",
        "CREATE TABLE updates (id {serial}, library_id TEXT NOT NULL REFERENCES libraries (id),"
        " kind TEXT NOT NULL CHECK (kind IN ('update', 'snapshot')), data {blob} NOT NULL,"
        " created {real} NOT NULL)",
        "CREATE INDEX updates_by_library ON updates (library_id, id)",
    ],
    [  # dated copies of each library's document, to set it back after unwanted edits
        "CREATE TABLE snapshots (id {serial},"
        " library_id TEXT NOT NULL REFERENCES libraries (id), taken {real} NOT NULL,"
        " kind TEXT NOT NULL CHECK (kind IN ('scheduled', 'before restore')),"
        " data {blob} NOT NULL)",
        "CREATE INDEX snapshots_by_library ON snapshots (library_id, taken)",
    ],
]


class Database:
    """A pool of connections to one database, its transactions and its schema; each backend
    (a subclass) says how to connect and how to lock."""

    scheme: ClassVar[str]
    types: ClassVar[dict[str, str]]
    errors: ClassVar[tuple[type[BaseException], ...]]
    pool_size = 8

    def __init__(self, location: str) -> None:
        self.location = location
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        with self.connection() as conn:
            self._migrate(conn)

    # --- backend hooks ------------------------------------------------------------------------

    def _connect(self) -> Any:
        raise NotImplementedError

    def _begin_write(self, conn: Any, library_id: str) -> None:
        """Start a transaction holding `library_id`'s write lock."""
        raise NotImplementedError

    def _begin_schema(self, conn: Any) -> None:
        """Start a transaction that no other process can run at the same time."""
        raise NotImplementedError

    def _sql(self, query: str) -> str:
        return query

    # --- connections --------------------------------------------------------------------------

    @contextmanager
    def connection(self) -> Iterator[Any]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._open_connection()
        try:
            yield conn
        except self.errors as exc:
            self._discard(conn)
            raise StorageUnavailable(f"The server's database failed: {exc}") from exc
        except BaseException:
            self._release(conn)  # a refused request: its transaction was rolled back
            raise
        self._release(conn)

    def _release(self, conn: Any) -> None:
        if self._idle.qsize() < self.pool_size:
            self._idle.put(conn)
        else:
            self._discard(conn)

    def _open_connection(self) -> Any:
        try:
            return self._connect()
        except self.errors as exc:
            raise StorageUnavailable(
                f"Cannot open the server's database {self.describe()}: {exc}"
            ) from exc

    def _discard(self, conn: Any) -> None:
        with suppress(*self.errors):
            conn.close()

    def close(self) -> None:
        while True:
            try:
                self._discard(self._idle.get_nowait())
            except queue.Empty:
                return

    def describe(self) -> str:
        return self.location

    def _execute(self, conn: Any, query: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(self._sql(query), tuple(params))

    @contextmanager
    def _transaction(self, conn: Any, begin: Callable[[], None]) -> Iterator[None]:
        begin()
        try:
            yield
        except BaseException:
            self._execute(conn, "ROLLBACK")
            raise
        self._execute(conn, "COMMIT")

    # --- schema -------------------------------------------------------------------------------

    def _migrate(self, conn: Any) -> None:
        with self._transaction(conn, lambda: self._begin_schema(conn)):
            self._execute(
                conn, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            row = self._execute(conn, "SELECT version FROM schema_version").fetchone()
            current = int(row[0]) if row else 0
            if current > len(MIGRATIONS):
                raise ServerError(
                    f"The server database {self.describe()} was written by a newer photo-tagger "
                    f"(schema {current}; this one reads up to {len(MIGRATIONS)}). Update "
                    "photo-tagger on the server."
                )
            for step in MIGRATIONS[current:]:
                for statement in step:
                    self._execute(conn, statement.format(**self.types))
            if current < len(MIGRATIONS):
                self._execute(conn, "DELETE FROM schema_version")
                self._execute(
                    conn, "INSERT INTO schema_version (version) VALUES (?)", (len(MIGRATIONS),)
                )
