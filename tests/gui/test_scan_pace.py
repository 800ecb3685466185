"""A scan in the window goes as fast as one without it.

The grid's catalogue follows a scan at a pace set by the library's size: each update reads the
whole catalogue and has the grid lay out every row again, so a large library is updated less
often, and photos stored while an update runs wait their turn rather than start the next one.
The work across the whole library runs in a child process only where the library is large."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QThreadPool, QTimer
from pytestqt.qtbot import QtBot

from photo_tagger.gui.catalog_feed import (
    CATALOG_DEBOUNCE_MS,
    MAX_DEBOUNCE_MS,
    CatalogFeed,
    update_interval_ms,
)
from photo_tagger.gui.runner import ThreadPoolRunner
from photo_tagger.gui.scan_job import IN_PROCESS_UP_TO, window_importer
from photo_tagger.store.library import Library
from photo_tagger.store.paths import INDEX_FILE
from photo_tagger.vision.pipeline import Models
from tests.gui.conftest import WAIT_MS, MakeWindow

PHOTOS = 30_000


def add_photos(library: Path, first: int, count: int) -> list[str]:
    """`count` photos in the index as a scan leaves them (newest last); their ids."""
    ids = []
    with Library.open(library) as lib, lib.index.batch():
        for k in range(first, first + count):
            cid = f"{k:032x}"
            mtime = (1_500_000_000 + k * 60) * 1_000_000_000
            lib.index.upsert_file(f"/photos/IMG_{k:06d}.JPG", 1, mtime, cid)
            lib.index.set_photo(cid, 4000, 3000, "t.jpg", "test")
            ids.append(cid)
    return ids


def test_a_large_library_is_updated_less_often() -> None:
    assert update_interval_ms(0) == update_interval_ms(300) == CATALOG_DEBOUNCE_MS
    assert update_interval_ms(100_000) == 10 * CATALOG_DEBOUNCE_MS
    assert update_interval_ms(10_000_000) == MAX_DEBOUNCE_MS


def test_photos_stored_during_an_update_wait_their_turn(tmp_path: Path, qtbot: QtBot) -> None:
    library = tmp_path / "library"
    add_photos(library, 0, PHOTOS)
    pool = QThreadPool()
    feed = CatalogFeed(library / INDEX_FILE, ThreadPoolRunner(pool))
    assert len(feed.catalog) == PHOTOS
    after_update: list[tuple[int, bool]] = []  # (photos shown, the next update already running)

    def on_changed() -> None:
        after_update.append((len(feed.catalog), False))
        # the state the update left once it returned: is the next one already reading?
        QTimer.singleShot(0, lambda: after_update.append((len(feed.catalog), feed._busy)))

    feed.changed.connect(on_changed)
    second = add_photos(library, PHOTOS + 8, 8)  # in the index, not yet told

    # the next batch is stored just as the update of the first has started reading
    def store_second() -> None:
        if feed._busy and second:
            feed.schedule(list(second))
            second.clear()

    feed._timer.timeout.connect(store_second)
    feed.schedule(add_photos(library, PHOTOS, 8))  # a scan's first batch
    qtbot.waitUntil(lambda: len(after_update) >= 2, timeout=WAIT_MS)
    assert after_update[:2] == [(PHOTOS + 8, False), (PHOTOS + 8, False)]  # it waits its turn
    qtbot.waitUntil(lambda: len(feed.catalog) == PHOTOS + 16, timeout=WAIT_MS)  # then it comes
    feed.close()
    pool.waitForDone(WAIT_MS)


def test_library_wide_work_starts_a_process_only_in_a_large_library(
    make_window: MakeWindow, tmp_path: Path, models: Models
) -> None:
    small = tmp_path / "small"
    add_photos(small, 0, 10)
    big = tmp_path / "big"
    add_photos(big, 0, IN_PROCESS_UP_TO + 1)
    where = []
    for library in (small, big):
        window = make_window(library=library)
        session, caller = window.session, window.controller.caller
        assert session is not None and caller is not None
        where.append(window_importer(session, models, 1, caller).run_library_wide(os.getpid))
    assert where[0] == os.getpid()  # quicker than starting a process, and short
    assert where[1] != os.getpid()  # long: where it cannot hold the window's interpreter lock
