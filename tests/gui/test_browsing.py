"""Browsing as in digiKam, Apple Photos or Immich: the Info panel (Ctrl+I), the Folders tab beside
the filter tree, and View › Sort By. Each test drives the real window: clicks, keys, menus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import piexif
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTabWidget,
    QTreeView,
)
from pytestqt.qtbot import QtBot

from photo_tagger.app.closer_look import look_closer
from photo_tagger.app.scan import Importer
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models
from tests.context.conftest import LISBON, SAMPLES, exif_block, jpeg_with_exif
from tests.gui.conftest import WAIT_MS, MakeWindow, grid_names, row_of

SAMPLE = {p.stem: p for p in SAMPLES}
SHOT = {
    piexif.ExifIFD.ExposureTime: (1, 250),
    piexif.ExifIFD.FNumber: (28, 10),
    piexif.ExifIFD.ISOSpeedRatings: 400,
    piexif.ExifIFD.FocalLength: (50, 1),
    piexif.ExifIFD.FocalLengthIn35mmFilm: 80,
    piexif.ExifIFD.LensMake: b"Canon",
    piexif.ExifIFD.LensModel: b"RF 50mm F1.8 STM",
}


def scan(library: Path, models: Models, *folders: Path) -> None:
    """Scan each folder in turn, as adding them one after the other would."""
    with Library.open(library) as lib:
        for folder in folders:
            assert Importer(lib, models).scan([folder]).analysed > 0


def ordered_names(window) -> list[str]:  # type: ignore[no-untyped-def]
    """The grid's file names in the order it shows them."""
    model = window.grid_model
    assert model is not None
    return [str(model.data(model.index(r))) for r in range(model.rowCount())]


