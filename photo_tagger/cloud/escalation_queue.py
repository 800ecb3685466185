"""The escalation queue: which photos wait for the cloud model, and which it has already tagged.

<library>/escalation.sqlite3, this computer's own (like the local index, not part of the shared
document):

    waiting    photo id -> its best local score, when it was queued, failed attempts, last error
    delivered  (photo id, model version) -> when, bytes sent: a photo whose answer came back is
               never sent again for that model; it is also what the daily budget counts

A photo leaves `waiting` in the same transaction that records it as delivered, after its tags
are durable in the document, so a crash in between sends nothing twice: the next run finds the
tags in the document and only records the delivery.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from photo_tagger.errors import LibraryError
from photo_tagger.store import sqlite

QUEUE_FILE = "escalation.sqlite3"
MAX_ATTEMPTS = 3  # a photo an endpoint refused this often stops being tried


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE waiting (
            photo_id TEXT PRIMARY KEY,
            local_best REAL NOT NULL,
            queued REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )"""
    )
    conn.execute(
        """CREATE TABLE delivered (
            photo_id TEXT NOT NULL,
            model TEXT NOT NULL,
            delivered REAL NOT NULL,
            bytes INTEGER NOT NULL,
            PRIMARY KEY (photo_id, model)
        )"""
    )
    conn.execute("CREATE INDEX delivered_when ON delivered (delivered)")


@dataclass(frozen=True)
class Waiting:
    photo_id: str
    local_best: float
    attempts: int
    last_error: str | None


class EscalationQueue(sqlite.Database):
    """Open with `EscalationQueue.open(library_path)`; one per thread."""

    WHAT = "escalation queue"
    SYNCHRONOUS = "FULL"
    MIGRATIONS = (_v1,)

    @classmethod
    def open(cls, library_path: Path) -> EscalationQueue:
        path = Path(library_path) / QUEUE_FILE
        return cls(cls.connect(path), path)

    def _write(self, sql: str, rows: Iterable[tuple[object, ...]]) -> int:
        try:
            with self.batch():
                before = self._conn.total_changes
                self._conn.executemany(sql, rows)
                return self._conn.total_changes - before
        except sqlite3.Error as exc:
            raise LibraryError(f"Could not write the escalation queue {self.path}: {exc}.") from exc

    # --- waiting ---------------------------------------------------------------------------

    def add(self, photos: Iterable[tuple[str, float]], now: float) -> int:
        """Queue (photo id, best local score) pairs not queued yet; returns how many were new."""
        return self._write(
            "INSERT OR IGNORE INTO waiting (photo_id, local_best, queued) VALUES (?, ?, ?)",
            ((pid, float(best), now) for pid, best in photos),
        )

    def waiting(self, include_failed: bool = False) -> list[Waiting]:
        """Photos to send, the least sure first (they gain most, and the budget may not reach
        the rest)."""
        limit = "" if include_failed else f"WHERE attempts < {MAX_ATTEMPTS}"
        rows = self._conn.execute(
            "SELECT photo_id, local_best, attempts, last_error FROM waiting "
            f"{limit} ORDER BY local_best, queued, photo_id"
        ).fetchall()
        return [Waiting(r[0], float(r[1]), int(r[2]), r[3]) for r in rows]

    def waiting_ids(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT photo_id FROM waiting")}

    def failed(self, photo_id: str, reason: str) -> None:
        self._write(
            "UPDATE waiting SET attempts = attempts + 1, last_error = ? WHERE photo_id = ?",
            [(reason, photo_id)],
        )

    def remove(self, photo_ids: Iterable[str]) -> int:
        return self._write("DELETE FROM waiting WHERE photo_id = ?", ((p,) for p in photo_ids))

    # --- delivered ---------------------------------------------------------------------------

    def delivered(self, photo_id: str, model: str, sent_bytes: int, now: float) -> None:
        """The model's answer for the photo is stored: it is done, and never sent again."""
        try:
            with self.batch():
                self._conn.execute(
                    "INSERT OR IGNORE INTO delivered (photo_id, model, delivered, bytes) "
                    "VALUES (?, ?, ?, ?)",
                    (photo_id, model, now, sent_bytes),
                )
                self._conn.execute("DELETE FROM waiting WHERE photo_id = ?", (photo_id,))
        except sqlite3.Error as exc:
            raise LibraryError(f"Could not write the escalation queue {self.path}: {exc}.") from exc

    def is_delivered(self, photo_id: str, model: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM delivered WHERE photo_id = ? AND model = ?", (photo_id, model)
        ).fetchone()
        return row is not None

    def delivered_ids(self, model: str) -> set[str]:
        rows = self._conn.execute("SELECT photo_id FROM delivered WHERE model = ?", (model,))
        return {r[0] for r in rows}

    def sent_since(self, since: float) -> int:
        """Photos sent (and answered) since a time: what the daily budget counts."""
        row = self._conn.execute(
            "SELECT COUNT(*) FROM delivered WHERE delivered >= ? AND bytes > 0", (since,)
        ).fetchone()
        return int(row[0])

    def counts(self) -> dict[str, int]:
        waiting, failed = self._conn.execute(
            f"SELECT COUNT(*), COALESCE(SUM(attempts >= {MAX_ATTEMPTS}), 0) FROM waiting"
        ).fetchone()
        delivered = self._conn.execute("SELECT COUNT(*) FROM delivered").fetchone()[0]
        return {
            "waiting": int(waiting) - int(failed),
            "failed": int(failed),
            "delivered": delivered,
        }
