"""Filtering the grid: by tag (and everything under it), by person, untagged, by search text."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from photo_tagger.gui.facts import PERSON, TAG, UNTAGGED
from tests.gui.conftest import WAIT_MS, MakeWindow, grid_names, row_of


def click_node(window, qtbot: QtBot, key: str) -> None:  # type: ignore[no-untyped-def]
    """Click the filter tree's node with this key, as the user would."""
    panel = window.filters
    panel.rebuild()
    index = panel._find(key)
    assert index is not None, key
    tree = panel.tree
    tree.scrollTo(index)
    qtbot.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )


def test_filter_by_tag_by_person_and_untagged(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    obama = row_of(window, "obama.jpg")
    assert grid_names(window) == ["chelsea.jpg", "coffee.jpg", "obama.jpg", "obama2.jpg"]

    click_node(window, qtbot, f"{TAG}:Animals/Cat")
    assert grid_names(window) == ["chelsea.jpg"]
    click_node(window, qtbot, f"{TAG}:Food")  # a parent tag holds what is under it
    assert grid_names(window) == ["coffee.jpg"]

    face = session.doc.face_person(obama, 0)
    assert face is not None
    click_node(window, qtbot, f"{PERSON}:{session.resolve(face[0])}")
    assert grid_names(window) == ["obama.jpg", "obama2.jpg"]

    click_node(window, qtbot, UNTAGGED)
    assert grid_names(window) == []
    assert window.no_match.isVisible()

    click_node(window, qtbot, "all")
    qtbot.keyClicks(window.search, "coff")
    qtbot.waitUntil(lambda: grid_names(window) == ["coffee.jpg"], timeout=WAIT_MS)


def test_the_tag_tree_follows_edits(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    window.grid.select_ids([row_of(window, "coffee.jpg")])
    window.tag_editor.add_tag("Trips/Lisbon")
    click_node(window, qtbot, f"{TAG}:Trips/Lisbon")
    assert grid_names(window) == ["coffee.jpg"]
    window.commands.undo.trigger()
    window.filters.rebuild()
    assert window.filters._find(f"{TAG}:Trips/Lisbon") is None
    assert grid_names(window) == ["chelsea.jpg", "coffee.jpg", "obama.jpg", "obama2.jpg"]


def test_the_tree_changes_in_place(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot, monkeypatch
) -> None:
    """Nodes that stay are the same items (expanded, picked) while others come and go."""
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    coffee, chelsea = row_of(window, "coffee.jpg"), row_of(window, "chelsea.jpg")
    obama = session.doc.face_person(row_of(window, "obama.jpg"), 0)
    panel = window.filters
    panel.rebuild()
    cat, tags = panel._items[f"{TAG}:Animals/Cat"], panel._items["tags"]
    click_node(window, qtbot, f"{TAG}:Animals/Cat")
    panel.tree.setExpanded(panel._items[f"{TAG}:Animals"].index(), True)

    session.write_user_tag("Trips/Lisbon", {coffee: True})
    panel.rebuild()
    assert panel._items[f"{TAG}:Animals/Cat"] is cat and panel._items["tags"] is tags
    assert panel.tree.isExpanded(panel._items[f"{TAG}:Animals"].index())
    assert panel.tree.currentIndex() == cat.index()
    trips = panel._items[f"{TAG}:Trips"]
    assert trips.parent() is tags and trips.child(0).text() == "Lisbon  (1)"
    assert grid_names(window) == ["chelsea.jpg"]  # the pick still filters

    # the picked node goes (the cat tag removed by the user): back to all photos
    session.write_user_tag("Animals/Cat", {chelsea: False})
    panel.rebuild()
    assert f"{TAG}:Animals/Cat" not in panel._items
    assert panel.tree.currentIndex() == panel._items["all"].index()
    assert len(grid_names(window)) == 4

    # past the cap, unnamed groups are left to the People view
    assert obama is not None
    person_key = f"{PERSON}:{session.resolve(obama[0])}"
    assert person_key in panel._items
    monkeypatch.setattr("photo_tagger.gui.filter_panel.MAX_UNNAMED", 0)
    panel.rebuild()
    assert person_key not in panel._items
    assert panel._items["people:more"].text().endswith("more unnamed…")


def test_the_tree_owns_its_nodes(make_window: MakeWindow, scanned_library: Path) -> None:
    """Every node belongs to the tree's model, not to Python: PySide's one-item
    QStandardItem.insertRow keeps a new item Python's, so dropping the panel's reference to a
    node that goes deleted it under the model (a crash, once, when a window closed)."""
    import gc

    import shiboken6

    window = make_window(library=scanned_library)
    assert window.session is not None
    window.session.finish_reading_facts()
    panel = window.filters
    panel.rebuild()
    assert len(panel._items) > 5
    assert not [k for k, item in panel._items.items() if shiboken6.ownedByPython(item)]
    panel.set_session(None)  # every node goes
    gc.collect()
    assert panel.model.rowCount() == 0 and not panel._items
