"""The grid's sort order (View › Sort By), remembered in the settings.

The catalogue arrives newest taken first; any other order is worked out off the UI thread
(app/photo_order.py) each time the catalogue or the order changes (by rating: also when stars
change), and the grid keeps what it showed until the new order is ready (a moment on 100,000
photos), so the window never waits on a sort. `rows` is what the grid content asks for
(GridContent.arrange); `changed` tells it to ask again.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from photo_tagger.app.photo_order import (
    CATALOGUE_ORDER,
    DEFAULT,
    ORDERS,
    RATING,
    arrange,
    sort_keys,
)
from photo_tagger.gui import settings as opts
from photo_tagger.gui.facts import FactsIndex
from photo_tagger.gui.runner import TaskRunner
from photo_tagger.gui.session import Session
from photo_tagger.gui.settings import Settings
from photo_tagger.store.catalog import Row

# While a scan keeps changing the catalogue, its new photos take their places in a sorted grid
# at most this often (each time the grid works out what came: tens of ms on 100,000 rows).
REARRANGE_EVERY = 2.0  # seconds


class GridOrder(QObject):
    changed = Signal(bool)  # the rows are ready in a new order: show them again (True: the
    # same photos as shown, only in another order: the grid is laid out anew)
    message = Signal(str, int)  # a word for the status bar (the order could not be worked out)

    def __init__(self, runner: TaskRunner, settings: Settings) -> None:
        super().__init__()
        self._runner = runner
        self._settings = settings
        saved = settings.get(opts.SORT_ORDER)
        self.order = saved if saved in ORDERS else DEFAULT
        self._session: Session | None = None
        self._source: list[Row] | None = None  # the catalogue rows `_arranged` was made from
        self._arranged: list[Row] | None = None
        self._order_of_arranged = ""
        self._busy = False
        self._again = False
        self._last_start = 0.0
        self._soon = QTimer(self)  # not from inside the grid's own update, and not too often
        self._soon.setSingleShot(True)
        self._soon.timeout.connect(self._start)

    def set_session(self, session: Session | None) -> None:
        self._soon.stop()
        if self._session is not None:
            self._session.factsChanged.disconnect(self._facts_changed)
        self._session = session
        self._source = self._arranged = None
        if session is not None:
            session.factsChanged.connect(self._facts_changed)

    def _facts_changed(self, _photos: list[str]) -> None:
        """Stars given or taken: a grid by rating takes them in (a moment later, not per key)."""
        if self.order == RATING:
            self._source = None
            if not self._soon.isActive():
                self._soon.start(250)

    def set_order(self, order: str) -> None:
        """Show the grid in `order` (a key of ORDERS) from now on."""
        if order not in ORDERS or order == self.order:
            return
        self.order = order
        self._settings.set(opts.SORT_ORDER, order)
        if order == CATALOGUE_ORDER:
            self.changed.emit(True)
        else:
            self._start()

    def settled(self) -> bool:
        """The grid's rows are in the order picked (nothing is being worked out)."""
        session = self._session
        if self.order == CATALOGUE_ORDER or session is None:
            return True
        fresh = self._source is session.catalog.rows and self._order_of_arranged == self.order
        return fresh and not self._busy

    def rows(self, catalog: list[Row]) -> list[Row]:
        """The catalogue's rows in the order picked, or as shown until then (its own order when
        nothing was arranged yet)."""
        if self.order == CATALOGUE_ORDER:
            return catalog
        fresh = self._source is catalog and self._order_of_arranged == self.order
        if not fresh and not self._soon.isActive():
            first = self._arranged is None or self._order_of_arranged != self.order
            wait = 0.0 if first else REARRANGE_EVERY - (time.monotonic() - self._last_start)
            self._soon.start(max(0, int(wait * 1000)))
        return self._arranged if self._arranged is not None else catalog

    def _start(self) -> None:
        session = self._session
        if session is None or self.order == CATALOGUE_ORDER:
            return
        if self._busy:
            self._again = True
            return
        rows, order, index_file = session.catalog.rows, self.order, session.index_file
        if rows is self._source and order == self._order_of_arranged:
            return
        self._busy = True
        self._last_start = time.monotonic()

        def done(arranged: list[Row]) -> None:
            self._busy = False
            if self._session is session:
                same_photos = rows is self._source or self._arranged is None
                self._source, self._arranged, self._order_of_arranged = rows, arranged, order
                if order == self.order:
                    self.changed.emit(same_photos and rows is session.catalog.rows)
            self._follow_up()

        def failed(error: BaseException) -> None:
            self._busy = False
            if self._session is session:  # not tried again until the catalogue changes
                self._source, self._arranged, self._order_of_arranged = rows, None, order
            self.message.emit(
                f"The photos could not be sorted ({error}); they are shown newest taken first.",
                10000,
            )

        given = rating_keys(session.facts) if order == RATING else None  # read here, on this thread

        def work() -> list[Row]:
            return arrange(
                rows, order, given if given is not None else sort_keys(index_file, order)
            )

        self._runner.run(work, done, failed)

    def _follow_up(self) -> None:
        if self._again:
            self._again = False
            self._start()


def rating_keys(facts: FactsIndex) -> dict[str, float]:
    """Each rated or rejected photo's key for RATING: its stars, -1 when rejected."""
    keys: dict[str, float] = {}
    for photo_id, f in facts.facts.items():
        marks = f.marks
        if marks.is_rejected:
            keys[photo_id] = -1.0
        elif marks.stars:
            keys[photo_id] = float(marks.stars)
    return keys


def sort_menu(order: GridOrder, parent: QWidget) -> QMenu:
    """View › Sort By: one checkable entry per order, the current one checked."""
    menu = QMenu("&Sort By", parent)
    group = QActionGroup(menu)
    for key, text in ORDERS.items():
        action = QAction(text, menu)
        action.setCheckable(True)
        action.setChecked(key == order.order)
        action.setData(key)
        action.triggered.connect(lambda checked=False, k=key: order.set_order(k))
        group.addAction(action)
        menu.addAction(action)

    # the order may have changed elsewhere (another window's settings, a test, a script)
    def check_current() -> None:
        for a in group.actions():
            a.setChecked(a.data() == order.order)

    menu.aboutToShow.connect(check_current)
    return menu
