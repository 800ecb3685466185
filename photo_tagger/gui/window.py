"""The main window: filters on the left, the grid (or a photo, or people) in the middle, the
selected photos' tags on the right, background work and the sync in the status bar.

It builds the parts, opens and closes libraries, and wires the parts to each other; what each
part does is in its own module (the sync, the cloud model, model updates and XMP sidecars:
library_links.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.app.thresholds import load_vocabulary
from photo_tagger.errors import PhotoTaggerError
from photo_tagger.gui import settings as opts
from photo_tagger.gui.facts import ALL, DUPLICATES, PERSON, Filter, apply_filter
from photo_tagger.gui.filter_panel import FilterPanel
from photo_tagger.gui.grid import PhotoGrid, PhotoGridModel
from photo_tagger.gui.images import ImageLoader
from photo_tagger.gui.jobs import JobQueue
from photo_tagger.gui.library_links import LibraryLinks
from photo_tagger.gui.paths import is_inside
from photo_tagger.gui.people_view import PeopleView
from photo_tagger.gui.runner import TaskRunner, UiThreadCaller
from photo_tagger.gui.session import LibrarySession
from photo_tagger.gui.settings import Settings
from photo_tagger.gui.settings_dialog import SettingsDialog, SettingsValues
from photo_tagger.gui.status import JobStatus, ProblemsButton
from photo_tagger.gui.sync_link import StartSync, SyncIndicator, background_sync
from photo_tagger.gui.tag_editor import TagEditor
from photo_tagger.gui.viewer import PhotoViewer
from photo_tagger.gui.welcome import WelcomePage
from photo_tagger.store.paths import INDEX_FILE, THUMBS_DIR
from photo_tagger.vision.model import Manifest

if TYPE_CHECKING:
    from photo_tagger.app.scan import ScanReport
    from photo_tagger.gui.watcher import FolderWatcher
    from photo_tagger.vision.pipeline import Models

WELCOME, PHOTOS, VIEWER, PEOPLE = range(4)
PREVIEW_ROWS = 2000  # rows shown before the library is open: more than any screen holds
THUMB_SIZES = (96, 128, 160, 200, 256)
EXTRA_COPY_TAG = "Near-duplicates/Extra copy"  # what Tag Extra Near-Duplicates adds


@dataclass
class Services:
    """What the window is built from; the app passes the real ones, tests their own."""

    settings: Settings
    models: Callable[[Path], Models]  # the models in a folder, loaded on first call (off the UI)
    # a library's models folder: its installed model release, else the shipped models
    models_dir: Callable[[Path], Path]
    jobs_runner: TaskRunner  # scans and other long work, one at a time
    images_runner: TaskRunner  # thumbnails, photos, face crops, catalogue reads, sidecar writes
    samples_dir: Path | None = None
    watch_debounce_ms: int = 1500
    scan_workers: int | None = None
    syncer: StartSync = background_sync  # syncs a library with its server in the background
    sidecar_delay_ms: int = 1500  # after an edit, before its sidecars are written


class MainWindow(QMainWindow):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.settings = services.settings
        self.session: LibrarySession | None = None
        self.caller: UiThreadCaller | None = None
        self.watcher: FolderWatcher | None = None
        self.grid_model: PhotoGridModel | None = None
        self._opening: Path | None = None  # opened once the grid has painted (open_library)
        self._follows_screen = False
        self.filter = Filter()
        self.setWindowTitle("Photo Tagger")
        self.setAcceptDrops(True)
        self.loader = ImageLoader(services.images_runner)
        self.jobs = JobQueue(services.jobs_runner)
        self.jobs.finished.connect(self._on_job_finished)
        self.jobs.failed.connect(self._on_job_failed)
        self.jobs.idle.connect(self._update_page)
        self.jobs.started.connect(lambda _: self.session and self.session.set_busy(True))
        self.jobs.idle.connect(lambda: self.session and self.session.set_busy(False))
        self.problems = ProblemsButton()  # in the status bar
        self.links = LibraryLinks(services, self.jobs, self.problems)
        self.links.message.connect(self.statusBar().showMessage)
        self.sync = self.links.sync
        self.sync.received.connect(self._on_sync_received)
        self._build_views()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._refilter_timer = QTimer(self)
        self._refilter_timer.setSingleShot(True)
        self._refilter_timer.setInterval(200)
        self._refilter_timer.timeout.connect(self.apply_filter)
        self.resize(1280, 800)
        geometry = self.settings.get(opts.GEOMETRY)
        if geometry:
            self.restoreGeometry(geometry)
        state = self.settings.get(opts.WINDOW_STATE)
        if state:
            self.restoreState(state)

    # --- building ------------------------------------------------------------------------------

    def _build_views(self) -> None:
        s = self.services
        self.welcome = WelcomePage(bool(s.samples_dir and s.samples_dir.is_dir()))
        self.welcome.addFolder.connect(self.choose_folder)
        self.welcome.addSamples.connect(self.add_samples)
        self.grid = PhotoGrid()
        self.grid.follow(self.loader)
        self.grid.set_cell(self.settings.get(opts.THUMBNAIL_SIZE))
        self.grid.activated.connect(self._open_index)
        self.no_match = QLabel("No photos match.")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
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
        self.filters.filterChanged.connect(self._on_filter_changed)
        self.filters.renameRequested.connect(self.rename_tag)
        self.filters_dock = QDockWidget("Filters", self)
        self.filters_dock.setObjectName("filters")
        self.filters_dock.setWidget(self.filters)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.filters_dock)
        self.tag_editor = TagEditor()
        self.tags_dock = QDockWidget("Tags", self)
        self.tags_dock.setObjectName("tags")
        self.tags_dock.setWidget(self.tag_editor)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.tags_dock)
        self.resizeDocks([self.filters_dock, self.tags_dock], [230, 330], Qt.Orientation.Horizontal)

        self.job_status = JobStatus(self.jobs)
        self.statusBar().addPermanentWidget(self.job_status)
        self.statusBar().addPermanentWidget(self.problems)
        self.facts_label = QLabel()
        self.statusBar().addPermanentWidget(self.facts_label)
        self.sync_label = SyncIndicator(self.sync)
        self.statusBar().addPermanentWidget(self.sync_label)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        keys: QKeySequence.StandardKey | str | None = None,
        fallback: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda checked=False: slot())
        if isinstance(keys, QKeySequence.StandardKey):
            shortcuts = QKeySequence.keyBindings(keys)
            if not shortcuts and fallback:  # no platform binding (e.g. Preferences on Linux)
                shortcuts = [QKeySequence(fallback)]
            action.setShortcuts(shortcuts)
        elif keys:
            action.setShortcut(QKeySequence(keys))
        self.addAction(action)  # shortcuts work while the menu bar is hidden too
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.add_folder_action = self._action("Add &Folder…", self.choose_folder, K.Open)
        self.add_photos_action = self._action("Add &Photos…", self.choose_photos)
        self.add_samples_action = self._action("Add the &Sample Photos", self.add_samples)
        self.add_samples_action.setEnabled(self.welcome.samples_button.isVisible())
        self.settings_action = self._action(
            "&Settings…", self.open_settings, K.Preferences, "Ctrl+,"
        )
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit_action = self._action("&Quit", self.close, K.Quit, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.undo_action = self._action("&Undo", self.undo, K.Undo)
        self.redo_action = self._action("&Redo", self.redo, K.Redo)
        redo_keys = list(self.redo_action.shortcuts())
        if QKeySequence("Ctrl+Shift+Z") not in redo_keys:
            redo_keys.append(QKeySequence("Ctrl+Shift+Z"))
        self.redo_action.setShortcuts(redo_keys)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.select_all_action = self._action("Select &All", self._select_all, K.SelectAll)
        self.add_tag_action = self._action("Add &Tag…", self._focus_tag_input, "Ctrl+T")
        self.find_action = self._action("&Find", self._focus_search, K.Find)
        self.photos_action = self._action("&Photos", self.show_grid, "Ctrl+1")
        self.people_action = self._action("P&eople", self.show_people, "Ctrl+2")
        group = QActionGroup(self)
        for a in (self.photos_action, self.people_action):
            a.setCheckable(True)
            group.addAction(a)
        self.photos_action.setChecked(True)
        self.zoom_in_action = self._action("&Bigger Thumbnails", lambda: self.zoom(1), K.ZoomIn)
        self.zoom_out_action = self._action("&Smaller Thumbnails", lambda: self.zoom(-1), K.ZoomOut)
        self.about_action = self._action("&About Photo Tagger", self._about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        links = self.links
        self.sync_now_action = self._action("S&ync Now", links.sync_now, "F5")
        self.refine_action = self._action(
            "&Refine Unsure Photos in the Cloud", links.refine_in_cloud
        )
        self.refine_action.setToolTip(
            "Send the photos the local model is unsure of to the cloud model (Settings › Cloud "
            "model); nothing is sent while it is off"
        )
        self.write_sidecars_action = self._action("Write &XMP Sidecars", links.write_sidecars)
        self.tag_extras_action = self._action(
            "Tag Extra &Near-Duplicates", self.tag_duplicate_extras
        )
        self.tag_extras_action.setToolTip(
            f"Tag every near-duplicate but the best of its group “{EXTRA_COPY_TAG}”, to find "
            "them later (nothing is deleted)"
        )
        self.model_updates_action = self._action(
            "Check for &Model Updates", links.check_model_updates
        )

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        for a in (self.add_folder_action, self.add_photos_action, self.add_samples_action):
            m.addAction(a)
        m.addSeparator()
        for a in (self.sync_now_action, self.refine_action, self.write_sidecars_action):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.settings_action)
        m.addSeparator()
        m.addAction(self.quit_action)
        m = bar.addMenu("&Edit")
        m.addAction(self.undo_action)
        m.addAction(self.redo_action)
        m.addSeparator()
        for a in (self.select_all_action, self.add_tag_action, self.find_action):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.tag_extras_action)
        m = bar.addMenu("&View")
        m.addAction(self.photos_action)
        m.addAction(self.people_action)
        m.addSeparator()
        m.addAction(self.zoom_in_action)
        m.addAction(self.zoom_out_action)
        m.addSeparator()
        m.addAction(self.filters_dock.toggleViewAction())
        m.addAction(self.tags_dock.toggleViewAction())
        m = bar.addMenu("&Help")
        m.addAction(self.model_updates_action)
        m.addSeparator()
        m.addAction(self.about_action)

        tools = self.addToolBar("Main")
        tools.setObjectName("main")
        tools.setMovable(False)
        tools.addAction(self.photos_action)
        tools.addAction(self.people_action)
        tools.addSeparator()
        tools.addAction(self.add_folder_action)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Fixed)
        tools.addWidget(spacer)
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(0, len(THUMB_SIZES) - 1)
        self.size_slider.setValue(self._size_step())
        self.size_slider.setMaximumWidth(120)
        self.size_slider.setToolTip("Thumbnail size")
        self.size_slider.valueChanged.connect(lambda v: self._set_cell(THUMB_SIZES[v]))
        tools.addWidget(self.size_slider)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search tags, people, file names")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        self.search.textChanged.connect(lambda _: self._refilter_timer.start())
        tools.addWidget(self.search)

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
        from photo_tagger.store.catalog import read_first_rows

        self.close_library()
        index_file = path / INDEX_FILE
        rows = read_first_rows(index_file, PREVIEW_ROWS) if index_file.exists() else []
        model = PhotoGridModel(self.loader, path / THUMBS_DIR, self.grid.cell)
        model.set_rows(rows)
        self.grid_model = model
        self.grid.setModel(model)
        self.grid.set_cell(self.grid.cell)
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
        from photo_tagger.store.library import Library

        try:
            library = Library.open(path)
        except PhotoTaggerError as exc:
            QMessageBox.warning(self, "Cannot open the library", str(exc))
            return False
        preview = self.grid_model.rows if keep_grid and self.grid_model is not None else None
        try:
            vocabulary = load_vocabulary(self.services.models_dir(library.path))
            session = LibrarySession(
                library,
                vocabulary,
                self.services.images_runner,
                self.settings.get(opts.THRESHOLD_SCALE),
                self.settings.get(opts.LOW_CONFIDENCE),
                first_rows=preview,
            )
        except PhotoTaggerError as exc:
            library.close()
            QMessageBox.warning(self, "Cannot open the library", str(exc))
            return False
        if not keep_grid:
            self.close_library()
        self.statusBar().clearMessage()
        self.settings.set(opts.LIBRARY, str(path))
        for message in library.load_report.messages():
            self.statusBar().showMessage(message, 15000)
        self.session = session
        self.caller = UiThreadCaller()
        if self.grid_model is None or not keep_grid:
            self.grid_model = PhotoGridModel(self.loader, library.thumbs_dir, self.grid.cell)
            self.grid.setModel(self.grid_model)
            self.grid.set_cell(self.grid.cell)
        self.grid_model.attach(session)
        self.grid.selectionModel().selectionChanged.connect(self._on_selection)
        for part in (self.tag_editor, self.viewer, self.people, self.filters):
            part.set_session(session)
        session.catalogChanged.connect(self.apply_filter)
        session.catalogChanged.connect(self._update_page)
        session.factsChanged.connect(self._on_facts_changed)
        session.peopleChanged.connect(self._on_people_changed)
        session.factsProgress.connect(self._on_facts_progress)
        session.regroupRequested.connect(self._regroup)
        session.undo.canUndoChanged.connect(self.undo_action.setEnabled)
        session.undo.canRedoChanged.connect(self.redo_action.setEnabled)
        session.undo.undoTextChanged.connect(lambda t: self.undo_action.setText(f"&Undo {t}"))
        session.undo.redoTextChanged.connect(lambda t: self.redo_action.setText(f"&Redo {t}"))
        self.links.attach(session, self.caller)
        from photo_tagger.gui.watcher import FolderWatcher

        self.watcher = FolderWatcher(
            ignore=[str(path)], debounce_ms=self.services.watch_debounce_ms
        )
        self.watcher.changed.connect(self._on_folders_changed)
        watched = self.settings.watched_folders(path)
        for folder in watched:
            self.watcher.watch(folder)
        self.filter = Filter()
        self.apply_filter()
        self.setWindowTitle(f"Photo Tagger — {path.name}")
        present = [f for f in watched if os.path.isdir(f)]
        if present:  # pick up what changed while the window was closed
            self._scan(present, "Checking watched folders")
        self._update_page()
        return True

    def close_library(self) -> None:
        self._opening = None
        if self.session is None:
            if self.grid_model is not None:  # a grid shown while the library was opening
                self.grid.setModel(None)  # type: ignore[arg-type]
                self.grid_model = None
                self.loader.clear()
            return
        self.jobs.cancel()
        if self.caller is not None:
            self.caller.close()
        if self.watcher is not None:
            self.watcher.stop()
        self.links.detach()
        for part in (self.tag_editor, self.viewer, self.people, self.filters):
            part.set_session(None)
        self.grid.setModel(None)  # type: ignore[arg-type]
        self.loader.clear()
        self.session.close()
        self.session.library.close()
        self.session = self.caller = self.watcher = self.grid_model = None

    # --- adding photos -------------------------------------------------------------------------

    def add_paths(self, paths: list[str], watch: bool = True) -> None:
        """Scan dropped or chosen folders and photos; folders are watched from now on."""
        session = self.session
        if session is None:
            return
        paths = [os.path.abspath(p) for p in paths if os.path.exists(p)]
        if not paths:
            return
        folders = [p for p in paths if os.path.isdir(p)]
        if watch and folders and self.watcher is not None:
            watched = self.settings.watched_folders(session.path)
            for folder in folders:
                if any(is_inside(folder, w) for w in watched):
                    continue
                watched = [w for w in watched if not is_inside(w, folder)] + [folder]
                self.watcher.watch(folder)
            self.settings.set_watched_folders(session.path, watched)
        self._scan(paths, "Adding photos")
        self.show_grid()

    def _scan(self, paths: list[str], title: str) -> None:
        from photo_tagger.gui.scan_job import ScanJob

        if self.session is None or self.caller is None:
            return
        self.jobs.add(
            ScanJob(
                self.session,
                paths,
                self.links.models(),
                self.caller,
                title=title,
                workers=self.services.scan_workers,
                on_finished=self._on_scan_finished,
            )
        )

    def _on_folders_changed(self, folders: list[str]) -> None:
        self._scan(folders, "Updating watched folders")

    def _on_scan_finished(self, report: ScanReport) -> None:
        if report.skipped:
            self.problems.show_problems(
                "Photos skipped", [f"{s.path}: {s.reason}" for s in report.skipped]
            )
        if report.analysed:
            self.links.refine_if_on()
        if report.duplicates is not None and self.session is not None:
            self.session.read_duplicates()

    def tag_duplicate_extras(self) -> None:
        """Tag the near-duplicates that are not the best of their group (one undo step), so that
        the user can look at them and delete them in their file manager."""
        from photo_tagger.gui.edits import SetTag

        session = self.session
        if session is None:
            return
        extras = session.duplicate_extras()
        if not extras:
            self.statusBar().showMessage("No near-duplicates in this library.", 5000)
            return
        session.undo.push(SetTag(session, extras, EXTRA_COPY_TAG, True))
        self.statusBar().showMessage(
            f"{len(extras)} extra copies tagged “{EXTRA_COPY_TAG}”: pick the tag in the "
            "filters to see them.",
            10000,
        )

    def _regroup(self) -> None:
        from photo_tagger.gui.scan_job import GroupPeopleJob

        if self.session is not None and self.caller is not None:
            threshold = Manifest(self.services.models_dir(self.session.path)).same_person_distance
            self.jobs.add(GroupPeopleJob(self.session, threshold, self.caller))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos")
        if folder:
            self.add_paths([folder])

    def choose_photos(self) -> None:
        from photo_tagger.files.formats import PHOTO_SUFFIXES

        patterns = " ".join(f"*{s}" for s in sorted(PHOTO_SUFFIXES))
        files, _ = QFileDialog.getOpenFileNames(self, "Add photos", "", f"Photos ({patterns})")
        if files:
            self.add_paths(files)

    def add_samples(self) -> None:
        if self.services.samples_dir is not None:
            self.add_paths([str(self.services.samples_dir)])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.isLocalFile() for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

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

    def show_grid(self) -> None:
        self.photos_action.setChecked(True)
        self.stack.setCurrentIndex(PHOTOS)
        self._update_page()
        self.grid.setFocus()
        self._on_selection()

    def show_people(self) -> None:
        self.people_action.setChecked(True)
        self.stack.setCurrentIndex(PEOPLE)
        self._on_selection()  # the tags of the photos selected in the grid, not the viewer's

    def show_photo(self, photo_id: str) -> None:
        self.stack.setCurrentIndex(VIEWER)
        self.viewer.show_photo(photo_id)
        self.viewer.setFocus()
        self.tag_editor.show_photos([photo_id])

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
            self._on_filter_changed(Filter(PERSON, person_id))

    # --- filtering -----------------------------------------------------------------------------

    def _on_filter_changed(self, flt: Filter) -> None:
        self.filter = flt
        self.apply_filter()

    def rename_tag(self, tag: str, new: str | None = None) -> None:
        """Give a tag (and the tags under it) another name on every photo that has it: how an
        event gets its name. Asks for the name unless `new` is given."""
        from PySide6.QtWidgets import QInputDialog

        from photo_tagger.gui.edits import RenameTag

        session = self.session
        if session is None:
            return
        parent, _, leaf = tag.rpartition("/")
        if new is None:
            event = tag.startswith("Events/") and tag.count("/") == 2
            title = "Name the event" if event else "Rename tag"
            text, ok = QInputDialog.getText(self, title, f"New name for “{tag}”:", text=leaf)
            if not ok:
                return
            new = text
        new = "/".join(p.strip() for p in new.strip().split("/") if p.strip())
        if not new or new in (leaf, tag):
            return
        if "/" not in new and parent:  # a name: the tag stays where it is in the tree
            new = f"{parent}/{new}"
        session.finish_reading_facts()  # every photo that has the tag, not only those read yet
        command = RenameTag(session, tag, new)
        if command.photos:
            session.undo.push(command)
            self.statusBar().showMessage(f"“{tag}” is now “{new}” on {command.photos} photos", 5000)

    def apply_filter(self) -> None:
        session, model = self.session, self.grid_model
        if session is None or model is None:
            return
        flt = self.filter.with_text(self.search.text())
        selected = self.grid.selected_ids()
        rows = apply_filter(
            session.catalog.rows,
            flt,
            session.facts,
            session.resolve,
            session.names(),
            session.low_confidence,
        )
        best = set(session.facts.duplicates.values()) if flt.kind == DUPLICATES else set()
        if model.badges.keys() != set(best):
            model.badges = dict.fromkeys(best, "Best")
            self.grid.viewport().update()
        model.set_rows(rows)
        if selected and not self.grid.selected_ids():  # the view was reset: select them again
            self.grid.select_ids(selected)
        self.no_match.setVisible(not rows and len(session.catalog) > 0)

    def _needs_facts(self) -> bool:
        return self.filter.kind != ALL or bool(self.search.text().strip())

    def _on_facts_changed(self, photo_ids: list[str]) -> None:
        if self._needs_facts():
            self._refilter_timer.start()

    def _on_people_changed(self) -> None:
        if self._needs_facts():
            self._refilter_timer.start()

    def _on_facts_progress(self, done: int, total: int) -> None:
        complete = done >= total
        self.facts_label.setText("" if complete else f"Reading tags… {100 * done // total}%")

    # --- selection and editing -----------------------------------------------------------------

    def _on_selection(self, *_: object) -> None:
        if self.stack.currentIndex() != VIEWER:
            self.tag_editor.show_photos(self.grid.selected_ids())

    def _select_all(self) -> None:
        if self.stack.currentIndex() == PHOTOS:
            self.grid.selectAll()

    def _focus_tag_input(self) -> None:
        self.tags_dock.show()
        self.tag_editor.input.setFocus()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def undo(self) -> None:
        if self.session is not None:
            self.session.undo.undo()

    def redo(self) -> None:
        if self.session is not None:
            self.session.undo.redo()

    def _size_step(self) -> int:
        cell = self.grid.cell
        return min(range(len(THUMB_SIZES)), key=lambda i: abs(THUMB_SIZES[i] - cell))

    def zoom(self, direction: int) -> None:
        step = max(0, min(len(THUMB_SIZES) - 1, self._size_step() + direction))
        self.size_slider.setValue(step)

    def _set_cell(self, cell: int) -> None:
        self.grid.set_cell(cell)
        self.settings.set(opts.THUMBNAIL_SIZE, cell)

    # --- settings ------------------------------------------------------------------------------

    def current_settings(self) -> SettingsValues:
        s = self.settings
        path = self.session.path if self.session else Path(s.get(opts.LIBRARY) or ".")
        values = SettingsValues(
            library=path,
            watched=s.watched_folders(path),
            threshold_scale=s.get(opts.THRESHOLD_SCALE),
            low_confidence=s.get(opts.LOW_CONFIDENCE),
            xmp_keep=s.get(opts.XMP_KEEP),
            xmp_naming=s.get(opts.XMP_NAMING),
            xmp_model_tags=s.get(opts.XMP_MODEL_TAGS),
        )
        if self.session is None:
            return values
        from photo_tagger.gui.library_settings import with_library_values

        return with_library_values(values, self.session.library, self.sync.status)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.current_settings(), self)
        if dialog.exec():
            self.apply_settings(dialog.values())

    def apply_settings(self, new: SettingsValues) -> None:
        """Apply what the settings dialog says (checked there). The sync server and the cloud
        model belong to the open library and are applied to it, before any other is opened."""
        old = self.current_settings()
        s = self.settings
        s.set(opts.XMP_KEEP, new.xmp_keep)
        s.set(opts.XMP_NAMING, new.xmp_naming)
        s.set(opts.XMP_MODEL_TAGS, new.xmp_model_tags)
        session = self.session
        if session is not None:
            from photo_tagger.gui.library_settings import apply_cloud, apply_sync

            try:
                if apply_sync(session.library, old, new):
                    self.links.follow_sync()
                apply_cloud(session.library, old, new)
            except PhotoTaggerError as exc:
                QMessageBox.warning(self, "Settings", str(exc))
            self.links.settings_changed()
        if new.watched != old.watched and session is not None:
            s.set_watched_folders(session.path, new.watched)
            for folder in set(old.watched) - set(new.watched):
                if self.watcher is not None:
                    self.watcher.unwatch(folder)
        if (new.threshold_scale, new.low_confidence) != (old.threshold_scale, old.low_confidence):
            s.set(opts.THRESHOLD_SCALE, new.threshold_scale)
            s.set(opts.LOW_CONFIDENCE, new.low_confidence)
            if session is not None:
                session.set_thresholds(new.threshold_scale, new.low_confidence)
        if new.library.absolute() != old.library.absolute():
            self.open_library(new.library)

    def _on_sync_received(self) -> None:
        """A sync saved other devices' edits in the library's files: read them in."""
        session = self.session
        if session is not None:
            session.reload_document()
            session.reread_facts(self.tag_editor.photo_ids)  # what the user looks at, first

    # --- the rest ------------------------------------------------------------------------------

    def _on_job_finished(self, title: str, summary: str) -> None:
        if summary:
            self.statusBar().showMessage(f"{title}: {summary}", 10000)

    def _on_job_failed(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)

    def _about(self) -> None:
        from photo_tagger import __version__

        QMessageBox.about(
            self,
            "About Photo Tagger",
            f"<b>Photo Tagger {__version__}</b><p>Faces, people and tags for your photos, found "
            "on this computer.</p>",
        )

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
