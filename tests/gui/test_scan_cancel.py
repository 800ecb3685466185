"""Cancelling a scan in the window: the photos kept are finished (dates, places, events,
near-duplicates) and the status bar says it was cancelled and how far it got."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.conftest import SAMPLES, WAIT_MS, MakeWindow, copy_photos, grid_names, row_of
from tests.gui.test_add_photos import drop

TEN = tuple(sorted(p.name for p in SAMPLES.glob("*.jpg")))


def test_a_cancelled_scan_finishes_the_photos_it_kept_and_says_so(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    assert len(TEN) == 10
    folder = copy_photos(tmp_path / "photos", TEN)
    window = make_window(threads=True)
    status = window.job_status
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)

    assert drop(window, [folder])
    qtbot.waitUntil(status.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(status.pause_button, Qt.MouseButton.LeftButton)  # a few photos, then rest
    qtbot.waitUntil(lambda: "· paused" in status.label.text(), timeout=WAIT_MS)
    qtbot.mouseClick(status.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    said = [m for m in messages if m.startswith("Cancelled")]
    assert said, messages
    stored = re.match(r"Cancelled: (\d+) of 10 added", said[-1])
    assert stored is not None, said
    # the grid takes in what was stored at its own pace (catalog_feed.py)
    qtbot.waitUntil(lambda: len(grid_names(window)) == int(stored[1]), timeout=WAIT_MS)

    kept = grid_names(window)
    assert 0 < len(kept) < len(TEN)
    session = window.session
    assert session is not None
    for name in kept:  # every photo kept has its date, as a finished scan leaves it
        tags = session.facts_of(row_of(window, name)).tags
        assert any(t.startswith("Dates/") for t in tags), (name, sorted(tags))
    assert said[-1].startswith(f"Cancelled: {len(kept)} of 10 added"), messages
