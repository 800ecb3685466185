"""The window's commands, thumbnail size, watched folders and settings, driven as a user would."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QMenu, QSlider, QWidget
from pytestqt.qtbot import QtBot

from photo_tagger.gui import settings as opts
from photo_tagger.gui.window import MainWindow
from tests.gui.conftest import MakeWindow

MENUS = {
    "&File": [
        "Add &Folder…",
        "Add &Photos…",
        "Add the &Sample Photos",
        "",
        "S&ync Now",
        "&Refine Unsure Photos in the Cloud",
        "Write &XMP Sidecars",
        "",
        "&Settings…",
        "",
        "&Quit",
    ],
    "&Edit": [
        "&Undo",
        "&Redo",
        "",
        "Select &All",
        "Add &Tag…",
        "&Find",
        "",
        "Tag Extra &Near-Duplicates",
    ],
    "&View": [
        "&Photos",
        "P&eople",
        "&Map",
        "",
        "&Timeline",
        "",
        "&Bigger Thumbnails",
        "&Smaller Thumbnails",
        "&Sort By",
        "",
        "Filters",
        "F&olders",
        "Tags",
        "&Info",
    ],
    "P&hoto": [
        "Zoom &In\tCtrl+=",
        "Zoom &Out\tCtrl+-",
        "&Fit in Window\tCtrl+0",
        "Actual &Size (100 %)\tCtrl+1",
        "",
        "Rotate &Left",
        "Rotate &Right",
        "&Add Face",
        "",
        "F&ull Screen",
        "Sli&deshow",
        "Slideshow &Interval",
        "",
        "&Rating",
        "&Favourite",
        "Re&ject",
        "",
        "&Compare Two Photos",
    ],
    "&Help": ["Check for &Model Updates", "&Check the Library", "", "&About Photo Tagger"],
}


def menus(window: MainWindow) -> dict[str, list[str]]:
    out = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        out[action.text()] = ["" if a.isSeparator() else a.text() for a in menu.actions()]
    return out


def test_menus_and_toolbar_hold_every_command(make_window: MakeWindow) -> None:
    window = make_window()
    assert menus(window) == MENUS
    toolbar = window.findChild(QWidget, "main")
    assert toolbar is not None
    assert isinstance(window.size_slider, QSlider) and toolbar.isAncestorOf(window.size_slider)
    assert isinstance(window.search, QLineEdit) and toolbar.isAncestorOf(window.search)
    assert not window.commands.undo.isEnabled() and not window.commands.redo.isEnabled()
    assert window.commands.photos.isChecked()
    window.commands.people.trigger()
    assert window.commands.people.isChecked() and not window.commands.photos.isChecked()


def test_zooming_resizes_the_thumbnails_and_is_remembered(
    make_window: MakeWindow, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.ini"
    window = make_window(settings_file=settings)
    assert window.grid.cell == 160
    window.commands.zoom_in.trigger()
    assert window.grid.cell == 200 and window.settings.get(opts.THUMBNAIL_SIZE) == 200
    for _ in range(5):  # no bigger than the biggest
        window.commands.zoom_in.trigger()
    assert window.grid.cell == 256
    window.size_slider.setValue(0)
    assert window.grid.cell == 96
    window.commands.zoom_out.trigger()
    assert window.grid.cell == 96
    window.close()

    again = make_window(settings_file=settings)
    assert again.grid.cell == 96 and again.size_slider.value() == 0


def test_a_folder_around_watched_ones_takes_their_place(
    make_window: MakeWindow, tmp_path: Path
) -> None:
    outer = tmp_path / "photos"
    inner = outer / "2024"
    inner.mkdir(parents=True)
    window = make_window(library=tmp_path / "lib")
    window.add_paths([str(inner)])
    assert window.settings.watched_folders(tmp_path / "lib") == [str(inner)]
    window.add_paths([str(outer)])
    assert window.settings.watched_folders(tmp_path / "lib") == [str(outer)]
    window.add_paths([str(inner)])  # inside a watched folder: watched already
    assert window.settings.watched_folders(tmp_path / "lib") == [str(outer)]
    window.add_paths([str(tmp_path / "missing")])  # nothing there: nothing changes
    assert window.settings.watched_folders(tmp_path / "lib") == [str(outer)]
    assert window.current_settings().watched == [str(outer)]


def test_settings_dialog_values_are_applied_where_each_lives(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    window = make_window(library=tmp_path / "lib")
    window.add_paths([str(folder)])
    old = window.current_settings()
    assert old.library == tmp_path / "lib" and old.watched == [str(folder)]
    assert old.sync_status == "Not syncing."
    session = window.session
    assert session is not None
    window.apply_settings(
        replace(old, watched=[], threshold_scale=0.8, low_confidence=0.3, xmp_keep=True)
    )
    new = window.current_settings()
    assert new.watched == [] and not window.settings.watched_folders(tmp_path / "lib")
    assert (new.threshold_scale, new.low_confidence, new.xmp_keep) == (0.8, 0.3, True)
    assert session.low_confidence == 0.3 and window.session is session  # the same library

    window.apply_settings(replace(new, library=tmp_path / "other"))
    assert window.session is not None and window.session.path == tmp_path / "other"
    assert window.settings.get(opts.LIBRARY) == str(tmp_path / "other")
    assert window.windowTitle() == "other — Photo Tagger"
    assert os.path.isdir(tmp_path / "other")
