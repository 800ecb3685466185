"""The Tags panel reads in full at any window size: a tree of the tags (root > child), each with
its whole name, source and score in a tooltip; it widens with the window and keeps the width the
user drags it to. A named person confirmed on a face is there as People/Name, and removing it
says the face is not that person (undone by Ctrl+Z). The People view shows no photo's tags."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from photo_tagger.gui.edits import NamePerson, name_face
from photo_tagger.gui.viewer_edits import add_named_face
from photo_tagger.gui.window import MainWindow
from tests.gui.conftest import WAIT_MS, MakeWindow, activate, row_of
from tests.gui.test_tags import tag_rows

LONG_TAGS = ("Places/Portugal/Lisbon", "Events/2024/2024-06-12 Lisbon", "Time of day/Evening")


def resize(window: MainWindow, qtbot: QtBot, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=WAIT_MS)
    for _ in range(3):
        QApplication.processEvents()


def shown(window: MainWindow) -> list[tuple[str, QModelIndex]]:
    """Every row of the panel's tree: (its path from the root, joined with "/"; its index)."""
    tree = window.tag_editor.tags
    model = tree.model()
    out: list[tuple[str, QModelIndex]] = []

    def walk(parent: QModelIndex, path: str) -> None:
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            name = f"{path}/{index.data()}" if path else str(index.data())
            out.append((name, index))
            walk(index, name)

    walk(QModelIndex(), "")
    return out


def add_tags(window: MainWindow, qtbot: QtBot, tags: tuple[str, ...]) -> None:
    for tag in tags:
        qtbot.keyClicks(window.tag_editor.input, tag)
        qtbot.keyClick(window.tag_editor.input, Qt.Key.Key_Return)


def assert_every_row_reads_in_full(window: MainWindow) -> None:
    tree = window.tag_editor.tags
    tree.doItemsLayout()
    metrics = tree.fontMetrics()
    for path, index in shown(window):
        rect = tree.visualRect(index)
        text = str(index.data())
        assert metrics.horizontalAdvance(text) + 8 <= rect.width(), (path, rect.width())


