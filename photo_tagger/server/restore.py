"""Setting a library back to one of its dated snapshots, as `photo-tagger server restore` does.

The restore is a new edit on top of the current document (store/doc_restore.py computes it):
appended as an update row like a device's, so every device receives it at its next sync and
merges it as it merges any other edit. The stored log is never rewritten, so no device diverges,
and an edit a device makes after the restore is kept as any edit is. Before the edit, the
document as it then is is kept as a snapshot ("before restore"), so the restore can be undone by
restoring that one. A running server (of any number of processes) reads the new row before it
next serves the library.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from photo_tagger.errors import NotFoundError, ServerError
from photo_tagger.server.replicas import Replicas
from photo_tagger.server.snapshots import BEFORE_RESTORE, SnapshotPolicy, when
from photo_tagger.server.storage import SnapshotRecord, Storage
from photo_tagger.store.doc_restore import Restoration, restoration


@dataclass(frozen=True)
class Restored:
    snapshot: SnapshotRecord
    restoration: Restoration
    kept: SnapshotRecord | None  # the document as it was just before (if anything was written)


def restore(
    storage: Storage,
    library_id: str,
    snapshot: SnapshotRecord,
    clock: Callable[[], float] = time.time,
) -> Restored:
    """Put `snapshot` back as a new edit of the library. Nothing is written if the library
    already reads as the snapshot does (`restoration.update` is None then)."""
    data = storage.snapshot_data(library_id, snapshot.id)
    if data is None:
        raise NotFoundError(
            f"The snapshot of {when(snapshot.taken)} was removed meanwhile (the server keeps "
            "only the newest ones); list them again and pick another."
        )
    now = clock()
    # this process takes no scheduled snapshot: the server does, by its own settings
    replicas = Replicas(storage, snapshots=SnapshotPolicy(every=0), clock=lambda: now)
    current = replicas.state(library_id)
    try:
        result = restoration(current, data)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a snapshot that does not read (pycrdt panics are Base-)
        raise ServerError(
            f"The snapshot of {when(snapshot.taken)} cannot be put back ({exc}); nothing was "
            "changed. Try another snapshot."
        ) from exc
    if result.update is None:
        return Restored(snapshot, result, None)
    replicas.edit(library_id, result.update, BEFORE_RESTORE)
    kept = [s for s in storage.snapshots(library_id) if s.kind == BEFORE_RESTORE and s.taken == now]
    return Restored(snapshot, result, kept[-1] if kept else None)
