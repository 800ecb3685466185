"""How a grid cell is painted around its thumbnail: its background, the file name under it and a
badge in its corner (grid.py's delegate paints the thumbnail itself)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette


def fill_cell(painter: QPainter, cell: QRectF, color: QColor) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(cell, 6, 6)


def draw_caption(
    painter: QPainter, rect: QRect, name: str, palette: QPalette, role: QPalette.ColorRole
) -> None:
    """The file name under the thumbnail, smaller, elided in the middle."""
    painter.setPen(palette.color(role))
    font = painter.font()
    font.setPointSizeF(font.pointSizeF() * 0.85)
    painter.setFont(font)
    elided = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, rect.width())
    painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, elided)


def draw_badge(painter: QPainter, image: QRectF, text: str, palette: QPalette) -> None:
    """A word in the thumbnail's top-left corner, in the highlight colours."""
    metrics = painter.fontMetrics()
    w, h = metrics.horizontalAdvance(text) + 10, metrics.height() + 2
    rect = QRectF(image.left() + 4, image.top() + 4, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
    painter.drawRoundedRect(rect, 4, 4)
    painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
