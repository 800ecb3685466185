"""What the window shows is what edits go to: the selection follows the filter and the search,
a new filter shows the grid from its top, Esc goes back from anywhere, a renamed event stays
picked, and "Untagged" means photos with nothing but what they carry (a date, a place)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from photo_tagger.gui.facts import ALL, DUPLICATES, TAG, UNTAGGED, Filter
from photo_tagger.gui.window import PHOTOS, VIEWER, MainWindow
from tests.gui.conftest import WAIT_MS, MakeWindow, grid_names, row_of
from tests.gui.test_context import travels  # noqa: F401  (a fixture)
from tests.gui.test_filters import click_node

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "photos"
ALL_FOUR = ["chelsea.jpg", "coffee.jpg", "obama.jpg", "obama2.jpg"]


def open_scanned(make_window: MakeWindow, library: Path) -> MainWindow:
    window = make_window(library=library)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    return window


def select_all_in_grid(window: MainWindow, qtbot: QtBot) -> None:
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def add_tag(window: MainWindow, qtbot: QtBot, tag: str) -> None:
    qtbot.keyClicks(window.tag_editor.input, tag)
    qtbot.keyClick(window.tag_editor.input, Qt.Key.Key_Return)


def test_a_filter_keeps_only_the_photos_it_shows_selected(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = open_scanned(make_window, scanned_library)
    session = window.session
    assert session is not None
    select_all_in_grid(window, qtbot)
    assert "4 photos selected" in window.tag_editor.header.text()

    click_node(window, qtbot, f"{TAG}:Animals/Cat")
    cat = row_of(window, "chelsea.jpg")
    assert window.grid.selected_ids() == [cat]
    assert window.tag_editor.photo_ids == [cat]  # the Tags panel: what is shown, no more
    add_tag(window, qtbot, "Pets/Chelsea")
    tagged = [r for r in session.catalog.rows if "Pets/Chelsea" in session.facts_of(r[0]).tags]
    assert [r[0] for r in tagged] == [cat]

    # a filter that shows none of the selected photos leaves nothing selected
    click_node(window, qtbot, "all")
    window.grid.select_ids([row_of(window, "coffee.jpg")])
    click_node(window, qtbot, f"{TAG}:Animals/Cat")
    assert window.grid.selected_ids() == []
    assert window.tag_editor.photo_ids == []
    assert not window.tag_editor.input.isEnabled()


def test_a_search_keeps_only_the_photos_it_finds_selected(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = open_scanned(make_window, scanned_library)
    select_all_in_grid(window, qtbot)
    qtbot.keyClicks(window.search, "coffee")
    qtbot.waitUntil(lambda: grid_names(window) == ["coffee.jpg"], timeout=WAIT_MS)
    coffee = row_of(window, "coffee.jpg")
    assert window.grid.selected_ids() == [coffee]
    assert window.tag_editor.photo_ids == [coffee]


def test_an_edit_that_takes_photos_out_of_the_view_takes_them_out_of_the_tags_panel(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    """Under Untagged, Low confidence or a tag, an edit can make the photo leave the view."""
    window = open_scanned(make_window, scanned_library)
    click_node(window, qtbot, f"{TAG}:Animals")
    cat = row_of(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    window.tag_editor.tags.setFocus()
    items = window.tag_editor.tags.findItems("Animals", Qt.MatchFlag.MatchStartsWith)
    assert items
    for item in items:  # as Ctrl-clicks would
        item.setSelected(True)
    qtbot.keyClick(window.tag_editor.tags, Qt.Key.Key_Delete)
    window.content.apply()  # what the grid's timer does a moment later
    assert grid_names(window) == []
    assert window.tag_editor.photo_ids == []


def test_picking_a_filter_while_a_photo_is_open_shows_the_grid(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = open_scanned(make_window, scanned_library)
    window.grid.select_ids([row_of(window, "chelsea.jpg")])
    qtbot.keyClick(window.grid, Qt.Key.Key_Return)
    assert window.stack.currentIndex() == VIEWER
    click_node(window, qtbot, f"{TAG}:Food")
    assert window.stack.currentIndex() == PHOTOS
    assert grid_names(window) == ["coffee.jpg"]
    assert window.tag_editor.photo_ids == []  # the cat is not shown any more


def test_escape_in_the_filters_closes_the_open_photo(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = open_scanned(make_window, scanned_library)
    cat = row_of(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    qtbot.keyClick(window.grid, Qt.Key.Key_Return)
    assert window.stack.currentIndex() == VIEWER
    window.filters.tree.setFocus()
    qtbot.keyClick(window.filters.tree, Qt.Key.Key_Escape)
    assert window.stack.currentIndex() == PHOTOS
    assert window.grid.selected_ids() == [cat]


def test_a_new_filter_shows_the_grid_from_its_top(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = open_scanned(make_window, scanned_library)
    window.resize(1024, 520)
    window.grid.set_cell(256)
    qtbot.waitUntil(lambda: window.grid.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    bar = window.grid.verticalScrollBar()
    bar.setValue(bar.maximum())
    session = window.session
    assert session is not None
    dates = next(t for t in session.facts.all_tags() if t.startswith("Dates/") and "/" not in t[6:])
    click_node(window, qtbot, f"{TAG}:{dates}")  # the same four photos, another filter
    assert grid_names(window) == ALL_FOUR
    assert bar.value() == 0


def test_a_renamed_event_stays_picked(
    make_window: MakeWindow,
    travels: Path,  # noqa: F811
    qtbot: QtBot,
) -> None:
    window = make_window(library=travels)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    event = "Events/2024/2024-06-12 Lisbon"
    click_node(window, qtbot, f"{TAG}:{event}")
    window.rename_tag(event, "Ana's birthday")
    window.filters.rebuild()
    assert window.filters.current_filter() == Filter(TAG, "Events/2024/Ana's birthday")
    assert grid_names(window) == ["lisbon1.jpg", "lisbon2.jpg", "lisbon3.jpg"]
    window.commands.undo.trigger()
    window.filters.rebuild()
    assert window.filters.current_filter() == Filter(TAG, event)
    assert grid_names(window) == ["lisbon1.jpg", "lisbon2.jpg", "lisbon3.jpg"]


def test_a_photo_with_only_a_guessed_date_is_untagged(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    import cv2

    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "chelsea.jpg").write_bytes((SAMPLES / "chelsea.jpg").read_bytes())
    cv2.imwrite(str(folder / "grey.png"), np.full((480, 640, 3), 128, np.uint8))
    window = make_window()
    window.add_paths([str(folder)], watch=False)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    grey = row_of(window, "grey.png")
    carried = session.facts_of(grey).tags
    assert carried and all(t.startswith(("Dates/", "Time of day/")) for t in carried), carried
    window.filters.rebuild()
    assert window.filters._items[UNTAGGED].text() == "Untagged  (1)"
    click_node(window, qtbot, UNTAGGED)
    assert grid_names(window) == ["grey.png"]
    window.grid.select_ids([grey])
    add_tag(window, qtbot, "Textures/Grey")  # a tag of the user's: tagged now
    window.content.apply()
    assert grid_names(window) == []
    window.filters.rebuild()
    assert window.filters._items[UNTAGGED].text() == "Untagged  (0)"


def test_near_duplicates_keep_only_the_photos_they_show_selected(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    """The near-duplicates come group by group, in another order than the grid's."""
    import cv2

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("chelsea", "coffee", "rocket"):
        (folder / f"{name}.jpg").write_bytes((SAMPLES / f"{name}.jpg").read_bytes())
    cv2.imwrite(
        str(folder / "b-recompressed.jpg"),
        cv2.imread(str(SAMPLES / "chelsea.jpg")),
        [cv2.IMWRITE_JPEG_QUALITY, 40],
    )
    window = make_window()
    window.add_paths([str(folder)], watch=False)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    window.grid.select_ids([row_of(window, "coffee.jpg"), row_of(window, "rocket.jpg")])
    assert "2 photos selected" in window.tag_editor.header.text()
    click_node(window, qtbot, DUPLICATES)
    assert sorted(grid_names(window)) == ["b-recompressed.jpg", "chelsea.jpg"]
    assert window.grid.selected_ids() == []
    assert window.tag_editor.photo_ids == []
    assert "No photo selected" in window.tag_editor.header.text()

    click_node(window, qtbot, "all")  # one of the three selected is a near-duplicate
    cat = row_of(window, "chelsea.jpg")
    window.grid.select_ids([row_of(window, "coffee.jpg"), row_of(window, "rocket.jpg"), cat])
    assert "3 photos selected" in window.tag_editor.header.text()
    click_node(window, qtbot, DUPLICATES)
    assert window.grid.selected_ids() == [cat]
    assert window.tag_editor.photo_ids == [cat]


