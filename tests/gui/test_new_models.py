"""New models in the window (the real server on 127.0.0.1, real models, real photos, real
widgets): Help › Check for Model Updates downloads a release that really differs
(tests/releases.py `different_models`), tries it on the library in the background, and the status
bar says what it would change; nothing the user sees changes until Accept, and Reject leaves all
as it was. A release left waiting is shown when the library opens."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from photo_tagger.app.model_updates import model_updater, try_candidate
from photo_tagger.app.shadow_store import report_file
from photo_tagger.cloud.model_release import publish_release
from photo_tagger.cloud.signing import generate_key_pair, load_private_key
from photo_tagger.gui.app import library_models_dir
from photo_tagger.gui.closer_look_job import CloserLookJob
from photo_tagger.gui.jobs import JobProgress
from photo_tagger.gui.scan_job import ModelShelf, RetagJob
from photo_tagger.gui.window import MainWindow
from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.library import Library
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models
from tests.gui.conftest import WAIT_MS, MakeWindow, row_of
from tests.gui.test_tags import tag_rows
from tests.harness import ThreadServer, add_library
from tests.releases import different_models

TRIAL = "Trying the new models on your photos"
# where different_models() differs on the scanned library's photos: (lost, gained, faces)
EXPECTED_ROWS = [
    ("chelsea.jpg", "Animals, Animals/Cat", "", ""),
    ("obama.jpg", "People/Portrait", "", "1 → 0"),  # People stays: the objects show a person
    ("obama2.jpg", "Clothing/Tie, People/Portrait", "Clothing/Suit", "1 → 0"),
]


def serve_release(
    storage: Storage, server: ThreadServer, library: Path, models: Path, tmp_path: Path
) -> str:
    """`models` published as release 2 on the server, signed by a key the library trusts; the
    library synced with that server. Returns its token."""
    _, token = add_library(storage, "Home")
    key = tmp_path / "keys" / "release.key"
    public = generate_key_pair(key)
    publish_release(models, tmp_path / "server" / "models", load_private_key(key), 2, "0.1")
    (library / "trusted-keys").mkdir()  # as `photo-tagger models trust` does
    shutil.copy(public, library / "trusted-keys" / public.name)
    with Library.open(library) as opened:
        sync.remember(opened.log, server.url, token)
    return token


def seen(window: MainWindow) -> dict[str, Any]:
    """Everything the window shows and the document holds about every photo."""
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    ids = [r[0] for r in session.catalog.rows]
    return {
        "facts": {pid: session.facts_of(pid) for pid in ids},
        "auto": {pid: session.doc.auto_tags(pid) for pid in ids},
        "user": {pid: session.doc.user_tags(pid) for pid in ids},
        "faces": {pid: session.doc.faces(pid) for pid in ids},
        "tag panel": tag_rows(window),
        "models": window.services.models_dir(session.path),
    }


def table_rows(window: MainWindow) -> list[tuple[str, ...]]:
    dialog = window.links.new_models.dialog
    assert dialog is not None
    table = dialog.table
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def test_new_models_are_tried_in_the_background_and_used_only_once_accepted(
    make_window: MakeWindow,
    scanned_library: Path,
    server: ThreadServer,
    storage: Storage,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    serve_release(storage, server, scanned_library, different_models(tmp_path), tmp_path)
    window = make_window(
        library=scanned_library,
        threads=True,  # the jobs on a thread of their own, as in the app
        models_dir=library_models_dir,
        load_models=ModelShelf(Models.load),
    )
    session = window.session
    assert session is not None
    qtbot.waitUntil(lambda: window.sync_label.text() == "Synced", timeout=WAIT_MS)
    cat = row_of(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    window.tag_editor.add_tag("Pets/Chelsea")
    qtbot.waitUntil(lambda: "Pets/Chelsea" in tag_rows(window), timeout=WAIT_MS)
    before = seen(window)
    progress: list[JobProgress] = []
    window.jobs.progress.connect(progress.append)

    window.commands.model_updates.trigger()
    button = window.links.new_models.button
    qtbot.waitUntil(button.isVisible, timeout=WAIT_MS)
    assert button.text() == "New models: 3 of 4 photos would change — Review"
    assert any(p.title == TRIAL and p.total == 4 and p.done == 4 for p in progress)
    assert not window.jobs.busy
    assert seen(window) == before  # nothing the user sees changed, nor the document

    button.click()
    dialog = window.links.new_models.dialog
    assert dialog is not None and dialog.isVisible()
    assert table_rows(window) == EXPECTED_ROWS
    assert "would change on 3 of them" in dialog.intro.text()
    assert "Nothing changes until you accept it" in dialog.intro.text()
    assert seen(window) == before

    titles: list[str] = []
    window.jobs.started.connect(titles.append)
    dialog.accept_button.click()
    assert not button.isVisible() and not dialog.isVisible()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=WAIT_MS)
    assert titles == [RetagJob.title, CloserLookJob.title]  # and the new models' objects
    folder = window.services.models_dir(session.path)
    assert folder == scanned_library.absolute() / "models" / "releases" / "2"
    qtbot.waitUntil(lambda: "Animals/Cat" not in tag_rows(window), timeout=WAIT_MS)
    assert "Pets/Chelsea" in tag_rows(window)  # the user's tag stays
    after = seen(window)
    assert after["user"] == before["user"]
    changed = {}
    for pid, facts in after["facts"].items():
        was = before["facts"][pid]
        lost = sorted(was.tags.keys() - facts.tags.keys())
        gained = sorted(facts.tags.keys() - was.tags.keys())
        if lost or gained or was.faces != facts.faces:
            changed[session.path_of(pid)] = (lost, gained, (was.faces, facts.faces))
    assert {Path(p).name: v for p, v in changed.items()} == {  # what the review said happened
        "chelsea.jpg": (["Animals", "Animals/Cat"], [], (0, 0)),
        "obama.jpg": (["People/Portrait"], [], (1, 0)),
        "obama2.jpg": (["Clothing/Tie", "People/Portrait"], ["Clothing/Suit"], (1, 0)),
    }


def test_rejected_new_models_leave_the_window_as_it_was(
    make_window: MakeWindow,
    scanned_library: Path,
    server: ThreadServer,
    storage: Storage,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    serve_release(storage, server, scanned_library, different_models(tmp_path), tmp_path)
    window = make_window(
        library=scanned_library, models_dir=library_models_dir, load_models=ModelShelf(Models.load)
    )
    window.grid.select_ids([row_of(window, "chelsea.jpg")])
    before = seen(window)
    window.commands.model_updates.trigger()  # the download and the trial, inline here
    button = window.links.new_models.button
    assert button.isVisible()
    button.click()
    dialog = window.links.new_models.dialog
    assert dialog is not None
    dialog.reject_button.click()
    assert not button.isVisible() and not window.jobs.busy
    assert "Model release 2 was dropped" in window.statusBar().currentMessage()
    assert seen(window) == before
    assert not (scanned_library / "models" / "candidate").exists()
    assert not report_file(scanned_library).exists()

    window.commands.model_updates.trigger()  # the same release again: not downloaded
    assert "which you rejected" in window.statusBar().currentMessage()
    assert not button.isVisible() and seen(window) == before


def test_new_models_left_waiting_are_shown_when_the_library_opens(
    make_window: MakeWindow,
    scanned_library: Path,
    server: ThreadServer,
    storage: Storage,
    tmp_path: Path,
) -> None:
    token = serve_release(storage, server, scanned_library, different_models(tmp_path), tmp_path)
    assert model_updater(scanned_library).update(server.url, token).waiting
    with Library.open(scanned_library) as library:  # as `photo-tagger models update` does
        try_candidate(library)
    window = make_window(library=scanned_library, models_dir=library_models_dir)
    button = window.links.new_models.button
    assert button.isVisible() and "3 of 4 photos would change" in button.text()
    assert not window.jobs.busy  # what was found is read, not found again
    window.close()

    report_file(scanned_library).unlink()  # not tried yet: it is, in the background
    window = make_window(library=scanned_library, models_dir=library_models_dir)
    assert window.services.models_dir(scanned_library) == default_models_dir()
    button = window.links.new_models.button
    assert button.isVisible() and "3 of 4 photos would change" in button.text()
    assert report_file(scanned_library).exists()
