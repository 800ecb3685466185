"""The window syncs its library with a real server on 127.0.0.1: set in the settings dialog, edits
go up soon after they are made, wait while the server is away, go when it is back ("Sync Now"),
and what other devices did comes in."""

from __future__ import annotations

from pathlib import Path

import requests
from pytestqt.qtbot import QtBot

from photo_tagger.gui.settings_dialog import SYNC_TAB, SettingsDialog
from photo_tagger.gui.window import MainWindow
from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.background_sync import SyncStatus
from photo_tagger.store.library import Library
from photo_tagger.store.sync import SyncClient
from tests.gui.conftest import WAIT_MS, MakeWindow, row_of
from tests.gui.test_tags import tag_rows
from tests.harness import ThreadServer, add_library


class Statuses:
    """The sync statuses the window shows, in order."""

    def __init__(self, window: MainWindow) -> None:
        self.seen: list[SyncStatus] = []
        window.sync.statusChanged.connect(self._note)

    def _note(self, status: SyncStatus | None) -> None:
        if status is not None:
            self.seen.append(status)

    def mark(self) -> int:
        return len(self.seen)

    def since(self, mark: int, state: str) -> bool:
        return any(s.state == state for s in self.seen[mark:])


def other_device(path: Path, url: str, token: str) -> Library:
    library = Library.open(path)
    sync.remember(library.log, url, token)
    return library


def sync_once(library: Library) -> None:
    settings = sync.SyncSettings.of(library.log)
    assert settings is not None
    with requests.Session() as session:
        SyncClient(library, settings.server, settings.token, session).sync_once()


def test_edits_sync_wait_offline_and_go_when_the_server_is_back(
    make_window: MakeWindow,
    scanned_library: Path,
    server: ThreadServer,
    storage: Storage,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    _, token = add_library(storage, "Home")
    window = make_window(library=scanned_library)
    statuses = Statuses(window)
    assert not window.sync_label.isVisible()  # no server yet: nothing to say

    dialog = SettingsDialog(window.current_settings(), window)
    dialog.sync_server.setText(server.url + "/")
    problem = dialog.problem()
    assert problem is not None and problem[0] == SYNC_TAB and "token" in problem[1]
    dialog.sync_token.setText(token)
    assert dialog.problem() is None
    window.apply_settings(dialog.values())
    qtbot.waitUntil(lambda: window.sync_label.text() == "Synced", timeout=WAIT_MS)
    assert window.sync_label.isVisible()

    coffee, cat = row_of(window, "coffee.jpg"), row_of(window, "chelsea.jpg")
    window.grid.select_ids([coffee])
    mark = statuses.mark()
    window.tag_editor.add_tag("Trips/Lisbon")
    qtbot.waitUntil(lambda: statuses.since(mark, "synced"), timeout=WAIT_MS)
    laptop = other_device(tmp_path / "laptop", server.url, token)
    sync_once(laptop)
    assert laptop.document.user_tags(coffee) == {"Trips/Lisbon": True}  # it reached the server

    server.stop()
    window.tag_editor.add_tag("Trips/Porto")
    qtbot.waitUntil(lambda: window.sync_label.text() == "Offline, 1 edit waiting", timeout=WAIT_MS)
    assert "Cannot reach the sync server" in window.sync_label.toolTip()

    # meanwhile the laptop names the cat; it syncs once the server is back
    laptop.document.set_user_tag(cat, "Pets/Chelsea", True)
    server.start()  # the same address
    sync_once(laptop)
    window.grid.select_ids([cat])
    window.commands.sync_now.trigger()  # no waiting for the backoff
    qtbot.waitUntil(lambda: window.sync_label.text() == "Synced", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Pets/Chelsea" in tag_rows(window), timeout=WAIT_MS)
    assert tag_rows(window)["Pets/Chelsea"][0] == "you"
    sync_once(laptop)
    assert laptop.document.user_tags(coffee) == {"Trips/Lisbon": True, "Trips/Porto": True}
    laptop.close()

    # "Stop syncing": the server is forgotten, the status bar stops talking about it
    values = window.current_settings()
    assert values.sync_server == server.url and values.sync_token == token
    dialog = SettingsDialog(values, window)
    dialog._stop_syncing()
    window.apply_settings(dialog.values())
    assert not window.sync.active and not window.sync_label.isVisible()
    session = window.session
    assert session is not None and sync.SyncSettings.of(session.library.log) is None
