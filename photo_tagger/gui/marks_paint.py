"""Drawing a photo's rating and flags: on its thumbnail in the grid, and as the viewer's bar of
stars (which a click sets). Shapes drawn with the painter, not glyphs, so they look the same
whatever fonts the system has."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

from photo_tagger.store.marks import MAX_STARS, NO_MARKS, Marks

GOLD = QColor(245, 190, 30)
HEART = QColor(230, 50, 95)
REJECT = QColor(205, 45, 45)
SHADE = QColor(0, 0, 0, 150)


def star_path(center: QPointF, radius: float) -> QPainterPath:
    """A five-pointed star, point up."""
    path = QPainterPath()
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        point = QPointF(center.x() + r * math.cos(angle), center.y() + r * math.sin(angle))
        path.moveTo(point) if i == 0 else path.lineTo(point)
    path.closeSubpath()
    return path


def heart_path(rect: QRectF) -> QPainterPath:
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    path = QPainterPath(QPointF(x + w / 2, y + h))
    path.cubicTo(x - w * 0.1, y + h * 0.55, x + w * 0.05, y - h * 0.1, x + w / 2, y + h * 0.25)
    path.cubicTo(x + w * 0.95, y - h * 0.1, x + w * 1.1, y + h * 0.55, x + w / 2, y + h)
    return path


def draw_stars(painter: QPainter, left: QPointF, size: float, stars: int, empty: QColor) -> None:
    """MAX_STARS stars from `left` (the middle of the first one's left edge), `stars` of them
    filled in gold."""
    painter.setPen(Qt.PenStyle.NoPen)
    for i in range(MAX_STARS):
        painter.setBrush(GOLD if i < stars else empty)
        center = QPointF(left.x() + size * (i + 0.5), left.y())
        painter.drawPath(star_path(center, size * 0.48))


def draw_flag(painter: QPainter, rect: QRectF, marks: Marks, on_photo: bool = True) -> None:
    """A red heart for a favourite (on a dark disc over a photo, to stand out from it), a white
    cross on red for a reject, in `rect`."""
    painter.setPen(Qt.PenStyle.NoPen)
    if marks.is_rejected:
        painter.setBrush(REJECT)
        painter.drawEllipse(rect)
        pen = QPen(QColor("white"), max(1.5, rect.width() / 7))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        inner = rect.adjusted(rect.width() * 0.3, rect.height() * 0.3, -rect.width() * 0.3, 0)
        inner.setBottom(rect.bottom() - rect.height() * 0.3)
        painter.drawLine(inner.topLeft(), inner.bottomRight())
        painter.drawLine(inner.topRight(), inner.bottomLeft())
    elif marks.is_favourite:
        inset = 0.22 if on_photo else 0.05
        heart = rect.adjusted(rect.width() * inset, rect.height() * (inset + 0.05), 0, 0)
        heart.setRight(rect.right() - rect.width() * inset)
        heart.setBottom(rect.bottom() - rect.height() * (inset - 0.02))
        if on_photo:
            painter.setBrush(SHADE)
            painter.drawEllipse(rect)
        painter.setBrush(HEART)
        painter.drawPath(heart_path(heart))


def paint_on_thumbnail(painter: QPainter, image: QRectF, marks: Marks, palette: QPalette) -> None:
    """A rejected photo dimmed, its flag in the top-right corner, its stars along the bottom."""
    if marks.is_rejected:
        dim = QColor(palette.color(QPalette.ColorRole.Base))
        dim.setAlpha(140)
        painter.fillRect(image, dim)
    side = max(14.0, min(22.0, image.width() / 7))
    if marks.is_rejected or marks.is_favourite:
        flag = QRectF(image.right() - side - 3, image.top() + 3, side, side)
        draw_flag(painter, flag, marks)
    if marks.stars:
        size = min(side * 0.8, (image.width() - 10) / MAX_STARS)
        pill = QRectF(image.left() + 3, image.bottom() - size - 5, size * MAX_STARS + 6, size + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(SHADE)
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        start = QPointF(pill.left() + 3, pill.center().y())
        draw_stars(painter, start, size, marks.stars, QColor(255, 255, 255, 90))


class MarksBar(QWidget):
    """The viewer's stars, heart and cross. A click on a star rates the photo with that many
    stars (on the last lit star: none), as in digiKam and Lightroom; on the heart or the cross
    it makes the photo a favourite or rejects it (again: no longer)."""

    rate = Signal(int)
    flag = Signal(str)  # "favourite" or "rejected"
    STAR = 18
    GAP = 10

    def __init__(self, read: Callable[[], Marks | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read = read  # the shown photo's marks (None: no photo)
        self.setToolTip(
            "Rating: click a star, or keys 0-5. Favourite: the heart, or . (full stop). "
            "Reject: the cross, or X."
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(self.STAR * (MAX_STARS + 2) + 2 * self.GAP + 4, self.STAR + 6)

    def slots(self) -> tuple[QRectF, QRectF]:
        """Where the heart and the cross are."""
        side, top = self.STAR, (self.height() - self.STAR) / 2
        x = 2 + self.STAR * MAX_STARS + self.GAP
        return QRectF(x, top, side, side), QRectF(x + side + self.GAP, top, side, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        marks = self._read()
        if marks is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        off = QColor(self.palette().color(QPalette.ColorRole.Mid))
        draw_stars(painter, QPointF(2, self.height() / 2), self.STAR, marks.stars, off)
        heart, cross = self.slots()
        if marks.is_favourite:
            draw_flag(painter, heart, Marks(favourite=True), on_photo=False)
        else:  # the heart's outline
            painter.setPen(QPen(off, 1.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(heart_path(heart.adjusted(1.5, 2.5, -1.5, -1)))
        if marks.is_rejected:
            draw_flag(painter, cross, marks, on_photo=False)
        else:
            painter.setPen(QPen(off, 2.0))
            inner = cross.adjusted(5, 5, -5, -5)
            painter.drawLine(inner.topLeft(), inner.bottomRight())
            painter.drawLine(inner.topRight(), inner.bottomLeft())
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        heart, cross = self.slots()
        if heart.adjusted(-2, -3, 2, 3).contains(pos):
            self.flag.emit("favourite")
            return
        if cross.adjusted(-2, -3, 2, 3).contains(pos):
            self.flag.emit("rejected")
            return
        star = int((pos.x() - 2) // self.STAR) + 1
        if 1 <= star <= MAX_STARS:
            marks = self._read() or NO_MARKS
            self.rate.emit(0 if marks.stars == star else star)
