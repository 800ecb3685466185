"""What the window says and how it answers: failures in words (details apart), counts with the
right plural, the title, the time left, the drop highlight, the zoom keys, the sample photos,
a broken file reported once, the grid's width and the people list's wheel."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QStyle
from pytestqt.qtbot import QtBot

from photo_tagger.gui.drop_target import DropHighlight
from photo_tagger.gui.jobs import JobProgress
from photo_tagger.store.library import Library
from photo_tagger.store.sync import remember
from tests.gui.conftest import SAMPLES, WAIT_MS, MakeWindow, copy_photos
from tests.gui.test_add_photos import drop


class Boxes:
    """Every message box the window shows, read and closed (a modal one too, which would
    otherwise wait for a click)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.timer = QTimer()
        self.timer.timeout.connect(self.collect)
        self.timer.start(50)

    def collect(self) -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                self.seen.append((w.text(), w.detailedText()))
                w.done(0)


def test_an_unreachable_server_is_said_in_words_with_the_details_apart(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    library = tmp_path / "lib"
    with Library.open(library) as lib:
        remember(lib.log, "http://127.0.0.1:9", "a-token")  # nothing listens there
    window = make_window(library=library)
    boxes = Boxes()
    window.commands.model_updates.trigger()
    qtbot.waitUntil(lambda: bool(boxes.seen), timeout=WAIT_MS)
    text, details = boxes.seen[0]
    assert "HTTPConnectionPool" not in text and "Errno" not in text
    assert "the connection was refused" in text and "try again later" in text
    assert "Max retries exceeded" in details and "[Errno 111] Connection refused" in details


def test_counts_say_one_photo_one_face_one_new_person(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("obama.jpg",))
    window = make_window()
    summaries: list[str] = []
    window.jobs.finished.connect(lambda title, summary: summaries.append(summary))
    assert drop(window, [folder])
    qtbot.waitUntil(lambda: not window.jobs.busy and bool(summaries), timeout=WAIT_MS)
    said = " ".join(summaries)
    assert "1 photo added" in said and "1 new person" in said and "people" not in said
    window.show_people()
    model = window.people.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=WAIT_MS)
    tip = model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith(": 1 face in 1 photo")


def test_the_title_is_the_library_then_the_app(make_window: MakeWindow, tmp_path: Path) -> None:
    window = make_window(library=tmp_path / ".run-library")
    assert window.windowTitle() == "run-library — Photo Tagger"


def test_ctrl_equals_zooms_in_and_ctrl_minus_out(make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    before = window.grid.cell
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.grid.cell > before
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.grid.cell == before


def test_add_the_sample_photos_is_enabled_when_there_are_samples(
    make_window: MakeWindow,
) -> None:
    assert make_window(samples=SAMPLES).commands.add_samples.isEnabled()
    assert not make_window().commands.add_samples.isEnabled()


def test_dragging_files_over_the_window_highlights_it(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("coffee.jpg",))
    window = make_window()
    highlight = window.findChild(DropHighlight)
    assert highlight is not None and not highlight.isVisible()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    enter = QDragEnterEvent(
        QPoint(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted() and highlight.isVisible()
    assert highlight.geometry() == window.rect()
    QApplication.sendEvent(window, QDragLeaveEvent())
    assert not highlight.isVisible()
    assert drop(window, [folder])  # enters (highlighted), then drops: the highlight goes
    assert not highlight.isVisible()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)


def test_time_left_waits_until_it_means_something_and_counts_down_smoothly(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    status, now = window.job_status, [0.0]
    status.time_left.clock = lambda: now[0]
    window.jobs.started.emit("Adding photos")

    def at(seconds: float, done: int) -> str:
        now[0] = seconds
        # a fast first photo: the pipeline's own estimate says far too little
        window.jobs.progress.emit(JobProgress("Adding photos", "", done, 14, done / seconds, 1.0))
        return status.label.text()

    assert at(0.5, 1) == "Adding photos: 1/14 photos · working out the time left"
    assert "left" in at(2.0, 3) and "0:" not in at(2.0, 3)  # two seconds: too soon
    first = at(6.0, 6)  # 5 photos in 5.5 s: 8 left at 0.9/s
    assert first.endswith("0.9 photos/s · 0:09 left")
    # a burst (3 photos in half a second: 0:04 by itself) moves the estimate part of the way
    assert at(6.5, 9).endswith("0:07 left")


def test_a_broken_file_is_reported_once_until_it_changes(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("coffee.jpg",))
    broken = folder / "broken.jpg"
    broken.write_bytes(b"not a photo at all")
    window = make_window()
    problems = window.problems
    assert drop(window, [folder])
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    assert problems.isVisible() and len(problems.lines) == 1 and "broken.jpg" in problems.lines[0]
    problems.setVisible(False)  # the user has looked
    problems.lines = []

    assert drop(window, [folder])  # scanned again: the same broken file is not news
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    assert not problems.isVisible()

    broken.write_bytes(b"still not a photo, but another file")
    import os

    os.utime(broken, (broken.stat().st_atime, broken.stat().st_mtime + 5))
    assert drop(window, [folder])
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    assert problems.isVisible() and "broken.jpg" in problems.lines[0]


def test_the_grid_uses_its_whole_width(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    window.filters_dock.hide()
    window.tags_dock.hide()
    grid, model = window.grid, window.grid_model
    assert model is not None and model.rowCount() == 4
    window.size_slider.setValue(window.size_slider.maximum())  # the biggest thumbnails
    scroll_bar = grid.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    for width in (760, 860, 960):
        window.resize(width, 700)
        qtbot.wait(100)  # the grid lays its rows out
        rects = [grid.visualRect(model.index(r)) for r in range(model.rowCount())]
        first_row = [r for r in rects if r.top() == rects[0].top()]
        assert len(first_row) < len(rects)  # the first row is full
        left = min(r.left() for r in first_row)
        right = grid.viewport().width() - max(r.right() for r in first_row)
        # what is left over is shared out (less room kept for a scroll bar): no empty band
        assert abs(right - left) <= scroll_bar + 16, (width, left, right)


def test_a_wheel_notch_in_people_moves_less_than_a_row(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("group.jpg",))
    shutil.copy(SAMPLES / "biden.jpg", folder / "biden.jpg")
    window = make_window()
    assert drop(window, [folder])
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    window.show_people()
    view = window.people.list
    model = window.people.model
    qtbot.waitUntil(lambda: model.rowCount() >= 4, timeout=WAIT_MS)
    window.resize(900, 420)
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    row_height = view.visualRect(model.index(0)).height()
    top = view.visualRect(model.index(0)).top()
    centre = QPointF(view.viewport().rect().center())
    notch = QWheelEvent(
        centre,
        QPointF(view.viewport().mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), notch)
    moved = top - view.visualRect(model.index(0)).top()
    assert 0 < moved < row_height


def test_merging_a_named_person_into_a_group_keeps_the_name_and_undo_takes_it_back(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("obama.jpg",))
    shutil.copy(SAMPLES / "biden.jpg", folder / "biden.jpg")
    window = make_window()
    assert drop(window, [folder])
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    window.show_people()
    model, session = window.people.model, window.session
    assert session is not None
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=WAIT_MS)
    named, group = model.rows[0].id, model.rows[1].id
    model.setData(model.index(0), "Leo Messi", Qt.ItemDataRole.EditRole)  # F2 and a name
    window.people.merge([named, group], group)  # Merge…, keeping the unnamed group
    assert session.names() == {group: "Leo Messi"}
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert session.names() == {named: "Leo Messi"}  # as it was: the group unnamed again
