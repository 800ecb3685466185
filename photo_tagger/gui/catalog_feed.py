"""The open library's catalogue (the photos on disk, in the grid's order), kept up to date.

A scan's photos are merged into it photo by photo; anything else (paths gone, another program)
has it read again whole. Reads run off the UI thread, one at a time, and many changes in a row
cost one update; `changed` says when the catalogue differs from what it was.

Each update costs in proportion to the library, not to the photos that came: the merge reads the
whole catalogue, and the grid lays out every row again (calling into Python for each). So updates
come at most every quarter second in a small library, and less often in a large one (every 2.5 s
in 100,000 photos), which keeps a scan into a large library as fast as one without the window.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from photo_tagger.gui.runner import TaskRunner
from photo_tagger.store.catalog import Catalog, Row, merge_rows, read_catalog, read_rows_for

CATALOG_DEBOUNCE_MS = 250  # between updates of a catalogue of up to PHOTOS_PER_DEBOUNCE photos
PHOTOS_PER_DEBOUNCE = 10_000  # ...and as long again for each further so many photos
MAX_DEBOUNCE_MS = 5_000


def update_interval_ms(photos: int) -> int:
    """How long a catalogue of `photos` photos waits between updates."""
    return min(MAX_DEBOUNCE_MS, CATALOG_DEBOUNCE_MS * max(1, -(-photos // PHOTOS_PER_DEBOUNCE)))


def keep_out_of_collector() -> None:
    """The catalogue and the facts are long-lived and free of reference cycles: move everything
    allocated so far out of the cycle collector's sight. Otherwise each full collection walks
    them all again, holding the UI thread (~150 ms for a 100,000-photo library). Objects that
    die later are still freed by reference counting."""
    gc.freeze()


class CatalogFeed(QObject):
    changed = Signal()  # `catalog` is another one now

    def __init__(
        self, index_file: Path, runner: TaskRunner, first_rows: list[Row] | None = None
    ) -> None:
        """`first_rows`: the start of the catalogue, already shown (the rest is read in the
        background); without it the whole catalogue is read now."""
        super().__init__()
        self._index_file = index_file
        self._runner = runner
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CATALOG_DEBOUNCE_MS)
        self._timer.timeout.connect(self._update)
        self._busy = False
        self._now = False  # flushed: what comes in during the update follows it at once
        self._stored: set[str] = set()
        self._reread_all = False
        if first_rows is None:
            self.catalog: Catalog = read_catalog(index_file)
            keep_out_of_collector()
        else:
            self.catalog = Catalog(list(first_rows))
            self._reread_all = True
            QTimer.singleShot(0, self._update)

    def close(self) -> None:
        self._closed = True
        self._timer.stop()

    def schedule(self, photo_ids: Iterable[str] | None = None) -> None:
        """Bring the catalogue up to date soon: for these photos only, or (None) all of it."""
        if photo_ids is None:
            self._reread_all = True
        else:
            self._stored.update(photo_ids)
        if not self.catalog.rows:  # the first photos of a new library: show them at once
            self._update()
        else:
            self._soon()

    def _soon(self) -> None:
        if not self._timer.isActive() and not self._busy:
            self._timer.start(update_interval_ms(len(self.catalog.rows)))

    def refresh(self) -> None:
        """Re-read the whole catalogue now (off the UI thread)."""
        self._reread_all = self._now = True
        self._timer.stop()
        self._update()

    def flush(self) -> None:
        """Bring the catalogue up to date now with what is waiting."""
        self._now = True
        self._timer.stop()
        self._update()

    def _update(self) -> None:
        if self._closed or not (self._reread_all or self._stored):
            self._now = False
            return
        if self._busy:  # one update at a time: the next starts from its result
            return
        self._busy = True
        index_file, base = self._index_file, self.catalog.rows
        if self._reread_all:
            self._reread_all, self._stored = False, set()
            self._runner.run(lambda: read_catalog(index_file).rows, self._read, self._failed)
        else:
            ids, self._stored = self._stored, set()
            self._runner.run(
                lambda: merge_rows(base, ids, read_rows_for(index_file, ids)),
                self._read,
                self._failed,
            )

    def _read(self, rows: list[Row] | None) -> None:
        self._busy = False
        if self._closed:
            return
        if rows is None:  # the photos' rows could not be merged alone
            self._reread_all = self._now = True
        elif rows != self.catalog.rows:
            self.catalog = Catalog(rows)
            keep_out_of_collector()
            self.changed.emit()
        if self._now or not self.catalog.rows:
            self._update()  # flushed: what came meanwhile too
        elif self._reread_all or self._stored:
            self._soon()  # what came meanwhile waits its turn

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        raise error
