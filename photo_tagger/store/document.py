"""The library's shared document: typed accessors over a pycrdt Doc, plain Python values out.

What the document holds (DESIGN.md, "The shared document"), per photo, keyed by content id: auto
tags per source, user tags, faces, the person of each face (suggested or confirmed) and the people
the user rejected for a face, the photo's rating, favourite and reject flags, the user's rotation
and hand-drawn faces; and the people themselves. How that is laid out in the CRDT, and why, is
doc_layout.py's to tell; who each face is and the people are written in face_people.py, the ratings
and flags in doc_marks.py, the rotations and hand-drawn faces in photo_edits.py.

Only this package imports pycrdt; callers get dicts, lists, strings and floats.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from photo_tagger.store import doc_values, rules
from photo_tagger.store.doc_layout import SEP, Record, check_photo_id
from photo_tagger.store.doc_marks import PhotoMarks
from photo_tagger.store.photo_edits import PhotoEdits

# How a record that holds both the model's tags and the faces starts, and what it holds further on
# (doc_layout._dumps: no spaces; the tags first, as every writer here puts them).
_BOTH = ('{"auto":{', ',"faces":{')

# Later sources override earlier ones per tag. (What the photo itself says, the "photo" source,
# is kept in the local index, not here: library.py.)
SOURCES: tuple[str, ...] = (rules.LOCAL, rules.CLOUD)


class LibraryDocument(PhotoMarks, PhotoEdits):
    """Typed reads and writes of the shared document; each write is one transaction.

    `batch()` groups many writes (a scan's photos) into one transaction, hence one update. The
    document belongs to one thread. `after_commit` runs after each outermost transaction (the
    document log uses it to compact itself now and then).
    """

    # --- photos ------------------------------------------------------------------------------

    def photo_ids(self) -> list[str]:
        """Every photo of the document (keys that are no content id are skipped and reported)."""
        ids = []
        for key in list(self._photos.keys()):
            problem = doc_values.photo_id_problem(key)
            if problem:
                self._skip("photos", key, problem)
            else:
                ids.append(key)
        ids.extend(p for p in self._pending if p not in self._photos)
        return ids

    def has_photo(self, photo_id: str) -> bool:
        return photo_id in self._pending or photo_id in self._photos

    def photo_count(self) -> int:
        return len(self._photos) + sum(1 for p in self._pending if p not in self._photos)

    def lacking_analysis(self, photo_ids: Iterable[str]) -> list[str]:
        """The photos among these whose record lacks what the models found: no record, or no
        model tags or no faces (an empty list of either is something found). Nothing in
        photo-tagger removes them, so such a photo lost them: another device wiped them, or
        `check --repair` set a malformed record aside.

        A rescan asks this of every photo, so a record written as this program writes it (the
        model's tags, then the faces) is taken as holding both without reading it whole: 3 us a
        photo instead of 20. Whether those parts are well formed is for `check` to say; its
        repair sets a malformed part aside, which the next rescan then restores. Any other
        record is read whole, a malformed part counting as lacking."""
        with self._doc.transaction():
            lacking = []
            for photo_id in photo_ids:
                raw = None if photo_id in self._pending else self._photos.get(photo_id)
                if isinstance(raw, str) and raw.startswith(_BOTH[0]) and _BOTH[1] in raw:
                    continue
                record = self._record(photo_id)
                if record is None or record.get("auto") is None or record.get("faces") is None:
                    lacking.append(photo_id)
            return lacking

    # --- tags --------------------------------------------------------------------------------

    def set_auto_tags(
        self, photo_id: str, tags: Mapping[str, float], source: str, model: str
    ) -> None:
        """Replace the tags `source` gave the photo. User tags are never touched."""
        check_photo_id(photo_id)
        if source not in SOURCES:
            raise ValueError(f"unknown tag source {source!r} (known: {', '.join(SOURCES)})")
        value = {"model": model, "tags": {str(t): float(s) for t, s in tags.items()}}
        with self._write():
            if source == rules.LOCAL:
                record = self._record(photo_id) or {"auto": None, "faces": None}
                if record.get("auto") != value:
                    self._put_record(photo_id, {**record, "auto": value})
            elif self._cloud_record(photo_id) != value:
                self._put_cloud_record(photo_id, value)

    def auto_tags(self, photo_id: str) -> dict[str, dict[str, Any]]:
        """tag -> {"score", "source", "model"}; the cloud's verdict wins over the local one."""
        with self._doc.transaction():
            record = self._record(photo_id)
            local = record.get("auto") if record else None
            return rules.merge_auto({rules.LOCAL: local, rules.CLOUD: self._cloud_record(photo_id)})

    def local_auto_tags(self, photo_id: str) -> tuple[str, dict[str, float]] | None:
        """(model, tag -> score) as this library's own models last gave them, None if they
        gave none; the cloud's verdict left out."""
        record = self._record(photo_id)
        value = record.get("auto") if record else None
        if not value:
            return None
        return str(value["model"]), dict(value["tags"])

    def set_user_tag(self, photo_id: str, tag: str, present: bool) -> None:
        """The user says the photo has (True) or has not (False) this tag; beats every model."""
        check_photo_id(photo_id)
        tag = rules.clean_tag(tag)
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
        """tag -> added (True) or removed (False); malformed entries are skipped and reported."""
        keys = [f"{photo_id}{SEP}{t}" for t in self._user_keys.get(photo_id, ())]
        if not keys:
            return {}
        with self._doc.transaction():
            values = {key: self._user.get(key) for key in keys}
        out: dict[str, bool] = {}
        for key, value in values.items():
            if value is None:
                continue
            entry, problem = doc_values.user_tag(key, value)
            if entry is None:
                self._skip("user", key, problem or "")
            else:
                out[entry[1]] = entry[2]
        return out

    def auto_tags_where(self, wanted: Callable[[str, str], bool]) -> dict[str, dict[str, Any]]:
        """auto_tags() of the photos for which `wanted(photo_id, text)` holds, read at once.
        `text` is what the document keeps of the models' tags of the photo, as stored (unchecked:
        for a quick look, such as whether a word is in it; a record written as this program
        writes it without its faces); what is returned is checked as auto_tags() checks it. A
        photo without a record is not asked about."""
        out: dict[str, dict[str, Any]] = {}
        with self._doc.transaction():
            clouds = {k: v for k, v in self._cloud.items() if isinstance(v, str)}
            for photo_id, value in self._photos.items():
                text = value if isinstance(value, str) else ""
                if text.startswith(_BOTH[0]):  # the faces come after the tags: leave them out
                    end = text.rfind(_BOTH[1])
                    text = text[:end] if end > 0 else text
                cloud = clouds.get(photo_id)
                if cloud is not None:
                    text = f"{text}\n{cloud}"
                if photo_id in self._pending or not wanted(photo_id, text):
                    continue
                local, problem = doc_values.photo_tags_record(value)
                if problem:
                    self._skip("photos", photo_id, problem)
                clouded = self._cloud_record(photo_id) if cloud is not None else None
                out[photo_id] = rules.merge_auto({rules.LOCAL: local, rules.CLOUD: clouded})
            for photo_id in self._pending:
                if wanted(photo_id, str(self._pending[photo_id])):
                    out[photo_id] = self.auto_tags(photo_id)
        return out

    def user_tagged(self) -> dict[str, set[str]]:
        """Photo id -> the tags the user said something of (added or removed: user_tags() says
        which, and checks them)."""
        return {p: set(tags) for p, tags in self._user_keys.items() if tags}

    def effective_tags(self, photo_id: str, threshold: Callable[[str], float]) -> dict[str, float]:
        """The photo's tags as the user sees them: tag -> score (1.0 for tags the user added)."""
        return rules.effective_tags(self.auto_tags(photo_id), self.user_tags(photo_id), threshold)

    # --- faces -------------------------------------------------------------------------------

    def set_faces(
        self, photo_id: str, detector_id: str, faces: Sequence[Mapping[str, Any]]
    ) -> None:
        """Store a photo's faces (written whole). If they moved, confirmations follow them."""
        check_photo_id(photo_id)
        new_faces = [_face_value(f) for f in faces]
        value: Record = {"detector": detector_id, "faces": new_faces}
        with self._write():
            record = self._record(photo_id) or {"auto": None, "faces": None}
            old = record.get("faces")
            if old == value:
                return
            if old and old["faces"]:
                self._move_face_people(photo_id, old["faces"], new_faces)
            self._put_record(photo_id, {**record, "faces": value})

    def faces(self, photo_id: str) -> tuple[str | None, list[dict[str, Any]]]:
        """(detector id, [{"box": [x0, y0, x1, y1], "score", "eyes": [[x, y], [x, y]]}])."""
        record = self._record(photo_id)
        value = record.get("faces") if record else None
        if not value:
            return None, []
        return value["detector"], copy.deepcopy(value["faces"])


def _face_value(face: Mapping[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = {
        "box": [float(v) for v in face["box"]],
        "score": float(face["score"]),
    }
    if face.get("eyes") is not None:
        value["eyes"] = [[float(x), float(y)] for x, y in face["eyes"]]
    return value
