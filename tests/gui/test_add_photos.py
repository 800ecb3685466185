"""Photos come in by drop, by the welcome page, and by themselves from watched folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from photo_tagger.gui.window import PHOTOS, WELCOME
from photo_tagger.store.library import Library
from tests.gui.conftest import SAMPLES, WAIT_MS, MakeWindow, copy_photos, grid_names, row_of
from tests.gui.test_tags import tag_rows
from tests.store.hostile import remove_everything, write_as_peer


def drop(window, paths: list[Path]) -> bool:  # type: ignore[no-untyped-def]
    """Drag file URLs over the window and drop them, as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPoint(window.width() // 2, window.height() // 2)
    action, buttons = Qt.DropAction.CopyAction, Qt.MouseButton.NoButton
    enter = QDragEnterEvent(pos, action, mime, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(pos), action, mime, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    return event.isAccepted()


def test_dropping_a_folder_shows_its_photos_tagged(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("chelsea.jpg", "coffee.jpg", "obama.jpg"))
    window = make_window(threads=True)  # as the app runs: scans and decoding off the UI thread
    assert window.stack.currentIndex() == WELCOME

    assert drop(window, [folder])
    qtbot.waitUntil(lambda: len(grid_names(window)) == 3 and not window.jobs.busy, timeout=WAIT_MS)
    assert grid_names(window) == ["chelsea.jpg", "coffee.jpg", "obama.jpg"]
    assert window.stack.currentIndex() == PHOTOS
    session = window.session
    assert session is not None
    assert "Animals/Cat" in session.facts_of(row_of(window, "chelsea.jpg")).tags
    assert "Food/Coffee" in session.facts_of(row_of(window, "coffee.jpg")).tags
    assert session.facts_of(row_of(window, "obama.jpg")).faces == 1
    # thumbnails arrive from the decoding threads; until then the grid paints placeholders
    model = window.grid_model
    assert model is not None
    qtbot.waitUntil(
        lambda: all(
            isinstance(model.data(model.index(r), Qt.ItemDataRole.DecorationRole), QImage)
            for r in range(3)
        ),
        timeout=WAIT_MS,
    )
    assert window.settings.watched_folders(session.path) == [str(folder)]


def test_dropping_something_that_is_not_a_file_is_refused(make_window: MakeWindow) -> None:
    window = make_window()
    mime = QMimeData()
    mime.setText("not a file")
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_watched_folder_picks_up_new_changed_and_deleted_photos(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("chelsea.jpg", "coffee.jpg"))
    window = make_window()
    window.add_paths([str(folder)])
    assert grid_names(window) == ["chelsea.jpg", "coffee.jpg"]

    (folder / "trip").mkdir()
    shutil.copy(SAMPLES / "obama.jpg", folder / "trip" / "obama.jpg")  # a new photo, new folder
    qtbot.waitUntil(lambda: "obama.jpg" in grid_names(window), timeout=WAIT_MS)

    session = window.session
    assert session is not None
    before = row_of(window, "coffee.jpg")
    with open(folder / "coffee.jpg", "r+b") as fh:  # rewritten in place: a new photo
        fh.write((SAMPLES / "motorcycle.jpg").read_bytes())
    qtbot.waitUntil(lambda: row_of(window, "coffee.jpg") != before, timeout=WAIT_MS)
    assert "Vehicles/Motorcycle" in session.facts_of(row_of(window, "coffee.jpg")).tags

    os.remove(folder / "chelsea.jpg")
    qtbot.waitUntil(lambda: "chelsea.jpg" not in grid_names(window), timeout=WAIT_MS)
    assert grid_names(window) == ["coffee.jpg", "obama.jpg"]


def test_watched_folders_are_remembered_and_rescanned_on_opening(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("chelsea.jpg",))
    settings = tmp_path / "settings.ini"
    window = make_window(library=tmp_path / "lib", settings_file=settings)
    window.add_paths([str(folder)])
    window.close()
    shutil.copy(SAMPLES / "coffee.jpg", folder / "coffee.jpg")  # while the window was closed

    again = make_window(library=tmp_path / "lib", settings_file=settings)
    assert again.settings.watched_folders(tmp_path / "lib") == [str(folder)]
    assert grid_names(again) == ["chelsea.jpg", "coffee.jpg"]


def test_opening_restores_the_photos_another_device_wiped(
    make_window: MakeWindow, tmp_path: Path
) -> None:
    folder = copy_photos(tmp_path / "photos", ("chelsea.jpg", "obama.jpg"))
    settings = tmp_path / "settings.ini"
    window = make_window(library=tmp_path / "lib", settings_file=settings)
    window.add_paths([str(folder)])
    window.close()
    with Library.open(tmp_path / "lib") as lib:  # a sync brings a wipe while the window is shut
        write_as_peer(lib, remove_everything)

    again = make_window(library=tmp_path / "lib", settings_file=settings)
    assert "2 photos restored" in again.statusBar().currentMessage()
    session = again.session
    assert session is not None
    assert "Animals/Cat" in session.facts_of(row_of(again, "chelsea.jpg")).tags
    assert session.facts_of(row_of(again, "obama.jpg")).faces == 1


def test_empty_library_welcomes_and_offers_the_samples(
    make_window: MakeWindow, tmp_path: Path
) -> None:
    samples = copy_photos(tmp_path / "samples", ("coffee.jpg", "chelsea.jpg"))
    window = make_window(samples=samples)
    assert window.stack.currentIndex() == WELCOME
    assert window.welcome.samples_button.isVisible()
    window.welcome.samples_button.click()
    assert window.stack.currentIndex() == PHOTOS
    assert grid_names(window) == ["chelsea.jpg", "coffee.jpg"]


def test_at_start_the_grid_paints_before_the_library_opens(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window()  # an empty library first, then the app's way of opening one
    window.open_library(scanned_library, paint_first=True)
    assert window.session is None  # not open yet: the grid comes from the index alone
    assert grid_names(window) == ["chelsea.jpg", "coffee.jpg", "obama.jpg", "obama2.jpg"]
    assert window.stack.currentIndex() == PHOTOS
    # opened once the grid has painted
    qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)
    window.grid.select_ids([row_of(window, "chelsea.jpg")])
    assert "Animals/Cat" in tag_rows(window)