def test_every_tag_reads_in_full_and_says_what_it_is(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    resize(window, qtbot, 1024, 700)
    cat, coffee = row_of(window, "chelsea.jpg"), row_of(window, "coffee.jpg")
    window.grid.select_ids([cat])
    add_tags(window, qtbot, LONG_TAGS)
    paths = dict(shown(window))
    for tag in (*LONG_TAGS, "Animals/Cat"):
        assert tag in paths, sorted(paths)  # root > child: the tree says which tag it is
    assert_every_row_reads_in_full(window)
    tip = str(paths["Events/2024/2024-06-12 Lisbon"].data(Qt.ItemDataRole.ToolTipRole))
    assert "Events/2024/2024-06-12 Lisbon" in tip and "you" in tip
    tip = str(paths["Animals/Cat"].data(Qt.ItemDataRole.ToolTipRole))
    assert "Animals/Cat" in tip and "model" in tip and "0." in tip

    qtbot.keyClicks(window.tag_editor.input, "Food/Coffee")  # yours here, the model's there
    qtbot.keyClick(window.tag_editor.input, Qt.Key.Key_Return)
    window.grid.select_ids([cat, coffee])  # the Photos column takes room too
    assert rows_with_counts(window)["Events/2024/2024-06-12 Lisbon"] == "1/2"
    assert tag_rows(window)["Food/Coffee"][0] == "model, you"
    assert_every_row_reads_in_full(window)


def rows_with_counts(window: MainWindow) -> dict[str, str]:
    return {tag: row[2] for tag, row in tag_rows(window).items()}


def test_the_panel_widens_with_the_window_and_keeps_the_width_dragged_to(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    settings = tmp_path / "panel.ini"
    window = make_window(library=scanned_library, settings_file=settings)
    resize(window, qtbot, 1024, 700)
    dock = window.tags_dock
    narrow = dock.width()
    assert narrow >= 260  # a sensible width to start with
    assert window.filters_dock.width() >= 200  # the photos make the room, not the filters
    resize(window, qtbot, 1600, 1000)
    wide = dock.width()
    assert wide >= narrow * 1.4, (narrow, wide)

    # the user drags the panel's edge to the left: it is wider, and stays so
    edge = dock.geometry().left() - 3  # the separator between the photos and the panel
    y = dock.geometry().center().y()
    qtbot.mouseMove(window, QPoint(edge, y))
    qtbot.mousePress(window, Qt.MouseButton.LeftButton, pos=QPoint(edge, y))
    for dx in range(10, 160, 10):
        qtbot.mouseMove(window, QPoint(edge - dx, y))
        QApplication.processEvents()  # the separator follows the pointer
    qtbot.mouseRelease(window, Qt.MouseButton.LeftButton, pos=QPoint(edge - 150, y))
    qtbot.waitUntil(lambda: dock.width() >= wide + 100, timeout=WAIT_MS)
    dragged = dock.width()
    resize(window, qtbot, 1300, 900)
    assert dock.width() < dragged  # narrower with the window, in proportion
    assert abs(dock.width() - dragged * 1300 / 1600) <= 0.05 * dragged
    window.close()

    again = make_window(library=scanned_library, settings_file=settings)
    resize(again, qtbot, 1600, 1000)
    assert abs(again.tags_dock.width() - dragged) <= 0.05 * dragged  # remembered


def test_a_named_person_is_in_the_tags_and_removing_it_says_the_face_is_not_them(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    obama, obama2 = row_of(window, "obama.jpg"), row_of(window, "obama2.jpg")
    session.undo.push(name_face(session, obama, 0, "Barack Obama"))
    person = session.person_by_name("Barack Obama")
    assert person is not None
    window.grid.select_ids([obama])
    paths = dict(shown(window))
    assert "People/Barack Obama" in paths, sorted(paths)
    assert tag_rows(window)["People/Barack Obama"][0] == "face"
    tip = str(paths["People/Barack Obama"].data(Qt.ItemDataRole.ToolTipRole))
    assert "Barack Obama" in tip and "People view" in tip

    window.grid.select_ids([obama, obama2])  # confirmed on one of the two
    assert rows_with_counts(window)["People/Barack Obama"] == "1/2"
    window.grid.select_ids([obama])

    tree = window.tag_editor.tags
    tree.setCurrentIndex(dict(shown(window))["People/Barack Obama"])
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    face = session.doc.face_person(obama, 0)
    assert face is None or session.resolve(face[0]) != person
    assert person in {session.resolve(p) for p in session.doc.rejected(obama, 0)}
    assert "People/Barack Obama" not in dict(shown(window))
    assert session.names()[person] == "Barack Obama"  # the person keeps their name

    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    face = session.doc.face_person(obama, 0)
    assert face is not None and face[1] and session.resolve(face[0]) == person
    assert session.doc.rejected(obama, 0) == set()
    assert "People/Barack Obama" in dict(shown(window))
    session.undo.push(NamePerson(session, person, "Barack H. Obama"))  # as the People view does
    assert "People/Barack H. Obama" in dict(shown(window))
    assert "People/Barack Obama" not in dict(shown(window))


def test_the_people_view_shows_no_photos_tags(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    window.grid.select_ids([row_of(window, "chelsea.jpg")])
    assert "Animals/Cat" in tag_rows(window)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.people.isVisible()
    assert tag_rows(window) == {}
    assert "chelsea.jpg" not in window.tag_editor.header.text()
    assert not window.tag_editor.input.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert "Animals/Cat" in tag_rows(window)


def test_a_face_drawn_by_hand_and_named_is_in_the_tags_too(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    cat = row_of(window, "chelsea.jpg")
    session.undo.push(add_named_face(session, cat, (10.0, 10.0, 200.0, 200.0), "Chelsea"))
    window.grid.select_ids([cat])
    assert tag_rows(window)["People/Chelsea"][0] == "face"
    tree = window.tag_editor.tags
    tree.setCurrentIndex(dict(shown(window))["People/Chelsea"])
    window.tag_editor.remove_button.click()
    assert "People/Chelsea" not in tag_rows(window)
    assert session.doc.user_faces(cat)  # the face stays, without the name
    window.commands.undo.trigger()
    assert "People/Chelsea" in tag_rows(window)
