"""View › Map: the photos' places on a world outline that ships with the app; a cluster or an
area picked on it shows those photos in the grid."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from photo_tagger.gui.map_page import MapBanner, MapPage
from tests.gui.conftest import WAIT_MS, MakeWindow, grid_names
from tests.gui.dated_library import Shot, dated_library

LISBON, TOKYO = (38.72, -9.14), (35.68, 139.69)


def shots() -> list[Shot]:
    out: list[Shot] = []
    for i in range(30):
        out.append((f"lisbon_{i:02d}.jpg", f"2024-06-{i % 28 + 1:02d}T10:00:00", LISBON))
    for i in range(20):
        out.append((f"tokyo_{i:02d}.jpg", f"2023-04-{i % 28 + 1:02d}T10:00:00", TOKYO))
    for i in range(10):
        out.append((f"nowhere_{i:02d}.jpg", f"2022-01-{i + 1:02d}T10:00:00", None))
    return out


def drag_to(widget: QWidget, to: QPointF, shift: bool = False) -> None:
    """Move the pointer with the button held, as a drag does."""
    modifier = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    event = QMouseEvent(
        QEvent.Type.MouseMove, to, widget.mapToGlobal(to), Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton, modifier,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def button(parent: QWidget, text: str) -> QPushButton:
    return next(b for b in parent.findChildren(QPushButton) if b.text() == text)


def test_the_map_shows_where_photos_were_taken_and_picks_them_for_the_grid(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(dated_library(tmp_path / "places", shots()))
    qtbot.waitUntil(lambda: window.grid_model is not None and window.grid_model.rowCount() == 60)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # View › Map
    page = window.findChild(MapPage)
    assert isinstance(page, MapPage) and page.isVisible() and window.commands.map.isChecked()
    view = page.view
    qtbot.waitUntil(lambda: len(view.places) == 50, timeout=WAIT_MS)
    assert view.world is not None and not view.world.land.isEmpty()  # the shipped outline
    assert "50 photos with a place" in page.summary.text()

    qtbot.mouseClick(button(page, "Whole World"), Qt.MouseButton.LeftButton)
    clusters = view.clusters()
    assert sorted(clusters.counts.tolist()) == [20, 30]

    tokyo = view.to_screen(TOKYO[1], TOKYO[0])
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=tokyo.toPoint())
    qtbot.waitUntil(lambda: len(grid_names(window)) == 20, timeout=WAIT_MS)
    assert all(n.startswith("tokyo_") for n in grid_names(window))
    banner = window.findChild(MapBanner)
    assert isinstance(banner, MapBanner) and banner.isVisible()
    assert banner.label.text().startswith("20 photos picked on the map")

    qtbot.mouseClick(button(banner, "Back to the Map"), Qt.MouseButton.LeftButton)
    assert page.isVisible()
    # zoom in with the + key, then Shift-drag a rectangle around it
    before = view.scale
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.scale > before
    lisbon = view.to_screen(LISBON[1], LISBON[0])
    corner = QPoint(int(lisbon.x()) - 30, int(lisbon.y()) - 30)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, corner)
    end = QPointF(lisbon.x() + 30, lisbon.y() + 30)
    drag_to(view, end, shift=True)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                       end.toPoint())  # fmt: skip
    qtbot.waitUntil(lambda: len(grid_names(window)) == 30, timeout=WAIT_MS)
    assert all(n.startswith("lisbon_") for n in grid_names(window))

    qtbot.mouseClick(button(banner, "Show All Photos"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(grid_names(window)) == 60, timeout=WAIT_MS)
    assert not banner.isVisible()


def test_the_map_pans_with_a_drag_and_keeps_to_the_world(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(dated_library(tmp_path / "places", shots()))
    window.commands.map.trigger()
    view = window.findChild(MapPage).view  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: len(view.places) == 50, timeout=WAIT_MS)
    view.zoom(8.0)
    lon = view.lon0
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(200, 100))
    to = QPointF(300, 100)
    drag_to(view, to)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=to.toPoint())
    assert view.lon0 < lon  # dragged to the right: further west is in view
    assert len(grid_names(window)) == 60  # a drag picks nothing
    for _ in range(40):
        qtbot.keyClick(view, Qt.Key.Key_Left)
    west, _ = view.to_degrees(QPointF(0, 0))
    assert west >= -180.0 - 1e-6  # the map stops at the edge of the world


def test_a_missing_or_broken_world_outline_leaves_the_map_working(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    from photo_tagger.gui.map_data import load_world

    broken = tmp_path / "world.npz"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    assert load_world(broken) is None
    assert load_world(tmp_path / "none.npz") is None

    window = make_window(dated_library(tmp_path / "places", shots()))
    window.commands.map.trigger()
    page = window.findChild(MapPage)
    assert isinstance(page, MapPage)
    qtbot.waitUntil(lambda: len(page.view.places) == 50, timeout=WAIT_MS)
    window.search.setText("tokyo")  # typed on the map: the grid shows what it finds
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(grid_names(window)) == 20, timeout=WAIT_MS)
