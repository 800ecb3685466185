"""Dated snapshots of each library's document, to set a library back after edits nobody wanted
(a device with a valid token that deletes every tag: every device syncs that like any edit).

When a sync changes a library whose newest snapshot is older than `SnapshotPolicy.every` (a day
by default), the server first keeps the document as it was before that change: so the state a
library held before a sudden wipe is the one kept, and a library nobody edits takes no snapshots.
The document is encoded before the database's write lock is taken; the lock is held only to
insert the row and remove the snapshots past the retention (the newest `keep`, none older than
`keep_days`), once a day at most. Snapshots are Yjs states, as compaction writes them.

`photo-tagger server restore` puts one back as a new edit on top of the current document
(restore.py); before it does, the document as it then is is kept too ("before restore"), so a
restore can itself be undone. Only the server removes snapshots, by its own retention.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from photo_tagger.errors import NotFoundError, ServerError
from photo_tagger.server.storage import SnapshotRecord

SCHEDULED, BEFORE_RESTORE = "scheduled", "before restore"
DAY = 86400.0


@dataclass(frozen=True)
class SnapshotPolicy:
    every: float = DAY  # seconds between two snapshots of a library that changes (0: none)
    keep: int = 30  # the newest snapshots kept
    keep_days: float = 90.0  # none older is kept

    def __post_init__(self) -> None:
        if not (self.every >= 0 and self.keep >= 1 and self.keep_days > 0):
            raise ServerError(
                "Snapshots are taken every 0 hours or more (--snapshot-every; 0: none), at "
                "least one is kept (--keep-snapshots), for more than 0 days "
                "(--keep-snapshot-days)."
            )

    def due(self, last: float | None, now: float) -> bool:
        """Whether a library whose newest snapshot was taken at `last` gets another at `now`
        (also when the clock went back before `last`)."""
        if not self.every:
            return False
        return last is None or now - last >= self.every or now < last

    def oldest_kept(self, now: float) -> float:
        return now - self.keep_days * DAY


def when(taken: float) -> str:
    """A snapshot's time as it is listed, and given back to `server restore --snapshot`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(taken))


def find_snapshot(snapshots: list[SnapshotRecord], wanted: str, library: str) -> SnapshotRecord:
    """The snapshot `wanted` names: its number, "latest", or its time as listed or the start of
    it (a day: the newest snapshot of that day; the newest of several taken in one second).
    NotFoundError if none matches."""
    text = wanted.strip().replace(" ", "T").upper()
    if text == "LATEST":
        matches = snapshots
    elif text.isdigit():
        matches = [s for s in snapshots if s.id == int(text)]
    else:
        matches = [s for s in snapshots if text and when(s.taken).startswith(text)]
    if not matches:
        have = (
            f"its snapshots run from {when(snapshots[0].taken)} to {when(snapshots[-1].taken)}"
            if snapshots
            else "it has no snapshots yet"
        )
        raise NotFoundError(
            f"Library {library} has no snapshot taken at '{wanted}' ({have}). "
            f"`photo-tagger server snapshots --library {library}` lists them; give a number or "
            "a time as listed, a day (2024-05-01: the newest of that day), or 'latest'."
        )
    return matches[-1]
