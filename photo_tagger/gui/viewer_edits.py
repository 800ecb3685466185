"""The viewer's edits of a photo itself, as undoable commands: turning it, and drawing a face the
detector missed. Both are written to the shared document (and so synced), never to the photo.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QUndoCommand

from photo_tagger.gui.edits import ConfirmFace, Steps, name_face
from photo_tagger.gui.session import Session


class RotatePhoto(QUndoCommand):
    """Turn the photo a quarter turn right (`degrees` 90) or left (-90)."""

    def __init__(self, session: Session, photo_id: str, degrees: int):
        super().__init__("Rotate Right" if degrees > 0 else "Rotate Left")
        self._session = session
        self._photo = photo_id
        self._before = session.doc.rotation(photo_id)
        self._after = (self._before + degrees) % 360

    def redo(self) -> None:
        self._write(self._after)

    def undo(self) -> None:
        self._write(self._before)

    def _write(self, degrees: int) -> None:
        self._session.doc.set_rotation(self._photo, degrees)
        self._session.factsChanged.emit([self._photo])  # the grid's thumbnail, the viewer
        self._session.edited.emit([self._photo], [])  # the sync follows


class AddFace(QUndoCommand):
    """A face box the user drew on the photo (in the photo's pixels)."""

    def __init__(self, session: Session, photo_id: str, box: Sequence[float]):
        super().__init__("Add a face")
        self._session = session
        self._photo = photo_id
        self._box = [float(v) for v in box]
        self.face = session.doc.new_face_number(photo_id)

    def redo(self) -> None:
        self._session.doc.add_user_face(self._photo, self.face, self._box)
        self._session.people_changed([self._photo])

    def undo(self) -> None:
        self._session.doc.remove_user_face(self._photo, self.face)
        self._session.people_changed([self._photo])


class RemoveFace(AddFace):
    """Take away a face the user drew, and who it was (undo puts both back)."""

    def __init__(self, session: Session, photo_id: str, face: int):
        QUndoCommand.__init__(self, "Remove a face")
        self._session = session
        self._photo = photo_id
        self.face = face
        self._box = session.doc.user_faces(photo_id).get(face, [0.0, 0.0, 1.0, 1.0])
        self._who = ConfirmFace(session, photo_id, face, None)  # its state before, for undo

    def redo(self) -> None:
        self._session.set_face_state(self._photo, self.face, None, frozenset())
        AddFace.undo(self)

    def undo(self) -> None:
        AddFace.redo(self)
        self._who.undo()


def add_named_face(
    session: Session, photo_id: str, box: Sequence[float], name: str
) -> QUndoCommand:
    """The user drew a face and typed who it is: one undoable step. The face is that person
    (one of that name), or someone new."""
    add = AddFace(session, photo_id, box)
    who = name_face(session, photo_id, add.face, name)
    return Steps(f"Add a face “{name.strip()}”", [add, who])
