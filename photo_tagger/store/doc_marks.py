"""Ratings, favourites and rejects in the shared document: typed reads and writes (marks.py says
what they are and how they are kept).

Most photos of a library are never rated, and the window asks every photo for its marks (again
after each sync), so the keys of the "marks" root are looked up by photo (built when first asked,
0.2 s for 200,000 keys, then kept in step as the user tags' are) and each photo's marks are kept
once read until one of its keys changes: a photo nobody marked, or read before, costs a dict
lookup, not reads of the CRDT (10-50 us each).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from photo_tagger.store.doc_layout import SEP, check_photo_id
from photo_tagger.store.face_people import FacePeople
from photo_tagger.store.marks import NO_MARKS, Marks, check_value, mark


class PhotoMarks(FacePeople):
    """The photos' marks over the document's "marks" root; see document.LibraryDocument."""

    _marked: dict[str, set[str]] | None = None  # photo id -> its keys' fields (key text after "|")
    _read: dict[str, Marks] | None = None  # photo id -> its marks, as last read

    def _marked_fields(self) -> dict[str, set[str]]:
        if self._marked is None:
            self._marked, self._read = {}, {}
            for key in list(self._marks.keys()):
                self._index_mark(key, present=True)
            self._subscriptions.append((self._marks, self._marks.observe(self._on_marks_event)))
        return self._marked

    def _index_mark(self, key: str, present: bool) -> None:
        assert self._marked is not None and self._read is not None
        photo_id, _, name = key.partition(SEP)
        self._read.pop(photo_id, None)
        if present:
            self._marked.setdefault(photo_id, set()).add(name)
        else:
            self._marked.get(photo_id, set()).discard(name)

    def _on_marks_event(self, event: Any) -> None:
        if self._depth == 0:  # not our own write: those are indexed as they happen
            for key, change in event.keys.items():
                self._index_mark(key, present=change["action"] != "delete")

    def marks(self, photo_id: str) -> Marks:
        """What the user said of the photo; a malformed field (from another device) is read as
        never said, and reported."""
        names = self._marked_fields().get(photo_id)
        if not names:
            return NO_MARKS
        assert self._read is not None
        known = self._read.get(photo_id)
        if known is not None:
            return known
        values = {}
        with self._doc.transaction():
            for name in names:
                key = f"{photo_id}{SEP}{name}"
                raw = self._marks.get(key)
                if raw is None:
                    continue
                entry, problem = mark(key, raw)
                if entry is None:
                    self._skip("marks", key, problem or "")
                else:
                    values[name] = entry[2]
        self._read[photo_id] = read = Marks(**values) if values else NO_MARKS  # type: ignore[arg-type]
        return read

    def all_marks(self) -> dict[str, Marks]:
        """Photo id -> its marks, for every photo the user marked, read at once."""
        out = {}
        with self._doc.transaction():
            for photo_id in list(self._marked_fields()):
                marks = self.marks(photo_id)
                if not marks.empty:
                    out[photo_id] = marks
        return out

    def set_marks(
        self,
        photo_ids: Iterable[str],
        rating: int | None = None,
        favourite: bool | None = None,
        rejected: bool | None = None,
    ) -> None:
        """Set the given fields (None: left as they are) on every one of these photos, in one
        transaction. Raises ValueError for a value no reader would take."""
        wanted = {"rating": rating, "favourite": favourite, "rejected": rejected}
        given = {name: value for name, value in wanted.items() if value is not None}
        for name, value in given.items():
            check_value(name, value)
        with self._write():
            for photo_id in photo_ids:
                check_photo_id(photo_id)
                for name, value in given.items():
                    self._put_mark(photo_id, name, value)

    def restore_marks(self, before: dict[str, Marks]) -> None:
        """Put each photo's fields back as they were (undo): a field that was never said is
        written as its neutral value (0 stars, not flagged), since a removal would lose to
        another device's concurrent setting of it instead of converging field by field."""
        with self._write():
            for photo_id, marks in before.items():
                check_photo_id(photo_id)
                for name, value in marks.as_dict().items():
                    if value is None:
                        if f"{photo_id}{SEP}{name}" not in self._marks:
                            continue
                        value = 0 if name == "rating" else False
                    self._put_mark(photo_id, name, value)

    def _put_mark(self, photo_id: str, name: str, value: int | bool) -> None:
        key = f"{photo_id}{SEP}{name}"
        current = self._marks.get(key)
        # 3 and 3.0 are the same rating; True is no rating (bool is an int in Python)
        if current is not None and type(current) is not bool and type(value) is not bool:
            if current == value:
                return
        elif current is value:
            return
        self._marks[key] = value
        self._marked_fields()
        self._index_mark(key, present=True)
