"""One photo, large, with a box around each face and who it is.

A solid box is someone the user confirmed; a dashed box with a question mark is the grouping's
suggestion; a faint box is a face nobody is suggested for. Click a face to name it, confirm the
suggestion, or say it is someone else; in "Add Face" mode, drag a box around a face the detector
missed and name it. The wheel (or a pinch) zooms about the cursor up to 100 %, for which the
full-size photo is read in the background; a drag pans. Left/Right go through the photos the grid
shows, Escape goes back to it. The photo shows turned as the user rotated it (viewer_edits.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from photo_tagger.gui.edits import ConfirmFace, RejectFace, name_face
from photo_tagger.gui.face_canvas import CONFIRMED, SUGGESTED, UNKNOWN, FaceBox, FaceCanvas
from photo_tagger.gui.face_popup import FacePopup
from photo_tagger.gui.images import Pixels, read_photo
from photo_tagger.gui.runner import TaskRunner
from photo_tagger.gui.session import Session
from photo_tagger.gui.viewer_edits import RemoveFace, add_named_face

__all__ = ["CONFIRMED", "SUGGESTED", "UNKNOWN", "FaceBox", "FacePopup", "PhotoViewer"]

MAX_FULL_PIXELS = 40_000_000  # the most pixels read for 100 % (a larger photo is read smaller)
Mod = Qt.KeyboardModifier
# The viewer's own keys: while it has the focus they are its, not the window's same shortcuts
# (Ctrl+= / Ctrl+- change the thumbnails' size in the grid, Ctrl+1 shows the grid).
ZOOM_KEYS = {
    QKeySequence("Ctrl+="): "in",
    QKeySequence("Ctrl++"): "in",
    QKeySequence("Ctrl+Shift++"): "in",
    QKeySequence("Ctrl+-"): "out",
    QKeySequence("Ctrl+0"): "fit",
    QKeySequence("Ctrl+1"): "full",
}


class PhotoViewer(QWidget):
    back = Signal()
    step = Signal(int)  # +1 next photo, -1 previous
    photoShown = Signal(str)  # the photo it now shows

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._session: Session | None = None
        self.photo_id: str | None = None
        self._generation = 0
        self._image: QImage | None = None
        self._full_asked = False
        self.popup: FacePopup | None = None
        # Asked first of a key (Escape, Space): a slideshow or full screen takes it (True)
        self.key_hooks: list[Callable[[int], bool]] = []
        self.back_button = _tool("← Photos", "Back to the grid (Esc)", self.back.emit)
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.zoom_label = QLabel()
        self.zoom_label.setToolTip("Zoom: Ctrl+= / Ctrl+-, Ctrl+0 fits, Ctrl+1 is 100 %, Z toggles")
        self.add_face_button = _tool("Add Face", "Draw a box around a face and name it", None)
        self.add_face_button.setCheckable(True)
        self.add_face_button.toggled.connect(self.set_drawing)
        self.prev_button = _tool("‹", "Previous photo (Left)", lambda: self.step.emit(-1))
        self.next_button = _tool("›", "Next photo (Right)", lambda: self.step.emit(1))
        self.top = QWidget()
        top = QHBoxLayout(self.top)
        top.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.back_button, 0), (self.title, 1), (self.zoom_label, 0)):
            top.addWidget(widget, stretch)
        for widget in (self.add_face_button, self.prev_button, self.next_button):
            top.addWidget(widget)
        self.top_bar = top
        self.canvas = FaceCanvas()
        self.canvas.faceClicked.connect(self.open_face)
        self.canvas.faceDrawn.connect(self._on_face_drawn)
        self.canvas.zoomChanged.connect(self._on_zoom)
        self.hint = QLabel("Click a face to say who it is.")
        self.hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.top)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.hint)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_session(self, session: Session | None) -> None:
        if self._session is not None:
            self._session.peopleChanged.disconnect(self.refresh_faces)
            self._session.factsChanged.disconnect(self._on_facts)
        self._session = session
        self.photo_id = None
        if session is not None:
            session.peopleChanged.connect(self.refresh_faces)
            session.factsChanged.connect(self._on_facts)

    @property
    def session(self) -> Session | None:
        return self._session

    def show_photo(self, photo_id: str) -> None:
        session = self._session
        if session is None:
            return
        self.photo_id = photo_id
        self._generation += 1
        self._full_asked = False
        path = session.path_of(photo_id)
        self.title.setText(f"<b>{(path or photo_id).rsplit('/', 1)[-1]}</b>")
        self.title.setToolTip(path or "")
        self._image = None
        self.canvas.reset_view()
        self.refresh_faces()
        self.photoShown.emit(photo_id)
        if path is None:
            return
        side = max(
            1024, min(2560, int(max(self.width(), self.height()) * self.devicePixelRatioF()))
        )
        self._read(Path(path), side)

    def _read(self, path: Path, side: int) -> None:
        if self.photo_id is None:
            return
        self._runner.run(
            partial(read_photo, path, side),
            partial(self._loaded, self._generation, self.photo_id),
        )

    def _loaded(self, generation: int, photo_id: str, result: tuple[Pixels, int, int] | None):
        if generation != self._generation or result is None:
            return
        image = result[0].to_qimage()
        if self._image is not None and image.width() <= self._image.width():
            return  # a smaller read came in after the full-size one
        self._image = image
        self.refresh_faces()

    def _on_facts(self, photo_ids: list[str]) -> None:
        if self.photo_id is not None and self.photo_id in photo_ids:
            self.refresh_faces()

    def refresh_faces(self) -> None:
        session = self._session
        if session is None or self.photo_id is None:
            return
        pid = self.photo_id
        size = session.photo_size(pid)
        _, faces = session.doc.faces(pid)
        boxes = [(i, tuple(f["box"])) for i, f in enumerate(faces)]
        boxes += [(n, tuple(box)) for n, box in session.doc.user_faces(pid).items()]
        shown = [self._face_box(face, box) for face, box in boxes]  # type: ignore[arg-type]
        qsize = QSize(*size) if size else QSize(1, 1)
        self.canvas.set_photo(self._image, qsize, shown, session.doc.rotation(pid))
        self._on_zoom()
        if self.canvas.drawing:
            self.hint.setText("Drag a box around a face, then type who it is (Esc: stop).")
        else:
            self.hint.setText("No faces found." if not shown else "Click a face to say who it is.")

    def _face_box(self, face: int, box: tuple[float, float, float, float]) -> FaceBox:
        session = self._session
        assert session is not None and self.photo_id is not None
        fp = session.doc.face_person(self.photo_id, face)
        if fp is None:
            return FaceBox(box, "Who?", UNKNOWN, None, face)
        person = session.resolve(fp[0])
        label = session.person_label(person)
        named = person in session.names()
        state = CONFIRMED if fp[1] else SUGGESTED
        return FaceBox(box, label if fp[1] else f"{label}?", state, person, face, named)

    # --- who a face is -----------------------------------------------------------------------

    def open_face(self, i: int) -> FacePopup | None:
        session = self._session
        if session is None or self.photo_id is None or not 0 <= i < len(self.canvas.faces):
            return None
        face = self.canvas.faces[i]
        popup = FacePopup(list(session.names().values()), face, self)
        photo, n = self.photo_id, face.face
        popup.named.connect(lambda name: session.undo.push(name_face(session, photo, n, name)))
        if face.person is not None:
            person = face.person
            popup.confirmed.connect(
                lambda: session.undo.push(ConfirmFace(session, photo, n, person))
            )
            popup.rejected.connect(lambda: session.undo.push(RejectFace(session, photo, n, person)))
        popup.removed.connect(lambda: session.undo.push(RemoveFace(session, photo, n)))
        return self._show_popup(popup, self.canvas.face_rect(i), i)

    def _show_popup(self, popup: FacePopup, rect: QRectF, own: int) -> FacePopup:
        popup.place(self.canvas, rect, own)
        popup.show()
        popup.name_input.setFocus()
        self.popup = popup
        return popup

    def set_drawing(self, on: bool) -> None:
        """ "Add Face" mode: a drag draws a face box."""
        self.canvas.drawing = on
        self.canvas.drawn = None
        if self.add_face_button.isChecked() != on:
            self.add_face_button.setChecked(on)
        self.refresh_faces()
        self.canvas.update()

    def _on_face_drawn(self, box: QRectF) -> FacePopup | None:
        session = self._session
        if session is None or self.photo_id is None:
            return None
        w, h = self.canvas.photo_size.width(), self.canvas.photo_size.height()
        box = box & QRectF(0, 0, w, h)
        self.set_drawing(False)
        if box.isEmpty():
            return None
        popup = FacePopup(list(session.names().values()), None, self)
        photo = self.photo_id
        corners = [box.left(), box.top(), box.right(), box.bottom()]
        popup.named.connect(
            lambda name: session.undo.push(add_named_face(session, photo, corners, name))
        )
        rect = self.canvas.to_widget().mapRect(box)
        return self._show_popup(popup, rect, -1)

    # --- zoom --------------------------------------------------------------------------------

    def zoom(self, how: str) -> None:
        """ "in", "out", "fit", "full" (100 %) or "toggle" (between fitting and 100 %)."""
        canvas = self.canvas
        if how == "toggle":
            how = "fit" if canvas.zoom is not None else "full"
        if how == "fit":
            canvas.set_zoom(None)
        elif how == "full":  # about the mouse pointer where it is over the photo
            pointer = canvas.mapFromGlobal(canvas.cursor().pos())
            inside = canvas.rect().contains(pointer)
            canvas.set_zoom(canvas.full_scale(), QPointF(pointer) if inside else None)
        else:
            canvas.zoom_by(1 if how == "in" else -1)

    def _on_zoom(self) -> None:
        self.zoom_label.setText(f"{self.canvas.zoom_percent()} %")
        self._read_full_size()

    def _read_full_size(self) -> None:
        """Zoomed in past what the photo was read at: read it again at full size (bounded),
        once, in the background."""
        session, image = self._session, self._image
        if self._full_asked or session is None or self.photo_id is None or image is None:
            return
        photo_w, photo_h = self.canvas.photo_size.width(), self.canvas.photo_size.height()
        needed = self.canvas.scale() * self.devicePixelRatioF() * photo_w
        if needed <= image.width() * 1.05 or image.width() >= photo_w:
            return
        path = session.path_of(self.photo_id)
        if path is None:
            return
        self._full_asked = True
        k = min(1.0, math.sqrt(MAX_FULL_PIXELS / max(1, photo_w * photo_h)))
        self._read(Path(path), round(max(photo_w, photo_h) * k))

    # --- keys --------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        override = event.type() == QEvent.Type.ShortcutOverride
        if override and isinstance(event, QKeyEvent) and _sequence(event) in ZOOM_KEYS:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        how = ZOOM_KEYS.get(_sequence(event))
        if key == Qt.Key.Key_Escape and self.canvas.drawing:
            self.set_drawing(False)
        elif any(hook(key) for hook in self.key_hooks):
            return
        elif how is not None:
            self.zoom(how)
        elif key == Qt.Key.Key_Z and not event.modifiers() & ~Mod.KeypadModifier:
            self.zoom("toggle")
        elif key == Qt.Key.Key_Escape:
            self.back.emit()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp):
            self.step.emit(-1)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
            self.step.emit(1)
        else:
            super().keyPressEvent(event)


def _sequence(event: QKeyEvent) -> QKeySequence:
    mods = event.modifiers() & ~Mod.KeypadModifier
    return QKeySequence(event.keyCombination().key().value | mods.value)


def _tool(text: str, tip: str, slot: object) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    if slot is not None:
        button.clicked.connect(slot)
    return button
