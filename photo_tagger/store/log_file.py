"""The document log's SQLite file (document.sqlite3): its rows, and this computer's settings.

`doc_log` holds a snapshot of the shared document and every update since, one row each, with a
CRC of its bytes. Rows are numbered by an AUTOINCREMENT id that never goes back, so a sync client
can remember the last row it sent and ask `local_updates_since(row)` for what it has not. Each row
says where it came from: `local` (an edit made on this computer, by any process) or `remote`
(merged from the sync server); only local rows need to go up. Once a sync server is set, folding
the log into a snapshot keeps the local rows after `SYNCED_UPTO` (the last row the server
acknowledged) beside the snapshot, so that the edits still waiting are sent as the small updates
they are, and counted, never lost in a snapshot. Rows that could not be read are moved to
`doc_quarantine` then, instead of being deleted.

The `settings` table holds this computer's settings for the library (the sync server, what it
acknowledged, the name of the library's tokens in the system keyring; the tokens themselves are
kept by keyring_secrets.py): they are not part of the shared document. persistence.DocumentLog keeps
the document itself in step with these rows.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from photo_tagger.errors import LibraryError
from photo_tagger.store import sqlite
from photo_tagger.store.keyring_secrets import LibrarySecrets, keyring_wanted
from photo_tagger.store.secrets import SECRET_KEYS, SECRETS_FILE, SecretFile
from photo_tagger.words import reason


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE doc_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'update')),
            data BLOB NOT NULL,
            crc INTEGER NOT NULL,
            created REAL NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE doc_quarantine (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            data BLOB,
            reason TEXT NOT NULL,
            moved REAL NOT NULL
        )"""
    )


def _v2(conn: sqlite3.Connection) -> None:
    """Sync: where each row came from (rows written before sync existed were edits made here),
    and this computer's settings for the library."""
    conn.execute("ALTER TABLE doc_log ADD COLUMN origin TEXT NOT NULL DEFAULT 'local'")
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value NOT NULL)")


# settings key: the last row id the sync server acknowledged; local rows after it are kept
SYNCED_UPTO = "sync.synced_upto"
# settings key: the library's name for its tokens in the system keyring (keyring_secrets.py)
KEYRING_ID = "secrets.keyring_id"
LOCAL, REMOTE = "local", "remote"
Setting = str | int | float | bytes
LogRow = tuple[int, str, bytes, int]  # (id, kind, data, crc)


@dataclass(frozen=True)
class CorruptRow:
    id: int
    kind: str
    reason: str


@dataclass
class LoadReport:
    """What opening the log found: how much was replayed, and what could not be read."""

    snapshot_id: int | None = None
    updates: int = 0
    corrupt: list[CorruptRow] = field(default_factory=list)
    seconds: float = 0.0

    def messages(self) -> list[str]:
        return [
            f"Part of the library's history could not be read ({c.kind} #{c.id}: {c.reason}); "
            "the rest is loaded. A sync restores what other devices have."
            for c in self.corrupt
        ]


