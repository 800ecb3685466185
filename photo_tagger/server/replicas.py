"""The libraries' documents in server memory, and the merge a sync request asks for.

The database is the document; the copy in memory is a cache of it, caught up with the rows
other server processes appended before each use. A request's updates are first applied to that
copy, which serves as the scratch copy: only if every update applies (and the reply can be
computed) are they appended to the database. If anything fails, the copy is dropped and rebuilt
from the database at the next request, so a malformed or hostile update leaves the stored
document exactly as it was.

What a request writes is checked with the rules every device's reads apply (store/doc_writes.py):
if any value it writes is one that reads would skip (a person that is a string, a photo record
that is not JSON, a score that is not a number...), the whole request is refused (Misshapen) and
nothing of it is stored, so a buggy or hostile device cannot spread it. Only the keys the request
changed are looked at, as they stand once it is merged (with any waiting parts it let the server
place); removals, and roots no read knows, are accepted as they are.

An update that changes nothing (a device retrying a sync whose answer it lost) is not stored, so
retries do not grow the log. One that holds items waiting for others not yet here is stored raw:
pycrdt keeps such parts pending until what they build on arrives. What a library may keep waiting
is bounded (`max_waiting` updates, `max_waiting_bytes`): a request that would keep more is refused
(TooMuchWaiting) and nothing of it is stored, since items that never arrive would otherwise be
kept, and tried again, forever.

The work (catching up, merging, placing waiting parts, encoding a snapshot) is done before the
database's write lock is taken; the lock is held only to append the rows, so one library's large
or hostile document never keeps another library's syncs waiting for the database. The same goes
for the dated snapshots kept to set a library back (snapshots.py): the document as it was before
a sync's change is encoded first, and only inserted under the lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pycrdt import Doc, TransactionEvent

from photo_tagger.server.snapshots import SCHEDULED, SnapshotPolicy
from photo_tagger.server.storage import Row, Storage, Writer
from photo_tagger.store.doc_check import Malformed
from photo_tagger.store.doc_writes import watch
from photo_tagger.store.wire import encode_reply, has_waiting_parts, lacks
from photo_tagger.words import count

log = logging.getLogger(__name__)
T = TypeVar("T")
NEVER = float("-inf")  # a library's newest snapshot, when it has none
EMPTY_STATE = b"\x00"  # the state vector of a document without a single item


class BadUpdate(ValueError):
    """The request's updates or state vector cannot be merged; nothing was stored."""


class Misshapen(ValueError):
    """The request's updates write values that no read would take; nothing was stored."""

    def __init__(self, malformed: list[Malformed], shown: int = 3) -> None:
        self.malformed = malformed
        listed = "; ".join(f"{m.what} ({m.problem})" for m in malformed[:shown])
        more = f"; and {len(malformed) - shown} more" if len(malformed) > shown else ""
        values = count(len(malformed), "value")
        super().__init__(
            f"the update writes {values} of the wrong shape, which no device would read: "
            f"{listed}{more}"
        )


class TooMuchWaiting(ValueError):
    """The request would leave the library with more updates waiting for items the server never
    received than it may keep; nothing was stored."""


@dataclass(frozen=True)
class KeptState:
    """The document as it was before a write, to keep as a dated snapshot."""

    data: bytes
    kind: str
    taken: float


@dataclass
class Replica:
    """One library's document as of row `seen`."""

    doc: Doc = field(default_factory=Doc)
    seen: int = 0
    snapshot_bytes: int = 0
    tail_rows: int = 0  # update rows after the snapshot
    tail_bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: bool = False
    waiting: list[bytes] = field(default_factory=list)  # updates with parts not placed yet
    placed_at: bytes | None = None  # the state vector when the waiting parts were last tried
    snapshot_at: float | None = None  # when the newest dated snapshot was taken (None: not read)

    def __post_init__(self) -> None:
        self._subscription = self.doc.observe(self._on_change)

    def _on_change(self, event: TransactionEvent) -> None:
        self.changed = True

    def reset(self) -> None:
        """Forget everything; the next use reloads from the database."""
        self.doc.unobserve(self._subscription)
        self.doc = Doc()
        self._subscription = self.doc.observe(self._on_change)
        self.seen = self.snapshot_bytes = self.tail_rows = self.tail_bytes = 0
        self.waiting = []
        self.placed_at = self.snapshot_at = None

    @property
    def waiting_bytes(self) -> int:
        return sum(len(update) for update in self.waiting)

    def catch_up(self, rows: list[Row]) -> None:
        for row in rows:
            if row.kind == "snapshot":
                self.snapshot_bytes, self.tail_rows, self.tail_bytes = len(row.data), 0, 0
            else:
                self.tail_rows += 1
                self.tail_bytes += len(row.data)
            try:
                self.doc.apply_update(row.data)
                if has_waiting_parts(row.data, self.doc.get_state()):
                    self.waiting.append(row.data)
            except Exception as exc:  # stored rows were validated; say so and go on
                log.error("stored row %d cannot be applied: %s", row.id, exc)
            self.seen = row.id
        self.place_waiting()

    def merge(self, updates: list[bytes]) -> list[bytes]:
        """Apply the updates; returns the ones worth storing."""
        keep = []
        for update in updates:
            self.changed = False
            self.doc.apply_update(update)
            waits = has_waiting_parts(update, self.doc.get_state())
            if waits:
                self.waiting.append(update)
            if self.changed or waits:
                keep.append(update)
        self.place_waiting()
        return keep

    def place_waiting(self) -> None:
        """Apply the updates that had parts waiting again, until none makes progress: pycrdt
        does not always place waiting parts once what they build on arrives (updates arriving
        newest first leave some behind), and applying them again does. Only once the document
        has items it had not the last time: parts waiting for items that never arrive are not
        tried again at every sync."""
        if not self.waiting or self.placed_at == self.doc.get_state():
            return
        progress = True
        while self.waiting and progress:
            progress = False
            still = []
            for update in self.waiting:
                self.doc.apply_update(update)
                if has_waiting_parts(update, self.doc.get_state()):
                    still.append(update)
                else:
                    progress = True
            self.waiting = still
        self.placed_at = self.doc.get_state()


