"""The viewer's photo: fitted to the window or zoomed up to 100 % about the cursor, panned with a
drag, turned by the user's rotation, with a box around each face and who it is.

Face boxes are kept in the pixels of the full-size photo as the scan sees it (upright by the
orientation the photo carries); `to_widget` maps them through the user's rotation, the zoom and
the pan, so they stay on the faces whatever the view. In "Add Face" mode a drag draws a box
(`faceDrawn`, in the photo's pixels).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

CONFIRMED, SUGGESTED, UNKNOWN = "confirmed", "suggested", "unknown"
BOX_COLOURS = {CONFIRMED: "#2ecc71", SUGGESTED: "#f1c40f", UNKNOWN: "#ecf0f1"}
MARGIN = 12
ZOOM_STEP = 1.25
DRAG_START = 4  # pixels the mouse moves before a press becomes a pan or a drawn box
MIN_DRAWN = 8  # the smallest face box that can be drawn, in pixels on screen


@dataclass(frozen=True)
class FaceBox:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the full-size photo
    label: str
    state: str  # CONFIRMED, SUGGESTED or UNKNOWN
    person: str | None  # resolved person id
    face: int = 0  # its number in the document (a face drawn by hand: 100000 and up)
    named: bool = False  # its person has a name


def rotation_transform(turn: int, w: float, h: float) -> QTransform:
    """Photo pixels -> pixels of the photo turned `turn` degrees clockwise."""
    return {
        90: QTransform(0, 1, -1, 0, h, 0),
        180: QTransform(-1, 0, 0, -1, w, h),
        270: QTransform(0, -1, 1, 0, 0, w),
    }.get(turn, QTransform())


class FaceCanvas(QWidget):
    """Paints the photo and the face boxes over it; zoom, pan and drawing a face box."""

    faceClicked = Signal(int)
    faceDrawn = Signal(QRectF)  # a box drawn in "Add Face" mode, in the photo's pixels
    zoomChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.photo_size = QSize(1, 1)
        self.faces: list[FaceBox] = []
        self.turn = 0  # the user's rotation, degrees clockwise
        self.zoom: float | None = None  # screen pixels per photo pixel; None: fit the window
        self.center = QPointF(0, 0)  # the point of the turned photo at the widget's centre
        self.drawing = False  # "Add Face" mode
        self.drawn: QRectF | None = None  # the box being drawn, in widget coordinates
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)
        self.setMouseTracking(True)
        self._hover = -1
        self._press: QPointF | None = None
        self._dragged = False
        self._press_center = QPointF(0, 0)

    def set_photo(
        self, image: QImage | None, size: QSize, faces: list[FaceBox], turn: int = 0
    ) -> None:
        self.image = image
        self.photo_size = size if size.isValid() and not size.isEmpty() else QSize(1, 1)
        self.faces = faces
        if turn != self.turn:
            self.turn = turn
            self.zoom = None
        self._hover = -1
        self.update()

    def reset_view(self) -> None:
        """Fit the photo again (another photo is shown)."""
        self.zoom = None
        self.drawn = None
        self.zoomChanged.emit()
        self.update()

    # --- geometry ----------------------------------------------------------------------------

    def turned_size(self) -> tuple[float, float]:
        w, h = self.photo_size.width(), self.photo_size.height()
        return (h, w) if self.turn in (90, 270) else (w, h)

    def fit_scale(self) -> float:
        w, h = self.turned_size()
        k = min((self.width() - 2 * MARGIN) / w, (self.height() - 2 * MARGIN) / h)
        return max(k, 1e-6)

    def full_scale(self) -> float:
        """The scale at 100 %: one pixel of the photo on one pixel of the screen."""
        return 1.0 / self.devicePixelRatioF()

    def scale(self) -> float:
        return self.fit_scale() if self.zoom is None else self.zoom

    def zoom_percent(self) -> int:
        return round(100 * self.scale() / self.full_scale())

    def to_widget(self) -> QTransform:
        """Photo pixels -> widget coordinates."""
        w, h = self.photo_size.width(), self.photo_size.height()
        k = self.scale()
        tw, th = self.turned_size()
        c = QPointF(tw / 2, th / 2) if self.zoom is None else self.center
        view = QTransform(k, 0, 0, k, self.width() / 2 - c.x() * k, self.height() / 2 - c.y() * k)
        return rotation_transform(self.turn, w, h) * view

    def photo_rect(self) -> QRectF:
        """Where the photo is painted, in widget coordinates."""
        w, h = self.photo_size.width(), self.photo_size.height()
        return self.to_widget().mapRect(QRectF(0, 0, w, h))

    def face_rect(self, i: int) -> QRectF:
        x0, y0, x1, y1 = self.faces[i].box
        return self.to_widget().mapRect(QRectF(QPointF(x0, y0), QPointF(x1, y1)))

    def label_rect(self, i: int) -> QRectF:
        """Where the face's name is written: under its box, else above it."""
        rect = self.face_rect(i)
        metrics = QFontMetricsF(self._label_font())
        tw = metrics.horizontalAdvance(self.faces[i].label) + 10
        th = metrics.height() + 4
        label = QRectF(rect.center().x() - tw / 2, rect.bottom() + 4, tw, th)
        if label.bottom() > self.height():
            label.moveBottom(rect.top() - 4)
        return label

    def face_at(self, pos: QPointF) -> int:
        hits = [i for i in range(len(self.faces)) if self.face_rect(i).contains(pos)]
        if not hits:
            return -1
        return min(hits, key=lambda i: self.face_rect(i).width())  # the innermost box

    # --- zoom and pan ------------------------------------------------------------------------

    def set_zoom(self, zoom: float | None, about: QPointF | None = None) -> None:
        """Zoom to `zoom` (None: fit), keeping the photo's point under `about` (the widget's
        centre without one) where it is. Bounded by fitting the window and 100 %."""
        fit = self.fit_scale()
        if zoom is not None:
            zoom = min(max(zoom, min(fit, self.full_scale())), max(fit, self.full_scale()))
            if abs(zoom - fit) < 1e-9:
                zoom = None
        about = (
            QPointF(about) if about is not None else QPointF(self.width() / 2, self.height() / 2)
        )
        before, ok = self.to_widget().inverted()
        point = rotation_transform(self.turn, self.photo_size.width(), self.photo_size.height())
        turned = point.map(before.map(about))  # the turned photo's point under `about`
        self.zoom = zoom
        if zoom is not None:
            offset = (about - QPointF(self.width() / 2, self.height() / 2)) / zoom
            self.center = turned - offset
            self._clamp()
        self.zoomChanged.emit()
        self.update()

    def zoom_by(self, steps: float, about: QPointF | None = None) -> None:
        self.set_zoom(self.scale() * ZOOM_STEP**steps, about)

    def _clamp(self) -> None:
        """Keep the photo on screen: no empty margin beside an edge while it is larger."""
        k = self.scale()
        tw, th = self.turned_size()
        half_w, half_h = self.width() / 2 / k, self.height() / 2 / k
        x = tw / 2 if tw <= 2 * half_w else min(max(self.center.x(), half_w), tw - half_w)
        y = th / 2 if th <= 2 * half_h else min(max(self.center.y(), half_h), th - half_h)
        self.center = QPointF(x, y)

    def resizeEvent(self, event: object) -> None:
        if self.zoom is not None:
            self._clamp()
        super().resizeEvent(event)  # type: ignore[arg-type]

    def event(self, event: QEvent) -> bool:
        """A pinch on a touchpad zooms about the fingers."""
        if isinstance(event, QNativeGestureEvent) and (
            event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture
        ):
            self.set_zoom(self.scale() * (1.0 + event.value()), event.position())
            event.accept()
            return True
        return super().event(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(steps, event.position())
        event.accept()

    # --- the mouse: click a face, drag to pan, or draw a box ---------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._dragged = False
            self._press_center = QPointF(self.center)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._press is not None:
            moved = pos - self._press
            if not self._dragged and max(abs(moved.x()), abs(moved.y())) >= DRAG_START:
                self._dragged = True
            if self._dragged and self.drawing:
                self.drawn = QRectF(self._press, pos).normalized() & self.photo_rect()
                self.update()
            elif self._dragged and self.zoom is not None:
                self.center = self._press_center - moved / self.zoom
                self._clamp()
                self.update()
            return
        i = -1 if self.drawing else self.face_at(pos)
        if i != self._hover:
            self._hover = i
            self.update()
        cursor = Qt.CursorShape.CrossCursor if self.drawing else Qt.CursorShape.ArrowCursor
        if i >= 0:
            cursor = Qt.CursorShape.PointingHandCursor
        elif self.zoom is not None and not self.drawing:
            cursor = Qt.CursorShape.OpenHandCursor
        self.setCursor(cursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        press, dragged = self._press, self._dragged
        self._press = None
        if self.drawing:
            drawn, self.drawn = self.drawn, None
            if dragged and drawn is not None and min(drawn.width(), drawn.height()) >= MIN_DRAWN:
                back, _ = self.to_widget().inverted()
                self.faceDrawn.emit(back.mapRect(drawn))
            self.update()
            return
        i = self.face_at(press)
        if not dragged and i >= 0:
            self.faceClicked.emit(i)

    # --- painting ----------------------------------------------------------------------------

    def _label_font(self):  # type: ignore[no-untyped-def]
        font = self.font()
        font.setBold(True)
        return font

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Dark))
        w, h = self.photo_size.width(), self.photo_size.height()
        painter.save()
        painter.setTransform(self.to_widget())
        if self.image is not None and not self.image.isNull():
            painter.drawImage(QRectF(0, 0, w, h), self.image)
        else:
            painter.fillRect(QRectF(0, 0, w, h), self.palette().color(QPalette.ColorRole.Mid))
        painter.restore()
        painter.setFont(self._label_font())
        for i in range(len(self.faces)):
            self._paint_face(painter, i)
        if self.drawn is not None:
            pen = QPen(QColor(BOX_COLOURS[CONFIRMED]), 2.0, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.drawn)
        painter.end()

    def _paint_face(self, painter: QPainter, i: int) -> None:
        face = self.faces[i]
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
        label = self.label_rect(i)
        path = QPainterPath()
        path.addRoundedRect(label, 4, 4)
        painter.fillPath(path, QColor(0, 0, 0, 170))
        painter.setPen(QColor("white"))
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, face.label)
