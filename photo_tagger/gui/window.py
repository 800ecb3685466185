"""The main window: filters on the left, the grid (or a photo, or people) in the middle, the
selected photos' tags on the right, background work and the sync in the status bar.

It lays the parts out and wires them to each other; what each part does is in its own module:
the commands and menus in actions.py, the open library (opening, closing, adding photos, watched
folders) in library_controller.py, what the grid shows in grid_content.py, the settings in
preferences.py, and the sync, the cloud model, model updates and XMP sidecars in library_links.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.gui import settings as opts
from photo_tagger.gui import tags_panel
from photo_tagger.gui.actions import Actions, choose_folder
from photo_tagger.gui.browsing import Browsing
from photo_tagger.gui.compare import install as install_duplicates
from photo_tagger.gui.facts import PERSON, Filter
from photo_tagger.gui.filter_panel import FilterPanel
from photo_tagger.gui.grid import PhotoGrid, PhotoGridModel
from photo_tagger.gui.grid_content import GridContent
from photo_tagger.gui.images import ImageLoader
from photo_tagger.gui.jobs import JobQueue
from photo_tagger.gui.library_controller import LibraryController
from photo_tagger.gui.library_links import LibraryLinks
from photo_tagger.gui.messages import APP_NAME, install_messages, library_title
from photo_tagger.gui.navigation import install as install_navigation
from photo_tagger.gui.people_view import PeopleView
from photo_tagger.gui.ratings import install as install_ratings
from photo_tagger.gui.services import Services
from photo_tagger.gui.settings_dialog import SettingsDialog, SettingsValues
from photo_tagger.gui.status import JobStatus, ProblemsButton
from photo_tagger.gui.sync_link import SyncIndicator
from photo_tagger.gui.viewer import PhotoViewer
from photo_tagger.gui.welcome import WelcomePage

if TYPE_CHECKING:
    from photo_tagger.gui.session import Session

WELCOME, PHOTOS, VIEWER, PEOPLE = range(4)


class MainWindow(QMainWindow):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.settings = services.settings
        self._opening: Path | None = None  # opened once the grid has painted (open_library)
        self._follows_screen = False
        self.setWindowTitle(APP_NAME)
        self.loader = ImageLoader(services.images_runner)
        self.jobs = JobQueue(services.jobs_runner)
        self.jobs.finished.connect(self._on_job_finished)
        self.jobs.idle.connect(self._update_page)
        self.problems = ProblemsButton()  # in the status bar
        self.links = LibraryLinks(services, self.jobs, self.problems)
        self.links.message.connect(self.statusBar().showMessage)
        self.sync = self.links.sync
        # a sync saved other devices' edits in the library's files: read them in, those of the
        # photos the user looks at first
        self.sync.received.connect(lambda: self.controller.read_in(self.tag_editor.photo_ids))
        self.controller: LibraryController = LibraryController(
            services, self.jobs, self.links, self.problems
        )
        self.controller.message.connect(self.statusBar().showMessage)
        self.controller.closing.connect(self._let_go)
        install_messages(self)  # failures said in words, and the drop target
        self._build_views()
        self.commands: Actions = Actions(self)
        self.commands.build_menus(self)
        self.size_slider, self.search = self.commands.build_toolbar(self)
        self.ratings = install_ratings(self, self)  # the Photo menu, the keys 0-5, . and X
        self.content = GridContent(self.grid, self.loader, self.search, self.no_match)
        self.filters.filterChanged.connect(self.content.set_filter)
        install_navigation(self)  # pages, Esc, the Tags panel as filters and searches change
        self.browsing = Browsing(self)  # the Info panel, the Folders tab, View › Sort By
        self.duplicates = install_duplicates(self)  # groups' bands, Photo › Compare (C)
        self.resize(1280, 800)
        geometry = self.settings.get(opts.GEOMETRY)
        if geometry:
            self.restoreGeometry(geometry)
        state = self.settings.get(opts.WINDOW_STATE)
        if state:
            self.restoreState(state)

    @property
    def session(self) -> Session | None:
        """The open library's session (None while none is open)."""
        return self.controller.session

    @property
    def grid_model(self) -> PhotoGridModel | None:
        return self.content.model

    # --- building ------------------------------------------------------------------------------

    def _build_views(self) -> None:
        s = self.services
        self.welcome = WelcomePage(bool(s.samples_dir and s.samples_dir.is_dir()))
        self.welcome.addFolder.connect(lambda: choose_folder(self))
        self.welcome.addSamples.connect(self.add_samples)
        self.grid = PhotoGrid()
        self.grid.follow(self.loader)
        self.grid.set_cell(self.settings.get(opts.THUMBNAIL_SIZE))
        self.grid.activated.connect(self._open_index)
        self.no_match = QLabel("No photos match.")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match.setWordWrap(True)
        self.no_match.setVisible(False)
        photos = QWidget()
        layout = QVBoxLayout(photos)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.no_match)
        layout.addWidget(self.grid, 1)
        self.viewer = PhotoViewer(s.images_runner)
        self.viewer.back.connect(self.show_grid)
        self.viewer.step.connect(self.step_photo)
        self.people = PeopleView(self.loader)
        self.people.personActivated.connect(self.show_person)
        self.stack = QStackedWidget()
        for page in (self.welcome, photos, self.viewer, self.people):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)

        self.filters = FilterPanel()
        self.filters.renameRequested.connect(self.rename_tag)
        self.filters_dock = QDockWidget("Filters", self)
        self.filters_dock.setObjectName("filters")
        self.filters_dock.setWidget(self.filters)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.filters_dock)
        self.tag_editor, self.tags_dock = tags_panel.install(self, self.settings)
        self.resizeDocks([self.filters_dock, self.tags_dock], [230, 330], Qt.Orientation.Horizontal)

        self.job_status = JobStatus(self.jobs)
        for part in (self.job_status, self.links.new_models.button, self.problems):
            self.statusBar().addPermanentWidget(part)
        self.facts_label = QLabel()
        self.statusBar().addPermanentWidget(self.facts_label)
        self.sync_label = SyncIndicator(self.sync)
        self.statusBar().addPermanentWidget(self.sync_label)

    # --- libraries -----------------------------------------------------------------------------

    def open_library(self, path: Path, paint_first: bool = False) -> bool:
        """Open (or create) the library in `path`; on failure say why and keep what was open.

        With `paint_first` (the app's start) the grid is first filled from the library's index
        alone and painted, and the library itself (its document, the slow part of opening a big
        one) is opened right after: the user sees their photos at once. Returns True then; a
        failure to open is reported when it happens.
        """
        path = Path(path).expanduser().absolute()
        if paint_first:
            self._preview(path)
            return True
        return self._open(path)

    def _preview(self, path: Path) -> None:
        self.close_library()
        rows = self.content.preview(path)
        self.stack.setCurrentIndex(PHOTOS if rows else WELCOME)
        self.statusBar().showMessage("Opening the library…")
        self._opening = path
        watched = self.grid.viewport() if rows else self.welcome
        watched.installEventFilter(self)
        QTimer.singleShot(500, self._open_pending)  # in case nothing paints (a hidden window)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._opening is not None:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._open_pending)  # after this paint reaches the screen
        return False

    def _open_pending(self) -> None:
        path, self._opening = self._opening, None
        if path is not None and not self._open(path, keep_grid=True):
            self.statusBar().clearMessage()

    def _open(self, path: Path, keep_grid: bool = False) -> bool:
        preview = self.grid_model.rows if keep_grid and self.grid_model is not None else None
        session = self.controller.load(path, preview)
        if session is None:
            return False
        if not keep_grid:
            self.close_library()
        self.statusBar().clearMessage()
        self.controller.start(session)
        self.content.attach(session, keep_preview=keep_grid)
        self.grid.selectionModel().selectionChanged.connect(self._on_selection)
        for part in (
            *(self.tag_editor, self.viewer, self.people, self.filters, self.ratings),
            *self.browsing.parts,
        ):
            part.set_session(session)
        session.catalogChanged.connect(self._update_page)
        session.factsProgress.connect(self._on_facts_progress)
        session.regroupRequested.connect(self.controller.regroup)
        self.commands.follow_undo(session.undo)
        self.content.set_filter(Filter())
        self.setWindowTitle(library_title(path))
        self.controller.check_watched()
        self._update_page()
        return True

    def close_library(self) -> None:
        self._opening = None
        if self.controller.session is not None:
            self.controller.close()  # `closing` lets the views go first (_let_go)
        else:
            self.content.clear()  # a grid shown while the library was opening

    def _let_go(self) -> None:
        """The library is closing: every view lets go of its session."""
        for part in (
            *(self.tag_editor, self.viewer, self.people, self.filters, self.ratings),
            *self.browsing.parts,
        ):
            part.set_session(None)
        self.content.clear()

    # --- adding photos -------------------------------------------------------------------------

    def add_paths(self, paths: list[str], watch: bool = True) -> None:
        """Scan dropped or chosen folders and photos; folders are watched from now on."""
        if self.controller.add_paths(paths, watch):
            self.show_grid()

    def add_samples(self) -> None:
        if self.services.samples_dir is not None:
            self.add_paths([str(self.services.samples_dir)])

    # --- pages ---------------------------------------------------------------------------------

    def _update_page(self) -> None:
        """The welcome page while the library is empty and nothing is being added."""
        session = self.session
        empty = session is None or (len(session.catalog) == 0 and not self.jobs.busy)
        page = self.stack.currentIndex()
        if empty and page != WELCOME:
            self.stack.setCurrentIndex(WELCOME)
        elif not empty and page == WELCOME:
            self.stack.setCurrentIndex(PHOTOS)

    def show_grid(self, focus: bool = True) -> None:
        self.commands.photos.setChecked(True)
        self.stack.setCurrentIndex(PHOTOS)
        self._update_page()
        if focus:
            self.grid.setFocus()
        self._on_selection()

    def show_people(self) -> None:
        self.commands.people.setChecked(True)
        self.stack.setCurrentIndex(PEOPLE)
        self._on_selection()  # no photo's tags: the panel is for photos

    def show_photo(self, photo_id: str) -> None:
        self.stack.setCurrentIndex(VIEWER)
        self.viewer.show_photo(photo_id)
        self.viewer.setFocus()
        self.tag_editor.show_photos([photo_id])
        self.browsing.show_photos([photo_id])

    def _open_index(self, index: QModelIndex) -> None:
        if self.grid_model is not None and index.isValid():
            self.show_photo(self.grid_model.content_id(index.row()))

    def step_photo(self, delta: int) -> None:
        model, current = self.grid_model, self.viewer.photo_id
        if model is None or current is None:
            return
        row = model.row_of(current)
        if row is None:
            return
        target = row + delta
        if 0 <= target < model.rowCount():
            pid = model.content_id(target)
            self.grid.select_ids([pid])
            self.show_photo(pid)

    def show_person(self, person_id: str) -> None:
        self.show_grid()
        if not self.filters.select(PERSON, person_id):
            self.content.set_filter(Filter(PERSON, person_id))

    # --- editing -------------------------------------------------------------------------------

    def rename_tag(self, tag: str, new: str | None = None) -> None:
        """Give a tag (and the tags under it) another name on every photo that has it: how an
        event gets its name. Asks for the name unless `new` is given."""
        from photo_tagger.gui.tag_rename import rename_tag

        rename_tag(self, self.controller, tag, new)

    def _on_facts_progress(self, done: int, total: int) -> None:
        complete = done >= total
        self.facts_label.setText("" if complete else f"Reading tags… {100 * done // total}%")

    def _on_selection(self, *_: object) -> None:
        page = self.stack.currentIndex()
        if page != VIEWER:  # the viewer shows its photo's; the People view none
            shown = self.grid.selected_ids() if page != PEOPLE else []
            self.tag_editor.show_photos(shown)
            self.browsing.show_photos(shown)

    def select_all(self) -> None:
        if self.stack.currentIndex() == PHOTOS:
            self.grid.selectAll()

    def focus_tag_input(self) -> None:
        self.tags_dock.show()
        self.tag_editor.input.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- settings ------------------------------------------------------------------------------

    def current_settings(self) -> SettingsValues:
        from photo_tagger.gui.preferences import current_values

        session = self.session
        library = session.library if session is not None else None
        return current_values(self.settings, library, self.sync.status)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.current_settings(), self)
        if dialog.exec():
            self.apply_settings(dialog.values())

    def apply_settings(self, new: SettingsValues) -> None:
        """Apply what the settings dialog says (checked there). The sync server and the cloud
        model belong to the open library and are applied to it, before any other is opened."""
        from photo_tagger.gui.preferences import apply_values

        old = self.current_settings()
        for problem in apply_values(self.settings, self.controller, self.links, old, new):
            QMessageBox.warning(self, "Settings", problem)
        if new.library.absolute() != old.library.absolute():
            self.open_library(new.library)

    # --- the rest ------------------------------------------------------------------------------

    def _on_job_finished(self, title: str, summary: str) -> None:
        if summary:
            self.statusBar().showMessage(f"{title}: {summary}", 10000)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None and not self._follows_screen:
            self._follows_screen = True
            handle.screenChanged.connect(lambda _: self.grid.screen_changed())

    def sizeHint(self) -> QSize:
        return QSize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set(opts.GEOMETRY, bytes(self.saveGeometry().data()))
        self.settings.set(opts.WINDOW_STATE, bytes(self.saveState().data()))
        self.settings.sync()
        self.jobs.close()
        self.close_library()
        super().closeEvent(event)
