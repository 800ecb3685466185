"""Where the server keeps libraries, tokens and each library's document: SQLite or PostgreSQL.

A library's document is an append-only log of Yjs update rows (and, after a compaction, one
snapshot row holding everything before it). Apart from it, dated snapshots of the document (the
`snapshots` table) are kept to set a library back after unwanted edits: see snapshots.py.

Writers of one library are serialized across processes: SQLite by its database write lock
(BEGIN IMMEDIATE), PostgreSQL by a row lock on the library (SELECT ... FOR UPDATE), so several
server processes on one PostgreSQL database append in order and each sees the others' rows by
reading the rows after the last it applied.

Each backend is a subclass registered in `BACKENDS` by URL scheme; `open_storage` picks one. The
connections, transactions and the versioned schema are database.py's.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from photo_tagger.errors import ServerError
from photo_tagger.server.database import Database

DATABASE_FILE = "server.sqlite3"


@dataclass(frozen=True)
class Row:
    id: int
    kind: str  # "update" or "snapshot"
    data: bytes


@dataclass(frozen=True)
class SnapshotRecord:
    id: int
    taken: float  # seconds since the epoch
    kind: str  # "scheduled" or "before restore"
    size: int  # bytes


@dataclass(frozen=True)
class TokenRecord:
    id: str
    library_id: str
    secret_hash: str
    revoked: float | None


class Writer:
    """One library's rows inside a write transaction that holds the library's lock."""

    def __init__(self, storage: Storage, conn: Any, library_id: str) -> None:
        self._storage, self._conn, self._library = storage, conn, library_id

    def rows_after(self, after: int) -> list[Row]:
        return self._storage._rows_after(self._conn, self._library, after)

    def append(self, kind: str, data: bytes) -> int:
        row = self._storage._execute(
            self._conn,
            "INSERT INTO updates (library_id, kind, data, created) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            (self._library, kind, data, time.time()),
        ).fetchone()
        return int(row[0])

    def delete_before(self, row_id: int) -> None:
        self._storage._execute(
            self._conn,
            "DELETE FROM updates WHERE library_id = ? AND id < ?",
            (self._library, row_id),
        )

    def last_snapshot(self) -> float | None:
        return self._storage._last_snapshot(self._conn, self._library)

    def add_snapshot(self, data: bytes, kind: str, taken: float) -> int:
        row = self._storage._execute(
            self._conn,
            "INSERT INTO snapshots (library_id, taken, kind, data) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            (self._library, taken, kind, data),
        ).fetchone()
        return int(row[0])

    def prune_snapshots(self, keep: int, taken_before: float) -> int:
        """Remove the library's snapshots taken before `taken_before`, and all but the newest
        `keep`; how many were removed."""
        cur = self._storage._execute(
            self._conn,
            "DELETE FROM snapshots WHERE library_id = ? AND (taken < ? OR id NOT IN ("
            "SELECT id FROM snapshots WHERE library_id = ? ORDER BY taken DESC, id DESC LIMIT ?))",
            (self._library, taken_before, self._library, keep),
        )
        return int(cur.rowcount)


class Storage(Database):
    """Libraries, tokens and documents' rows; the SQL is shared, connections and locking are each
    backend's."""

    # --- libraries and tokens -----------------------------------------------------------------

    def add_library(self, name: str) -> str:
        library_id = uuid.uuid4().hex
        with (
            self.connection() as conn,
            self._transaction(conn, lambda: self._begin_schema(conn)),
        ):
            taken = self._execute(
                conn, "SELECT id FROM libraries WHERE name = ?", (name,)
            ).fetchone()
            if taken:
                raise ServerError(
                    f"There is already a library named '{name}' ({taken[0]}). Give another "
                    "name, or add a token to it with `photo-tagger server add-token`."
                )
            self._execute(
                conn,
                "INSERT INTO libraries (id, name, created) VALUES (?, ?, ?)",
                (library_id, name, time.time()),
            )
        return library_id

    def find_library(self, name_or_id: str) -> str | None:
        with self.connection() as conn:
            row = self._execute(
                conn, "SELECT id FROM libraries WHERE id = ? OR name = ?", (name_or_id, name_or_id)
            ).fetchone()
        return str(row[0]) if row else None

    def library_name(self, library_id: str) -> str | None:
        with self.connection() as conn:
            row = self._execute(
                conn, "SELECT name FROM libraries WHERE id = ?", (library_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def add_token(self, library_id: str, token_id: str, secret_hash: str) -> None:
        with self.connection() as conn:
            self._execute(
                conn,
                "INSERT INTO tokens (id, library_id, secret_hash, created) VALUES (?, ?, ?, ?)",
                (token_id, library_id, secret_hash, time.time()),
            )

    def token(self, token_id: str) -> TokenRecord | None:
        with self.connection() as conn:
            row = self._execute(
                conn,
                "SELECT id, library_id, secret_hash, revoked FROM tokens WHERE id = ?",
                (token_id,),
            ).fetchone()
        return TokenRecord(row[0], row[1], row[2], row[3]) if row else None

    def revoke(self, token_id: str) -> bool:
        """Whether a token that was valid is now revoked."""
        with self.connection() as conn:
            cur = self._execute(
                conn,
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (time.time(), token_id),
            )
            return bool(cur.rowcount)

    def listing(self) -> list[dict[str, Any]]:
        """Every library with its tokens (ids and dates, never secrets) and its stored size."""
        with self.connection() as conn:
            libraries = self._execute(
                conn, "SELECT id, name, created FROM libraries ORDER BY created"
            ).fetchall()
            tokens = self._execute(
                conn, "SELECT id, library_id, created, revoked FROM tokens ORDER BY created"
            ).fetchall()
            sizes = self._execute(
                conn,
                "SELECT library_id, COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM updates "
                "GROUP BY library_id",
            ).fetchall()
        size = {r[0]: (int(r[1]), int(r[2])) for r in sizes}
        return [
            {
                "library": lib_id,
                "name": name,
                "created": _iso(created),
                "rows": size.get(lib_id, (0, 0))[0],
                "bytes": size.get(lib_id, (0, 0))[1],
                "tokens": [
                    {"id": t[0], "created": _iso(t[2]), "revoked": _iso(t[3]) if t[3] else None}
                    for t in tokens
                    if t[1] == lib_id
                ],
            }
            for lib_id, name, created in libraries
        ]

    # --- documents ----------------------------------------------------------------------------

    def rows_after(self, library_id: str, after: int) -> list[Row]:
        with self.connection() as conn:
            return self._rows_after(conn, library_id, after)

    def _rows_after(self, conn: Any, library_id: str, after: int) -> list[Row]:
        return [
            Row(int(r[0]), str(r[1]), bytes(r[2]))
            for r in self._execute(
                conn,
                "SELECT id, kind, data FROM updates WHERE library_id = ? AND id > ? ORDER BY id",
                (library_id, after),
            ).fetchall()
        ]

    def snapshots(self, library_id: str) -> list[SnapshotRecord]:
        """The library's snapshots, oldest first (without their data)."""
        with self.connection() as conn:
            rows = self._execute(
                conn,
                "SELECT id, taken, kind, LENGTH(data) FROM snapshots WHERE library_id = ? "
                "ORDER BY taken, id",
                (library_id,),
            ).fetchall()
        return [SnapshotRecord(int(r[0]), float(r[1]), str(r[2]), int(r[3])) for r in rows]

    def snapshot_data(self, library_id: str, snapshot_id: int) -> bytes | None:
        with self.connection() as conn:
            row = self._execute(
                conn,
                "SELECT data FROM snapshots WHERE library_id = ? AND id = ?",
                (library_id, snapshot_id),
            ).fetchone()
        return bytes(row[0]) if row else None

    def last_snapshot(self, library_id: str) -> float | None:
        """When the library's last snapshot was taken (the last stored, should the clock have
        gone back; None: it has none)."""
        with self.connection() as conn:
            return self._last_snapshot(conn, library_id)

    def _last_snapshot(self, conn: Any, library_id: str) -> float | None:
        row = self._execute(
            conn,
            "SELECT taken FROM snapshots WHERE library_id = ? ORDER BY id DESC LIMIT 1",
            (library_id,),
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    @contextmanager
    def writing(self, library_id: str) -> Iterator[Writer]:
        """A transaction holding the library's write lock; commits when the block ends."""
        with (
            self.connection() as conn,
            self._transaction(conn, lambda: self._begin_write(conn, library_id)),
        ):
            yield Writer(self, conn, library_id)


class SQLiteStorage(Storage):
    scheme = "sqlite"
    types: ClassVar[dict[str, str]] = {
        "blob": "BLOB",
        "serial": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "real": "REAL",
    }
    errors = (sqlite3.Error,)

    def _connect(self) -> sqlite3.Connection:
        Path(self.location).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.location, isolation_level=None, timeout=30.0, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # an acknowledged sync survives a power cut
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _begin_write(self, conn: Any, library_id: str) -> None:
        self._execute(conn, "BEGIN IMMEDIATE")

    def _begin_schema(self, conn: Any) -> None:
        self._execute(conn, "BEGIN IMMEDIATE")


class PostgresStorage(Storage):
    scheme = "postgresql"
    types: ClassVar[dict[str, str]] = {
        "blob": "BYTEA",
        "serial": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "real": "DOUBLE PRECISION",
    }
    SCHEMA_LOCK = 0x70686F746F  # an advisory lock id of our own, for migrations and new libraries

    def __init__(self, location: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise ServerError(
                "A PostgreSQL database needs the psycopg driver: pip install 'psycopg[binary]'."
            ) from exc
        self._psycopg = psycopg
        self.errors = (psycopg.Error,)  # type: ignore[misc]
        super().__init__(location)

    def _connect(self) -> Any:
        return self._psycopg.connect(self.location, autocommit=True, connect_timeout=10)

    def _sql(self, query: str) -> str:
        return query.replace("?", "%s")

    def _begin_write(self, conn: Any, library_id: str) -> None:
        self._execute(conn, "BEGIN")
        self._execute(conn, "SELECT id FROM libraries WHERE id = ? FOR UPDATE", (library_id,))

    def _begin_schema(self, conn: Any) -> None:
        self._execute(conn, "BEGIN")
        self._execute(conn, "SELECT pg_advisory_xact_lock(?)", (self.SCHEMA_LOCK,))

    def describe(self) -> str:
        """The URL without its password."""
        head, at, tail = self.location.rpartition("@")
        if not at or ":" not in head.split("//", 1)[-1]:
            return self.location
        user = head.split("//", 1)[-1].split(":", 1)[0]
        return f"{head.split('//', 1)[0]}//{user}:***@{tail}"


BACKENDS: dict[str, type[Storage]] = {
    "sqlite": SQLiteStorage,
    "postgresql": PostgresStorage,
    "postgres": PostgresStorage,
}


def open_storage(data_dir: Path | None, database: str | None) -> Storage:
    """`database` (postgresql://... or sqlite:///path) if given, else DATA_DIR/server.sqlite3."""
    if database:
        scheme = database.split("://", 1)[0].split("+", 1)[0].lower()
        backend = BACKENDS.get(scheme)
        if backend is None or "://" not in database:
            raise ServerError(
                f"'{database}' is not a database this server can use: give "
                "postgresql://user:password@host/dbname, or --data DIR for SQLite."
            )
        if backend is SQLiteStorage:  # sqlite:///relative.db or sqlite:////absolute/path.db
            return backend(database.split(":///", 1)[-1])
        return backend(database)
    if data_dir is None:
        raise ServerError("Say where the server keeps its data: --data DIR or --database URL.")
    return SQLiteStorage(str(Path(data_dir).expanduser().absolute() / DATABASE_FILE))


def _iso(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
