"""The library's shared document: typed accessors over a pycrdt Doc, plain Python values out.

What the document holds (DESIGN.md, "The shared document"), per photo, keyed by content id: auto
tags per source, user tags, faces, the person of each face (suggested or confirmed) and the people
the user rejected for a face; and the people themselves.

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

import copy
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pycrdt import Doc, Map

from photo_tagger.errors import LibraryError, NotFoundError, PhotoTaggerError
from photo_tagger.store import rules

# Later sources override earlier ones per tag. (What the photo itself says, the "photo" source,
# is kept in the local index, not here: library.py.)
SOURCES: tuple[str, ...] = ("local", "cloud")
SEP = "|"

Record = dict[str, Any]  # a photos[...] value


class LibraryDocument:
    """Typed reads and writes of the shared document; each write is one transaction.

    `batch()` groups many writes (a scan's photos) into one transaction, hence one update. The
    document belongs to one thread. `after_commit` runs after each outermost transaction (the
    document log uses it to compact itself now and then).
    """

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
        # Lookups by photo for the keyed-by-fact Maps and a cache of the people: the write methods
        # keep them current as they write (observers fire only when a transaction commits), and
        # observers follow what other replicas changed (updates applied outside our writes).
        self._user_keys: dict[str, set[str]] = {}
        self._rejected_keys: dict[tuple[str, int], set[str]] = {}
        self._people_cache: dict[str, dict[str, Any]] | None = None
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

    # --- photos ------------------------------------------------------------------------------

    def photo_ids(self) -> list[str]:
        ids = list(self._photos.keys())
        ids.extend(p for p in self._pending if p not in self._photos)
        return ids

    def has_photo(self, photo_id: str) -> bool:
        return photo_id in self._pending or photo_id in self._photos

    def photo_count(self) -> int:
        return len(self._photos) + sum(1 for p in self._pending if p not in self._photos)

    def _record(self, photo_id: str) -> Record | None:
        if photo_id in self._pending:
            return self._pending[photo_id]
        value = self._photos.get(photo_id)
        return _loads(value) if value is not None else None

    def _cloud_record(self, photo_id: str) -> Record | None:
        value = self._cloud.get(photo_id)
        return _loads(value) if value is not None else None

    def _put_record(self, photo_id: str, record: Record) -> None:
        assert self._depth > 0, "photo records are written inside _write()"
        self._pending[photo_id] = record

    # --- tags --------------------------------------------------------------------------------

    def set_auto_tags(
        self, photo_id: str, tags: Mapping[str, float], source: str, model: str
    ) -> None:
        """Replace the tags `source` gave the photo. User tags are never touched."""
        _check_photo_id(photo_id)
        if source not in SOURCES:
            raise ValueError(f"unknown tag source {source!r} (known: {', '.join(SOURCES)})")
        value = {"model": model, "tags": {str(t): float(s) for t, s in tags.items()}}
        with self._write():
            if source == "local":
                record = self._record(photo_id) or {"auto": None, "faces": None}
                if record.get("auto") != value:
                    self._put_record(photo_id, {**record, "auto": value})
            elif self._cloud_record(photo_id) != value:
                self._cloud[photo_id] = _dumps(value)

    def auto_tags(self, photo_id: str) -> dict[str, dict[str, Any]]:
        """tag -> {"score", "source", "model"}; the cloud's verdict wins over the local one."""
        with self._doc.transaction():
            record = self._record(photo_id)
            local = record.get("auto") if record else None
            return rules.merge_auto({"local": local, "cloud": self._cloud_record(photo_id)})

    def set_user_tag(self, photo_id: str, tag: str, present: bool) -> None:
        """The user says the photo has (True) or has not (False) this tag; beats every model."""
        _check_photo_id(photo_id)
        if not tag:
            raise ValueError("a tag cannot be empty")
        key = f"{photo_id}{SEP}{tag}"
        with self._write():
            if self._user.get(key) is not bool(present):
                self._user[key] = bool(present)
            self._index_user(key, present=True)

    def clear_user_tag(self, photo_id: str, tag: str) -> None:
        """Forget what the user said about this tag: the models decide again."""
        key = f"{photo_id}{SEP}{tag}"
        with self._write():
            if key in self._user:
                del self._user[key]
            self._index_user(key, present=False)

    def user_tags(self, photo_id: str) -> dict[str, bool]:
        tags = self._user_keys.get(photo_id, ())
        with self._doc.transaction():
            out = {t: self._user.get(f"{photo_id}{SEP}{t}") for t in tags}
        return {t: bool(v) for t, v in out.items() if v is not None}

    def effective_tags(self, photo_id: str, threshold: Callable[[str], float]) -> dict[str, float]:
        """The photo's tags as the user sees them: tag -> score (1.0 for tags the user added)."""
        return rules.effective_tags(self.auto_tags(photo_id), self.user_tags(photo_id), threshold)

    # --- faces -------------------------------------------------------------------------------

    def set_faces(
        self, photo_id: str, detector_id: str, faces: Sequence[Mapping[str, Any]]
    ) -> None:
        """Store a photo's faces (written whole). If they moved, confirmations follow them."""
        _check_photo_id(photo_id)
        new_faces = [_face_value(f) for f in faces]
        value: Record = {"detector": detector_id, "faces": new_faces}
        with self._write():
            record = self._record(photo_id) or {"auto": None, "faces": None}
            old = record.get("faces")
            if old == value:
                return
            if old and old["faces"]:
                self._remap_faces(photo_id, old["faces"], new_faces)
            self._put_record(photo_id, {**record, "faces": value})

    def faces(self, photo_id: str) -> tuple[str | None, list[dict[str, Any]]]:
        """(detector id, [{"box": [x0, y0, x1, y1], "score", "eyes": [[x, y], [x, y]]}])."""
        record = self._record(photo_id)
        value = record.get("faces") if record else None
        if not value:
            return None, []
        return value["detector"], copy.deepcopy(value["faces"])

    def _remap_faces(
        self, photo_id: str, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> None:
        """Move face_person and rejections from old face indices to the matching new ones."""
        if [f["box"] for f in old] == [f["box"] for f in new]:
            return
        moved = rules.match_faces([f["box"] for f in old], [f["box"] for f in new])
        assignments: dict[int, Any] = {}
        confirmations: dict[int, str] = {}
        rejections: dict[int, set[str]] = {}
        for i in range(len(old)):
            key = f"{photo_id}{SEP}{i}"
            if key in self._face_person:
                assignments[i] = self._face_person[key]
                del self._face_person[key]
            if key in self._confirmed:
                confirmations[i] = str(self._confirmed[key])
                del self._confirmed[key]
            for person in self.rejected(photo_id, i):
                rejections.setdefault(i, set()).add(person)
                rkey = f"{photo_id}{SEP}{i}{SEP}{person}"
                del self._rejected[rkey]
                self._index_rejected(rkey, present=False)
        for i, value in assignments.items():
            if i in moved:
                self._face_person[f"{photo_id}{SEP}{moved[i]}"] = value
        for i, person in confirmations.items():
            if i in moved:
                self._confirmed[f"{photo_id}{SEP}{moved[i]}"] = person
        for i, people in rejections.items():
            if i in moved:
                for person in people:
                    rkey = f"{photo_id}{SEP}{moved[i]}{SEP}{person}"
                    self._rejected[rkey] = True
                    self._index_rejected(rkey, present=True)

    # --- faces and people --------------------------------------------------------------------

    def face_person(self, photo_id: str, face: int) -> tuple[str, bool] | None:
        """(person id as stored, confirmed by the user) or None. Resolve merges with resolve().

        A confirmation wins over a suggestion, whichever device wrote last."""
        key = f"{photo_id}{SEP}{face}"
        confirmed = self._confirmed.get(key)
        if confirmed is not None:
            return str(confirmed), True
        value = self._face_person.get(key)
        if value is None:
            return None
        return str(value["person"]), bool(value["confirmed"])

    def face_people(self) -> dict[tuple[str, int], tuple[str, bool]]:
        """face_person() of every face of the library, read at once."""
        out: dict[tuple[str, int], tuple[str, bool]] = {}
        for key, value in (self._face_person.to_py() or {}).items():
            photo_id, face = key.split(SEP, 1)
            out[(photo_id, int(face))] = (str(value["person"]), bool(value["confirmed"]))
        for key, person in (self._confirmed.to_py() or {}).items():
            photo_id, face = key.split(SEP, 1)
            out[(photo_id, int(face))] = (str(person), True)
        return out

    def rejected(self, photo_id: str, face: int) -> set[str]:
        """The people the user said this face is not (as stored; resolve merges yourself)."""
        return set(self._rejected_keys.get((photo_id, face), ()))

    def rejections(self) -> dict[tuple[str, int], set[str]]:
        """rejected() of every face that has any."""
        return {k: set(v) for k, v in self._rejected_keys.items() if v}

    def suggest_person(self, photo_id: str, face: int, person_id: str) -> bool:
        """Suggest a person for a face unless the user confirmed one or rejected this one.

        Returns whether the suggestion was written.
        """
        key = _face_key(photo_id, face)
        self._check_person(person_id)
        current = self.face_person(photo_id, face)
        if current is not None and (current[1] or current[0] == person_id):
            return False
        if self._is_rejected(photo_id, face, person_id):
            return False
        with self._write():
            self._face_person[key] = {"person": person_id, "confirmed": False}
        return True

    def confirm_person(self, photo_id: str, face: int, person_id: str) -> None:
        """The user says this face is this person (and takes back a rejection of them)."""
        key = _face_key(photo_id, face)
        self._check_person(person_id)
        target = self.resolve_person(person_id)
        with self._write():
            self._confirmed[key] = person_id
            if key in self._face_person:
                del self._face_person[key]  # the suggestion is answered
            for person in self.rejected(photo_id, face):
                if self.resolve_person(person) == target:
                    rkey = f"{key}{SEP}{person}"
                    del self._rejected[rkey]
                    self._index_rejected(rkey, present=False)

    def reject_person(self, photo_id: str, face: int, person_id: str) -> None:
        """The user says this face is not this person: drop it and never suggest it again."""
        key = _face_key(photo_id, face)
        self._check_person(person_id)
        target = self.resolve_person(person_id)
        with self._write():
            rkey = f"{key}{SEP}{person_id}"
            self._rejected[rkey] = True
            self._index_rejected(rkey, present=True)
            if key in self._confirmed and self.resolve_person(str(self._confirmed[key])) == target:
                del self._confirmed[key]
            suggestion = self._face_person.get(key)
            if suggestion is not None and self.resolve_person(suggestion["person"]) == target:
                del self._face_person[key]

    def set_face_state(
        self,
        photo_id: str,
        face: int,
        person: str | None,
        confirmed: bool,
        rejected: set[str],
    ) -> None:
        """Put a face back exactly as it was (an undo): afterwards face_person() is
        (person, confirmed), or None without a person, and rejected() is `rejected`.

        Unlike confirm/reject/suggest, which each carry a rule (a confirmation answers the
        suggestion, a rejection drops it), this writes the state as given, so that "suggested,
        not confirmed" or "rejected, then nobody" can come back. One transaction. A suggestion
        under a confirmation is left alone: the confirmation wins when read."""
        key = _face_key(photo_id, face)
        if person is not None:
            self._check_person(person)
        with self._write():
            if person is not None and confirmed:
                if self._confirmed.get(key) != person:
                    self._confirmed[key] = person
            else:
                if key in self._confirmed:
                    del self._confirmed[key]
                if person is None:
                    if key in self._face_person:
                        del self._face_person[key]
                elif self._face_person.get(key) != {"person": person, "confirmed": False}:
                    self._face_person[key] = {"person": person, "confirmed": False}
            now = self.rejected(photo_id, face)
            for gone in now - rejected:
                rkey = f"{key}{SEP}{gone}"
                del self._rejected[rkey]
                self._index_rejected(rkey, present=False)
            for added in rejected - now:
                rkey = f"{key}{SEP}{added}"
                self._rejected[rkey] = True
                self._index_rejected(rkey, present=True)

    def _is_rejected(self, photo_id: str, face: int, person_id: str) -> bool:
        target = self.resolve_person(person_id)
        return any(self.resolve_person(p) == target for p in self.rejected(photo_id, face))

    # --- people ------------------------------------------------------------------------------

    def new_person(self, name: str | None = None) -> str:
        person_id = uuid.uuid4().hex
        entry = {"name": name, "merged_into": None, "hidden": False}
        with self._write():
            self._people[person_id] = Map(entry)
            if self._people_cache is not None:
                self._people_cache[person_id] = dict(entry)
        return person_id

    def set_person_name(self, person_id: str, name: str | None) -> None:
        self._set_person_field(person_id, "name", name)

    def set_person_hidden(self, person_id: str, hidden: bool) -> None:
        self._set_person_field(person_id, "hidden", bool(hidden))

    def merge_people(self, src: str, dst: str) -> None:
        """Everything of `src` becomes `dst`'s (both resolved first, so chains stay short)."""
        self._check_person(src)
        self._check_person(dst)
        src, dst = self.resolve_person(src), self.resolve_person(dst)
        if src != dst:
            self._set_person_field(src, "merged_into", dst)

    def unmerge_person(self, person_id: str) -> None:
        """`person_id` (as stored, not resolved) is their own person again, with the faces that
        point at them (an undo of merge_people)."""
        self._set_person_field(person_id, "merged_into", None)

    def resolve_person(self, person_id: str) -> str:
        """The person `person_id` is now, following merges (cycle-safe)."""
        people = self._people_table()

        def merged_into(p: str) -> str | None:
            entry = people.get(p)
            return entry.get("merged_into") if entry else None

        return rules.resolve_person(person_id, merged_into)

    def people(self) -> list[dict[str, Any]]:
        """Every person, merged ones included: [{"id", "name", "merged_into", "hidden"}]."""
        return [{"id": pid, **entry} for pid, entry in sorted(self._people_table().items())]

    def person(self, person_id: str) -> dict[str, Any] | None:
        entry = self._people_table().get(person_id)
        return {"id": person_id, **entry} if entry is not None else None

    def _set_person_field(self, person_id: str, field: str, value: Any) -> None:
        self._check_person(person_id)
        entry: Map = self._people[person_id]
        with self._write():
            if entry.get(field) != value:
                entry[field] = value
            if self._people_cache is not None:
                self._people_cache[person_id][field] = value

    def _check_person(self, person_id: str) -> None:
        if person_id not in self._people_table():
            raise NotFoundError(f"No person '{person_id}' in this library.")

    def _people_table(self) -> dict[str, dict[str, Any]]:
        if self._people_cache is None:
            table = {}
            for pid, entry in (self._people.to_py() or {}).items():
                table[pid] = {
                    "name": entry.get("name"),
                    "merged_into": entry.get("merged_into"),
                    "hidden": bool(entry.get("hidden", False)),
                }
            self._people_cache = table
        return self._people_cache

    # --- lookups kept in step with the document ----------------------------------------------

    def _index_user(self, key: str, present: bool) -> None:
        photo_id, _, tag = key.partition(SEP)
        if present:
            self._user_keys.setdefault(photo_id, set()).add(tag)
        else:
            self._user_keys.get(photo_id, set()).discard(tag)

    def _index_rejected(self, key: str, present: bool) -> None:
        parts = key.split(SEP, 2)
        if len(parts) != 3 or not parts[1].isdigit():
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


def _loads(value: str) -> Record:
    record = json.loads(value)
    if not isinstance(record, dict):
        raise LibraryError(f"A photo record in the document is not an object: {value[:80]!r}")
    return record


def _check_photo_id(photo_id: str) -> None:
    if not photo_id or SEP in photo_id:
        raise ValueError(f"not a content id: {photo_id!r}")


def _face_key(photo_id: str, face: int) -> str:
    _check_photo_id(photo_id)
    if face < 0:
        raise ValueError(f"face numbers start at 0, not {face}")
    return f"{photo_id}{SEP}{int(face)}"


def _face_value(face: Mapping[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = {
        "box": [float(v) for v in face["box"]],
        "score": float(face["score"]),
    }
    if face.get("eyes") is not None:
        value["eyes"] = [[float(x), float(y)] for x, y in face["eyes"]]
    return value


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
