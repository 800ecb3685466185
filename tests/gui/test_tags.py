"""Editing tags on a selection, and undoing it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.conftest import MakeWindow, activate, row_of


def tag_rows(window) -> dict[str, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """What the tag editor lists: tag -> (source, confidence, photos), wherever it is in the
    tree (the rows that only group others are left out)."""
    rows: dict[str, tuple[str, str, str]] = {}
    tree = window.tag_editor.tags
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while items:
        item = items.pop()
        items.extend(item.child(i) for i in range(item.childCount()))
        tag = item.data(0, Qt.ItemDataRole.UserRole)
        if tag:
            rows[tag] = (item.text(1), item.text(2), item.text(3))
    return rows


def test_add_a_tag_to_a_selection_then_undo_and_redo(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    cat, coffee = row_of(window, "chelsea.jpg"), row_of(window, "coffee.jpg")
    window.grid.select_ids([cat, coffee])
    assert window.tag_editor.photo_ids == sorted(
        [cat, coffee],
        key=lambda p: window.grid_model.row_of(p),  # type: ignore[union-attr]
    )
    assert "2 photos selected" in window.tag_editor.header.text()

    qtbot.keyClicks(window.tag_editor.input, "Home/Kitchen")
    qtbot.keyClick(window.tag_editor.input, Qt.Key.Key_Return)
    assert session.doc.user_tags(cat) == {"Home/Kitchen": True}
    assert session.doc.user_tags(coffee) == {"Home/Kitchen": True}
    assert tag_rows(window)["Home/Kitchen"] == ("you", "—", "2/2")
    assert tag_rows(window)["Animals/Cat"][0] == "model"
    assert tag_rows(window)["Animals/Cat"][2] == "1/2"

    # the keys go where the user is typing: Ctrl+Z there undoes the tag, not the typing
    activate(qtbot, window)  # the completion popup took activation away (offscreen)
    window.tag_editor.input.setFocus()
    qtbot.keyClick(window.tag_editor.input, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert session.doc.user_tags(cat) == {} and session.doc.user_tags(coffee) == {}
    assert "Home/Kitchen" not in tag_rows(window)

    qtbot.keyClick(
        window.tag_editor.input,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert session.doc.user_tags(cat) == {"Home/Kitchen": True}
    assert "Home/Kitchen" in session.facts_of(coffee).tags


def test_remove_a_model_tag_is_undone_to_what_the_model_says(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    cat = row_of(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    tree = window.tag_editor.tags
    item = tree.findItems("Cat", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0)[0]
    assert item.parent().text(0) == "Animals"  # the tree: root > child
    tree.setCurrentItem(item)
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert session.doc.user_tags(cat) == {"Animals/Cat": False}
    assert "Animals/Cat" not in tag_rows(window)

    window.commands.undo.trigger()
    assert session.doc.user_tags(cat) == {}  # forgotten, not "added by you"
    assert tag_rows(window)["Animals/Cat"][0] == "model"


def test_completion_offers_the_vocabulary_and_the_library_tags(
    make_window: MakeWindow, scanned_library: Path
) -> None:
    window = make_window(library=scanned_library)
    window.grid.select_ids([row_of(window, "coffee.jpg")])
    words = window.tag_editor.input.completer().model().stringList()  # type: ignore[attr-defined]
    assert "Food/Coffee" in words and "Animals/Dog" in words


def test_a_tag_with_a_control_character_is_refused_in_the_window(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    cat = row_of(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    window.tag_editor.input.setText("Bell\x07ringer")
    window.tag_editor.add_from_input()
    assert session.doc.user_tags(cat) == {}
    problem = window.tag_editor.input_problem
    assert not problem.isHidden() and "control character U+0007" in problem.text()
    assert window.tag_editor.input.text() == "Bell\x07ringer"  # kept, to be corrected
    window.tag_editor.input.setText("Bell ringer")
    assert problem.isHidden()
    window.tag_editor.add_from_input()
    assert session.doc.user_tags(cat) == {"Bell ringer": True}
