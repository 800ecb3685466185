"""Who each face of the shared document is, and the people: typed reads and writes.

A suggestion (written by grouping, on every device that scans) and a confirmation (written by a
person) have their own roots, so a confirmation made elsewhere while offline always wins when
read; rejections are a set per face. People are Maps keyed by a fresh uuid, merged by pointing
one at another (doc_layout.py tells the layout).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pycrdt import Map

from photo_tagger.errors import NotFoundError
from photo_tagger.store import doc_values, rules
from photo_tagger.store.doc_check import DocumentCheck
from photo_tagger.store.doc_layout import SEP, check_photo_id


class FacePeople(DocumentCheck):
    """The faces' people and the people, over the document's roots; see document.LibraryDocument."""

    # --- faces and people --------------------------------------------------------------------

    def face_person(self, photo_id: str, face: int) -> tuple[str, bool] | None:
        """(person id as stored, confirmed by the user) or None. Resolve merges with resolve().

        A confirmation wins over a suggestion, whichever device wrote last."""
        key = f"{photo_id}{SEP}{face}"
        confirmed = self._confirmation(key, self._confirmed.get(key))
        if confirmed is not None:
            return confirmed, True
        return self._suggestion(key, self._face_person.get(key))

    def face_people(self) -> dict[tuple[str, int], tuple[str, bool]]:
        """face_person() of every face of the library, read at once."""
        out: dict[tuple[str, int], tuple[str, bool]] = {}
        for key, value in (self._face_person.to_py() or {}).items():
            face = doc_values.face_key(key)
            suggested = self._suggestion(key, value)
            if face is None:
                self._skip("face_person", key, "it is not a photo and a face number")
            elif suggested is not None:
                out[face] = suggested
        for key, value in (self._confirmed.to_py() or {}).items():
            face = doc_values.face_key(key)
            person = self._confirmation(key, value)
            if face is None:
                self._skip("confirmed", key, "it is not a photo and a face number")
            elif person is not None:
                out[face] = (person, True)
        return out

    def _suggestion(self, key: str, value: Any) -> tuple[str, bool] | None:
        if value is None:
            return None
        suggested, problem = doc_values.suggestion(value)
        if problem:
            self._skip("face_person", key, problem)
        return suggested

    def _confirmation(self, key: str, value: Any) -> str | None:
        if value is None:
            return None
        person, problem = doc_values.confirmation(value)
        if problem:
            self._skip("confirmed", key, problem)
        return person

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
            confirmed = self._confirmation(key, self._confirmed.get(key))
            if confirmed is not None and self.resolve_person(confirmed) == target:
                del self._confirmed[key]
            suggestion = self._suggestion(key, self._face_person.get(key))
            if suggestion is not None and self.resolve_person(suggestion[0]) == target:
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
        """Everything of `src` becomes `dst`'s (both resolved first, so chains stay short). An
        unnamed `dst` takes `src`'s name: merging a named person into a group keeps the name."""
        self._check_person(src)
        self._check_person(dst)
        src, dst = self.resolve_person(src), self.resolve_person(dst)
        if src == dst:
            return
        people = self._people_table()
        name = people[src].get("name")
        with self._write():
            if name and not people[dst].get("name"):
                self._set_person_field(dst, "name", name)
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
            for pid in list(self._people.keys()):
                value = self._people.get(pid)
                entry, problem = doc_values.person(value, isinstance(value, Map))
                if entry is None:
                    self._skip("people", pid, problem or "")
                else:
                    table[pid] = entry
            self._people_cache = table
        return self._people_cache

    # --- when a photo's faces move ---------------------------------------------------------

    def _move_face_people(
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


def _face_key(photo_id: str, face: int) -> str:
    check_photo_id(photo_id)
    if face < 0:
        raise ValueError(f"face numbers start at 0, not {face}")
    return f"{photo_id}{SEP}{int(face)}"
