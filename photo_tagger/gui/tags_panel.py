"""The Tags panel's place in the window: a dock on the right whose width is a share of the
window's, so that it widens and narrows with the window. Dragging its edge sets the share, which
is remembered from one run to the next (a setting of its own, next to the window's layout)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from photo_tagger.gui.settings import Option, Settings
from photo_tagger.gui.tag_editor import TagEditor

SHARE = Option(
    "window/tags_panel_share",
    0.0,
    "the Tags panel's width as a share of the window's (0: the default)",
)
DEFAULT_SHARE = 0.32  # 328 px of a 1024 px window, 512 of 1600
MIN_WIDTH = 260  # a tag three levels deep, its source and score, still read in full
MAX_SHARE = 0.6  # the photos keep some room


def install(window: QMainWindow, settings: Settings) -> tuple[TagEditor, QDockWidget]:
    """Put the Tags panel on the right of `window`, sized as its share of the window says."""
    editor = TagEditor()
    dock = QDockWidget("Tags", window)
    dock.setObjectName("tags")
    dock.setWidget(editor)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    PanelWidth(window, dock, settings)
    return editor, dock


class PanelWidth(QObject):
    """Keeps the dock's share of the window's width as the window is resized, and takes the
    width the user drags the dock's edge to as the new share."""

    def __init__(self, window: QMainWindow, dock: QDockWidget, settings: Settings) -> None:
        super().__init__(window)
        self._window, self._dock, self._settings = window, dock, settings
        saved = settings.get(SHARE)
        self.share = saved if 0.05 <= saved <= MAX_SHARE else DEFAULT_SHARE
        self._pressed_at: int | None = None  # the dock's width when a drag may have begun
        window.installEventFilter(self)
        dock.topLevelChanged.connect(self._on_floating)

    def _on_floating(self, floating: bool) -> None:
        if not floating:
            self.apply()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if obj is self._window and kind == QEvent.Type.Resize:
            self.apply()
        elif obj is self._window and kind == QEvent.Type.MouseButtonPress and self._docked():
            self._pressed_at = self._dock.width()  # the dock's edge is the window's own
        elif obj is self._window and kind == QEvent.Type.MouseButtonRelease:
            self._remember()
        return False

    def _docked(self) -> bool:
        sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
        dock = self._dock
        return not dock.isFloating() and self._window.dockWidgetArea(dock) in sides

    def apply(self) -> None:
        """Give the dock its share of the window's width."""
        width = self._window.width()
        if not self._docked() or width <= 0:
            return
        target = max(MIN_WIDTH, min(round(self.share * width), round(MAX_SHARE * width)))
        # the other panels beside the photos keep their widths: the photos give the room
        docks = [self._dock, *(d for d in self._beside() if d is not self._dock)]
        widths = [target, *(d.width() for d in docks[1:])]
        self._window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)

    def _beside(self) -> list[QDockWidget]:
        sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
        return [
            d
            for d in self._window.findChildren(QDockWidget)
            if d.isVisible() and not d.isFloating() and self._window.dockWidgetArea(d) in sides
        ]

    def _remember(self) -> None:
        """After a drag that changed the dock's width, its share is the new one."""
        before, self._pressed_at = self._pressed_at, None
        width = self._window.width()
        if before is None or width <= 0 or not self._docked() or self._dock.width() == before:
            return
        self.share = min(MAX_SHARE, max(0.05, self._dock.width() / width))
        self._settings.set(SHARE, self.share)