def test_the_filters_keep_counts_whole_and_cut_long_names_short(
    make_window: MakeWindow,
    travels: Path,  # noqa: F811
    qtbot: QtBot,
) -> None:
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyleOptionViewItem

    from photo_tagger.gui.filter_rows import GAP, CountDelegate, fit, split_count

    window = make_window(library=travels)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    long_name = "Ana and Miguel's wedding weekend by the river, with everyone"
    window.rename_tag("Events/2024/2024-06-12 Lisbon", long_name)
    panel, tree = window.filters, window.filters.tree
    for width, height in ((1024, 700), (1280, 800)):
        window.resize(width, height)
        qtbot.waitUntil(lambda w=width: window.width() == w, timeout=WAIT_MS)
        panel.rebuild()
        tree.expandAll()
        assert panel.width() >= panel.minimumWidth() >= 150
        delegate = tree.itemDelegate()
        assert isinstance(delegate, CountDelegate)
        cut = []
        for key, item in panel._items.items():
            index = item.index()
            option = QStyleOptionViewItem()
            tree.initViewItemOption(option)
            option.rect = tree.visualRect(index)
            room = delegate.text_rect(option, index).width()
            metrics = QFontMetrics(item.font())
            name, count = fit(item.text(), metrics, room)
            assert count == split_count(item.text())[1], key  # the whole count, always
            used = metrics.horizontalAdvance(name) + (metrics.horizontalAdvance(count) + GAP)
            assert used <= room or not name, key
            if name != split_count(item.text())[0]:
                assert name.endswith("…") and item.toolTip(), key
                cut.append(key)
        assert f"{TAG}:Events/2024/{long_name}" in cut
        assert panel._items[f"{TAG}:Events/2024/{long_name}"].toolTip().endswith(long_name)


def test_a_search_from_an_event_looks_through_the_whole_library(
    make_window: MakeWindow,
    travels: Path,  # noqa: F811
    qtbot: QtBot,
) -> None:
    window = make_window(library=travels)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    click_node(window, qtbot, f"{TAG}:Events/2024/2024-06-12 Lisbon")
    assert grid_names(window) == ["lisbon1.jpg", "lisbon2.jpg", "lisbon3.jpg"]
    window.search.setFocus()
    qtbot.keyClicks(window.search, "motorcycle")  # taken in New York, in no event
    said = "1 photo matches “motorcycle” in the whole library."
    qtbot.waitUntil(lambda: window.no_match.text() == said, timeout=WAIT_MS)
    assert grid_names(window) == ["nyc.jpg"]
    assert window.filters.current_filter().kind == ALL
