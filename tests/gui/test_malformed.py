"""Records another device wrote malformed: the window reads around them, lists them in the status
bar, and sets them aside when asked (one edit, synced; nothing deleted). Real widgets, a real
scanned library, the malformed values written as a peer's sync would write them."""

from __future__ import annotations

import json
from pathlib import Path

from pycrdt import Map
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from photo_tagger.store.library import Library
from tests.gui.conftest import WAIT_MS, MakeWindow
from tests.store.hostile import write_as_peer

OTHER = "fedcba9876543210fedcba9876543210"


def _spoil(library_dir: Path) -> str:
    with Library.open(library_dir) as library:
        photo = sorted(library.document.photo_ids())[0]

        def write(roots: dict[str, Map]) -> None:
            roots["photos"][OTHER] = "{not json"
            roots["people"]["mallory"] = "a string"
            roots["user"][f"{photo}|Yes"] = "yes"

        write_as_peer(library, write)
    return photo


def _message_box() -> QMessageBox | None:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    return next((b for b in boxes if b.isVisible()), None)


def test_malformed_records_are_listed_and_set_aside_from_the_window(
    qtbot: QtBot, make_window: MakeWindow, scanned_library: Path
) -> None:
    photo = _spoil(scanned_library)
    window = make_window(scanned_library)
    window.session.finish_reading_facts()
    qtbot.waitUntil(window.problems.isVisible, timeout=WAIT_MS)
    assert window.problems.title == "Records skipped"
    details = window.problems.details()
    assert "person mallory" in details and "'Yes'" in details, details
    # the rest of the library reads as before: every scanned photo is in the grid
    assert window.content.model.rowCount() == 4

    window.problems.click()
    qtbot.waitUntil(lambda: _message_box() is not None, timeout=WAIT_MS)
    box = _message_box()
    assert box is not None and "nothing is deleted" in box.text()
    (fix,) = [b for b in box.findChildren(QPushButton) if b.text() == "Set Them Aside"]
    fix.click()  # sets aside every malformed record, also those no view has read (OTHER)
    assert "3 malformed records set aside" in window.statusBar().currentMessage()
    window.close_library()

    with Library.open(scanned_library) as library:
        assert library.document.malformed() == []
        kept = library.log.doc.get("quarantine", type=Map).to_py()
        assert json.loads(kept["people|mallory"])["value"] == "a string"
        assert photo in library.document.photo_ids()


def test_check_the_library_says_when_nothing_is_wrong(
    make_window: MakeWindow, scanned_library: Path
) -> None:
    window = make_window(scanned_library)
    window.commands.check_library.trigger()
    assert window.statusBar().currentMessage() == "The library holds no malformed records."
    assert not window.problems.isVisible()
