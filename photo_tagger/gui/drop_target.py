"""Dropping folders and photos on the window adds them. While files are dragged over it, the
window says so: a highlight over the whole window with what a drop will do."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget


class DropHighlight(QWidget):
    """A tinted, outlined pane over the window with "Drop to add…"; it lets the mouse and the
    drag through to the window."""

    TEXT = "Drop folders or photos to add them to the library"

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setVisible(False)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        accent = self.palette().highlight().color()
        fill = QColor(accent)
        fill.setAlpha(48)
        painter.fillRect(self.rect(), fill)
        pen = QPen(accent, 3, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(self.rect().adjusted(6, 6, -7, -7), 10, 10)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        painter.setFont(font)
        # the words on a pane of their own, readable over any thumbnail
        text = painter.fontMetrics().boundingRect(self.TEXT)
        pane = text.adjusted(-24, -16, 24, 16)
        pane.moveCenter(self.rect().center())
        painter.setPen(QPen(accent, 2))
        painter.setBrush(self.palette().window())
        painter.drawRoundedRect(pane, 10, 10)
        painter.setPen(self.palette().text().color())
        painter.drawText(pane, Qt.AlignmentFlag.AlignCenter, self.TEXT)


class DropTarget(QObject):
    """Watches the window's drag and drop events: local files are accepted, highlighted while
    over the window, and added when dropped."""

    def __init__(self, window: QWidget, add: Callable[[list[str]], object]) -> None:
        super().__init__(window)
        self._window = window
        self._add = add
        self.highlight = DropHighlight(window)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent)  # a DragMove is one too
            if _local_paths(event):
                event.acceptProposedAction()
                if kind == QEvent.Type.DragEnter:
                    self._show()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.DragLeave:
            self.highlight.setVisible(False)
            return True
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            self.highlight.setVisible(False)
            paths = _local_paths(event)
            if paths:
                event.acceptProposedAction()
                self._add(paths)
            return True
        return False

    def _show(self) -> None:
        self.highlight.setGeometry(self._window.rect())
        self.highlight.raise_()
        self.highlight.setVisible(True)


def _local_paths(event: QDropEvent) -> list[str]:
    mime = event.mimeData()
    urls = mime.urls() if mime is not None and mime.hasUrls() else []
    return [u.toLocalFile() for u in urls if u.isLocalFile()]
