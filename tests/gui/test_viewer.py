"""The photo viewer as a user drives it: zoom to 100 % and pan, rotate (an edit of the library,
never of the photo), full screen and the slideshow, the face popup, and drawing a face the
detector missed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QImage, QNativeGestureEvent, QPointingDevice, QWheelEvent
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from photo_tagger.gui.face_popup import NAME_THIS
from photo_tagger.gui.viewer import CONFIRMED, FacePopup
from photo_tagger.gui.window import PHOTOS, VIEWER, MainWindow
from photo_tagger.server.storage import Storage
from photo_tagger.store.doc_values import USER_FACE_FIRST
from tests.gui.conftest import SAMPLES, WAIT_MS, MakeWindow, activate, row_of
from tests.gui.test_people import click_face, open_photo
from tests.gui.test_sync import other_device, sync_once
from tests.harness import ThreadServer, add_library

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def wheel(widget: object, pos: QPointF, steps: int) -> None:
    event = QWheelEvent(
        pos,
        pos,
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)  # type: ignore[arg-type]


def drag(qtbot: QtBot, widget: object, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)  # type: ignore[arg-type]
    middle = (start + end) / 2
    for pos in (start + QPoint(6, 6), middle, end):
        qtbot.mouseMove(widget, pos)  # type: ignore[arg-type]
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)  # type: ignore[arg-type]


def mean_colour(window: MainWindow, rect: QRectF) -> tuple[float, float, float]:
    """The average colour the canvas paints inside `rect` (its middle half)."""
    image: QImage = window.viewer.canvas.grab().toImage()
    inner = rect.adjusted(
        rect.width() / 4, rect.height() / 4, -rect.width() / 4, -rect.height() / 4
    )
    r = g = b = n = 0
    box = inner.toRect()
    for y in range(box.top(), box.bottom(), 2):
        for x in range(box.left(), box.right(), 2):
            c = image.pixelColor(x, y)
            r, g, b, n = r + c.red(), g + c.green(), b + c.blue(), n + 1
    return r / n, g / n, b / n


def big_photo(folder: Path) -> Path:
    """obama.jpg three times as large: 2730 x 3411, more than a screen shows."""
    import cv2

    folder.mkdir()
    image = cv2.imread(str(SAMPLES / "obama.jpg"))
    big = cv2.resize(image, (image.shape[1] * 3, image.shape[0] * 3))
    cv2.imwrite(str(folder / "big.jpg"), big)
    return folder


def test_zoom_to_100_percent_about_the_cursor_pan_and_fit_again(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    window = make_window()
    window.add_paths([str(big_photo(tmp_path / "photos"))])
    qtbot.waitUntil(lambda: window.grid_model is not None and window.grid_model.rowCount() == 1)
    open_photo(window, qtbot, "big.jpg")
    viewer, canvas = window.viewer, window.viewer.canvas
    cell = window.grid.cell
    assert canvas.zoom_percent() < 100
    assert canvas.image is not None and canvas.image.height() < 3411  # read for the screen

    face = canvas.face_rect(0).center()
    before = canvas.to_widget().inverted()[0].map(face)
    wheel(canvas, face, 2)  # zoom in about the face
    assert canvas.zoom is not None and canvas.zoom_percent() > 0
    after = canvas.to_widget().inverted()[0].map(face)
    assert abs(after.x() - before.x()) < 1 and abs(after.y() - before.y()) < 1  # still under it
    assert canvas.face_rect(0).contains(face)  # the box follows the face

    qtbot.keyClick(viewer, Qt.Key.Key_1, CTRL)  # 100 %: the full-size photo is read
    assert canvas.zoom_percent() == 100
    assert canvas.image is not None
    assert (canvas.image.width(), canvas.image.height()) == (2730, 3411)
    assert window.grid.cell == cell  # the grid's thumbnails did not change size
    rect = canvas.face_rect(0)
    drag(qtbot, canvas, QPoint(300, 300), QPoint(250, 220))  # pan
    moved = canvas.face_rect(0)
    assert (moved.x() - rect.x(), moved.y() - rect.y()) == (-50, -80)
    assert window.viewer.popup is None  # a drag is no click on a face

    qtbot.keyClick(viewer, Qt.Key.Key_Minus, CTRL)
    assert canvas.zoom_percent() < 100
    qtbot.keyClick(viewer, Qt.Key.Key_0, CTRL)
    assert canvas.zoom is None  # fit
    qtbot.keyClick(viewer, Qt.Key.Key_Z)
    assert canvas.zoom_percent() == 100
    qtbot.keyClick(viewer, Qt.Key.Key_Z)
    assert canvas.zoom is None
    qtbot.keyClick(viewer, Qt.Key.Key_Equal, CTRL)
    assert canvas.zoom is not None and window.grid.cell == cell

    viewer.zoom("fit")  # a pinch on a touchpad zooms about the fingers
    fingers = canvas.face_rect(0).center()
    device = QPointingDevice.primaryPointingDevice()
    pinch = QNativeGestureEvent(
        Qt.NativeGestureType.ZoomNativeGesture, device, 2, fingers, fingers, fingers, 0.5, fingers
    )
    QApplication.sendEvent(canvas, pinch)
    assert canvas.zoom is not None and canvas.face_rect(0).contains(fingers)


def test_rotate_keeps_the_faces_boxed_is_undone_and_never_touches_the_photo(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    pid = open_photo(window, qtbot, "obama2.jpg")
    path = Path(session.path_of(pid) or "")
    photo_bytes = path.read_bytes()
    canvas = window.viewer.canvas
    face_colour = mean_colour(window, canvas.face_rect(0))
    old_rect = canvas.face_rect(0)
    edited: list[list[str]] = []
    session.edited.connect(lambda photos, people: edited.append(photos))

    qtbot.keyClick(window.viewer, Qt.Key.Key_BracketRight, CTRL)  # rotate right
    assert session.doc.rotation(pid) == 90 and canvas.turn == 90
    assert edited == [[pid]]  # an edit: the sync and the sidecars follow
    rect = canvas.face_rect(0)
    assert rect.width() > 0 and rect != old_rect
    now = mean_colour(window, rect)
    assert all(abs(a - b) < 12 for a, b in zip(now, face_colour, strict=True)), (now, face_colour)
    assert path.read_bytes() == photo_bytes

    qtbot.keyClick(window.viewer, Qt.Key.Key_BracketLeft, CTRL)
    qtbot.keyClick(window.viewer, Qt.Key.Key_BracketLeft, CTRL)
    assert session.doc.rotation(pid) == 270
    window.commands.undo.trigger()
    window.commands.undo.trigger()
    assert session.doc.rotation(pid) == 90
    window.commands.redo.trigger()
    assert session.doc.rotation(pid) == 0

    # the grid's thumbnail is turned too (it is read anew for the rotation)
    window.commands.undo.trigger()
    window.show_grid()
    model = window.grid_model
    assert model is not None
    row = model.rows[model.row_of(pid) or 0]
    thumb = model.thumbnail(row)
    assert thumb is not None and thumb.width() > thumb.height()  # a tall photo, on its side
    session.doc.set_rotation(pid, 0)
    upright = model.thumbnail(row)
    assert upright is not None and upright.width() < upright.height()


def test_full_screen_and_a_slideshow_of_the_grid(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    photo = window.commands.photo
    open_photo(window, qtbot, "obama.jpg")
    qtbot.keyClick(window.viewer, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen, timeout=WAIT_MS)
    assert not window.menuBar().isVisible() and not window.filters_dock.isVisible()
    qtbot.keyClick(window.viewer, Qt.Key.Key_Escape)  # leaves full screen, not the photo
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=WAIT_MS)
    assert window.menuBar().isVisible() and window.stack.currentIndex() == VIEWER

    window.show_grid()
    activate(qtbot, window)
    first = window.grid_model.content_id(0)  # type: ignore[union-attr]
    window.grid.select_ids([first])
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.stack.currentIndex() == VIEWER and window.viewer.photo_id == first
    assert photo.slideshow.isActive() and window.isFullScreen()
    photo.slideshow.setInterval(20)
    qtbot.waitUntil(lambda: window.viewer.photo_id != first, timeout=WAIT_MS)
    qtbot.keyClick(window.viewer, Qt.Key.Key_Space)  # pause
    assert not photo.slideshow.isActive()
    shown = window.viewer.photo_id
    qtbot.wait(100)
    assert window.viewer.photo_id == shown
    qtbot.keyClick(window.viewer, Qt.Key.Key_Space)  # go on
    assert photo.slideshow.isActive()
    qtbot.keyClick(window.viewer, Qt.Key.Key_Escape)  # stop
    assert not photo.slideshow.isActive()
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=WAIT_MS)
    assert window.stack.currentIndex() == VIEWER
    qtbot.keyClick(window.viewer, Qt.Key.Key_Escape)
    assert window.stack.currentIndex() == PHOTOS


def draw_face(window: MainWindow, qtbot: QtBot, rect: QRect) -> FacePopup:
    window.commands.photo.add_face.trigger()
    assert window.viewer.canvas.drawing
    drag(qtbot, window.viewer.canvas, rect.topLeft(), rect.bottomRight())
    popup = window.viewer.popup
    assert popup is not None and popup.isVisible()
    return popup


def test_the_popup_of_an_unnamed_group_asks_for_a_name_and_covers_no_other_face(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    open_photo(window, qtbot, "obama.jpg")
    canvas = window.viewer.canvas
    popup = click_face(window, qtbot, 0)
    texts = [b.text() for b in popup.findChildren(QPushButton)]
    assert popup.name_input.placeholderText() == NAME_THIS
    assert not any("Unnamed" in t for t in texts), texts
    assert "✓ Same person" in texts and "✗ Someone else" in texts
    popup.close()

    # a second face right under the first one's name, where the popup used to open
    label = canvas.label_rect(0)
    below = QRect(int(label.left()), int(label.bottom()) + 4, 60, 60)
    draw_face(window, qtbot, below)
    qtbot.keyClicks(window.viewer.popup.name_input, "Michelle")  # type: ignore[union-attr]
    qtbot.keyClick(window.viewer.popup.name_input, Qt.Key.Key_Return)  # type: ignore[union-attr]
    assert len(canvas.faces) == 2

    popup = click_face(window, qtbot, 0)
    where = QRectF(popup.frameGeometry())
    for i in (1,):
        for rect in (canvas.face_rect(i), canvas.label_rect(i)):
            on_screen = QRectF(canvas.mapToGlobal(rect.topLeft().toPoint()), rect.size())
            assert not where.intersects(on_screen), (where, on_screen)


def test_draw_a_face_the_detector_missed_name_it_and_undo(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    pid = open_photo(window, qtbot, "obama.jpg")
    canvas = window.viewer.canvas
    popup = click_face(window, qtbot, 0)
    qtbot.keyClicks(popup.name_input, "Barack")
    qtbot.keyClick(popup.name_input, Qt.Key.Key_Return)
    barack = session.person_by_name("Barack")
    assert barack is not None

    face = canvas.face_rect(0).toRect()
    elsewhere = QRect(face.right() + 20, face.top(), 50, 60)
    popup = draw_face(window, qtbot, elsewhere)
    assert popup.name_input.placeholderText() == NAME_THIS
    qtbot.keyClicks(popup.name_input, "Ana")
    qtbot.keyClick(popup.name_input, Qt.Key.Key_Return)
    drawn = session.doc.user_faces(pid)
    assert len(drawn) == 1
    (number, box) = next(iter(drawn.items()))
    assert number >= USER_FACE_FIRST
    x0, y0, x1, y1 = box
    assert x1 - x0 > 10 and y1 - y0 > 10
    ana = session.person_by_name("Ana")
    assert ana is not None and session.doc.face_person(pid, number) == (ana, True)
    shown = [f for f in canvas.faces if f.face == number]
    assert shown and shown[0].label == "Ana" and shown[0].state == CONFIRMED
    assert canvas.face_rect(canvas.faces.index(shown[0])).toRect().intersects(elsewhere)
    assert ana in session.facts_of(pid).people  # the photo is one of Ana's

    window.commands.undo.trigger()  # one step: the face and who it is
    assert session.doc.user_faces(pid) == {} and len(canvas.faces) == 1
    assert session.person_by_name("Ana") is None

    # a face of someone known joins them
    popup = draw_face(window, qtbot, elsewhere)
    qtbot.keyClicks(popup.name_input, "Barack")
    qtbot.keyClick(popup.name_input, Qt.Key.Key_Return)
    (number,) = session.doc.user_faces(pid)
    faces = session.faces_by_person()[barack]
    assert ((pid, number), True) in faces

    # a face drawn by hand can be removed again
    i = [f.face for f in canvas.faces].index(number)
    popup = click_face(window, qtbot, i)
    assert popup.remove_button is not None
    popup.remove_button.click()
    assert session.doc.user_faces(pid) == {}
    window.commands.undo.trigger()
    assert number in session.doc.user_faces(pid)
    assert session.doc.face_person(pid, number) == (barack, True)


def test_escape_leaves_add_face_mode_first(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    open_photo(window, qtbot, row_of(window, "obama.jpg") and "obama.jpg")
    qtbot.keyClick(window.viewer, Qt.Key.Key_F, CTRL | SHIFT)
    assert window.viewer.canvas.drawing and window.viewer.add_face_button.isChecked()
    qtbot.keyClick(window.viewer, Qt.Key.Key_Escape)
    assert not window.viewer.canvas.drawing and window.stack.currentIndex() == VIEWER


def test_a_rotation_and_a_drawn_face_sync_to_another_device_and_back(
    make_window: MakeWindow,
    scanned_library: Path,
    server: ThreadServer,
    storage: Storage,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    _, token = add_library(storage, "Home")
    window = make_window(library=scanned_library)
    values = window.current_settings()
    window.apply_settings(replace(values, sync_server=server.url, sync_token=token))
    qtbot.waitUntil(lambda: window.sync_label.text() == "Synced", timeout=WAIT_MS)
    session = window.session
    assert session is not None
    pid = open_photo(window, qtbot, "obama.jpg")
    qtbot.keyClick(window.viewer, Qt.Key.Key_BracketRight, CTRL)
    face = window.viewer.canvas.face_rect(0).toRect()
    popup = draw_face(window, qtbot, QRect(face.right() + 20, face.top(), 50, 60))
    qtbot.keyClicks(popup.name_input, "Ana")
    qtbot.keyClick(popup.name_input, Qt.Key.Key_Return)
    (number,) = session.doc.user_faces(pid)
    window.commands.sync_now.trigger()
    qtbot.waitUntil(lambda: window.sync_label.text() == "Synced", timeout=WAIT_MS)

    laptop = other_device(tmp_path / "laptop", server.url, token)
    sync_once(laptop)
    assert laptop.document.rotation(pid) == 90
    assert number in laptop.document.user_faces(pid)
    ana = laptop.document.face_person(pid, number)
    assert ana is not None and laptop.document.person(ana[0])["name"] == "Ana"  # type: ignore[index]
    laptop.document.set_rotation(pid, 180)  # the laptop turns it further
    sync_once(laptop)
    laptop.close()

    window.commands.sync_now.trigger()
    qtbot.waitUntil(lambda: session.doc.rotation(pid) == 180, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.viewer.canvas.turn == 180, timeout=WAIT_MS)


def test_rotate_the_photos_selected_in_the_grid_in_one_step(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    picks = [row_of(window, "obama.jpg"), row_of(window, "coffee.jpg")]
    window.grid.select_ids(picks)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_BracketLeft, CTRL)
    assert [session.doc.rotation(p) for p in picks] == [270, 270]
    assert session.doc.rotation(row_of(window, "chelsea.jpg")) == 0
    window.commands.undo.trigger()
    assert [session.doc.rotation(p) for p in picks] == [0, 0]