def click_cell(window, qtbot: QtBot, name: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    model, grid = window.grid_model, window.grid
    row = model.row_of(row_of(window, name))
    rect = grid.visualRect(model.index(row))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def info_rows(window) -> dict[str, str]:  # type: ignore[no-untyped-def]
    dock = window.findChild(QDockWidget, "info")
    form = dock.findChild(QFormLayout)
    rows = {}
    for r in range(form.rowCount()):
        label = form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget()
        value = form.itemAt(r, QFormLayout.ItemRole.FieldRole).widget()
        rows[label.text().rstrip(":")] = value.text()
    return rows


def menu_action(window, *path: str) -> QAction:  # type: ignore[no-untyped-def]
    """The menu bar's entry at this path of texts (without their & marks)."""
    actions = window.menuBar().actions()
    for i, text in enumerate(path):
        action = next(a for a in actions if a.text().replace("&", "") == text)
        if i == len(path) - 1:
            return action
        menu = action.menu()
        assert isinstance(menu, QMenu)
        actions = menu.actions()
    raise AssertionError(path)


class UrlCatcher(QObject):
    """Where the file manager would have been opened: Qt's own hook for file URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def catcher() -> object:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    yield catcher
    QDesktopServices.unsetUrlHandler("file")


# --- the Info panel ---------------------------------------------------------------------------


@pytest.fixture
def shot_library(tmp_path: Path, models: Models) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    exif = exif_block(
        taken="2024:06:12 19:05:00", position=LISBON, make="Canon", model="Canon EOS R6", exif=SHOT
    )
    jpeg_with_exif(folder, exif, SAMPLE["chelsea"], "lisbon.jpg")
    jpeg_with_exif(folder, exif_block(taken="2023:01:02 08:00:00"), SAMPLE["coffee"], "cup.jpg")
    library = tmp_path / "library"
    scan(library, models, folder)
    with Library.open(library) as lib:  # the closer look's objects: the cat's, for one
        assert look_closer(Importer(lib, models)).looked == 2
    return library


def test_info_panel_says_when_how_and_where_and_shows_the_folder(
    make_window: MakeWindow, shot_library: Path, qtbot: QtBot, catcher: UrlCatcher
) -> None:
    window = make_window(library=shot_library)
    dock = window.findChild(QDockWidget, "info")
    assert dock is not None and not dock.isVisible()  # shown when asked for
    click_cell(window, qtbot, "lisbon.jpg")
    qtbot.keyClick(window.grid, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert dock.isVisible()
    qtbot.waitUntil(lambda: "Exposure" in info_rows(window), timeout=WAIT_MS)
    rows = info_rows(window)
    assert rows["Taken"] == "Wednesday 12 June 2024, 19:05:00"
    assert rows["Camera"] == "Canon EOS R6"
    assert rows["Lens"] == "Canon RF 50mm F1.8 STM"
    assert rows["Exposure"] == "1/250 s  ·  f/2.8  ·  ISO 400"
    assert rows["Focal length"] == "50 mm (like 80 mm on full frame)"
    assert rows["Size"].startswith("451 × 300")
    assert rows["File size"].endswith("KB")
    assert rows["Place"] == "Lisbon, Portugal"
    assert rows["Objects"] == "1 cat"
    path = str(shot_library.parent / "photos" / "lisbon.jpg")
    assert path in [w.text() for w in dock.findChildren(QLineEdit)]

    show = next(b for b in dock.findChildren(QPushButton) if b.text() == "Show in Folder")
    qtbot.mouseClick(show, Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in catcher.urls] == [os.path.dirname(path)]

    click_cell(window, qtbot, "cup.jpg", Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not info_rows(window), timeout=WAIT_MS)
    notes = [w.text() for w in dock.findChildren(QLabel) if w.isVisible()]
    assert "2 photos selected. Select one to see its details." in notes

    qtbot.keyClick(window.grid, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert not dock.isVisible()
    assert not menu_action(window, "View", "Info").isChecked()


def test_info_panel_with_a_file_rewritten_into_garbage_shows_what_the_library_knows(
    make_window: MakeWindow, shot_library: Path, qtbot: QtBot
) -> None:
    photo = shot_library.parent / "photos" / "lisbon.jpg"
    window = make_window(library=shot_library)
    photo.write_bytes(b"\xff\xd8\xff\xe1\xff\xffExif\x00\x00MM\x00*" + os.urandom(5000))
    menu_action(window, "View", "Info").trigger()
    click_cell(window, qtbot, "lisbon.jpg")
    qtbot.waitUntil(lambda: "Taken" in info_rows(window), timeout=WAIT_MS)
    rows = info_rows(window)
    assert rows["Camera"] == "Canon EOS R6"  # stored by the scan
    assert "Exposure" not in rows and "Lens" not in rows  # read from the file: nothing sensible


# --- the Folders tab --------------------------------------------------------------------------


@pytest.fixture
def nested_library(tmp_path: Path, models: Models) -> Path:
    photos = tmp_path / "photos"
    for rel, sample in (("a/x.jpg", "chelsea"), ("a/sub/y.jpg", "coffee"), ("b/z.jpg", "rocket")):
        (photos / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE[sample], photos / rel)
    library = tmp_path / "library"
    scan(library, models, photos)
    return library


def tree_texts(tree: QTreeView) -> list[str]:
    """Each node's text, indented by its depth."""
    model, out = tree.model(), []

    def walk(parent, depth: int) -> None:  # type: ignore[no-untyped-def]
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            out.append("  " * depth + str(index.data()))
            walk(index, depth + 1)

    walk(tree.rootIndex(), 0)
    return out


def click_tree(tree: QTreeView, qtbot: QtBot, text: str) -> None:
    model = tree.model()
    found = model.match(
        model.index(0, 0), Qt.ItemDataRole.DisplayRole, text, 1, Qt.MatchFlag.MatchRecursive
    )
    assert found, (text, tree_texts(tree))
    tree.scrollTo(found[0])
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(found[0]).center()
    )


