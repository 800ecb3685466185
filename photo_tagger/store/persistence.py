"""The shared document's durable local copy: a snapshot plus every update since, in SQLite.

Every transaction on the document produces a Yjs update; an observer appends it as a row and
SQLite commits it (WAL, synchronous=FULL) before the transaction returns to the caller, so an edit
reported as done survives the process being killed, and a power cut, at any moment after. Opening
applies the latest snapshot and then the updates after it, in row order.

Compaction writes the whole merged state as a new snapshot row and deletes the rows before it, in
one SQLite transaction: a crash leaves either the old rows or the new snapshot, never neither. It
runs when the updates since the snapshot outgrow `compact_rows` or half the snapshot's size (so
opening replays at most ~1.5x the document), and on close when the tail is worth folding in.

The rows, their numbering and origin (what a sync client sends), and this computer's settings
for the library live in log_file.py; this module keeps the document in step with them.

Several processes may share a library (the window and the command line): each appends its own
rows under its own client id, `refresh()` applies the rows the others wrote, and compaction first
applies them under the write lock so it never drops a row it has not folded in. Which client id
a document writes under (one this computer used before, where that is safe) is client_ids.py's.

A row that cannot be decoded (a damaged disk, a torn write) is reported in `report` and skipped;
the rest loads. Compaction moves such rows to `doc_quarantine` instead of deleting them.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import zlib
from pathlib import Path

from pycrdt import Doc, Subscription, TransactionEvent

from photo_tagger.errors import LibraryError
from photo_tagger.store.client_ids import ClientIds, Lease
from photo_tagger.store.log_file import LOCAL, REMOTE, SYNCED_UPTO, CorruptRow, LoadReport, LogFile
from photo_tagger.store.paths import default_state_dir
from photo_tagger.store.wire import has_waiting_parts
from photo_tagger.words import reason

__all__ = ["EMPTY_UPDATE", "SYNCED_UPTO", "DocumentLog"]

log = logging.getLogger(__name__)

EMPTY_UPDATE = b"\x00\x00"


class DocumentLog(LogFile):
    """A pycrdt Doc kept durable in SQLite. Build with `DocumentLog.open(path)`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        doc: Doc,
        compact_rows: int,
        compact_min_bytes: int,
    ) -> None:
        super().__init__(conn, path)
        self.doc = doc
        self.compact_rows = compact_rows
        self.compact_min_bytes = compact_min_bytes
        self._seen_upto = 0  # every row <= this has been applied to `doc`
        self._own_rows: set[int] = set()  # rows this log wrote after others' not yet applied
        self._snapshot_bytes = 0
        self._tail_rows = 0  # update rows after the snapshot
        self._tail_bytes = 0
        self._muted = False
        self._changed = False  # whether the last muted apply changed the document
        self._unsaved: list[tuple[bytes, str]] = []  # (update, origin) the disk refused, in order
        self._subscription: Subscription | None = None
        self._lease: Lease | None = None

    @classmethod
    def open(
        cls,
        path: Path,
        doc: Doc | None = None,
        *,
        compact_rows: int = 10_000,
        compact_min_bytes: int = 4 << 20,
    ) -> DocumentLog:
        """Open the log at `path` and replay it into `doc`, or into a document that writes under
        one of the client ids this computer keeps for the library where that is safe, else under
        a new one (client_ids.py), held until `close()`."""
        lease = None
        if doc is None:
            lease = ClientIds(default_state_dir()).take(path)
            doc = lease.doc()
        try:
            conn = cls.connect(path)
        except BaseException:
            if lease is not None:
                lease.release(None)
            raise
        try:
            self = cls(conn, path, doc, compact_rows, compact_min_bytes)
            self._load()
            while lease is not None and not lease.settle(self.doc):
                self._load_again(lease.doc())
        except BaseException:
            conn.close()
            if lease is not None:
                lease.release(None)
            raise
        self._lease = lease
        self._subscription = self.doc.observe(self._on_transaction)
        return self

    def close(self, compact: bool = True) -> None:
        """Fold a sizeable tail into a snapshot (next open is faster), then let go of the file."""
        if self._subscription is None:
            return
        if compact and (self._tail_rows >= 1000 or self._tail_bytes >= 1 << 20):
            self._compact_quietly()
        self.doc.unobserve(self._subscription)
        self._subscription = None
        try:
            self._conn.close()
        finally:
            if self._lease is not None:
                self._lease.release(self.doc)

    # --- loading -----------------------------------------------------------------------------

    def _load(self) -> None:
        started = time.perf_counter()
        snap = self.latest_snapshot()
        if snap is not None:
            self.report.snapshot_id = snap[0]
            self._apply_row(*snap)
            self._snapshot_bytes = len(snap[2])
            self._seen_upto = snap[0]
        self._catch_up()
        self.report.seconds = time.perf_counter() - started
        for message in self.report.messages():
            log.warning("%s: %s", self.path, message)

    def _load_again(self, doc: Doc) -> None:
        """Replay the log into another document (one under a new client id)."""
        self.doc = doc
        self.report = LoadReport()
        self._seen_upto = self._snapshot_bytes = self._tail_rows = self._tail_bytes = 0
        self._own_rows.clear()
        self._load()

    def _catch_up(self) -> int:
        """Apply every row after the ones already applied (other processes' rows); returns count."""
        rows = self.rows_after(self._seen_upto)
        self._muted = True
        try:
            with self.doc.transaction():
                for row in rows:
                    if row[0] in self._own_rows:  # already in the document, already counted
                        self._own_rows.discard(row[0])
                        continue
                    self._apply_row(*row)
                    if row[1] == "snapshot":
                        self._snapshot_bytes = len(row[2])
                        self._tail_rows = self._tail_bytes = 0
                    else:
                        self._tail_rows += 1
                        self._tail_bytes += len(row[2])
        finally:
            self._muted = False
        if rows:
            self._seen_upto = rows[-1][0]
        self.report.updates += sum(1 for r in rows if r[1] == "update")
        return len(rows)

    def _apply_row(self, row_id: int, kind: str, data: bytes, crc: int) -> None:
        if zlib.crc32(data) != crc:
            self._corrupt(row_id, kind, "checksum mismatch")
            return
        try:
            self.doc.apply_update(data)
        except ValueError as exc:
            self._corrupt(row_id, kind, str(exc))

    def _corrupt(self, row_id: int, kind: str, reason: str) -> None:
        if all(c.id != row_id for c in self.report.corrupt):
            self.report.corrupt.append(CorruptRow(row_id, kind, reason))

    def refresh(self) -> int:
        """Apply the rows other processes appended since; returns how many rows were read.
        Call it (and apply_remote) outside a document batch, so the document sees the changes."""
        return self._catch_up()

    # --- writing -----------------------------------------------------------------------------

    def _on_transaction(self, event: TransactionEvent) -> None:
        if self._muted:
            self._changed = True  # applying a peer's update (or another process's rows) did
        else:
            self._append(event.update)

    def _append(self, update: bytes, origin: str = LOCAL) -> None:
        """Commit the update as a row. If the disk refuses, keep it (and any earlier refused ones,
        in order) to write with the next update: later updates build on it, and a log with a
        hole would lose them on the next open."""
        self._unsaved.append((update, origin))
        try:
            last = self.append_updates(self._unsaved)
        except sqlite3.Error as exc:
            raise LibraryError(
                f"Could not save a change to {self.path}: {reason(exc)}. The change is not saved "
                "yet: free some disk space or check the folder's permissions; it is saved with the "
                "next change that can be written."
            ) from exc
        first = last - len(self._unsaved) + 1  # one write transaction: consecutive ids
        if first == self._seen_upto + 1:
            self._seen_upto = last
        else:  # another process wrote rows in between: refresh() applies those, skips ours
            self._own_rows.update(range(first, last + 1))
        self._tail_rows += len(self._unsaved)
        self._tail_bytes += sum(len(u) for u, _ in self._unsaved)
        self._unsaved.clear()

    def apply_remote(self, update: bytes) -> bool:
        """Merge an update from a peer and log it as received (it may hold parts that wait for
        updates not seen yet; logging the raw bytes keeps them across a restart). Returns whether
        it changed anything: one that changes nothing (every sync answer carries the peer's
        deletions, seen or not) is not logged, so syncing often does not grow the log."""
        if update == EMPTY_UPDATE:
            return False
        self._muted = True
        self._changed = False
        try:
            self.doc.apply_update(update)
            waits = has_waiting_parts(update, self.doc.get_state())
        except ValueError as exc:
            raise LibraryError(
                "An update could not be read (it is damaged); nothing changed."
            ) from exc
        finally:
            self._muted = False
        if not (self._changed or waits):
            return False
        self._append(update, REMOTE)
        self.maybe_compact()
        return self._changed

    @property
    def applied_upto(self) -> int:
        """Every row up to this id is in `doc` (rows after it may be too)."""
        return self._seen_upto

    # --- compaction --------------------------------------------------------------------------

    def should_compact(self) -> bool:
        return self._tail_rows > self.compact_rows or self._tail_bytes > max(
            self.compact_min_bytes, self._snapshot_bytes // 2
        )

    def maybe_compact(self) -> bool:
        """Compact if the tail has grown enough; returns whether it did."""
        return self.should_compact() and self._compact_quietly()

    def _compact_quietly(self) -> bool:
        """Compaction only makes opening faster: if it fails (a full disk), every update is still
        in the log, so say so and carry on; the edit that triggered it is saved."""
        try:
            self.compact()
        except LibraryError as exc:
            log.warning("%s", exc)
            return False
        return True

    def compact(self) -> None:
        """Replace every row with one snapshot of the merged state, atomically."""
        try:
            with self.batch(immediate=True):
                self._catch_up()  # rows other processes wrote must be in the snapshot
                state = self.doc.get_update()
                snapshot_id = self.replace_with_snapshot(state)
        except sqlite3.Error as exc:
            raise LibraryError(f"Could not compact {self.path}: {reason(exc)}.") from exc
        self._seen_upto = snapshot_id
        self._own_rows.clear()
        self._snapshot_bytes = len(state)
        self._tail_rows = self._tail_bytes = 0

    def stats(self) -> dict[str, int]:
        """Rows and bytes in the log, for benchmarks and diagnostics."""
        return {
            **self.row_stats(),
            "snapshot_bytes": self._snapshot_bytes,
            "tail_rows": self._tail_rows,
            "tail_bytes": self._tail_bytes,
        }
