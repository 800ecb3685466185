"""The map: the world's outline with the library's photos on it, as clusters with their counts.

Drawn with QPainter in an equirectangular projection (map_data.py). The mouse wheel, + and -
zoom (about the pointer), a drag or the arrow keys move the map; a click on a cluster picks its
photos, and a drag with Shift held picks the photos in the rectangle drawn: `picked` says which.
The outline is drawn once per view into a pixmap, so that a repaint for the pointer costs the
clusters alone.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from photo_tagger.gui.map_data import Clusters, Places, World, cell_degrees, cluster

MAX_SCALE = 4000.0  # pixels per degree: a street
ZOOM_STEP = 1.5
DRAG_PX = 4  # a press that moves less than this is a click


class MapView(QWidget):
    picked = Signal(list, str)  # photo ids, what was picked ("cluster" or "area")

    def __init__(self, world: World | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.world = world
        self.places = Places.of([])
        self.lon0, self.lat0 = 0.0, 20.0  # the centre of the view
        self.scale = 0.0  # pixels per degree; 0 until the widget has a size (fit the world)
        self._clusters: tuple[float, Clusters] | None = None  # (cell in degrees, clusters)
        self._outline: tuple[tuple[float, ...], QPixmap] | None = None
        self._press: QPointF | None = None
        self._last: QPointF | None = None
        self._area: QRectF | None = None  # the rectangle being drawn (Shift + drag)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(QSize(200, 150))

    # --- what is shown -------------------------------------------------------------------------

    def set_world(self, world: World | None) -> None:
        self.world = world
        self._outline = None
        self.update()

    def set_places(self, places: Places) -> None:
        self.places = places
        self._clusters = None
        self.update()

    def fit_world(self) -> None:
        self.scale = self._min_scale()
        self.lon0, self.lat0 = 0.0, 15.0
        self._clamp()
        self.update()

    def fit_places(self) -> None:
        """Zoom to where the photos are (the whole world when there are none)."""
        if not len(self.places):
            self.fit_world()
            return
        lon, lat = self.places.lon, self.places.lat
        west, east = float(lon.min()), float(lon.max())
        south, north = float(lat.min()), float(lat.max())
        w, h = max(east - west, 0.5), max(north - south, 0.5)
        self.scale = min(self.width() * 0.8 / w, self.height() * 0.8 / h, 200.0)
        self.lon0, self.lat0 = (west + east) / 2, (south + north) / 2
        self._clamp()
        self.update()

    def zoom(self, factor: float, about: QPointF | None = None) -> None:
        """Zoom by `factor`, keeping the point under `about` (default: the centre) in place."""
        about = about if about is not None else QPointF(self.width() / 2, self.height() / 2)
        lon, lat = self.to_degrees(about)
        self.scale = max(self._min_scale(), min(MAX_SCALE, self.scale * factor))
        self.lon0 = lon - (about.x() - self.width() / 2) / self.scale
        self.lat0 = lat + (about.y() - self.height() / 2) / self.scale
        self._clamp()
        self.update()

    def pan(self, dx: float, dy: float) -> None:
        """Move the map by (dx, dy) pixels."""
        self.lon0 -= dx / self.scale
        self.lat0 += dy / self.scale
        self._clamp()
        self.update()

    def _min_scale(self) -> float:
        return max(0.1, min(self.width() / 360.0, self.height() / 180.0))

    def _clamp(self) -> None:
        half_w = self.width() / 2 / self.scale
        half_h = self.height() / 2 / self.scale
        self.lon0 = min(max(self.lon0, -180 + half_w), 180 - half_w) if half_w < 180 else 0.0
        self.lat0 = min(max(self.lat0, -90 + half_h), 90 - half_h) if half_h < 90 else 0.0

    # --- projection ----------------------------------------------------------------------------

    def to_screen(self, lon: float, lat: float) -> QPointF:
        return QPointF(
            self.width() / 2 + (lon - self.lon0) * self.scale,
            self.height() / 2 - (lat - self.lat0) * self.scale,
        )

    def to_degrees(self, point: QPointF) -> tuple[float, float]:
        lon = self.lon0 + (point.x() - self.width() / 2) / self.scale
        lat = self.lat0 - (point.y() - self.height() / 2) / self.scale
        return lon, lat

    def clusters(self) -> Clusters:
        cell = cell_degrees(self.scale)
        if self._clusters is None or self._clusters[0] != cell:
            self._clusters = (cell, cluster(self.places, cell))
        return self._clusters[1]

    def cluster_at(self, point: QPointF) -> int | None:
        """The cluster drawn under `point`, the one whose centre is nearest."""
        found = self.clusters()
        if not len(found.counts):
            return None
        x = self.width() / 2 + (found.lon - self.lon0) * self.scale
        y = self.height() / 2 - (found.lat - self.lat0) * self.scale
        d2 = (x - point.x()) ** 2 + (y - point.y()) ** 2
        best = int(d2.argmin())
        return best if d2[best] <= radius(int(found.counts[best])) ** 2 else None

    # --- the user ------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(ZOOM_STEP**steps, event.position())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._press = self._last = event.position()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._area = QRectF(self._press, self._press)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        at = event.position()
        if self._press is None:
            over = self.cluster_at(at) is not None
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor
            )
            return
        if self._area is not None:
            self._area = QRectF(self._press, at).normalized()
            self.update()
        elif self._last is not None:
            self.pan(at.x() - self._last.x(), at.y() - self._last.y())
        self._last = at

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press, area = self._press, self._area
        self._press = self._last = self._area = None
        if press is None:
            return
        at = event.position()
        moved = abs(at.x() - press.x()) + abs(at.y() - press.y()) > DRAG_PX
        if area is not None and moved:
            self.update()
            west, north = self.to_degrees(area.topLeft())
            east, south = self.to_degrees(area.bottomRight())
            self.picked.emit(self.places.inside(west, north, east, south), "area")
        elif not moved:
            found = self.cluster_at(at)
            if found is not None:
                self.picked.emit(self.clusters().photos(self.places, found), "cluster")
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.cluster_at(event.position()) is None:
            self.zoom(ZOOM_STEP * ZOOM_STEP, event.position())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, step = event.key(), 80
        moves = {
            Qt.Key.Key_Left: (step, 0),
            Qt.Key.Key_Right: (-step, 0),
            Qt.Key.Key_Up: (0, step),
            Qt.Key.Key_Down: (0, -step),
        }
        if key in moves:
            self.pan(*moves[key])  # type: ignore[index]
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(ZOOM_STEP)
        elif key == Qt.Key.Key_Minus:
            self.zoom(1 / ZOOM_STEP)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        first = self.scale == 0.0
        self.scale = max(self.scale, self._min_scale())
        if first:
            self.fit_places()
        self._clamp()
        super().resizeEvent(event)

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.scale == 0.0:
            self.scale = self._min_scale()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._outline_pixmap())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_clusters(painter)
        if self._area is not None:
            color = self.palette().color(QPalette.ColorRole.Highlight)
            painter.setPen(QPen(color, 1.5, Qt.PenStyle.DashLine))
            fill = QColor(color)
            fill.setAlpha(40)
            painter.setBrush(fill)
            painter.drawRect(self._area)
        painter.end()

    def _outline_pixmap(self) -> QPixmap:
        dpr = self.devicePixelRatioF()
        key = (self.scale, self.lon0, self.lat0, self.width(), self.height(), dpr, self._dark())
        if self._outline is not None and self._outline[0] == key:
            return self._outline[1]
        pixmap = QPixmap(self.size() * dpr)
        pixmap.setDevicePixelRatio(dpr)
        sea, land, line = self._colours()
        pixmap.fill(sea)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre = self.to_screen(0.0, 0.0)
        painter.setTransform(QTransform(self.scale, 0, 0, self.scale, centre.x(), centre.y()))
        if self.world is not None:
            painter.fillPath(self.world.land, land)
            pen = QPen(line)
            pen.setCosmetic(True)
            pen.setWidthF(0.8)
            painter.strokePath(self.world.lines, pen)
        painter.end()
        self._outline = (key, pixmap)
        return pixmap

    def _dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Window).lightness() < 128

    def _colours(self) -> tuple[QColor, QColor, QColor]:
        """Sea, land and lines, from the colour scheme."""
        if self._dark():
            return QColor("#1b2430"), QColor("#3a3f46"), QColor("#5d646e")
        return QColor("#dfe9f3"), QColor("#f6f4ef"), QColor("#b9b4aa")

    def _paint_clusters(self, painter: QPainter) -> None:
        found = self.clusters()
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        text = self.palette().color(QPalette.ColorRole.HighlightedText)
        ring = QPen(QColor(255, 255, 255, 220), 1.5)
        w, h = self.width(), self.height()
        xs = w / 2 + (found.lon - self.lon0) * self.scale
        ys = h / 2 - (found.lat - self.lat0) * self.scale
        for x, y, n in zip(xs.tolist(), ys.tolist(), found.counts.tolist(), strict=True):
            r = radius(n)
            if x < -r or y < -r or x > w + r or y > h + r:
                continue
            painter.setPen(ring)
            painter.setBrush(highlight)
            painter.drawEllipse(QPointF(x, y), r, r)
            painter.setPen(text)
            label = f"{n:,}" if n < 10_000 else f"{n // 1000}k"
            painter.drawText(
                QRectF(x - r, y - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, label
            )


def radius(count: int) -> float:
    """A cluster's circle: bigger with more photos, readable with one."""
    return 10.0 + 4.0 * math.log10(max(1, count))
