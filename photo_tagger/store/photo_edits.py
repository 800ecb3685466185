"""What the user changes about a photo itself, in the shared document: how far they turned it and
the faces they drew where the detector found none.

A rotation is one value per photo (the last device to turn it wins); it is never written to the
photo's file. A face drawn by hand is its own key, numbered from doc_values.USER_FACE_FIRST up so
that who it is (face_person, confirmed, rejected) is kept under the same keys as any face, and a
rescan, which rewrites the detector's faces, leaves it alone. Its box is in the pixels of the
photo as the scan sees it (upright by the orientation the photo carries, before the user's
rotation), like every face box. Values another device wrote malformed are skipped and reported.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from pycrdt import Map

from photo_tagger.store import doc_values
from photo_tagger.store.doc_layout import SEP, check_photo_id
from photo_tagger.store.face_people import FacePeople

LAST_FACE = 999_999  # face numbers have at most 6 digits (doc_values.face_key)


class PhotoEdits(FacePeople):
    """Rotations and hand-drawn faces; see document.LibraryDocument."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rotation = self._doc.get("rotation", type=Map)
        self._user_faces = self._doc.get("user_faces", type=Map)
        self._user_face_keys: dict[str, set[int]] = {}
        for key in self._user_faces:
            self._index_user_face(key, present=True)
        self._subscriptions.append(
            (self._user_faces, self._user_faces.observe(self._on_user_face_event))
        )

    # --- rotation ----------------------------------------------------------------------------

    def rotation(self, photo_id: str) -> int:
        """Degrees clockwise the user turned the photo: 0, 90, 180 or 270."""
        value = self._rotation.get(photo_id)
        if value is None:
            return 0
        degrees, problem = doc_values.rotation(value)
        if degrees is None:
            self._skip("rotation", photo_id, problem or "")
            return 0
        return degrees

    def set_rotation(self, photo_id: str, degrees: int) -> None:
        """Turn the photo to `degrees` clockwise (0 forgets the rotation)."""
        check_photo_id(photo_id)
        degrees %= 360
        if degrees not in doc_values.ROTATIONS:
            raise ValueError(f"a photo turns by quarter turns, not {degrees} degrees")
        with self._write():
            if degrees == 0:
                if photo_id in self._rotation:
                    del self._rotation[photo_id]
            elif self._rotation.get(photo_id) != degrees:
                self._rotation[photo_id] = degrees

    # --- faces drawn by hand -----------------------------------------------------------------

    def user_faces(self, photo_id: str) -> dict[int, list[float]]:
        """Face number -> box [x0, y0, x1, y1] of each face the user drew on the photo."""
        out: dict[int, list[float]] = {}
        for face in sorted(self._user_face_keys.get(photo_id, ())):
            key = f"{photo_id}{SEP}{face}"
            value = self._user_faces.get(key)
            if value is None:
                continue
            entry, problem = doc_values.user_face(key, value)
            if entry is None:
                self._skip("user_faces", key, problem or "")
            else:
                out[face] = entry[2]
        return out

    def new_face_number(self, photo_id: str) -> int:
        """A number for a face the user is drawing: one no face of the photo has, drawn at
        random so that two devices drawing on the same photo offline rarely pick the same."""
        taken = self._user_face_keys.get(photo_id, set())
        while True:
            face = random.randint(doc_values.USER_FACE_FIRST, LAST_FACE)
            if face not in taken:
                return face

    def add_user_face(self, photo_id: str, face: int, box: Sequence[float]) -> None:
        """Store a face the user drew (face number from new_face_number())."""
        check_photo_id(photo_id)
        key = f"{photo_id}{SEP}{int(face)}"
        value = {"box": [float(v) for v in box]}
        entry, problem = doc_values.user_face(key, value)
        if entry is None:
            raise ValueError(problem)
        with self._write():
            self._user_faces[key] = value
            self._index_user_face(key, present=True)

    def remove_user_face(self, photo_id: str, face: int) -> None:
        """Forget a face the user drew (who it is stays under its key, read by no one)."""
        key = f"{photo_id}{SEP}{int(face)}"
        with self._write():
            if key in self._user_faces:
                del self._user_faces[key]
            self._index_user_face(key, present=False)

    def _index_user_face(self, key: str, present: bool) -> None:
        face = doc_values.face_key(key)
        if face is None:
            return  # not a key this schema writes: reported when read by check
        if present:
            self._user_face_keys.setdefault(face[0], set()).add(face[1])
        else:
            self._user_face_keys.get(face[0], set()).discard(face[1])

    def _on_user_face_event(self, event: Any) -> None:
        if self._depth == 0:  # not our own write: those are indexed as they happen
            for key, change in event.keys.items():
                self._index_user_face(key, present=change["action"] != "delete")
