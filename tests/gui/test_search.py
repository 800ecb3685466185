"""The search field: words of tags, people, places, dates and file names, in the whole library
whatever filter was picked, as `photo-tagger search` finds them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from photo_tagger.cli.main import main
from photo_tagger.gui.facts import ALL, PERSON, TAG
from photo_tagger.gui.window import PHOTOS, MainWindow
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models
from tests.gui.conftest import WAIT_MS, MakeWindow, grid_names, row_of
from tests.gui.test_filters import click_node
from tests.search_samples import build

BOX = (10.0, 10.0, 200.0, 200.0)


@pytest.fixture(scope="module")
def search_template(tmp_path_factory: pytest.TempPathFactory, models: Models) -> Path:
    return build(tmp_path_factory.mktemp("search"), models)


@pytest.fixture
def library(tmp_path: Path, search_template: Path) -> Path:
    dest = tmp_path / "search-library"
    shutil.copytree(search_template, dest)
    with Library.open(dest) as lib:  # objects that give no tag: found by a search all the same
        coffee = next(cid for cid, path in lib.index.photo_files() if path.endswith("coffee.jpg"))
        lib.index.set_objects(coffee, [("cup", 0.7, BOX), ("dining table", 0.6, BOX)])
    return dest


def open_window(make_window: MakeWindow, library: Path) -> MainWindow:
    window = make_window(library=library)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    return window


def type_search(window: MainWindow, qtbot: QtBot, text: str) -> None:
    window.search.clear()
    qtbot.keyClicks(window.search, text)
    window.content.apply()  # what the field's timer does a moment later


def test_search_looks_through_the_whole_library_and_says_so(
    make_window: MakeWindow, library: Path, qtbot: QtBot
) -> None:
    window = open_window(make_window, library)
    session = window.session
    assert session is not None
    face = session.doc.face_person(row_of(window, "obama.jpg"), 0)
    assert face is not None
    click_node(window, qtbot, f"{PERSON}:{session.resolve(face[0])}")
    assert grid_names(window) == ["obama.jpg", "obama2.jpg"]

    qtbot.keyClicks(window.search, "coffee")  # while Anna's photos are shown
    qtbot.waitUntil(lambda: grid_names(window) == ["coffee.jpg"], timeout=WAIT_MS)
    assert window.filters.current_filter().kind == ALL  # the filters show where it searched
    assert window.no_match.isVisible()
    assert window.no_match.text() == "1 photo matches “coffee” in the whole library."

    type_search(window, qtbot, "Anna Lisbon")
    assert grid_names(window) == ["obama.jpg"]
    type_search(window, qtbot, "sao paulo")
    assert grid_names(window) == ["obama2.jpg"]
    type_search(window, qtbot, "2024")
    assert grid_names(window) == ["chelsea.jpg", "obama.jpg"]
    assert window.no_match.text() == "2 photos match “2024” in the whole library."
    type_search(window, qtbot, "table")  # an object the detector found, with no tag of its own
    assert grid_names(window) == ["coffee.jpg"]

    # picking a filter ends the search and shows what the filter picks
    click_node(window, qtbot, f"{TAG}:Animals/Cat")
    assert window.search.text() == ""
    assert grid_names(window) == ["chelsea.jpg"]
    assert not window.no_match.isVisible()


def test_words_not_substrings_and_a_search_that_finds_nothing(
    make_window: MakeWindow, library: Path, qtbot: QtBot
) -> None:
    window = open_window(make_window, library)
    type_search(window, qtbot, "cat ")
    assert grid_names(window) == ["chelsea.jpg"]  # not scatter-plot.png, nor Concatenate
    type_search(window, qtbot, "coff")  # while typing, the last word may be the start of one
    assert grid_names(window) == ["coffee.jpg"]
    type_search(window, qtbot, "unicorn")
    assert grid_names(window) == []
    assert window.no_match.isVisible()
    text = window.no_match.text()
    assert text.startswith("No photos match “unicorn” in the whole library.")
    assert "tags, objects, people's names, places, dates and file names" in text
    window.search.clear()
    window.content.apply()
    assert len(grid_names(window)) == 7 and not window.no_match.isVisible()

    # typed while the People view shows: the photos found show, and the field keeps the keys
    window.show_people()
    window.focus_search()
    qtbot.keyClicks(window.search, "cat")
    assert window.stack.currentIndex() == PHOTOS and window.search.hasFocus()
    qtbot.keyClicks(window.search, " 2024")
    window.content.apply()
    assert window.search.text() == "cat 2024" and grid_names(window) == ["chelsea.jpg"]


QUERIES = [
    "cat",
    "coffee",
    "Anna Lisbon",
    "anna",
    "2024",
    "2023-12",
    "SÃO Paulo",
    "conceicao",
    '"guinea pig"',
    "ferias algarve",
    "img_1234",
    "9876",
    "scatter",
    "lisbon evening",
    "table",
    '"dining table" 2023',
    "unicorn",
]


def test_the_window_finds_what_the_command_line_finds(
    make_window: MakeWindow, library: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    window = open_window(make_window, library)
    for query in QUERIES:
        code = main(["search", query, "--library", str(library)])
        out = capsys.readouterr().out
        cli = sorted(os.path.basename(line) for line in out.splitlines())
        assert code == (0 if cli else 1), query
        cli = [n.replace("\ufffd", os.fsdecode(b"\xe9")) for n in cli]  # as printed
        type_search(window, qtbot, query + " ")  # the last word typed whole
        assert grid_names(window) == cli, query
        type_search(window, qtbot, query)  # while typing it: the same, or more
        assert set(cli) <= set(grid_names(window)), query
