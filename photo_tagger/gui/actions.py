"""The window's commands: each as an action with its shortcut, and the menus and the toolbar that
show them. Shortcuts work while the menu bar is hidden too (the actions belong to the window).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox, QSlider, QWidget

from photo_tagger.gui import map_page, timeline
from photo_tagger.gui import settings as opts
from photo_tagger.gui.grid import PhotoGrid
from photo_tagger.gui.settings import Settings
from photo_tagger.gui.viewer_menu import ViewerMenu, install_photo_menu

if TYPE_CHECKING:
    from photo_tagger.gui.window import MainWindow

THUMB_SIZES = (96, 128, 160, 200, 256)
EXTRA_COPY_TAG = "Near-duplicates/Extra copy"  # what Tag Extra Near-Duplicates adds


def _action(
    window: MainWindow,
    text: str,
    slot: Callable[[], object],
    keys: QKeySequence.StandardKey | str | None = None,
    fallback: str | None = None,
) -> QAction:
    action = QAction(text, window)
    action.triggered.connect(lambda checked=False: slot())
    if isinstance(keys, QKeySequence.StandardKey):
        shortcuts = QKeySequence.keyBindings(keys)
        if not shortcuts and fallback:  # no platform binding (e.g. Preferences on Linux)
            shortcuts = [QKeySequence(fallback)]
        action.setShortcuts(shortcuts)
    elif keys:
        action.setShortcut(QKeySequence(keys))
    window.addAction(action)  # shortcuts work while the menu bar is hidden too
    return action


class Actions:
    """Every command of the window, connected to what does it."""

    def __init__(self, window: MainWindow) -> None:
        w, K = window, QKeySequence.StandardKey
        self.add_folder = _action(w, "Add &Folder…", lambda: choose_folder(w), K.Open)
        self.add_photos = _action(w, "Add &Photos…", lambda: choose_photos(w))
        self.add_samples = _action(w, "Add the &Sample Photos", w.add_samples)
        self.add_samples.setEnabled(not w.welcome.samples_button.isHidden())  # shown or not yet
        self.settings = _action(w, "&Settings…", w.open_settings, K.Preferences, "Ctrl+,")
        self.settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit = _action(w, "&Quit", w.close, K.Quit, "Ctrl+Q")
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.undo = _action(w, "&Undo", w.controller.undo, K.Undo)
        self.redo = _action(w, "&Redo", w.controller.redo, K.Redo)
        redo_keys = list(self.redo.shortcuts())
        if QKeySequence("Ctrl+Shift+Z") not in redo_keys:
            redo_keys.append(QKeySequence("Ctrl+Shift+Z"))
        self.redo.setShortcuts(redo_keys)
        self.undo.setEnabled(False)
        self.redo.setEnabled(False)
        self.select_all = _action(w, "Select &All", w.select_all, K.SelectAll)
        self.add_tag = _action(w, "Add &Tag…", w.focus_tag_input, "Ctrl+T")
        self.find = _action(w, "&Find", w.focus_search, K.Find)
        self.photos = _action(w, "&Photos", w.show_grid, "Ctrl+1")
        self.people = _action(w, "P&eople", w.show_people, "Ctrl+2")
        self.map = map_page.install(w)  # View › Map, its page and its line above the grid
        group = QActionGroup(w)
        for a in (self.photos, self.people, self.map):
            a.setCheckable(True)
            group.addAction(a)
        self.timeline_bar = timeline.install(w)  # beside the grid
        self.timeline = _action(w, "&Timeline", lambda: None)
        self.timeline.setCheckable(True)
        self.timeline.setChecked(True)
        self.timeline.setToolTip("The years and months beside the grid, to jump to a month")
        self.timeline.toggled.connect(self.timeline_bar.set_enabled_by_user)
        self.photos.setChecked(True)
        self.zoom_in = _action(w, "&Bigger Thumbnails", lambda: w.size_slider.zoom(1), K.ZoomIn)
        if QKeySequence("Ctrl+=") not in self.zoom_in.shortcuts():  # "+" is Shift+= mostly
            self.zoom_in.setShortcuts([*self.zoom_in.shortcuts(), QKeySequence("Ctrl+=")])
        zoom_out = lambda: w.size_slider.zoom(-1)  # noqa: E731
        self.zoom_out = _action(w, "&Smaller Thumbnails", zoom_out, K.ZoomOut)
        self.about = _action(w, "&About Photo Tagger", lambda: about(w))
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self._library_actions(w)

    def _library_actions(self, w: MainWindow) -> None:
        links = w.links
        self.sync_now = _action(w, "S&ync Now", links.sync_now, "F5")
        self.refine = _action(w, "&Refine Unsure Photos in the Cloud", links.refine_in_cloud)
        self.refine.setToolTip(
            "Send the photos the local model is unsure of to the cloud model (Settings › Cloud "
            "model); nothing is sent while it is off"
        )
        self.write_sidecars = _action(w, "Write &XMP Sidecars", links.write_sidecars)
        self.tag_extras = _action(
            w, "Tag Extra &Near-Duplicates", w.controller.tag_duplicate_extras
        )
        self.tag_extras.setToolTip(
            f"Tag every near-duplicate but the best of its group “{EXTRA_COPY_TAG}”, to find "
            "them later (nothing is deleted)"
        )
        self.model_updates = _action(w, "Check for &Model Updates", links.check_model_updates)
        self.check_library = _action(w, "&Check the Library", w.controller.check)
        self.check_library.setToolTip(
            "List the records other devices or programs wrote that cannot be read, and set "
            "them aside"
        )

    def follow_undo(self, stack: QUndoStack) -> None:
        """Undo and Redo say what they undo and redo, and are enabled when there is some."""
        stack.canUndoChanged.connect(self.undo.setEnabled)
        stack.canRedoChanged.connect(self.redo.setEnabled)
        stack.undoTextChanged.connect(lambda t: self.undo.setText(f"&Undo {t}"))
        stack.redoTextChanged.connect(lambda t: self.redo.setText(f"&Redo {t}"))

    def build_menus(self, window: MainWindow) -> None:
        """The menu bar; None is a separator."""
        menus: dict[str, list[QAction | None]] = {
            "&File": [
                *(self.add_folder, self.add_photos, self.add_samples, None),
                *(self.sync_now, self.refine, self.write_sidecars, None),
                *(self.settings, None, self.quit),
            ],
            "&Edit": [
                *(self.undo, self.redo, None),
                *(self.select_all, self.add_tag, self.find, None),
                self.tag_extras,
            ],
            "&View": [
                *(self.photos, self.people, self.map, None, self.timeline, None),
                *(self.zoom_in, self.zoom_out, None),
                window.filters_dock.toggleViewAction(),
                window.tags_dock.toggleViewAction(),
            ],
            "&Help": [self.model_updates, self.check_library, None, self.about],
        }
        bar = window.menuBar()
        for title, actions in menus.items():
            menu = bar.addMenu(title)
            for action in actions:
                if action is None:
                    menu.addSeparator()
                else:
                    menu.addAction(action)
        self.photo: ViewerMenu = install_photo_menu(window, menu.menuAction())  # before Help

    def build_toolbar(self, window: MainWindow) -> tuple[SizeSlider, QLineEdit]:
        """The toolbar: pages, Add Folder, then the thumbnail size and the search field (which
        it returns)."""
        tools = window.addToolBar("Main")
        tools.setObjectName("main")
        tools.setMovable(False)
        tools.addAction(self.photos)
        tools.addAction(self.people)
        tools.addAction(self.map)
        tools.addSeparator()
        tools.addAction(self.add_folder)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Fixed)
        tools.addWidget(spacer)
        size_slider = SizeSlider(window.grid, window.settings)
        tools.addWidget(size_slider)
        search = QLineEdit()
        search.setPlaceholderText("Search tags, people, places, dates, file names")
        search.setClearButtonEnabled(True)
        search.setMaximumWidth(320)
        tools.addWidget(search)
        return size_slider, search


class SizeSlider(QSlider):
    """The grid's thumbnail size, a step of THUMB_SIZES; remembered in the settings."""

    def __init__(self, grid: PhotoGrid, settings: Settings) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self._grid = grid
        self._settings = settings
        self.setRange(0, len(THUMB_SIZES) - 1)
        self.setValue(self._step())
        self.setMaximumWidth(120)
        self.setToolTip("Thumbnail size")
        self.valueChanged.connect(lambda v: self._set_cell(THUMB_SIZES[v]))

    def _step(self) -> int:
        cell = self._grid.cell
        return min(range(len(THUMB_SIZES)), key=lambda i: abs(THUMB_SIZES[i] - cell))

    def zoom(self, direction: int) -> None:
        """Bigger (1) or smaller (-1) thumbnails."""
        self.setValue(max(0, min(len(THUMB_SIZES) - 1, self._step() + direction)))

    def _set_cell(self, cell: int) -> None:
        self._grid.set_cell(cell)
        self._settings.set(opts.THUMBNAIL_SIZE, cell)


def about(parent: QWidget) -> None:
    from photo_tagger import __version__

    QMessageBox.about(
        parent,
        "About Photo Tagger",
        f"<b>Photo Tagger {__version__}</b><p>Faces, people and tags for your photos, found "
        "on this computer.</p>",
    )


def choose_folder(window: MainWindow) -> None:
    folder = QFileDialog.getExistingDirectory(window, "Add a folder of photos")
    if folder:
        window.add_paths([folder])


def choose_photos(window: MainWindow) -> None:
    from photo_tagger.files.formats import PHOTO_SUFFIXES

    patterns = " ".join(f"*{s}" for s in sorted(PHOTO_SUFFIXES))
    files, _ = QFileDialog.getOpenFileNames(window, "Add photos", "", f"Photos ({patterns})")
    if files:
        window.add_paths(files)
