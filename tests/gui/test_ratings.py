"""Ratings, favourites and rejects in the window: the keys 0-5, "." and X on the grid's selection
and on the photo shown, undo, the Photo menu, the stars on the thumbnails and in the viewer, and
the filter panel's Ratings section."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from photo_tagger.gui.facts import FAVOURITES, RATING, REJECTED
from photo_tagger.gui.marks_paint import GOLD
from photo_tagger.metadata import FileMarks, read_photo_metadata
from photo_tagger.store.marks import Marks
from tests.gui.conftest import WAIT_MS, MakeWindow, activate, copy_photos, grid_names, row_of


def gold_pixels(image: QImage) -> int:
    """How many pixels are the stars' gold."""
    n = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = QColor(image.pixel(x, y))
            if abs(c.red() - GOLD.red()) + abs(c.green() - GOLD.green()) + abs(c.blue()) < 60:
                n += 1
    return n


def test_keys_rate_flag_and_undo_the_selection(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    cat, coffee = row_of(window, "chelsea.jpg"), row_of(window, "coffee.jpg")
    window.grid.select_ids([cat, coffee])
    window.grid.setFocus()
    before = gold_pixels(window.grid.grab().toImage())

    qtbot.keyClick(window.grid, Qt.Key.Key_4)
    assert session.doc.marks(cat) == Marks(rating=4) == session.doc.marks(coffee)
    assert session.facts_of(cat).marks.stars == 4
    assert gold_pixels(window.grid.grab().toImage()) > before + 20  # the stars are drawn

    qtbot.keyClick(window.grid, Qt.Key.Key_Period)
    assert session.doc.marks(cat).favourite is True and session.doc.marks(coffee).favourite
    qtbot.keyClick(window.grid, Qt.Key.Key_Period)  # again: no longer favourites
    assert session.doc.marks(cat).favourite is False
    qtbot.keyClick(window.grid, Qt.Key.Key_Period)
    window.grid.select_ids([coffee])
    qtbot.keyClick(window.grid, Qt.Key.Key_X)  # a reject is no favourite
    assert session.doc.marks(coffee) == Marks(rating=4, favourite=False, rejected=True)
    assert session.doc.marks(cat) == Marks(rating=4, favourite=True)

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    # undone: as it was (a flag never set reads as not set: False)
    assert session.doc.marks(coffee) == Marks(rating=4, favourite=True, rejected=False)
    assert window.commands.undo.text() == "&Undo Mark as a favourite (2 photos)"
    for _ in range(4):
        window.commands.undo.trigger()
    assert session.doc.marks(cat).stars == 0 and session.doc.marks(coffee).stars == 0
    assert not session.doc.marks(cat).is_favourite
    assert gold_pixels(window.grid.grab().toImage()) == before
    window.commands.redo.trigger()
    assert session.doc.marks(cat).stars == 4


def test_the_photo_shown_is_rated_by_keys_and_by_its_stars(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    obama, cat = row_of(window, "obama.jpg"), row_of(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    window.show_photo(obama)
    activate(qtbot, window)
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    assert session.doc.marks(obama).stars == 2 and session.doc.marks(cat).empty
    bar = window.ratings.bar
    assert bar.isVisible()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(2 + bar.STAR * 4 + 5, 10))
    assert session.doc.marks(obama).stars == 5
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(2 + bar.STAR * 4 + 5, 10))
    assert session.doc.marks(obama).stars == 0  # the lit last star again: none
    window.ratings.reject.trigger()
    assert session.doc.marks(obama).is_rejected
    window.show_people()
    qtbot.keyClick(window, Qt.Key.Key_3)  # nothing to rate on the People page
    assert session.doc.marks(cat).empty
    assert "Select photos in the grid" in window.statusBar().currentMessage()


def test_the_photo_menu_has_every_rating_and_flag(
    make_window: MakeWindow, scanned_library: Path
) -> None:
    window = make_window(library=scanned_library)
    photo = [a for a in window.menuBar().actions() if a.text().replace("&", "") == "Photo"]
    assert len(photo) == 1  # one Photo menu: the viewer's commands, then ratings and flags
    menu = photo[0].menu()
    entries = {a.text(): a.shortcut().toString() for a in menu.actions() if a.text()}
    assert entries["&Favourite"] == "." and entries["Re&ject"] == "X"
    rating = next(a.menu() for a in menu.actions() if a.text() == "&Rating")
    assert [a.shortcut().toString() for a in rating.actions()] == list("012345")
    cat = row_of(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    rating.actions()[3].trigger()
    assert window.session is not None and window.session.doc.marks(cat).stars == 3


def test_filters_and_search_by_rating_favourite_and_reject(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    filters = window.filters
    filters.rebuild()
    assert "ratings" not in filters._items  # no section until a photo is rated
    ids = {name: row_of(window, name) for name in ("chelsea.jpg", "coffee.jpg", "obama.jpg")}
    for name, keys in (("chelsea.jpg", "5."), ("coffee.jpg", "3"), ("obama.jpg", "1x")):
        window.grid.select_ids([ids[name]])
        for key in keys:
            qtbot.keyClicks(window.grid, key)

    filters.rebuild()
    texts = {k: item.text() for k, item in filters._items.items() if k.startswith("rat")}
    assert texts["ratings"] == "Ratings"
    assert texts[f"{RATING}:5"] == "★★★★★  (1)" and texts[f"{RATING}:3"] == "≥ ★★★  (2)"
    assert filters.select(RATING, "3")
    assert grid_names(window) == ["chelsea.jpg", "coffee.jpg"]
    assert filters.select(FAVOURITES)
    assert grid_names(window) == ["chelsea.jpg"]
    assert filters.select(REJECTED)
    assert grid_names(window) == ["obama.jpg"]
    assert filters._items[f"{REJECTED}:"].text() == "Rejected  (1)"

    window.grid.select_ids([ids["obama.jpg"]])
    assert window.ratings.targets() == [ids["obama.jpg"]]
    qtbot.keyClicks(window.search, "rating:>=1 is:rejected")
    qtbot.waitUntil(lambda: grid_names(window) == ["obama.jpg"])
    window.search.clear()
    qtbot.keyClicks(window.search, "rating:>=3")
    qtbot.waitUntil(lambda: grid_names(window) == ["chelsea.jpg", "coffee.jpg"])
    assert "2 photos match" in window.no_match.text()
    assert session.doc.marks(ids["obama.jpg"]).stars == 1  # digits typed in a field rate nothing


def test_ratings_and_flags_reach_the_sidecar_a_moment_after(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    folder = copy_photos(tmp_path / "photos", ("chelsea.jpg",))
    window = make_window()
    window.add_paths([str(folder)])
    qtbot.waitUntil(lambda: grid_names(window) == ["chelsea.jpg"] and not window.jobs.busy)
    window.apply_settings(replace(window.current_settings(), xmp_keep=True))
    window.grid.select_ids([row_of(window, "chelsea.jpg")])
    window.show_grid()
    activate(qtbot, window)
    photo = folder / "chelsea.jpg"

    qtbot.keyClick(window.grid, Qt.Key.Key_5)
    qtbot.keyClick(window.grid, Qt.Key.Key_Period)
    wanted = FileMarks(rating=5, favourite=True)
    qtbot.waitUntil(lambda: read_photo_metadata(photo).marks == wanted, timeout=WAIT_MS)
    qtbot.keyClick(window.grid, Qt.Key.Key_X)  # Lightroom's -1, digiKam's Rejected
    wanted = FileMarks(rejected=True)
    qtbot.waitUntil(lambda: read_photo_metadata(photo).marks == wanted, timeout=WAIT_MS)


def test_the_viewers_heart_and_cross_flag_the_photo_shown(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    cat = row_of(window, "chelsea.jpg")
    window.show_photo(cat)
    bar = window.ratings.bar
    heart, cross = bar.slots()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=heart.center().toPoint())
    assert session.doc.marks(cat).is_favourite
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=cross.center().toPoint())
    assert session.doc.marks(cat) == Marks(favourite=False, rejected=True)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=cross.center().toPoint())
    assert not session.doc.marks(cat).is_rejected


def test_sort_by_rating_puts_the_most_stars_first_and_follows_new_ratings(
    make_window: MakeWindow, scanned_library: Path, qtbot: QtBot
) -> None:
    from tests.gui.test_browsing import menu_action, ordered_names

    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None
    ratings = {"coffee.jpg": 5, "obama.jpg": 3}
    for name, stars in ratings.items():
        window.grid.select_ids([row_of(window, name)])
        window.grid.setFocus()
        qtbot.keyClick(window.grid, Qt.Key.Key_0 + stars)
    window.grid.select_ids([row_of(window, "chelsea.jpg")])
    qtbot.keyClick(window.grid, Qt.Key.Key_X)  # rejected: last
    menu_action(window, "View", "Sort By", "Rating, Highest First").trigger()
    qtbot.waitUntil(
        lambda: ordered_names(window)[:2] == ["coffee.jpg", "obama.jpg"], timeout=WAIT_MS
    )
    assert ordered_names(window)[-1] == "chelsea.jpg"
    window.grid.select_ids([row_of(window, "obama2.jpg")])
    qtbot.keyClick(window.grid, Qt.Key.Key_4)  # a new rating takes its place
    qtbot.waitUntil(
        lambda: ordered_names(window)[:3] == ["coffee.jpg", "obama2.jpg", "obama.jpg"],
        timeout=WAIT_MS,
    )