class LogFile(sqlite.Database):
    """The rows of document.sqlite3; `report` lists those found unreadable."""

    WHAT = "document log"
    SYNCHRONOUS = "FULL"
    MIGRATIONS = (_v1, _v2)

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        super().__init__(conn, path)
        self.report = LoadReport()
        self.secrets = LibrarySecrets(
            SecretFile(path.parent / SECRETS_FILE), self._keyring_id, keyring_wanted(os.environ)
        )
        self._move_secrets_out()

    # --- reading -----------------------------------------------------------------------------

    def latest_snapshot(self) -> LogRow | None:
        return self._conn.execute(
            "SELECT id, kind, data, crc FROM doc_log WHERE kind = 'snapshot' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()

    def rows_after(self, row_id: int) -> list[LogRow]:
        return self._conn.execute(
            "SELECT id, kind, data, crc FROM doc_log WHERE id > ? ORDER BY id", (row_id,)
        ).fetchall()

    def updates_since(self, row_id: int) -> list[tuple[int, bytes]]:
        """(row id, update) for every row after `row_id`, in order. After a compaction the first
        row may be a snapshot: it holds everything up to it, which is still a valid update."""
        return [
            (r[0], r[1])
            for r in self._conn.execute(
                "SELECT id, data FROM doc_log WHERE id > ? ORDER BY id", (row_id,)
            )
        ]

    def local_updates_since(self, row_id: int) -> list[tuple[int, bytes]]:
        """(row id, update) for every edit made on this computer after `row_id`, in order:
        what a sync server that acknowledged up to `row_id` has not had from here. Unreadable
        rows are left out (the document skipped them too)."""
        bad = {c.id for c in self.report.corrupt}
        return [
            (r[0], r[1])
            for r in self._conn.execute(
                "SELECT id, data, crc FROM doc_log "
                "WHERE id > ? AND kind = 'update' AND origin = 'local' ORDER BY id",
                (row_id,),
            )
            if r[0] not in bad and zlib.crc32(r[1]) == r[2]
        ]

    def count_local_updates_since(self, row_id: int) -> int:
        row = self._conn.execute(
            "SELECT COUNT(*) FROM doc_log WHERE id > ? AND kind = 'update' AND origin = 'local'",
            (row_id,),
        ).fetchone()
        return int(row[0])

    def last_row_id(self) -> int:
        row = self._conn.execute("SELECT MAX(id) FROM doc_log").fetchone()
        return int(row[0] or 0)

    def row_stats(self) -> dict[str, int]:
        """Rows and bytes in the log."""
        rows, size = self._conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM doc_log"
        ).fetchone()
        return {"rows": int(rows), "bytes": int(size)}

    # --- writing -----------------------------------------------------------------------------

    def append_updates(self, updates: Sequence[tuple[bytes, str]]) -> int:
        """Commit (update, origin) rows, in order, in one transaction; returns the last row id
        (one write transaction: the ids are consecutive)."""
        with self.batch():
            self._conn.executemany(
                "INSERT INTO doc_log (kind, data, crc, created, origin) "
                "VALUES ('update', ?, ?, ?, ?)",
                [(u, zlib.crc32(u), time.time(), o) for u, o in updates],
            )
        return int(self._conn.execute("SELECT last_insert_rowid()").fetchone()[0])

    def replace_with_snapshot(self, state: bytes) -> int:
        """Write `state` as a snapshot row and delete the rows it holds (but the local edits the
        sync server has not acknowledged); unreadable rows go to quarantine. Call it inside a
        `batch(immediate=True)` that brought the document up to date. Returns its row id."""
        cur = self._conn.execute(
            "INSERT INTO doc_log (kind, data, crc, created) VALUES ('snapshot', ?, ?, ?)",
            (state, zlib.crc32(state), time.time()),
        )
        snapshot_id = cur.lastrowid
        assert snapshot_id is not None
        now = time.time()
        for c in self.report.corrupt:
            self._conn.execute(
                "INSERT OR IGNORE INTO doc_quarantine (id, kind, data, reason, moved) "
                "SELECT id, kind, data, ?, ? FROM doc_log WHERE id = ?",
                (c.reason, now, c.id),
            )
        synced = self.setting(SYNCED_UPTO)
        if synced is None:
            self._conn.execute("DELETE FROM doc_log WHERE id < ?", (snapshot_id,))
        else:  # edits the sync server has not acknowledged stay, to be sent as they are
            self._conn.execute(
                "DELETE FROM doc_log WHERE id < ? AND NOT (kind = 'update' AND "
                "origin = 'local' AND id > ?)",
                (snapshot_id, int(synced)),
            )
            self._conn.executemany(
                "DELETE FROM doc_log WHERE id = ?", [(c.id,) for c in self.report.corrupt]
            )
        return snapshot_id

    # --- this computer's settings for the library ---------------------------------------------

    def setting(self, key: str) -> Setting | None:
        if key in SECRET_KEYS:
            return self.secrets.get(key)
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row is not None else None

    def set_settings(self, values: Mapping[str, Setting | None]) -> None:
        """Write several settings in one transaction; None removes a setting. Tokens go to the
        system keyring or the library's secrets file (keyring_secrets.py), never into this
        database."""
        secrets = {k: None if v is None else str(v) for k, v in values.items() if k in SECRET_KEYS}
        if secrets:
            self.secrets.update(secrets)
        values = {k: v for k, v in values.items() if k not in SECRET_KEYS}
        try:
            with self.batch():
                for key, value in values.items():
                    if value is None:
                        self._conn.execute("DELETE FROM settings WHERE key = ?", (key,))
                    else:
                        self._conn.execute(
                            "INSERT INTO settings (key, value) VALUES (?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            (key, value),
                        )
        except sqlite3.Error as exc:
            raise LibraryError(f"Could not save settings in {self.path}: {reason(exc)}.") from exc

    def _keyring_id(self, create: bool) -> str | None:
        """The library's keyring id (made now if `create` and it has none: by one process
        only, whichever comes first)."""
        if create:
            try:
                with self.batch():
                    self._conn.execute(
                        "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                        (KEYRING_ID, uuid.uuid4().hex),
                    )
            except sqlite3.Error as exc:
                raise LibraryError(
                    f"Could not save settings in {self.path}: {reason(exc)}."
                ) from exc
        found = self.setting(KEYRING_ID)
        return str(found) if found else None

    def _move_secrets_out(self) -> None:
        """Tokens that an earlier version kept in this database move out of it (into the
        keyring, or the secrets file), and those the file holds into the keyring."""
        keys = sorted(SECRET_KEYS)
        marks = ",".join("?" * len(keys))
        try:
            rows = self._conn.execute(
                f"SELECT key, value FROM settings WHERE key IN ({marks})", keys
            ).fetchall()
            if rows:
                self.secrets.update({k: str(v) for k, v in rows})
                with self.batch():
                    self._conn.execute(f"DELETE FROM settings WHERE key IN ({marks})", keys)
        except (sqlite3.Error, LibraryError):
            return  # a read-only copy, or a folder that cannot be written: moved at the next open
        # a file that cannot be rewritten keeps the tokens, which are still read from it
        with contextlib.suppress(LibraryError):
            self.secrets.move_into_keyring()
