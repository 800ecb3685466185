"""A server that keeps too many updates waiting for edits it never received answers 409 and tells
the device to sync from scratch: the device then sends its whole document, once, and if even that
is refused says so in words (and never tries again and again)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import requests

from photo_tagger.errors import SyncServerError
from photo_tagger.server.app import Limits, create_app
from photo_tagger.server.inference import add_inference
from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.background_sync import BackgroundSync
from photo_tagger.store.library import Library
from photo_tagger.store.wire import SYNC_PATH, encode_request
from tests.harness import HeldPort, ThreadServer, add_library, sqlite_storage
from tests.server.test_auth import EMPTY_STATE, post
from tests.server.test_waiting import never_placed
from tests.store.conftest import OTHER, PHOTO
from tests.store.hostile_http import HostileServer, as_json
from tests.store.test_sync import everything
from tests.store.test_sync_background import Statuses

BOUND = 3  # updates the server keeps waiting for one library


def bounded(storage: Storage, port: HeldPort) -> ThreadServer:
    """The real server on `storage`, keeping at most BOUND updates waiting per library."""
    srv = ThreadServer(storage, port=port)
    srv.app = create_app(storage, Limits(max_waiting=BOUND), [add_inference])
    return srv


def restore(database: Path, backup: Path) -> Storage:
    """The server's database put back as it was in `backup`."""
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    shutil.copy(backup, database)
    return sqlite_storage(database.parent)


def client(library: Library, url: str, token: str) -> sync.SyncClient:
    sync.remember(library.log, url, token)
    return sync.SyncClient(library, url, token, requests.Session())


def test_told_to_sync_from_scratch_the_device_sends_everything_and_converges(
    tmp_path: Path, storage: Storage, held_port: HeldPort
) -> None:
    library_id, token = add_library(storage, "Family")
    database = Path(storage.location)
    # the library stays open throughout: its next edit follows the ones the server will lose
    with Library.open(tmp_path / "a") as a:
        with bounded(storage, held_port) as srv:
            a.document.set_user_tag(PHOTO, "Family", True)
            client(a, srv.url, token).sync_once()
            storage.close()
            shutil.copy(database, tmp_path / "backup.sqlite3")
            a.document.set_user_tag(PHOTO, "Places/Beach", True)
            client(a, srv.url, token).sync_once()
        storage.close()
        restored = restore(database, tmp_path / "backup.sqlite3")  # the beach is gone from it
        try:
            with bounded(restored, held_port) as srv:
                # a device with a bug leaves the server as many waiting updates as it keeps
                body = encode_request(EMPTY_STATE, never_placed(BOUND))
                assert post(srv.url, body, token).status_code == 200
                # this edit waits for the beach, which the server lost: one too many
                a.document.set_user_tag(OTHER, "Holidays/Lisbon", True)
                result = client(a, srv.url, token).sync_once()
                assert result.pending == 0
                assert [p for p in srv.paths if p == SYNC_PATH] == [SYNC_PATH] * 3
                with Library.open(tmp_path / "b") as b:
                    client(b, srv.url, token).sync_once()
                    assert {"Family", "Places/Beach"} <= set(b.document.user_tags(PHOTO))
                    assert b.document.user_tags(OTHER) == {"Holidays/Lisbon": True}
                    assert everything(b.document) == everything(a.document)
                    # and from now on the device sends only its new edits again
                    a.document.set_user_tag(OTHER, "Food/Coffee", True)
                    again = client(a, srv.url, token).sync_once()
                    assert again.round_trips == 1 and again.sent_bytes < 1000
                    client(b, srv.url, token).sync_once()
                    assert everything(b.document) == everything(a.document)
        finally:
            restored.close()


REFUSED = as_json(
    {
        "detail": "Refused: this library would keep too many updates waiting. The device must sync "
        "from scratch"
    },
    409,
)


def test_refused_even_from_scratch_it_says_so_and_tries_once(tmp_path: Path) -> None:
    with HostileServer(lambda method, path: REFUSED) as server:
        with Library.open(tmp_path / "a") as a:
            a.document.set_user_tag(PHOTO, "Family", True)
            with pytest.raises(SyncServerError) as err:
                client(a, server.url, "0" * 12 + "." + "0" * 64).sync_once()
            assert server.paths == [SYNC_PATH, SYNC_PATH]  # the edits, then everything: no more
            message = str(err.value)
            assert "refused" in message and "whole library" in message
            assert "saved here" in message and "administrator" in message
            assert sync.pending_edits(a.log) == 1
        # in the window: the status says it in words, and the next try waits its turn
        statuses = Statuses()
        worker = BackgroundSync(
            tmp_path / "a", statuses, rng=random.Random(7), backoff_initial=600, backoff_max=600
        )
        worker.start()
        try:
            offline = statuses.wait_for(lambda s: s.state == "offline")
        finally:
            worker.stop()
    assert "whole library" in offline.message and offline.pending == 1
    assert len(server.paths) == 2 + 2 * worker.attempts
