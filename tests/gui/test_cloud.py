"""The window and the cloud peer (the real server on 127.0.0.1): refining unsure photos with the
cloud model, opt-in (nothing at all is sent while it is off), and a signed model release, tried on
the library and, once the user accepts it, used to re-tag the photos in the background."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from photo_tagger.gui.app import library_models_dir
from photo_tagger.gui.facts import CLOUD
from photo_tagger.gui.scan_job import ModelShelf
from photo_tagger.gui.settings_dialog import CLOUD_TAB, SettingsDialog
from photo_tagger.server.storage import Storage
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models
from tests.cloud.test_escalation import photos_sent
from tests.gui.conftest import WAIT_MS, MakeWindow, copy_photos, grid_names, row_of
from tests.gui.test_filters import click_node
from tests.gui.test_new_models import serve_release
from tests.gui.test_tags import tag_rows
from tests.harness import ThreadServer, add_library
from tests.releases import bumped_models


def test_unsure_photos_are_refined_in_the_cloud_only_when_turned_on(
    make_window: MakeWindow,
    scanned_library: Path,
    server: ThreadServer,
    storage: Storage,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    _, token = add_library(storage, "Home")
    window = make_window(library=scanned_library)
    session = window.session
    assert session is not None

    window.commands.refine.trigger()  # off: a word in the status bar, and not a single request
    assert "off for this library" in window.statusBar().currentMessage()
    assert not window.jobs.busy and server.paths == []

    dialog = SettingsDialog(window.current_settings(), window)
    assert "nothing is sent" in dialog.privacy.text()
    dialog.cloud_enabled.setChecked(True)
    assert dialog.problem() is not None and dialog.problem()[0] == CLOUD_TAB  # type: ignore[index]
    dialog.cloud_endpoints.setPlainText(f"{server.url}\n")
    dialog.cloud_token.setText(token)
    dialog.cloud_threshold.setValue(1.0)  # every photo is unsure enough
    dialog.cloud_budget.setValue(2)  # ... but two a day
    dialog.cloud_max_side.setValue(512)
    assert "512 px" in dialog.privacy.text()
    assert dialog.problem() is None
    window.apply_settings(dialog.values())
    assert server.paths == []  # turning it on sends nothing by itself

    window.commands.refine.trigger()  # the job runs inline here
    assert "2 photos refined, 2 waiting" in window.statusBar().currentMessage()
    assert len(photos_sent(server)) == 2
    refined = [r[0] for r in session.catalog.rows if session.facts_of(r[0]).cloud_model]
    assert len(refined) == 2

    # the tag panel says so, and a filter shows them
    window.grid.select_ids([refined[0]])
    model = session.facts_of(refined[0]).cloud_model
    assert window.tag_editor.cloud_note.text() == f"Refined in the cloud by {model}"
    assert "cloud" in {row[0] for row in tag_rows(window).values()}
    window.grid.select_ids([row_of(window, name) for name in grid_names(window)])
    assert window.tag_editor.cloud_note.text().startswith("2 of the 4 photos refined")
    click_node(window, qtbot, CLOUD)
    assert sorted(row_of(window, n) for n in grid_names(window)) == sorted(refined)
    assert window.filters._items[CLOUD].text() == "Refined in the cloud  (2)"

    values = window.current_settings()  # what the dialog shows next time
    assert values.cloud_enabled and values.cloud_endpoints == (server.url,)
    assert values.cloud_max_side == 512
    assert values.cloud_status.startswith("2 photos refined, 2 waiting, 2 sent today\n")

    # while it is on, photos added later go by themselves, as far as the budget allows
    window.apply_settings(replace(values, cloud_budget=3))
    done: list[tuple[str, str]] = []
    window.jobs.finished.connect(lambda title, summary: done.append((title, summary)))
    window.add_paths([str(copy_photos(tmp_path / "more", ("rocket.jpg",)))])
    assert done[0] == (
        "Refining unsure photos in the cloud",
        "1 photo refined, 2 waiting (today's budget is spent)",
    )
    assert len(photos_sent(server)) == 3


def test_a_model_update_waits_for_accept_then_the_photos_are_re_tagged(
    make_window: MakeWindow,
    scanned_library: Path,
    server: ThreadServer,
    storage: Storage,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    """Once the window switched to a new release at once; now it tries it, says what it would
    change, and switches when the user accepts (tests/gui/test_new_models.py has the rest)."""
    serve_release(storage, server, scanned_library, bumped_models(tmp_path), tmp_path)
    window = make_window(
        library=scanned_library, models_dir=library_models_dir, load_models=ModelShelf(Models.load)
    )
    session = window.session
    assert session is not None
    # it has a server: it syncs
    qtbot.waitUntil(lambda: window.sync_label.text() == "Synced", timeout=WAIT_MS)
    cat = row_of(window, "chelsea.jpg")
    window.grid.select_ids([cat])
    window.tag_editor.add_tag("Pets/Chelsea")

    done: list[tuple[str, str]] = []
    window.jobs.finished.connect(lambda title, summary: done.append((title, summary)))
    window.commands.model_updates.trigger()  # the download, then the trial, inline here
    assert window.services.models_dir(session.path) == default_models_dir()
    assert [summary.split(" (")[0] for _, summary in done] == [
        "0 of 4 photos would change",  # the same models, but for the tagger's version
        "downloaded model release 2",
    ]
    button = window.links.new_models.button
    assert button.isVisible() and button.text() == "New models: 0 of 4 photos would change — Review"

    button.click()
    dialog = window.links.new_models.dialog
    assert dialog is not None and dialog.isVisible() and dialog.table.rowCount() == 0
    dialog.accept_button.click()  # the re-tagging, inline here
    folder = window.services.models_dir(session.path)
    assert folder == scanned_library.absolute() / "models" / "releases" / "2"
    assert done[-1] == ("Re-tagging with the new models", "4 photos re-tagged")
    assert not button.isVisible()
    models = {
        a["model"]
        for r in session.catalog.rows
        for a in session.doc.auto_tags(r[0]).values()
        if a["source"] == "local"
    }
    assert models == {"mobilenet-v2-imagenet@2+vocabulary@3"}
    assert session.doc.user_tags(cat) == {"Pets/Chelsea": True}  # the user's tag stays
    qtbot.waitUntil(lambda: "Pets/Chelsea" in tag_rows(window), timeout=WAIT_MS)
    assert tag_rows(window)["Animals/Cat"] == ("model", tag_rows(window)["Animals/Cat"][1], "")

    window.commands.model_updates.trigger()  # again: nothing newer
    assert "up to date (release 2)" in window.statusBar().currentMessage()


def test_settings_say_what_to_fix_before_they_are_applied(
    make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window()
    values = replace(window.current_settings(), sync_server="photos.example.org", sync_token="t")
    dialog = SettingsDialog(values, window)
    problem = dialog.problem()
    assert problem is not None and "is not a sync server address" in problem[1]
    dialog.sync_server.setText("https://photos.example.org")
    dialog.cloud_enabled.setChecked(True)
    dialog.cloud_endpoints.setPlainText("inference.example.org")
    problem = dialog.problem()
    assert problem is not None and problem[0] == CLOUD_TAB and "not an inference" in problem[1]
