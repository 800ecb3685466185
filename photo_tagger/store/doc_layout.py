"""How the library's shared document is laid out in the CRDT, its transactions and lookups.

What the document holds (DESIGN.md, "The shared document"), per photo, keyed by content id: auto
tags per source, user tags, faces, the person of each face (suggested or confirmed) and the people
the user rejected for a face, its rating and favourite and reject flags; and the people
themselves.

How it is laid out in the CRDT (root name: key -> value):

    photos       content id -> JSON text of
                               {"auto": {"model", "tags": {tag: score}} | null,
                                "faces": {"detector", "faces": [{"box", "score", "eyes"}]} | null}
    auto.cloud   content id -> JSON text of {"model", "tags": {tag: score}}
    user         "<content id>|<tag>" -> True (added) / False (removed)
    face_person  "<content id>|<face>" -> {"person": id, "confirmed": false}  (a suggestion)
    confirmed    "<content id>|<face>" -> person id                 (the user said who it is)
    rejected     "<content id>|<face>|<person id>" -> True       (a set: a Map keyed by member)
    people       person id -> Map {"name": str | None, "merged_into": id | None, "hidden": bool}
    marks        "<content id>|rating" -> 0..5, "<content id>|favourite" / "|rejected" -> bool
    rotation     content id -> 90 / 180 / 270 (degrees clockwise the user turned the photo)
    user_faces   "<content id>|<face>" -> {"box": [x0, y0, x1, y1]}   (a face the user drew;
                               its face number is 100000 or more, the detector's count from 0)
    quarantine   "<root>|<key>" -> JSON text of a malformed value set aside (doc_check.py)

Why flat root Maps instead of a Map per photo with Maps inside:
1. Offline edits must not be lost. When two devices each create a nested Map under the same key
   (both scan the same photo while offline), the merged document keeps only one of the two Maps
   and everything written into the other is gone, e.g. the user tags made on the losing laptop
   (tests/store/test_sync.py shows it). Root types merge by name, and a key that holds one fact
   merges last-writer-wins per fact, which is the meaning wanted. So nothing keyed by content id
   is a nested shared type. Person Maps are nested, but keyed by a fresh uuid only one device
   creates.
2. Opening cost follows the number of CRDT items and values, not bytes (pycrdt 0.14, 100,000
   photos, fresh process: photo Map -> auto/user/face_person/rejected Maps with a value per tag
   loads in 4.2 s; one nested JSON value per photo plus a suggestion per face in 0.7 s and ~400 MB
   of memory; the same with the photo value as JSON text in 0.4 s and ~175 MB, as pycrdt keeps
   every nested value as its own tree of allocations). So what the
   local models found is one JSON text per photo, written whole: a re-analysis replaces it (an
   atomic value, as the design asks), and face i means the same face on every device as long as
   they run the same detector. Within a batch, writes to one photo become a single item (a
   second item per photo in the same transaction doubles the opening time).
3. The cloud model's tags have their own root, so a device escalating a photo never races with
   another device re-analysing it locally.
4. Who a face is has two roots for the same reason: a suggestion (written by grouping, on every
   device that scans) must never overwrite a confirmation (written by a person) made elsewhere
   while offline, so confirmations have their own keys and always win when read.

Content ids and person ids must not contain "|" (content ids are hex, person ids uuid4 hex).
Only this package imports pycrdt; callers get dicts, lists, strings and floats.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pycrdt import Doc, Map

from photo_tagger.errors import LibraryError, PhotoTaggerError
from photo_tagger.store import doc_values

SEP = "|"
QUARANTINE = "quarantine"
# Every root of the document, each a Map (what a restore of an earlier state goes through).
ROOTS: tuple[str, ...] = (
    "photos",
    "auto.cloud",
    "user",
    "face_person",
    "confirmed",
    "rejected",
    "people",
    "marks",
    "rotation",
    "user_faces",
    QUARANTINE,
)
NESTED_ROOTS = ("people",)  # the roots whose values are shared types (a Map per person)

Record = dict[str, Any]  # a photos[...] value


class DocumentLayout:
    """The document's root Maps, its transactions (`batch()`, nesting: the outermost one is
    the transaction) and lookups kept in step with it: what document.LibraryDocument's typed
    reads and writes are built on."""

    def __init__(self, doc: Doc | None = None, after_commit: Callable[[], object] | None = None):
        self._doc: Doc = doc if doc is not None else Doc()
        self._after_commit = after_commit
        self._depth = 0
        self._pending: dict[str, Record] = {}  # photo records written in the current batch
        self._photos: Map = self._doc.get("photos", type=Map)
        self._cloud: Map = self._doc.get("auto.cloud", type=Map)
        self._user: Map = self._doc.get("user", type=Map)
        self._face_person: Map = self._doc.get("face_person", type=Map)
        self._confirmed: Map = self._doc.get("confirmed", type=Map)
        self._rejected: Map = self._doc.get("rejected", type=Map)
        self._people: Map = self._doc.get("people", type=Map)
        self._marks: Map = self._doc.get("marks", type=Map)
        # Lookups by photo for the keyed-by-fact Maps and a cache of the people: the write methods
        # keep them current as they write (observers fire only when a transaction commits), and
        # observers follow what other replicas changed (updates applied outside our writes).
        self._user_keys: dict[str, set[str]] = {}
        self._rejected_keys: dict[tuple[str, int], set[str]] = {}
        self._people_cache: dict[str, dict[str, Any]] | None = None
        # (root, key) -> what is wrong: malformed values met while reading, skipped as absent.
        self._skipped: dict[tuple[str, str], str] = {}
        for key in self._user:
            self._index_user(key, present=True)
        for key in self._rejected:
            self._index_rejected(key, present=True)
        self._subscriptions = [
            (self._user, self._user.observe(self._on_user_event)),
            (self._rejected, self._rejected.observe(self._on_rejected_event)),
            (self._people, self._people.observe_deep(self._on_people_events)),
        ]

    def close(self) -> None:
        for shared, subscription in self._subscriptions:
            shared.unobserve(subscription)
        self._subscriptions = []

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every write inside is one transaction: one update, one row in the log."""
        with self._write():
            yield

    @contextmanager
    def _write(self) -> Iterator[None]:
        if self._depth > 0:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with _observer_errors_unwrapped(), self._doc.transaction():
                try:
                    yield
                finally:
                    self._flush_pending()
        finally:
            self._depth = 0
        if self._after_commit is not None:
            self._after_commit()

    def _flush_pending(self) -> None:
        for photo_id, record in self._pending.items():
            self._photos[photo_id] = _dumps(record)
        self._pending.clear()

    # --- sync --------------------------------------------------------------------------------

    def state_vector(self) -> bytes:
        """What this replica has seen, for a peer to compute what it is missing."""
        return self._doc.get_state()

    def encode_state_as_update(self, state_vector: bytes | None = None) -> bytes:
        """Everything a replica with `state_vector` lacks (everything, without one)."""
        return self._doc.get_update(state_vector)

    def apply_update(self, update: bytes) -> None:
        """Merge an update from another replica. A library's log records it (see DocumentLog)."""
        try:
            with _observer_errors_unwrapped():
                self._doc.apply_update(update)
        except ValueError as exc:
            raise LibraryError(f"An update could not be read ({exc}); nothing changed.") from exc
        if self._after_commit is not None:
            self._after_commit()

    # --- photo records ---------------------------------------------------------------------

    def _record(self, photo_id: str) -> Record | None:
        """The photo's record, its malformed parts (from another device) read as absent."""
        if photo_id in self._pending:
            return self._pending[photo_id]
        value = self._photos.get(photo_id)
        if value is None:
            return None
        record, problems = doc_values.photo_record(value)
        for problem in problems:
            self._skip("photos", photo_id, problem)
        return record

    def _cloud_record(self, photo_id: str) -> Record | None:
        value = self._cloud.get(photo_id)
        if value is None:
            return None
        record, problem = doc_values.cloud_record(value)
        if problem:
            self._skip("auto.cloud", photo_id, problem)
        return record

    def _skip(self, root: str, key: str, problem: str) -> None:
        self._skipped[(root, key)] = problem

    def skipped(self) -> list[str]:
        """The malformed values met while reading, in words (each was read as absent)."""
        return [
            f"{doc_values.describe(root, key)}: {problem}"
            for (root, key), problem in sorted(self._skipped.items())
        ]

    def _put_record(self, photo_id: str, record: Record) -> None:
        assert self._depth > 0, "photo records are written inside _write()"
        self._pending[photo_id] = record

    def _put_cloud_record(self, photo_id: str, record: Record) -> None:
        self._cloud[photo_id] = _dumps(record)

    # --- lookups kept in step with the document ----------------------------------------------

    def _index_user(self, key: str, present: bool) -> None:
        photo_id, _, tag = key.partition(SEP)
        if present:
            self._user_keys.setdefault(photo_id, set()).add(tag)
        else:
            self._user_keys.get(photo_id, set()).discard(tag)

    def _index_rejected(self, key: str, present: bool) -> None:
        parts = key.split(SEP, 2)
        if len(parts) != 3 or not (parts[1].isascii() and parts[1].isdigit()):
            return  # not a key this schema writes; ignore rather than fail
        face = (parts[0], int(parts[1]))
        if present:
            self._rejected_keys.setdefault(face, set()).add(parts[2])
        else:
            self._rejected_keys.get(face, set()).discard(parts[2])

    def _on_user_event(self, event: Any) -> None:
        if self._depth == 0:  # not our own write: those are indexed as they happen
            for key, change in event.keys.items():
                self._index_user(key, present=change["action"] != "delete")

    def _on_rejected_event(self, event: Any) -> None:
        if self._depth == 0:
            for key, change in event.keys.items():
                self._index_rejected(key, present=change["action"] != "delete")

    def _on_people_events(self, events: Any) -> None:
        if self._depth == 0:
            self._people_cache = None


def _dumps(record: Record) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def check_photo_id(photo_id: str) -> None:
    if not photo_id or SEP in photo_id:
        raise ValueError(f"not a content id: {photo_id!r}")


@contextmanager
def _observer_errors_unwrapped() -> Iterator[None]:
    """pycrdt gathers observer exceptions into an ExceptionGroup; surface ours as themselves."""
    try:
        yield
    except ExceptionGroup as group:
        ours = [e for e in group.exceptions if isinstance(e, PhotoTaggerError)]
        if ours:
            raise ours[0] from group
        raise
