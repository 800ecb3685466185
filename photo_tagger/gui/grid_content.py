"""What the grid shows: a library's photos (its model), those the node picked in the filter
panel keeps, or those the search text finds in the whole library.

A search looks through every photo, whatever node was picked (the window then shows all photos
picked in the panel), and the line above the grid says what it found where; picking another
node ends the search.

Before the library is open the model holds the first rows of its index alone (a preview); once
it is open, the session's catalogue. The filter is applied again when the catalogue changes, and
(a moment later, many changes costing one pass) when the facts it depends on change: a filter on
"all" without search text needs no facts. The rules themselves are in facts.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit

from photo_tagger.app.search import parse
from photo_tagger.gui.facts import ALL, DUPLICATES, Filter, apply_filter
from photo_tagger.gui.grid import PhotoGrid, PhotoGridModel
from photo_tagger.gui.images import ImageLoader
from photo_tagger.gui.session import Session
from photo_tagger.store.catalog import Row
from photo_tagger.store.paths import INDEX_FILE, THUMBS_DIR

REFILTER_MS = 200
PREVIEW_ROWS = 2000  # rows shown before the library is open: more than any screen holds
SEARCHED = "tags, objects, people's names, places, dates and file names"


class GridContent(QObject):
    """What the grid shows: the catalogue through the filter picked or the search typed. The
    selection never holds a photo the grid does not show: edits go to what the user sees."""

    selectionCut = Signal()  # photos left the selection with the rows that showed them
    rowsShown = Signal(str)  # the grid shows the rows a filter of this kind picked

    def __init__(
        self, grid: PhotoGrid, loader: ImageLoader, search: QLineEdit, no_match: QLabel
    ) -> None:
        super().__init__()
        self._grid = grid
        self._loader = loader
        self._search = search
        self._no_match = no_match
        self._session: Session | None = None
        self.model: PhotoGridModel | None = None
        self.filter = Filter()
        self._to_top = False  # another filter or search: show it from its first photo
        # the catalogue's rows in the order the grid shows them (grid_order.py sets it)
        self.arrange: Callable[[list[Row]], list[Row]] = lambda rows: rows
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFILTER_MS)
        self._timer.timeout.connect(self.apply)
        search.textChanged.connect(self._on_text)

    def _show_model(self, thumbs_dir: Path, rows: list[Row] | None = None) -> PhotoGridModel:
        self.model = PhotoGridModel(self._loader, thumbs_dir, self._grid.cell)
        if rows is not None:
            self.model.set_rows(rows)
        self._grid.setModel(self.model)
        self._grid.set_cell(self._grid.cell)
        return self.model

    def preview(self, library: Path) -> bool:
        """Show the start of the library's index before the library is open; whether there
        are photos to show."""
        from photo_tagger.store.catalog import read_first_rows

        index_file = library / INDEX_FILE
        rows = read_first_rows(index_file, PREVIEW_ROWS) if index_file.exists() else []
        self._show_model(library / THUMBS_DIR, rows)
        return bool(rows)

    def attach(self, session: Session, keep_preview: bool) -> None:
        """Show `session`'s photos (in place of the preview, or keeping it until the catalogue
        comes), filtered by its facts."""
        model = self.model
        if model is None or not keep_preview:
            model = self._show_model(session.thumbs_root)
        model.attach(session)
        self._session = session
        session.catalogChanged.connect(self.apply)
        session.factsChanged.connect(self._on_facts_changed)
        session.peopleChanged.connect(self._on_people_changed)

    def clear(self) -> None:
        """Show nothing (the library closes, or another one opens)."""
        self._session = None
        self._timer.stop()
        if self.model is not None:
            self._grid.setModel(None)  # type: ignore[arg-type]
            self.model = None
            self._loader.clear()

    def set_filter(self, flt: Filter) -> None:
        """Show what `flt` picks; picking anything but all photos ends a search."""
        self.filter = flt
        self._to_top = True
        if flt.kind != ALL and self._search.text():
            self._search.clear()
        self.apply(reset=True)

    def _on_text(self, text: str) -> None:
        if text.strip() and self.filter.kind != ALL:
            self.filter = Filter()  # a search looks through the whole library
        self._to_top = True
        self._timer.start()

    def apply(self, reset: bool = False) -> None:
        """Show what the filter or the search picks; with `reset` (another filter, another
        order) the grid is laid out anew rather than told what came and went."""
        session, model, grid = self._session, self.model, self._grid
        if session is None or model is None:
            return
        text = self._search.text()
        searching = bool(parse(text))
        flt = Filter(text=text) if searching else self.filter
        selected = grid.selected_ids()
        count = len(selected)
        rows = apply_filter(
            self.arrange(session.catalog.rows),
            flt,
            session.facts,
            session.resolve,
            session.names(),
            session.low_confidence,
        )
        best = set(session.facts.duplicates.values()) if flt.kind == DUPLICATES else set()
        if model.badges.keys() != set(best):
            model.badges = dict.fromkeys(best, "Best")
            grid.viewport().update()
        model.set_rows(rows, reset)
        self.rowsShown.emit(flt.kind)
        if selected and not grid.selected_ids():  # the view was reset: select them again
            grid.select_ids(selected)  # those it still shows
            if reset and not self._to_top:
                grid.scrollTo(grid.currentIndex())  # where the photo is now
        if self._to_top:
            self._to_top = False
            grid.scrollToTop()
        if grid.selected_count() < count:
            self.selectionCut.emit()
        if searching:
            self._say_found(len(rows), text.strip(), session.facts_complete)
        else:
            self._no_match.setText("No photos match.")
            self._no_match.setVisible(not rows and len(session.catalog) > 0)

    def _say_found(self, found: int, query: str, complete: bool) -> None:
        """What the search found, and where it looked."""
        if found:
            many = "photo matches" if found == 1 else "photos match"
            text = f"{found:,} {many} “{query}” in the whole library."
        else:
            text = (
                f"No photos match “{query}” in the whole library. Search finds whole words of "
                f"{SEARCHED}."
            )
        if not complete:
            text += " Still reading the library: more may come."
        self._no_match.setText(text)
        self._no_match.setVisible(True)

    def _needs_facts(self) -> bool:
        return self.filter.kind != ALL or bool(self._search.text().strip())

    def _on_facts_changed(self, photo_ids: list[str]) -> None:
        if self._needs_facts():
            self._timer.start()

    def _on_people_changed(self) -> None:
        if self._needs_facts():
            self._timer.start()