def test_folders_tab_lists_the_folders_and_picking_one_filters_the_grid(
    make_window: MakeWindow, nested_library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(library=nested_library)
    tabs = window.filters_dock.findChild(QTabWidget)
    assert tabs is not None
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Tags", "Folders"]
    bar = tabs.tabBar()
    window.filters_dock.hide()
    menu_action(window, "View", "Folders").trigger()  # also a click on the tab
    assert window.filters_dock.isVisible() and tabs.currentIndex() == 1
    tree = tabs.currentWidget().findChild(QTreeView)
    qtbot.waitUntil(lambda: len(tree_texts(tree)) == 4, timeout=WAIT_MS)
    assert tree_texts(tree) == [
        f"{tmp_path / 'photos'}  (3)",
        "  a  (2)",
        "    sub  (1)",
        "  b  (1)",
    ]

    click_tree(tree, qtbot, "a  (2)")
    assert grid_names(window) == ["x.jpg", "y.jpg"]
    nested = tabs.currentWidget().findChild(QCheckBox)
    assert nested.text() == "Include Subfolders" and nested.isChecked()
    qtbot.mouseClick(nested, Qt.MouseButton.LeftButton)
    assert grid_names(window) == ["x.jpg"]
    click_tree(tree, qtbot, "sub  (1)")
    assert grid_names(window) == ["y.jpg"]

    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    assert grid_names(window) == ["x.jpg", "y.jpg", "z.jpg"]  # the filter tree's pick: all
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert grid_names(window) == ["y.jpg"]

    qtbot.keyClicks(window.search, "z")  # a search looks through the whole library
    qtbot.waitUntil(lambda: grid_names(window) == ["z.jpg"], timeout=WAIT_MS)
    assert not tree.selectionModel().hasSelection()
    window.search.clear()
    qtbot.waitUntil(lambda: len(grid_names(window)) == 3, timeout=WAIT_MS)


def test_a_folder_whose_name_is_not_utf8_can_be_picked(
    make_window: MakeWindow, qtbot: QtBot, tmp_path: Path, models: Models
) -> None:
    folder = os.fsencode(tmp_path / "photos" / "caf") + b"\xe9"  # Latin-1 "café"
    os.makedirs(folder)
    shutil.copy(SAMPLE["chelsea"], os.fsdecode(folder + b"/cat.jpg"))
    shutil.copy(SAMPLE["coffee"], tmp_path / "photos" / "cup.jpg")
    scan(tmp_path / "library", models, tmp_path / "photos")
    window = make_window(library=tmp_path / "library")
    tabs = window.filters_dock.findChild(QTabWidget)
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    tree = tabs.currentWidget().findChild(QTreeView)
    qtbot.waitUntil(lambda: len(tree_texts(tree)) == 2, timeout=WAIT_MS)
    click_tree(tree, qtbot, "caf\ufffd  (1)")
    assert grid_names(window) == ["cat.jpg"]


# --- View › Sort By ---------------------------------------------------------------------------


@pytest.fixture
def dated_library(tmp_path: Path, models: Models) -> Path:
    """b.jpg taken last, c.jpg first; file dates the other way round from names; a.jpg added
    in a scan of its own, after the others."""
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    for folder, name, sample, taken, mtime in (
        (later, "a.jpg", "chelsea", "2024:03:01 10:00:00", 1_600_000_000),
        (first, "b.jpg", "coffee", "2025:01:01 10:00:00", 1_700_000_000),
        (first, "c.jpg", "rocket", "2023:01:01 10:00:00", 1_650_000_000),
    ):
        jpeg_with_exif(folder, exif_block(taken=taken), SAMPLE[sample], name, mtime)
    library = tmp_path / "library"
    scan(library, models, first, later)
    return library


def test_sort_by_menu_orders_the_grid_and_is_remembered(
    make_window: MakeWindow, dated_library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.ini"
    window = make_window(library=dated_library, settings_file=settings)
    assert ordered_names(window) == ["b.jpg", "a.jpg", "c.jpg"]  # newest taken first
    orders = {
        "Capture Time, Oldest First": ["c.jpg", "a.jpg", "b.jpg"],
        "Capture Time, Newest First": ["b.jpg", "a.jpg", "c.jpg"],
        "File Name": ["a.jpg", "b.jpg", "c.jpg"],
        "File Date, Newest First": ["b.jpg", "c.jpg", "a.jpg"],
        "Date Added, Newest First": ["a.jpg", "b.jpg", "c.jpg"],
    }
    for text, expected in orders.items():
        action = menu_action(window, "View", "Sort By", text)
        action.trigger()
        assert action.isChecked()
        qtbot.waitUntil(lambda e=expected: ordered_names(window)[0] == e[0], timeout=WAIT_MS)
        names = ordered_names(window)
        if text.startswith("Date Added"):  # b and c came in one scan: either may be first
            assert names[0] == "a.jpg" and set(names[1:]) == {"b.jpg", "c.jpg"}
        else:
            assert names == expected, text

    click_cell(window, qtbot, "a.jpg")
    menu_action(window, "View", "Sort By", "File Name").trigger()
    qtbot.waitUntil(lambda: ordered_names(window)[0] == "a.jpg", timeout=WAIT_MS)
    assert window.grid.selected_ids() == [row_of(window, "a.jpg")]  # it stays selected
    window.close()
    again = make_window(library=dated_library, settings_file=settings)
    assert menu_action(again, "View", "Sort By", "File Name").isChecked()
    qtbot.waitUntil(lambda: ordered_names(again) == orders["File Name"], timeout=WAIT_MS)


def test_photos_added_take_their_place_in_a_sorted_grid(
    make_window: MakeWindow, dated_library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(library=dated_library)
    menu_action(window, "View", "Sort By", "File Name").trigger()
    qtbot.waitUntil(lambda: ordered_names(window) == ["a.jpg", "b.jpg", "c.jpg"], timeout=WAIT_MS)
    more = tmp_path / "more"
    more.mkdir()
    shutil.copy(SAMPLE["motorcycle"], more / "bb.jpg")
    window.add_paths([str(more)], watch=False)
    qtbot.waitUntil(
        lambda: ordered_names(window) == ["a.jpg", "b.jpg", "bb.jpg", "c.jpg"], timeout=WAIT_MS
    )
