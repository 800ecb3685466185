"""One photo, large, with a box around each face and who it is.

A solid box is someone the user confirmed; a dashed box with a question mark is the grouping's
suggestion; a faint box is a face nobody is suggested for. Click a face to name it, confirm the
suggestion, or say it is someone else. Left/Right go through the photos the grid shows, Escape
goes back to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.gui.edits import ConfirmFace, RejectFace, name_face
from photo_tagger.gui.images import Pixels, read_photo
from photo_tagger.gui.runner import TaskRunner
from photo_tagger.gui.session import Session

CONFIRMED, SUGGESTED, UNKNOWN = "confirmed", "suggested", "unknown"
BOX_COLOURS = {CONFIRMED: "#2ecc71", SUGGESTED: "#f1c40f", UNKNOWN: "#ecf0f1"}


@dataclass(frozen=True)
class FaceBox:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the full-size photo
    label: str
    state: str  # CONFIRMED, SUGGESTED or UNKNOWN
    person: str | None  # resolved person id


class FaceCanvas(QWidget):
    """Paints the photo fitted into the widget and the face boxes over it."""

    faceClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.photo_size = QSize(1, 1)
        self.faces: list[FaceBox] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)
        self.setMouseTracking(True)
        self._hover = -1

    def set_photo(self, image: QImage | None, size: QSize, faces: list[FaceBox]) -> None:
        self.image = image
        self.photo_size = size if size.isValid() and not size.isEmpty() else QSize(1, 1)
        self.faces = faces
        self._hover = -1
        self.update()

    def photo_rect(self) -> QRectF:
        """Where the photo is painted, in widget coordinates."""
        w, h = self.photo_size.width(), self.photo_size.height()
        margin = 12
        k = min((self.width() - 2 * margin) / w, (self.height() - 2 * margin) / h)
        k = max(k, 1e-6)
        return QRectF((self.width() - w * k) / 2, (self.height() - h * k) / 2, w * k, h * k)

    def face_rect(self, i: int) -> QRectF:
        r = self.photo_rect()
        k = r.width() / self.photo_size.width()
        x0, y0, x1, y1 = self.faces[i].box
        return QRectF(r.x() + x0 * k, r.y() + y0 * k, (x1 - x0) * k, (y1 - y0) * k)

    def face_at(self, pos: QPointF) -> int:
        hits = [i for i in range(len(self.faces)) if self.face_rect(i).contains(pos)]
        if not hits:
            return -1
        return min(hits, key=lambda i: self.face_rect(i).width())  # the innermost box

    def mousePressEvent(self, event: QMouseEvent) -> None:
        i = self.face_at(event.position())
        if i >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.faceClicked.emit(i)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.face_at(event.position())
        if i != self._hover:
            self._hover = i
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if i >= 0 else Qt.CursorShape.ArrowCursor
            )
            self.update()
        super().mouseMoveEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Dark))
        r = self.photo_rect()
        if self.image is not None and not self.image.isNull():
            painter.drawImage(r, self.image)
        else:
            painter.fillRect(r, self.palette().color(QPalette.ColorRole.Mid))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        for i, face in enumerate(self.faces):
            rect = self.face_rect(i)
            colour = QColor(BOX_COLOURS[face.state])
            pen = QPen(colour, 3.0 if i == self._hover else 2.0)
            if face.state == SUGGESTED:
                pen.setStyle(Qt.PenStyle.DashLine)
            if face.state == UNKNOWN:
                colour.setAlpha(170)
                pen.setColor(colour)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 3, 3)
            text = face.label
            tw = metrics.horizontalAdvance(text) + 10
            th = metrics.height() + 4
            label = QRectF(rect.center().x() - tw / 2, rect.bottom() + 4, tw, th)
            if label.bottom() > self.height():
                label.moveBottom(rect.top() - 4)
            path = QPainterPath()
            path.addRoundedRect(label, 4, 4)
            painter.fillPath(path, QColor(0, 0, 0, 170))
            painter.setPen(QColor("white"))
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class FacePopup(QFrame):
    """Who is this face: type a name (completed from the people you named), or answer the
    suggestion."""

    named = Signal(str)
    confirmed = Signal()
    rejected = Signal()

    def __init__(self, names: list[str], face: FaceBox, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Who is this?</b>"))
        self.name_input = QLineEdit()
        self.name_input.setPlaceholderText("Name")
        if face.state == CONFIRMED and not face.label.startswith("Unnamed"):
            self.name_input.setText(face.label)
            self.name_input.selectAll()
        completer = QCompleter(QStringListModel(sorted(names), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_input.setCompleter(completer)
        self.name_input.returnPressed.connect(self._on_name)
        layout.addWidget(self.name_input)
        self.confirm_button: QPushButton | None = None
        self.reject_button: QPushButton | None = None
        buttons = QHBoxLayout()
        who = face.label.rstrip("?")
        if face.state == SUGGESTED:
            self.confirm_button = QPushButton(f"✓ It’s {who}")
            self.confirm_button.clicked.connect(self._on_confirm)
            buttons.addWidget(self.confirm_button)
        if face.state in (SUGGESTED, CONFIRMED):
            self.reject_button = QPushButton(f"✗ Not {who}")
            self.reject_button.clicked.connect(self._on_reject)
            buttons.addWidget(self.reject_button)
        layout.addLayout(buttons)
        self.setFocusProxy(self.name_input)

    def _on_name(self) -> None:
        name = self.name_input.text().strip()
        if name:
            self.named.emit(name)
            self.close()

    def _on_confirm(self) -> None:
        self.confirmed.emit()
        self.close()

    def _on_reject(self) -> None:
        self.rejected.emit()
        self.close()


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
        self.popup: FacePopup | None = None
        self.back_button = QToolButton()
        self.back_button.setText("← Photos")
        self.back_button.setToolTip("Back to the grid (Esc)")
        self.back_button.clicked.connect(self.back)
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prev_button = QToolButton()
        self.prev_button.setText("‹")
        self.prev_button.setToolTip("Previous photo (Left)")
        self.prev_button.clicked.connect(lambda: self.step.emit(-1))
        self.next_button = QToolButton()
        self.next_button.setText("›")
        self.next_button.setToolTip("Next photo (Right)")
        self.next_button.clicked.connect(lambda: self.step.emit(1))
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(self.prev_button)
        top.addWidget(self.next_button)
        self.canvas = FaceCanvas()
        self.canvas.faceClicked.connect(self.open_face)
        self.hint = QLabel("Click a face to say who it is.")
        self.hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.hint)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_session(self, session: Session | None) -> None:
        if self._session is not None:
            self._session.peopleChanged.disconnect(self.refresh_faces)
        self._session = session
        self.photo_id = None
        if session is not None:
            session.peopleChanged.connect(self.refresh_faces)

    def show_photo(self, photo_id: str) -> None:
        session = self._session
        if session is None:
            return
        self.photo_id = photo_id
        self._generation += 1
        path = session.path_of(photo_id)
        self.title.setText(f"<b>{(path or photo_id).rsplit('/', 1)[-1]}</b>")
        self.title.setToolTip(path or "")
        self._image = None
        self.refresh_faces()
        self.photoShown.emit(photo_id)
        if path is None:
            return
        side = max(
            1024, min(2560, int(max(self.width(), self.height()) * self.devicePixelRatioF()))
        )
        self._runner.run(
            partial(read_photo, Path(path), side), partial(self._loaded, self._generation, photo_id)
        )

    def _loaded(self, generation: int, photo_id: str, result: tuple[Pixels, int, int] | None):
        if generation != self._generation or result is None:
            return
        self._image = result[0].to_qimage()
        self.refresh_faces()

    def refresh_faces(self) -> None:
        session = self._session
        if session is None or self.photo_id is None:
            return
        pid = self.photo_id
        size = session.photo_size(pid)
        _, faces = session.doc.faces(pid)
        boxes = []
        for i, f in enumerate(faces):
            fp = session.doc.face_person(pid, i)
            if fp is None:
                boxes.append(FaceBox(tuple(f["box"]), "Who?", UNKNOWN, None))  # type: ignore[arg-type]
                continue
            person = session.resolve(fp[0])
            label = session.person_label(person)
            state = CONFIRMED if fp[1] else SUGGESTED
            boxes.append(
                FaceBox(tuple(f["box"]), label if fp[1] else f"{label}?", state, person)  # type: ignore[arg-type]
            )
        qsize = QSize(*size) if size else QSize(1, 1)
        self.canvas.set_photo(self._image, qsize, boxes)
        n = len(boxes)
        self.hint.setText("No faces found." if n == 0 else "Click a face to say who it is.")

    def open_face(self, i: int) -> FacePopup | None:
        session = self._session
        if session is None or self.photo_id is None or not 0 <= i < len(self.canvas.faces):
            return None
        face = self.canvas.faces[i]
        popup = FacePopup(list(session.names().values()), face, self)
        photo = self.photo_id
        popup.named.connect(lambda name: session.undo.push(name_face(session, photo, i, name)))
        if face.person is not None:
            person = face.person
            popup.confirmed.connect(
                lambda: session.undo.push(ConfirmFace(session, photo, i, person))
            )
            popup.rejected.connect(lambda: session.undo.push(RejectFace(session, photo, i, person)))
        rect = self.canvas.face_rect(i)
        anchor = self.canvas.mapToGlobal(QPoint(int(rect.left()), int(rect.bottom()) + 6))
        popup.move(anchor)
        popup.show()
        popup.name_input.setFocus()
        self.popup = popup
        return popup

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.back.emit()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp):
            self.step.emit(-1)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
            self.step.emit(1)
        else:
            super().keyPressEvent(event)
