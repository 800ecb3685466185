"""Places, dates and events in the window: filter by them, see guesses as guesses, name an event."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from photo_tagger.app.scan import Importer
from photo_tagger.gui.actions import EXTRA_COPY_TAG
from photo_tagger.gui.facts import DUPLICATES, TAG
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models
from tests.context.conftest import LISBON, NEW_YORK, SAMPLES, exif_block, jpeg_with_exif
from tests.gui.conftest import MakeWindow, grid_names, row_of
from tests.gui.test_filters import click_node
from tests.gui.test_tags import tag_rows

SAMPLE = {p.stem: p for p in SAMPLES}


@pytest.fixture
def travels(tmp_path: Path, models: Models) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    canon = {"make": "Canon", "model": "EOS R6"}
    shots = [
        ("chelsea", "lisbon1.jpg", "2024:06:12 19:05:00", LISBON),
        ("coffee", "lisbon2.jpg", "2024:06:12 19:20:00", LISBON),
        ("rocket", "lisbon3.jpg", "2024:06:12 19:22:00", None),  # borrows the place
        ("motorcycle", "nyc.jpg", "2023:12:24 10:00:00", NEW_YORK),
    ]
    for sample, name, taken, position in shots:
        exif = exif_block(taken=taken, position=position, **canon)
        jpeg_with_exif(folder, exif, SAMPLE[sample], name)
    (folder / "plain.jpg").write_bytes(SAMPLE["biden"].read_bytes())
    library = tmp_path / "library"
    with Library.open(library) as lib:
        assert Importer(lib, models).scan([folder]).analysed == 5
    return library


def test_filter_by_place_date_and_event_and_name_the_event(
    make_window: MakeWindow, travels: Path, qtbot: QtBot
) -> None:
    window = make_window(library=travels)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    panel = window.filters
    panel.rebuild()
    # what photos carry has sections of its own, not under the models' tags
    assert panel._items[f"{TAG}:Places"].parent() is None
    assert panel._items[f"{TAG}:Dates/2024/2024-06"].text() == "June  (3)"

    click_node(window, qtbot, f"{TAG}:Places/Portugal/Lisbon")
    assert grid_names(window) == ["lisbon1.jpg", "lisbon2.jpg", "lisbon3.jpg"]
    click_node(window, qtbot, f"{TAG}:Places/United States")
    assert grid_names(window) == ["nyc.jpg"]
    click_node(window, qtbot, f"{TAG}:Dates/2023")
    assert grid_names(window) == ["nyc.jpg"]
    event = "Events/2024/2024-06-12 Lisbon"
    click_node(window, qtbot, f"{TAG}:{event}")
    assert grid_names(window) == ["lisbon1.jpg", "lisbon2.jpg", "lisbon3.jpg"]

    # the tag editor says which are facts, suggestions and guesses
    click_node(window, qtbot, "all")
    window.grid.select_ids([row_of(window, "lisbon3.jpg")])
    rows = tag_rows(window)
    assert rows["Places/Portugal/Lisbon"][:2] == ("suggested", "0.60")
    assert rows["Dates/2024/2024-06"][:2] == ("photo", "1.00")
    window.grid.select_ids([row_of(window, "plain.jpg")])
    this_year = f"Dates/{datetime.now().year}"  # the file's own time: written by the test
    assert tag_rows(window)[this_year][:2] == ("guess", "0.50")

    # naming the event renames its tag on every photo of it, in one undo step
    window.rename_tag(event, "Ana's birthday")
    session.finish_reading_facts()
    click_node(window, qtbot, f"{TAG}:Events/2024/Ana's birthday")
    assert grid_names(window) == ["lisbon1.jpg", "lisbon2.jpg", "lisbon3.jpg"]
    assert f"{TAG}:{event}" not in panel._items
    window.commands.undo.trigger()
    panel.rebuild()
    assert f"{TAG}:Events/2024/Ana's birthday" not in panel._items
    assert panel._items[f"{TAG}:{event}"].text() == "2024-06-12 Lisbon  (3)"


def near_duplicates(tmp_path: Path) -> Path:
    """Three photos and two copies of one of them (chelsea.jpg): half its size, and recompressed."""
    import cv2

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("chelsea", "coffee", "rocket"):
        (folder / f"{name}.jpg").write_bytes(SAMPLE[name].read_bytes())
    bgr = cv2.imread(str(SAMPLE["chelsea"]))
    small = cv2.resize(bgr, (bgr.shape[1] // 2, bgr.shape[0] // 2), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(folder / "a-small-copy.jpg"), small)
    cv2.imwrite(str(folder / "b-recompressed.jpg"), bgr, [cv2.IMWRITE_JPEG_QUALITY, 40])
    return folder


def test_near_duplicate_groups_best_first_and_the_extras_tagged(
    make_window: MakeWindow, tmp_path: Path, models: Models, qtbot: QtBot
) -> None:
    folder = near_duplicates(tmp_path)
    window = make_window()
    window.add_paths([str(folder)], watch=False)  # scanned inline, as a drop would
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    assert len(grid_names(window)) == 5
    panel = window.filters
    panel.rebuild()
    assert panel._items[DUPLICATES].text() == "Near-duplicates  (1 group)"

    click_node(window, qtbot, DUPLICATES)
    model = window.grid_model
    assert model is not None
    shown = [model.data(model.index(r)) for r in range(model.rowCount())]
    assert shown[0] == "chelsea.jpg"  # the best of the group first
    assert sorted(shown[1:]) == ["a-small-copy.jpg", "b-recompressed.jpg"]
    assert "the best of its group" in model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)

    window.commands.tag_extras.trigger()
    click_node(window, qtbot, f"{TAG}:{EXTRA_COPY_TAG}")
    assert grid_names(window) == ["a-small-copy.jpg", "b-recompressed.jpg"]
    window.commands.undo.trigger()
    panel.rebuild()
    assert f"{TAG}:{EXTRA_COPY_TAG}" not in panel._items
