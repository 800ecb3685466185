"""The sync client against a real server on 127.0.0.1: edits go up once, survive restarts and
lost replies, and come down to the other libraries; failures say what happened."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests
from pycrdt import Map

from photo_tagger.errors import (
    SyncNotConfiguredError,
    SyncOfflineError,
    SyncRefusedError,
    SyncServerError,
)
from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.library import Library
from tests.harness import HeldPort, ThreadServer, add_library, sqlite_storage
from tests.store.conftest import OTHER, PHOTO
from tests.store.hostile import write_as_peer
from tests.store.test_sync import everything


class LosingSession(requests.Session):
    """A real session whose next reply is lost on the way back (the request did happen)."""

    lose_next = False

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        response = super().send(request, **kwargs)  # type: ignore[arg-type]
        if self.lose_next:
            self.lose_next = False
            raise requests.ConnectionError("the connection dropped before the reply arrived")
        return response


def client(library: Library, url: str, token: str) -> sync.SyncClient:
    sync.remember(library.log, url, token)
    return sync.SyncClient(library, url, token, requests.Session())


def stored_rows(storage: Storage, library_id: str) -> list[bytes]:
    return [r.data for r in storage.rows_after(library_id, 0)]


def test_two_libraries_converge_through_the_server(
    tmp_path: Path, server: ThreadServer, storage: Storage
) -> None:
    library_id, token = add_library(storage, "Family")
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        a.document.set_auto_tags(PHOTO, {"Animals/Cat": 0.8}, "local", "tagger@1")
        a.document.set_user_tag(PHOTO, "Places/Beach", True)
        first = client(a, server.url, token).sync_once()
        assert first.pending == 0 and first.library == library_id and not first.received
        got = client(b, server.url, token).sync_once()
        assert got.received and got.received_bytes > 0
        assert b.document.user_tags(PHOTO) == {"Places/Beach": True}
        b.document.set_user_tag(PHOTO, "Places/Beach", False)
        b.document.set_user_tag(OTHER, "Family", True)
        assert client(b, server.url, token).pending_edits() == 2
        client(b, server.url, token).sync_once()
        again = client(a, server.url, token).sync_once()
        assert again.received
        assert everything(a.document) == everything(b.document)
        assert a.document.user_tags(PHOTO) == {"Places/Beach": False}
        # nothing new anywhere: a sync sends a state vector and receives nearly nothing
        quiet = client(a, server.url, token).sync_once()
        assert not quiet.received and quiet.round_trips == 1
        assert quiet.sent_bytes < 100 and quiet.received_bytes < 200


def test_offline_edits_are_durable_counted_and_go_up_once(
    tmp_path: Path, storage: Storage, held_port: HeldPort
) -> None:
    library_id, token = add_library(storage, "Family")
    url = held_port.url
    with Library.open(tmp_path / "a") as a:
        for i in range(3):
            a.document.set_user_tag(PHOTO, f"Tag {i}", True)
        with pytest.raises(SyncOfflineError, match="Cannot reach the sync server"):
            client(a, url, token).sync_once()
        assert sync.pending_edits(a.log) == 3
    with Library.open(tmp_path / "a") as a:  # a restart: still waiting
        assert sync.pending_edits(a.log) == 3
        with ThreadServer(storage, port=held_port):
            assert client(a, url, token).sync_once().pending == 0
            rows = stored_rows(storage, library_id)
            client(a, url, token).sync_once()
            assert stored_rows(storage, library_id) == rows  # nothing sent twice
    with Library.open(tmp_path / "fresh") as fresh, ThreadServer(storage, port=held_port):
        client(fresh, url, token).sync_once()
        assert set(fresh.document.user_tags(PHOTO)) == {"Tag 0", "Tag 1", "Tag 2"}


def test_a_lost_reply_is_retried_without_duplicates(
    tmp_path: Path, server: ThreadServer, storage: Storage
) -> None:
    library_id, token = add_library(storage, "Family")
    session = LosingSession()
    with Library.open(tmp_path / "a") as a:
        sync.remember(a.log, server.url, token)
        a.document.set_user_tag(PHOTO, "Family", True)
        a.document.set_user_tag(PHOTO, "Places/Beach", True)
        lossy = sync.SyncClient(a, server.url, token, session)
        lossy.sync_once()
        a.document.set_user_tag(OTHER, "Food/Coffee", True)
        session.lose_next = True
        with pytest.raises(SyncOfflineError):
            lossy.sync_once()  # the server merged it; this library cannot know
        assert lossy.pending_edits() == 1
        rows = stored_rows(storage, library_id)
        assert lossy.sync_once().pending == 0  # the same edit again
        assert stored_rows(storage, library_id) == rows  # merged once, stored once
    with Library.open(tmp_path / "b") as b:
        client(b, server.url, token).sync_once()
        assert b.document.user_tags(OTHER) == {"Food/Coffee": True}


def test_edits_kept_through_compaction_until_the_server_has_them(
    tmp_path: Path, server: ThreadServer, storage: Storage
) -> None:
    _, token = add_library(storage, "Family")
    with Library.open(tmp_path / "a") as a:
        a.document.set_user_tag(PHOTO, "Family", True)
        client(a, server.url, token).sync_once()
        a.log.compact_rows = 4  # fold the log into snapshots while the edits wait
        for i in range(12):
            a.document.set_user_tag(OTHER, f"Tag {i}", True)
        assert a.log.report.snapshot_id is not None or a.log.stats()["snapshot_bytes"] > 0
        assert sync.pending_edits(a.log) == 12
        result = client(a, server.url, token).sync_once()
        assert result.pending == 0 and result.sent_bytes < 2000  # the edits, not the snapshot
        a.log.compact()  # acknowledged: now they may go
        assert a.log.count_local_updates_since(0) == 0
    with Library.open(tmp_path / "b") as b:
        client(b, server.url, token).sync_once()
        assert len(b.document.user_tags(OTHER)) == 12


def test_a_server_restored_from_a_backup_gets_back_what_it_lost(
    tmp_path: Path, storage: Storage, held_port: HeldPort
) -> None:
    library_id, token = add_library(storage, "Family")
    database = Path(storage.location)
    with ThreadServer(storage, port=held_port) as srv, Library.open(tmp_path / "a") as a:
        a.document.set_user_tag(PHOTO, "Family", True)
        client(a, srv.url, token).sync_once()
        storage.close()
        shutil.copy(database, tmp_path / "backup.sqlite3")
        a.document.set_user_tag(PHOTO, "Places/Beach", True)
        client(a, srv.url, token).sync_once()
    storage.close()
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.sqlite3", database)  # the last edit is gone from the server
    restored = sqlite_storage(database.parent)
    try:
        assert len(stored_rows(restored, library_id)) == 1
        with ThreadServer(restored, port=held_port) as srv, Library.open(tmp_path / "a") as a:
            result = client(a, srv.url, token).sync_once()
            assert result.round_trips == 2  # its state vector showed what it lacked
            with Library.open(tmp_path / "b") as b:
                client(b, srv.url, token).sync_once()
                assert b.document.user_tags(PHOTO) == {"Family": True, "Places/Beach": True}
    finally:
        restored.close()


def test_failures_are_reported_as_what_they_are(
    tmp_path: Path, server: ThreadServer, storage: Storage
) -> None:
    library_id, token = add_library(storage, "Family")
    token_id = token.split(".")[0]
    with Library.open(tmp_path / "a") as a:
        a.document.set_user_tag(PHOTO, "Family", True)
        with pytest.raises(SyncRefusedError, match="refused this library's token"):
            client(a, server.url, token[:-1] + ("0" if token[-1] != "0" else "1")).sync_once()
        with pytest.raises(SyncServerError, match="no photo-tagger sync server"):
            client(a, server.url + "/elsewhere", token).sync_once()
        with pytest.raises(SyncNotConfiguredError, match="not a sync server address"):
            sync.remember(a.log, "photos.example.org", token)
        client(a, server.url, token).sync_once()
        assert storage.revoke(token_id)
        a.document.set_user_tag(PHOTO, "Places/Beach", True)
        with pytest.raises(SyncRefusedError):
            client(a, server.url, token).sync_once()
        assert sync.pending_edits(a.log) == 1  # refused edits wait, like offline ones


def test_remembering_another_server_starts_over(tmp_path: Path, storage: Storage) -> None:
    _, token1 = add_library(storage, "One")
    _, token2 = add_library(storage, "Two")
    with ThreadServer(storage) as srv, Library.open(tmp_path / "a") as a:
        a.document.set_user_tag(PHOTO, "Family", True)
        client(a, srv.url, token1).sync_once()
        assert sync.pending_edits(a.log) == 0
        sync.remember(a.log, srv.url, token2)  # another library on the server
        assert sync.pending_edits(a.log) == 1  # everything goes up again
        client(a, srv.url, token2).sync_once()
        with Library.open(tmp_path / "b") as b:
            client(b, srv.url, token2).sync_once()
            assert b.document.user_tags(PHOTO) == {"Family": True}
        sync.forget(a.log)
        assert sync.SyncSettings.of(a.log) is None


def test_changes_the_server_refuses_are_named_and_go_up_once_set_aside(
    tmp_path: Path, server: ThreadServer, storage: Storage
) -> None:
    library_id, token = add_library(storage, "Family")
    with Library.open(tmp_path / "a") as a:
        a.document.set_user_tag(PHOTO, "Family", True)
        write_as_peer(a, mallory_as_text)  # kept from a server that did not check what it took
        with pytest.raises(SyncRefusedError) as refused:
            client(a, server.url, token).sync_once()
        message = str(refused.value)
        assert "refused this device's changes" in message, message
        assert "person mallory (the person is 'a string', not a person's entry)" in message
        assert "Run `photo-tagger check`" in message and "--repair" in message
        assert stored_rows(storage, library_id) == []
        assert sync.pending_edits(a.log) == 1
        a.document.set_aside(a.document.malformed())  # what `photo-tagger check --repair` does
        client(a, server.url, token).sync_once()
        assert sync.pending_edits(a.log) == 0
    with Library.open(tmp_path / "b") as b:
        client(b, server.url, token).sync_once()
        assert b.document.user_tags(PHOTO) == {"Family": True} and b.document.malformed() == []


def mallory_as_text(roots: dict[str, Map]) -> None:
    roots["people"]["mallory"] = "a string"