class Replicas:
    """The documents of the libraries served lately (at most `cached` of them in memory)."""

    def __init__(
        self,
        storage: Storage,
        compact_rows: int = 1000,
        compact_min_bytes: int = 1 << 20,
        cached: int = 32,
        max_waiting: int = 1000,
        max_waiting_bytes: int = 4 << 20,
        snapshots: SnapshotPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.snapshots = snapshots or SnapshotPolicy()
        self.clock = clock
        self.compact_rows = compact_rows
        self.compact_min_bytes = compact_min_bytes
        self.cached = cached
        self.max_waiting = max_waiting
        self.max_waiting_bytes = max_waiting_bytes
        self._replicas: OrderedDict[str, Replica] = OrderedDict()
        self._lock = threading.Lock()

    def _replica(self, library_id: str) -> Replica:
        with self._lock:
            replica = self._replicas.pop(library_id, None) or Replica()
            self._replicas[library_id] = replica  # most recently used last
            while len(self._replicas) > self.cached:
                self._replicas.popitem(last=False)
            return replica

    def sync(self, library_id: str, state_vector: bytes, updates: list[bytes]) -> bytes:
        """Merge the client's updates, store them, and answer what the client lacks (and the
        server's state vector if it lacks something the client has). BadUpdate if they cannot
        be merged, Misshapen if they write values no read would take, TooMuchWaiting if they
        would keep too much waiting (nothing stored)."""
        replica = self._replica(library_id)
        with replica.lock:
            if not updates:  # a read: no write lock needed
                replica.catch_up(self.storage.rows_after(library_id, replica.seen))
                return self._reply(replica, state_vector)
            return self._write(
                library_id, replica, updates, lambda: self._reply(replica, state_vector)
            )

    def write(self, library_id: str, updates: list[bytes]) -> None:
        """Merge and store a device's updates, as `sync` does, with nothing to answer."""
        replica = self._replica(library_id)
        with replica.lock:
            self._write(library_id, replica, updates, lambda: b"")

    def state(self, library_id: str) -> bytes:
        """The library's whole document as stored, as one update."""
        replica = self._replica(library_id)
        with replica.lock:
            replica.catch_up(self.storage.rows_after(library_id, replica.seen))
            return replica.doc.get_update()

    def edit(self, library_id: str, update: bytes, kind: str) -> None:
        """Store an edit made on the server itself like a device's, after keeping the document
        as it was before it as a snapshot of this `kind`, whenever the last one was taken."""
        replica = self._replica(library_id)
        with replica.lock:
            self._write(library_id, replica, [update], lambda: b"", kind)

    def _write(
        self,
        library_id: str,
        replica: Replica,
        updates: list[bytes],
        reply: Callable[[], bytes],
        kind: str | None = None,
    ) -> bytes:
        try:
            replica.catch_up(self.storage.rows_after(library_id, replica.seen))
            before = self._state_to_keep(library_id, replica, kind)
            waited = len(replica.waiting)
            with watch(replica.doc) as written:
                keep = _guarded("the update cannot be merged", lambda: replica.merge(updates))
            # what a device writes is checked; an edit the server makes (a restore) puts back
            # what the library held
            malformed = [] if kind else _guarded("the update cannot be read", written.malformed)
            if malformed:
                raise Misshapen(malformed)
            if len(replica.waiting) > waited:
                self._check_waiting(replica)
            answer = reply()
            snapshot = replica.doc.get_update() if self._should_compact(replica, keep) else None
            replica.seen = self._store(
                library_id, replica, keep, snapshot, before if keep else None
            )
        except BaseException:
            replica.reset()  # it may hold what was not stored
            raise
        return answer

    def _store(
        self,
        library_id: str,
        replica: Replica,
        keep: list[bytes],
        snapshot: bytes | None,
        before: KeptState | None,
    ) -> int:
        """Append the rows (and the snapshot; and keep the document as it was `before`) under the
        library's write lock, which is held for the writing only. The id of the last row."""
        with self.storage.writing(library_id) as writer:
            others = writer.rows_after(replica.seen)
            if others:  # another server process wrote meanwhile: the snapshot lacks its rows
                replica.catch_up(others)
                snapshot = None
            if before is not None:  # still the state the database held before these rows
                self._keep_state(writer, replica, before)
            last = replica.seen
            for update in keep:
                last = writer.append("update", update)
                replica.tail_rows += 1
                replica.tail_bytes += len(update)
            if snapshot is not None:
                last = self._compact(replica, writer, snapshot)
        return last

    def _state_to_keep(
        self, library_id: str, replica: Replica, kind: str | None
    ) -> KeptState | None:
        """The document as it is now, if a dated snapshot of it is due (or asked for: `kind`).
        Encoded before the write lock is taken."""
        now = self.clock()
        if kind is None:
            if replica.snapshot_at is None:
                last = self.storage.last_snapshot(library_id)
                replica.snapshot_at = NEVER if last is None else last
            if not self.snapshots.due(replica.snapshot_at, now):
                return None
        if replica.doc.get_state() == EMPTY_STATE:  # nothing to keep
            return None
        return KeptState(replica.doc.get_update(), kind or SCHEDULED, now)

    def _keep_state(self, writer: Writer, replica: Replica, before: KeptState) -> None:
        """Insert the snapshot, unless another server process took one within the interval;
        then remove those past the retention."""
        if before.kind == SCHEDULED:
            last = writer.last_snapshot()
            if not self.snapshots.due(last, before.taken):
                replica.snapshot_at = last
                return
        writer.add_snapshot(before.data, before.kind, before.taken)
        replica.snapshot_at = before.taken
        if before.kind == SCHEDULED:
            removed = writer.prune_snapshots(
                self.snapshots.keep, self.snapshots.oldest_kept(before.taken)
            )
            if removed:
                log.info("%d snapshot(s) past the retention removed", removed)

    def _check_waiting(self, replica: Replica) -> None:
        count, size = len(replica.waiting), replica.waiting_bytes
        if count > self.max_waiting or size > self.max_waiting_bytes:
            raise TooMuchWaiting(
                f"this library would keep {count} updates ({size} bytes) waiting for edits the "
                f"server never received, and it keeps at most {self.max_waiting} "
                f"({self.max_waiting_bytes} bytes). Nothing was stored: the device must sync "
                "from scratch (send its whole document, not only its latest edits)"
            )

    def _compact(self, replica: Replica, writer: Writer, snapshot: bytes) -> int:
        """Fold the rows into one snapshot. Parts still waiting are not in what pycrdt encodes,
        so their updates follow the snapshot as rows of their own."""
        first = writer.append("snapshot", snapshot)
        writer.delete_before(first)
        last = first
        for update in replica.waiting:
            last = writer.append("update", update)
        replica.snapshot_bytes = len(snapshot)
        replica.tail_rows = len(replica.waiting)
        replica.tail_bytes = replica.waiting_bytes
        return last

    def _reply(self, replica: Replica, state_vector: bytes) -> bytes:
        missing = _guarded(
            "the state vector cannot be read", lambda: replica.doc.get_update(state_vector)
        )
        state = replica.doc.get_state()
        return encode_reply(missing, state if lacks(state, state_vector) else None)

    def _should_compact(self, replica: Replica, keep: list[bytes]) -> bool:
        """Whether the rows, once `keep` is appended, are worth folding: the waiting updates
        would follow the snapshot again, so they do not count."""
        if not keep:
            return False
        rows = replica.tail_rows + len(keep) - len(replica.waiting)
        size = replica.tail_bytes + sum(len(u) for u in keep) - replica.waiting_bytes
        return rows > self.compact_rows or size > max(
            self.compact_min_bytes, replica.snapshot_bytes // 2
        )


def _guarded(what: str, step: Callable[[], T]) -> T:
    """Run a pycrdt step on client data; any failure is the client's bad data (BadUpdate).
    pycrdt's Rust core reports a panic as a BaseException, hence the broad catch."""
    try:
        return step()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        text = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise BadUpdate(f"{what}: {text}") from exc
