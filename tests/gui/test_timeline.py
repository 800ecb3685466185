"""The timeline beside the grid: years and months, a click or a drag jumps to a month."""

from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from photo_tagger.gui.timeline import Timeline, month_name
from photo_tagger.store.catalog import TAKEN
from tests.gui.conftest import WAIT_MS, MakeWindow
from tests.gui.dated_library import dated_library, months


def timeline_of(window: object) -> Timeline:
    bar = window.findChild(Timeline)  # type: ignore[attr-defined]
    assert isinstance(bar, Timeline)
    return bar


def top_rows(window: object) -> set[str]:
    """The months of the photos in the grid's top row on screen."""
    grid, model = window.grid, window.grid_model  # type: ignore[attr-defined]
    found = set()
    for x in range(5, grid.viewport().width(), 40):
        index = grid.indexAt(QPoint(x, 10))
        if index.isValid():
            found.add(model.rows[index.row()][TAKEN][:7])
    return found


def drag(widget: Timeline, y: float) -> None:
    """Move the pointer over the bar with the button held, as a drag does."""
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(widget.width() / 2, y),
        widget.mapToGlobal(QPointF(widget.width() / 2, y)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def test_a_click_on_the_timeline_jumps_the_grid_to_that_month(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    library = dated_library(tmp_path / "dated", months(2022, 30, 24))  # Jan 2022 to Jun 2024
    window = make_window(library)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.grid_model is not None and window.grid_model.rowCount() == 720)
    bar = timeline_of(window)
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert window.grid.parentWidget() is window.stack.widget(1)  # the grid stays in its page
    assert [m.key for m in bar.months][:2] == ["2024-06", "2024-05"]  # newest first
    assert bar.months[-1].key == "2022-01" and len(bar.months) == 30
    assert top_rows(window) == {"2024-06"}

    march = next(m for m in bar.months if m.key == "2023-03")
    y = bar.y_of(march.first) + 2
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(bar.width() // 2, int(y)))
    qtbot.waitUntil(lambda: "2023-03" in top_rows(window), timeout=WAIT_MS)
    assert bar.bubble.isVisible() and bar.bubble.text() == month_name("2023-03")

    # dragging down the bar goes back in time, and says where it is
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(bar.width() // 2, int(y)))
    june = next(m for m in bar.months if m.key == "2022-06")
    drag(bar, bar.y_of(june.first) + 2)
    qtbot.waitUntil(lambda: "2022-06" in top_rows(window), timeout=WAIT_MS)
    assert bar.bubble.text() == month_name("2022-06")
    assert month_name("2022-06").endswith(" 2022")
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=QPoint(bar.width() // 2, int(y)))


def test_the_timeline_hides_when_the_grid_is_not_in_time_order(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    library = dated_library(tmp_path / "dated", months(2023, 6, 10))
    window = make_window(library)
    qtbot.waitUntil(lambda: window.grid_model is not None and window.grid_model.rowCount() == 60)
    bar = timeline_of(window)
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)

    window.commands.timeline.trigger()  # View › Timeline off
    assert not window.commands.timeline.isChecked()
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=WAIT_MS)
    window.commands.timeline.trigger()
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)

    model = window.grid_model
    assert model is not None
    shuffled = list(model.rows)
    random.Random(1).shuffle(shuffled)
    model.set_rows(shuffled)  # the grid in another order (by name, say)
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=WAIT_MS)
    model.set_rows(sorted(shuffled, key=lambda r: r[TAKEN]))  # oldest first is time order too
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert bar.months[0].key == "2023-01"


def test_the_month_named_while_dragging_goes_when_the_grid_shows_other_photos(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    library = dated_library(tmp_path / "dated", months(2022, 12, 4))
    window = make_window(library)
    qtbot.waitUntil(lambda: window.grid_model is not None and window.grid_model.rowCount() == 48)
    bar = timeline_of(window)
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    drag(bar, bar.height() / 2)  # the button held, no release: the month is named beside it
    assert bar.bubble.isVisible()
    window.search.setText("no photo is called this")  # other rows
    qtbot.waitUntil(lambda: window.grid_model.rowCount() == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not bar.bubble.isVisible(), timeout=5000)  # the bar reads them
