"""View › Map (Ctrl+3): where the library's photos were taken, on a world outline that ships with
the app (no map server, nothing fetched). Picking a cluster, or drawing a rectangle with Shift,
shows those photos in the grid, with a line above it that says what was picked and leads back.

The places are the photos' own GPS positions as a scan stored them in the library's index
(store/catalog.py read_positions); a place borrowed from a neighbouring photo is a suggestion and
is not drawn. They are read off the UI thread when the map is shown and when the library's
photos change while it is.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from photo_tagger.gui.facts import ALL, PHOTOS, Filter
from photo_tagger.store.catalog import read_positions
from photo_tagger.store.paths import INDEX_FILE

if TYPE_CHECKING:
    from photo_tagger.gui.map_data import Places, World
    from photo_tagger.gui.map_view import MapView
    from photo_tagger.gui.window import MainWindow

NAMED_FROM = 2000  # the place a pick is named after is read from this many of its photos
HINT = (
    "Scroll or press + and − to zoom, drag to move; click a circle to see its photos, or hold "
    "Shift and drag to pick an area."
)


class MapPage(QWidget):
    """The map with a line above it: how many photos have a place, and how to use it. The map
    itself (numpy, the world's outline) is made when it is first shown, not as the window opens."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self._window = window
        self.view: MapView = None  # type: ignore[assignment]  # made by showEvent
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        whole = QPushButton("Whole World")
        whole.clicked.connect(lambda: self.view.fit_world())
        fit = QPushButton("All Places")
        fit.setToolTip("Zoom to where the photos were taken")
        fit.clicked.connect(lambda: self.view.fit_places())
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 6)
        top.addWidget(self.summary, 1)
        top.addWidget(fit)
        top.addWidget(whole)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._layout.addLayout(top)
        self._missing_world = False
        self._stale = True
        self._fitted = False
        self._session: object = None  # the session whose places are shown

    def _make_view(self) -> None:
        """The map, and its outline read off the UI thread (a third of a second)."""
        from photo_tagger.gui.map_data import load_world, world_file
        from photo_tagger.gui.map_view import MapView

        self.view = MapView(None)
        self.view.picked.connect(self._show_picked)
        self._layout.addWidget(self.view, 1)
        self._window.services.images_runner.run(lambda: load_world(world_file()), self._outline)

    def _outline(self, world: World | None) -> None:
        self._missing_world = world is None
        self.view.set_world(world)
        if self._missing_world:
            self._show(self.view.places)

    def showEvent(self, event: object) -> None:
        if self.view is None:
            self._make_view()
        if self._stale or self._session is not self._window.session:
            self.reload()

    def mark_stale(self) -> None:
        """The library's photos changed: read their places again (now if the map is shown)."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        session = self._window.session
        self._stale = False
        if session is not self._session:
            self._session, self._fitted = session, False
            if session is not None:
                session.catalogChanged.connect(self.mark_stale)
        if session is None:
            self._read([])
            return
        index_file = session.path / INDEX_FILE
        runner = self._window.services.images_runner
        runner.run(lambda: _places(read_positions(index_file)), self._show, self._failed)

    def _read(self, rows: list[tuple[str, float, float]]) -> None:
        self._show(_places(rows))

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(f"The places of the photos could not be read: {error}")

    def _show(self, places: Places) -> None:
        self.view.set_places(places)
        if not self._fitted and len(places):
            self._fitted = True
            self.view.fit_places()
        n = len(places)
        text = (
            f"{n:,} photo{'s' if n != 1 else ''} with a place. {HINT}"
            if n
            else "No photo has a place yet: photos whose camera or phone recorded where they "
            "were taken (GPS) show here."
        )
        if self._missing_world:
            text += " The world map that comes with the app is missing: reinstall it to see it."
        self.summary.setText(text)

    def _show_picked(self, photo_ids: list[str], how: str) -> None:
        if not photo_ids:
            self.summary.setText("No photos were taken there. " + HINT)
            return
        window = self._window
        name = self._place_of(photo_ids)
        n = len(photo_ids)
        what = f"{n:,} photo{'s' if n != 1 else ''} picked on the map" + (
            f", around {name}" if name else ""
        )
        window.content.set_filter(Filter(PHOTOS, what, photos=frozenset(photo_ids)))
        window.show_grid()
        banner: MapBanner = window.findChild(MapBanner)  # type: ignore[assignment]
        banner.show_pick(what)

    def _place_of(self, photo_ids: list[str]) -> str:
        """The place most of the photos were tagged with ("Lisbon, Portugal"), or ""."""
        session = self._window.session
        if session is None:
            return ""
        counts: Counter[str] = Counter()
        for pid in photo_ids[:NAMED_FROM]:
            facts = session.facts.get(pid)
            places = [t for t in facts.tags if t.startswith("Places/")] if facts else []
            if places:
                counts[max(places, key=lambda t: t.count("/"))] += 1
        if not counts:
            return ""
        tag, _ = counts.most_common(1)[0]
        return ", ".join(reversed(tag.split("/")[1:]))


def _places(rows: list[tuple[str, float, float]]) -> Places:
    from photo_tagger.gui.map_data import Places

    return Places.of(rows)


class MapBanner(QWidget):
    """Above the grid while it shows photos picked on the map: what they are, and the ways back."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self._window = window
        self.label = QLabel()
        self.label.setWordWrap(True)
        back = QPushButton("Back to the Map")
        back.clicked.connect(lambda: show_map(window))
        everything = QPushButton("Show All Photos")
        everything.clicked.connect(self.show_all)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(back)
        row.addWidget(everything)
        self.hide()

    def show_pick(self, text: str) -> None:
        self.label.setText(text + ".")
        self.show()

    def follow(self, flt: object = None) -> None:
        """The grid shows something else now (another filter, a search): hide."""
        content = getattr(self._window, "content", None)
        if content is None or content.filter.kind != PHOTOS or self._window.search.text():
            self.hide()

    def show_all(self) -> None:
        window = self._window
        self.hide()
        if not window.filters.select(ALL) or window.content.filter.kind == PHOTOS:
            window.content.set_filter(Filter())


def show_map(window: MainWindow) -> None:
    page: MapPage = window.findChild(MapPage)  # type: ignore[assignment]
    window.stack.setCurrentWidget(page)
    action = window.findChild(QAction, "viewMap")
    if isinstance(action, QAction):
        action.setChecked(True)
    page.view.setFocus()


def install(window: MainWindow) -> QAction:
    """Add the map page, its banner above the grid and View › Map; returns the action."""
    page = MapPage(window)
    page.setParent(window.stack)
    window.stack.addWidget(page)
    banner = MapBanner(window)
    photos_page = window.no_match.parentWidget()
    photos_layout = photos_page.layout() if photos_page is not None else None
    if isinstance(photos_layout, QVBoxLayout):
        photos_layout.insertWidget(0, banner)
    window.filters.filterChanged.connect(banner.follow)
    window.controller.closing.connect(lambda: QTimer.singleShot(0, page.mark_stale))

    def searching(text: str) -> None:
        banner.follow()
        if text.strip() and page.isVisible():  # a search shows its photos in the grid
            window.show_grid(focus=False)

    # the search field comes after the commands
    QTimer.singleShot(0, lambda: window.search.textChanged.connect(searching))
    action = QAction("&Map", window)
    action.setObjectName("viewMap")
    action.setShortcut(QKeySequence("Ctrl+3"))
    action.setCheckable(True)
    action.triggered.connect(lambda checked=False: show_map(window))
    window.addAction(action)
    return action
