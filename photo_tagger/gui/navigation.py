"""Which page the window shows as the user picks filters, searches and presses Esc, and which
photos the Tags panel edits: always the ones the user can see.

- Picking a filter, or typing a search, while a photo or the People view is open shows the grid
  with what was picked (a search looks through the whole library: the filters go to all photos).
- Esc in the filters closes the open photo, as it does on the photo itself.
- Photos the filter or the search no longer shows leave the selection, and the Tags panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from photo_tagger.gui.facts import ALL

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLineEdit, QStackedWidget, QWidget

    from photo_tagger.gui.filter_panel import FilterPanel
    from photo_tagger.gui.grid import PhotoGrid
    from photo_tagger.gui.grid_content import GridContent
    from photo_tagger.gui.tag_editor import TagEditor


class MainWindow(Protocol):
    """The parts of the window (window.py) this wires."""

    filters: FilterPanel
    content: GridContent
    grid: PhotoGrid
    search: QLineEdit
    stack: QStackedWidget
    tag_editor: TagEditor

    @property
    def viewer(self) -> QWidget: ...

    @property
    def people(self) -> QWidget: ...

    def show_grid(self, focus: bool = True) -> None: ...


def install(window: MainWindow) -> None:
    """Wire the window's filters, search field and grid to its pages and its Tags panel."""
    window.filters.filterPicked.connect(lambda _flt: _show_grid(window))
    window.filters.backRequested.connect(lambda: _close_photo(window))
    window.content.selectionCut.connect(lambda: _show_selection(window))
    window.search.textChanged.connect(lambda text: _search_everywhere(window, text))


def _away_from_grid(window: MainWindow) -> bool:
    return window.stack.currentWidget() in (window.viewer, window.people)


def _show_grid(window: MainWindow) -> None:
    """A filter was picked: show what it picks, keeping the keys where the user is."""
    if _away_from_grid(window):
        window.show_grid(focus=False)


def _close_photo(window: MainWindow) -> None:
    if window.stack.currentWidget() is window.viewer:
        window.show_grid(focus=False)


def _show_selection(window: MainWindow) -> None:
    """The grid's selection lost photos it no longer shows: so does the Tags panel (unless it
    shows the open photo, which is on screen)."""
    if window.stack.currentWidget() is not window.viewer:
        window.tag_editor.show_photos(window.grid.selected_ids())


def _search_everywhere(window: MainWindow, text: str) -> None:
    """A search looks through the whole library, in the grid: the filters show all photos."""
    if text.strip() and window.filters.current_filter().kind != ALL:
        window.filters.select(ALL)
    if text.strip() and _away_from_grid(window):
        window.show_grid(focus=False)  # the user is still typing
