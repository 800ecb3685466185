"""The near-duplicates view shows each group under a band saying which photo the library keeps and
why; Photo › Compare (C) shows two photos side by side and keeps one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLabel, QMenu
from pytestqt.qtbot import QtBot

from photo_tagger.gui.actions import EXTRA_COPY_TAG
from photo_tagger.gui.facts import ALL, DUPLICATES
from photo_tagger.gui.window import MainWindow
from photo_tagger.vision.pipeline import Models
from tests.gui.conftest import MakeWindow
from tests.gui.test_context import near_duplicates
from tests.gui.test_filters import click_node

KEPT_WHY = "Group 1 · 3 photos · kept: chelsea.jpg — the most pixels, then the sharpest"


def duplicates_window(make_window: MakeWindow, tmp_path: Path, qtbot: QtBot) -> MainWindow:
    window = make_window()
    window.add_paths([str(near_duplicates(tmp_path))], watch=False)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    click_node(window, qtbot, DUPLICATES)
    return window


def ids_of(window: MainWindow, *names: str) -> list[str]:
    model = window.grid_model
    assert model is not None
    by_name = {model.data(model.index(r)): model.content_id(r) for r in range(model.rowCount())}
    return [by_name[n] for n in names]


def test_each_near_duplicate_group_under_a_band_that_says_what_is_kept_and_why(
    make_window: MakeWindow, tmp_path: Path, models: Models, qtbot: QtBot
) -> None:
    window = make_window()
    window.add_paths([str(near_duplicates(tmp_path))], watch=False)
    assert window.session is not None
    window.session.finish_reading_facts()
    grid = window.grid
    plain_height = grid.gridSize().height()

    click_node(window, qtbot, DUPLICATES)
    model = window.grid_model
    assert model is not None
    assert model.data(model.index(0)) == "chelsea.jpg"  # kept: first of its group
    band = grid.gridSize().height() - plain_height
    assert band > 0  # room above each line of photos for the bands
    groups = window.duplicates.groups
    assert groups.header_at(0) == KEPT_WHY
    assert groups.header_at(1) is None  # one band per group, where it starts
    qtbot.waitUntil(lambda: not grid.visualRect(model.index(0)).isEmpty())
    first = grid.visualRect(model.index(0))
    shot = grid.viewport().grab().toImage()
    background = QColor(shot.pixel(first.x() + first.width() // 2, first.bottom() - 2))
    painted = QColor(shot.pixel(first.x() + 4, first.y() + band // 2))
    assert painted != background  # the band is painted above the group's first photo

    click_node(window, qtbot, ALL)
    assert grid.gridSize().height() == plain_height  # no bands outside the near-duplicates


def test_compare_two_photos_side_by_side_and_keep_one(
    make_window: MakeWindow, tmp_path: Path, models: Models, qtbot: QtBot
) -> None:
    window = duplicates_window(make_window, tmp_path, qtbot)
    session = window.session
    assert session is not None
    chelsea, small = ids_of(window, "chelsea.jpg", "a-small-copy.jpg")
    window.grid.setFocus()
    window.grid.select_ids([chelsea, small])
    qtbot.keyClick(window.grid, Qt.Key.Key_C)
    shown = [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert len(shown) == 1  # the compare
    compare = window.duplicates
    dialog = compare.dialog
    assert dialog is not None and dialog is shown[0]
    assert dialog.photo_ids == [chelsea, small]
    assert "chelsea.jpg" in dialog.names[0].text()
    assert "a-small-copy.jpg" in dialog.names[1].text()
    form = dialog.forms[0]
    labels = [form.itemAt(i, form.ItemRole.LabelRole) for i in range(form.rowCount())]
    said = [w.text() for item in labels if item and isinstance(w := item.widget(), QLabel)]
    assert "Pixel size:" in said and "File size:" in said
    picture = dialog.pictures[0]
    qtbot.waitUntil(lambda: picture.image is not None)
    assert dialog.verdicts[0].text() == (
        "<b>The library keeps this one</b>: the most pixels, then the sharpest."
    )
    assert dialog.verdicts[1].text() == "An extra copy: the library keeps the other one."
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()

    window.grid.clearSelection()
    qtbot.keyClick(window.grid, Qt.Key.Key_C)
    assert compare.dialog is None
    assert window.statusBar().currentMessage().startswith("Select two photos to compare them")
    menus = [m.menu() for m in window.menuBar().actions()]
    entries = [a for menu in menus if isinstance(menu, QMenu) for a in menu.actions()]
    assert compare.action in entries  # Photo › Compare

    # one photo of a group selected: compared with the one its group keeps
    window.grid.select_ids([small])
    qtbot.keyClick(window.grid, Qt.Key.Key_C)
    dialog = compare.dialog
    assert dialog is not None and dialog.photo_ids == [chelsea, small]
    qtbot.mouseClick(dialog.keep_buttons[0], Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    facts = session.facts.get(small)
    assert facts is not None and EXTRA_COPY_TAG in facts.tags
    kept = session.facts.get(chelsea)
    assert kept is not None and EXTRA_COPY_TAG not in kept.tags
    window.commands.undo.trigger()
    facts = session.facts.get(small)
    assert facts is not None and EXTRA_COPY_TAG not in facts.tags
