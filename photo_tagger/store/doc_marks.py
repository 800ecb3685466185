"""Ratings, favourites and rejects in the shared document: typed reads and writes (marks.py says
what they are and how they are kept)."""

from __future__ import annotations

from collections.abc import Iterable

from photo_tagger.store.doc_layout import SEP, check_photo_id
from photo_tagger.store.face_people import FacePeople
from photo_tagger.store.marks import FIELDS, NO_MARKS, Marks, check_value, mark


class PhotoMarks(FacePeople):
    """The photos' marks over the document's "marks" root; see document.LibraryDocument."""

    def marks(self, photo_id: str) -> Marks:
        """What the user said of the photo; a malformed field (from another device) is read as
        never said, and reported."""
        values = {}
        with self._doc.transaction():
            for name in FIELDS:
                key = f"{photo_id}{SEP}{name}"
                raw = self._marks.get(key)
                if raw is None:
                    continue
                entry, problem = mark(key, raw)
                if entry is None:
                    self._skip("marks", key, problem or "")
                else:
                    values[name] = entry[2]
        return Marks(**values) if values else NO_MARKS  # type: ignore[arg-type]

    def all_marks(self) -> dict[str, Marks]:
        """Photo id -> its marks, for every photo the user marked, read at once."""
        fields: dict[str, dict[str, int | bool]] = {}
        for key, raw in (self._marks.to_py() or {}).items():
            entry, problem = mark(key, raw)
            if entry is None:
                self._skip("marks", key, problem or "")
            else:
                fields.setdefault(entry[0], {})[entry[1]] = entry[2]
        return {pid: Marks(**values) for pid, values in fields.items()}  # type: ignore[arg-type]

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
