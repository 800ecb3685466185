"""The Photo menu: zoom, rotate, Add Face, full screen and the slideshow, for the photo the viewer
shows (Rotate turns the grid's selected photos too). `install_photo_menu(window)` adds it to
the menu bar, before Help.

Full screen (F11) shows the photo alone, without the menus, panels and status bar; Escape
leaves it. The slideshow (F9) goes through the photos the grid shows, full screen, one every few
seconds (*Slideshow Interval*); Space pauses and resumes it, Escape or the last photo ends it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QMenu, QWidget

from photo_tagger.gui.edits import Steps
from photo_tagger.gui.settings import Option
from photo_tagger.gui.viewer_edits import RotatePhoto

if TYPE_CHECKING:
    from photo_tagger.gui.window import MainWindow

SLIDESHOW_SECONDS = Option("view/slideshow_seconds", 3, "seconds each photo of a slideshow shows")
INTERVALS = (2, 3, 5, 10)


class ViewerMenu:
    """The Photo menu's actions, and full screen and the slideshow they start."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        viewer = window.viewer
        self.full_screen_on = False
        self._hidden: list[QWidget] = []  # what full screen hid, shown again after it
        self._was_maximized = False
        self.slideshow = QTimer(window)
        self.slideshow.timeout.connect(self._next_slide)
        self.paused = False
        viewer.key_hooks.append(self._on_key)

        def act(text: str, slot: Callable[[], object], keys: str | None = None) -> QAction:
            action = QAction(text, window)
            action.triggered.connect(lambda checked=False: slot())
            if keys:
                action.setShortcut(QKeySequence(keys))
            window.addAction(action)
            return action

        # the zoom keys are the viewer's own while it has the focus (viewer.ZOOM_KEYS): the menu
        # only names them, as the grid's Ctrl+= / Ctrl+- are the thumbnails'
        self.zoom_in = act("Zoom &In\tCtrl+=", lambda: viewer.zoom("in"))
        self.zoom_out = act("Zoom &Out\tCtrl+-", lambda: viewer.zoom("out"))
        self.zoom_fit = act("&Fit in Window\tCtrl+0", lambda: viewer.zoom("fit"))
        self.zoom_full = act("Actual &Size (100 %)\tCtrl+1", lambda: viewer.zoom("full"))
        self.rotate_left = act("Rotate &Left", lambda: self.rotate(-90), "Ctrl+[")
        self.rotate_right = act("Rotate &Right", lambda: self.rotate(90), "Ctrl+]")
        self.add_face = act("&Add Face", lambda: viewer.set_drawing(True), "Ctrl+Shift+F")
        self.add_face.setToolTip("Draw a box around a face the detector missed, then name it")
        self.full_screen = act("F&ull Screen", self.toggle_full_screen, "F11")
        self.full_screen.setCheckable(True)
        self.start_slideshow = act("Sli&deshow", self.toggle_slideshow, "F9")
        self.photo_only = [
            *(self.zoom_in, self.zoom_out, self.zoom_fit, self.zoom_full),
            *(self.rotate_left, self.rotate_right, self.add_face),
        ]
        self.rotations = (self.rotate_left, self.rotate_right)  # the grid's selection too
        window.stack.currentChanged.connect(self._on_page)
        self._on_page()

    def build(self, before: QAction | None) -> QMenu:
        menu = QMenu("P&hoto", self.window)
        for action in self.photo_only[:4]:
            menu.addAction(action)
        menu.addSeparator()
        for item in (*self.photo_only[4:], None, self.full_screen, self.start_slideshow):
            menu.addAction(item) if item else menu.addSeparator()
        intervals = menu.addMenu("Slideshow &Interval")
        group = QActionGroup(menu)
        chosen = self.window.settings.get(SLIDESHOW_SECONDS)
        for seconds in INTERVALS:
            action = intervals.addAction(f"{seconds} seconds")
            action.setCheckable(True)
            action.setChecked(seconds == chosen)
            action.triggered.connect(lambda checked=False, s=seconds: self.set_interval(s))
            group.addAction(action)
        self.window.menuBar().insertMenu(before, menu) if before else self.window.menuBar().addMenu(
            menu
        )
        return menu

    def _on_page(self, *_: object) -> None:
        w = self.window
        on_photo = w.stack.currentWidget() is w.viewer
        on_grid = w.stack.currentWidget() is w.grid.parentWidget()
        for action in self.photo_only:
            action.setEnabled(on_photo or (on_grid and action in self.rotations))
        if not on_photo:
            self.stop_slideshow()

    def rotate(self, degrees: int) -> None:
        """Turn the photo shown, or in the grid the photos selected (one undo step)."""
        w = self.window
        session = w.viewer.session
        on_photo = w.stack.currentWidget() is w.viewer
        photos = [w.viewer.photo_id] if on_photo and w.viewer.photo_id else w.grid.selected_ids()
        if session is None or not photos:
            return
        turns: list[QUndoCommand] = [RotatePhoto(session, pid, degrees) for pid in photos]
        text = turns[0].text() + (f" {len(photos)} photos" if len(photos) > 1 else "")
        session.undo.push(Steps(text, turns))
        w.grid.viewport().update()  # the thumbnails are read again, turned

    # --- full screen -------------------------------------------------------------------------

    def toggle_full_screen(self) -> None:
        self.set_full_screen(not self.full_screen_on)

    def set_full_screen(self, on: bool) -> None:
        """The photo alone on the screen (the menus, panels and status bar hidden), or back."""
        w = self.window
        if on == self.full_screen_on:
            return
        self.full_screen_on = on
        self.full_screen.setChecked(on)
        if on:
            chrome = [w.menuBar(), w.statusBar(), *w.findChildren(QWidget, "main")]
            chrome += [w.filters_dock, w.tags_dock, w.viewer.top, w.viewer.hint]
            self._hidden = [part for part in chrome if part.isVisible()]
            self._was_maximized = w.isMaximized()
            for part in self._hidden:
                part.hide()
            w.showFullScreen()
        else:
            for part in self._hidden:
                part.show()
            self._hidden = []
            w.showMaximized() if self._was_maximized else w.showNormal()
        w.viewer.setFocus()

    # --- the slideshow -----------------------------------------------------------------------

    def set_interval(self, seconds: int) -> None:
        self.window.settings.set(SLIDESHOW_SECONDS, seconds)
        self.slideshow.setInterval(seconds * 1000)

    def toggle_slideshow(self) -> None:
        if self.slideshow.isActive() or self.paused:
            self.stop_slideshow()
            return
        w = self.window
        model = w.grid_model
        if model is None or model.rowCount() == 0:
            return
        if w.stack.currentWidget() is not w.viewer or w.viewer.photo_id is None:
            selected = w.grid.selectionModel().selectedIndexes() if w.grid.selectionModel() else []
            row = min((i.row() for i in selected), default=0)
            w.show_photo(model.content_id(row))
        self.set_full_screen(True)
        self.paused = False
        self.slideshow.start(w.settings.get(SLIDESHOW_SECONDS) * 1000)
        w.viewer.hint.setText("Slideshow: Space pauses, Esc stops.")

    def stop_slideshow(self) -> None:
        was = self.slideshow.isActive() or self.paused
        self.slideshow.stop()
        self.paused = False
        if was:
            self.set_full_screen(False)

    def _next_slide(self) -> None:
        viewer = self.window.viewer
        before = viewer.photo_id
        viewer.step.emit(1)
        if viewer.photo_id == before:  # the last photo: the slideshow is over
            self.stop_slideshow()
            self.window.statusBar().showMessage("The slideshow has shown every photo.", 5000)

    def _on_key(self, key: int) -> bool:
        """Space pauses or resumes a slideshow; Escape ends it, or full screen."""
        if key == Qt.Key.Key_Space and (self.slideshow.isActive() or self.paused):
            self.paused = self.slideshow.isActive()
            if self.paused:
                self.slideshow.stop()
            else:
                self.slideshow.start()
            return True
        if key == Qt.Key.Key_Escape and (self.slideshow.isActive() or self.paused):
            self.stop_slideshow()
            return True
        if key == Qt.Key.Key_Escape and self.full_screen_on:
            self.set_full_screen(False)
            return True
        return False


def install_photo_menu(window: MainWindow, before: QAction | None = None) -> ViewerMenu:
    """The Photo menu in the window's menu bar (before the menu `before` names)."""
    menu = ViewerMenu(window)
    menu.build(before)
    return menu
