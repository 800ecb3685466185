"""Faces and people: name a face in the viewer, confirm or reject a suggestion, undo exactly;
the people view names, merges and hides."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from photo_tagger.gui.edits import FaceState
from photo_tagger.gui.viewer import CONFIRMED, SUGGESTED, FacePopup
from photo_tagger.gui.window import VIEWER, MainWindow
from tests.gui.conftest import WAIT_MS, MakeWindow, activate, row_of


def open_photo(window: MainWindow, qtbot: QtBot, name: str) -> str:
    """Double-click the photo in the grid; returns its content id."""
    pid = row_of(window, name)
    model = window.grid_model
    assert model is not None
    row = model.row_of(pid)
    assert row is not None
    window.grid.doItemsLayout()  # the grid lays rows out lazily, on the next turn of the loop
    rect = window.grid.visualRect(model.index(row))
    assert rect.isValid()
    for click in (qtbot.mouseClick, qtbot.mouseDClick):  # a double click starts with a click
        click(window.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.stack.currentIndex() == VIEWER
    assert window.viewer.photo_id == pid
    return pid


def click_face(window: MainWindow, qtbot: QtBot, i: int) -> FacePopup:
    canvas = window.viewer.canvas
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.face_rect(i).center().toPoint())
    popup = window.viewer.popup
    assert popup is not None and popup.isVisible()
    return popup


def test_name_a_face_in_the_viewer_names_the_whole_group(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    pid = open_photo(window, qtbot, "obama.jpg")
    faces = window.viewer.canvas.faces
    assert len(faces) == 1 and faces[0].state == SUGGESTED
    assert faces[0].label.startswith("Unnamed")

    popup = click_face(window, qtbot, 0)
    qtbot.keyClicks(popup.name_input, "Barack")
    qtbot.keyClick(popup.name_input, Qt.Key.Key_Return)

    face = session.doc.face_person(pid, 0)
    assert face is not None and face[1]  # confirmed
    person = session.resolve(face[0])
    assert session.names()[person] == "Barack"
    assert window.viewer.canvas.faces[0].label == "Barack"
    assert window.viewer.canvas.faces[0].state == CONFIRMED
    other = row_of(window, "obama2.jpg")  # the same man, in the same group: named too
    other_face = session.doc.face_person(other, 0)
    assert other_face is not None and session.resolve(other_face[0]) == person
    assert not other_face[1]  # still a suggestion: the user has not looked at it

    # the filter tree and the people view know him by name
    window.show_people()
    labels = [r.label for r in window.people.model.rows]
    assert "Barack" in labels

    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step
    assert session.names() == {}
    undone = session.doc.face_person(pid, 0)
    assert undone is not None and not undone[1]


def test_confirm_and_reject_a_suggestion_and_undo_exactly(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    pid = open_photo(window, qtbot, "obama2.jpg")
    doc = session.doc
    before = FaceState.read(doc, pid, 0)
    assert before.person is not None and not before.person[1]
    suggested = before.person[0]

    popup = click_face(window, qtbot, 0)
    assert popup.confirm_button is not None
    popup.confirm_button.click()
    assert doc.face_person(pid, 0) == (suggested, True)
    window.commands.undo.trigger()
    assert FaceState.read(doc, pid, 0) == before  # a suggestion again, not a confirmation

    popup = click_face(window, qtbot, 0)
    assert popup.reject_button is not None
    popup.reject_button.click()
    assert suggested in doc.rejected(pid, 0)
    after = doc.face_person(pid, 0)
    assert after is None or session.resolve(after[0]) != session.resolve(suggested)
    window.commands.undo.trigger()
    assert FaceState.read(doc, pid, 0) == before
    window.commands.redo.trigger()
    assert suggested in doc.rejected(pid, 0)


def test_people_view_names_merges_and_hides(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    # make a second group: the face of obama2.jpg is said not to be obama.jpg's person
    obama, obama2 = row_of(window, "obama.jpg"), row_of(window, "obama2.jpg")
    first = session.doc.face_person(obama, 0)
    assert first is not None
    session.doc.reject_person(obama2, 0, first[0])
    session.doc.confirm_person(obama2, 0, session.doc.new_person())
    session.people_changed([obama2])
    window.show_people()
    view = window.people
    rows = view.model.rows
    assert len(rows) == 2 and all(r.name is None for r in rows)

    def labels() -> list[str]:
        return [r.label for r in view.model.rows]

    index = view.model.index(0)
    assert view.model.setData(index, "Barack")  # what the F2 editor does
    # named ones come after unnamed ones
    qtbot.waitUntil(lambda: labels()[-1] == "Barack", timeout=WAIT_MS)
    named = view.model.rows[-1].id
    unnamed = view.model.rows[0].id
    view.merge([unnamed, named], named)
    qtbot.waitUntil(lambda: labels() == ["Barack"], timeout=WAIT_MS)
    assert view.model.rows[0].photos == 2

    view.list.selectionModel().select(
        view.model.index(0), view.list.selectionModel().SelectionFlag.Select
    )
    view.toggle_hidden()
    qtbot.waitUntil(lambda: labels() == [], timeout=WAIT_MS)
    view.show_hidden.setChecked(True)
    assert [r.hidden for r in view.model.rows] == [True]

    window.commands.undo.trigger()  # show again
    window.commands.undo.trigger()  # unmerge
    qtbot.waitUntil(
        lambda: sorted(labels()) == ["Barack", f"Unnamed {unnamed[:4]}"], timeout=WAIT_MS
    )
