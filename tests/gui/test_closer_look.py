"""After a scan the window looks closer for objects in the background, and gives way to any
other work: photos dropped meanwhile are added first, and the closer look takes up the rest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from photo_tagger.app.closer_look import awaiting
from photo_tagger.app.scan import Importer
from photo_tagger.gui.closer_look_job import CloserLookJob
from photo_tagger.vision.pipeline import Models
from tests.gui.conftest import SAMPLES, WAIT_MS, MakeWindow, copy_photos, grid_names, row_of
from tests.gui.test_add_photos import drop


def test_after_a_scan_the_window_finds_the_objects_the_scan_left(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot, models: Models
) -> None:
    folder = copy_photos(tmp_path / "photos", ("biden.jpg", "coffee.jpg", "rocket.jpg"))
    window = make_window(threads=True)
    titles: list[str] = []
    window.jobs.started.connect(titles.append)
    summaries: list[str] = []
    window.jobs.finished.connect(lambda title, summary: summaries.append(f"{title}: {summary}"))

    assert drop(window, [folder])
    qtbot.waitUntil(lambda: len(grid_names(window)) == 3 and not window.jobs.busy, timeout=WAIT_MS)

    assert titles == ["Adding photos", CloserLookJob.title]
    assert summaries[-1].startswith(f"{CloserLookJob.title}: ")
    assert "found in 2 photos" in summaries[-1]
    session = window.session
    assert session is not None
    assert "Clothing/Tie" in session.facts_of(row_of(window, "biden.jpg")).tags
    assert awaiting(Importer(session.library, models)) == []


def test_the_closer_look_gives_way_to_photos_dropped_meanwhile(
    make_window: MakeWindow, tmp_path: Path, qtbot: QtBot, models: Models
) -> None:
    names = tuple(p.name for p in sorted(SAMPLES.glob("*.jpg")))
    folder = copy_photos(tmp_path / "photos", names)
    later = tmp_path / "later"
    later.mkdir()
    shutil.copy(SAMPLES / "chelsea.jpg", later / "cat.jpg")
    window = make_window(threads=True)
    titles: list[str] = []
    window.jobs.started.connect(titles.append)
    looked: list[int] = []  # photos each closer look got through

    def count_looked(title: str, summary: str) -> None:
        if title == CloserLookJob.title:
            found = re.search(r"found in (\d+) photo", summary)
            looked.append(int(found.group(1)) if found else 0)

    window.jobs.finished.connect(count_looked)
    dropped: list[bool] = []

    def drop_when_looking(title: str) -> None:
        if title == CloserLookJob.title and not dropped:  # once, while it looks
            dropped.append(drop(window, [later]))

    window.jobs.started.connect(drop_when_looking)
    assert drop(window, [folder])
    qtbot.waitUntil(lambda: bool(dropped) and not window.jobs.busy, timeout=WAIT_MS)

    assert dropped == [True]
    assert titles == [
        "Adding photos",
        CloserLookJob.title,  # stopped for the drop, keeping what it stored
        "Adding photos",
        CloserLookJob.title,  # the rest, and the new photo
    ]
    assert looked[0] < len(names) - 1 and sum(looked) == len(names) - 1  # all but the rocket
    assert "cat.jpg" in grid_names(window)
    session = window.session
    assert session is not None
    assert awaiting(Importer(session.library, models)) == []
