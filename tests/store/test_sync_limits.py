"""The sync client against a hostile server (an answer that never ends, one that drips its body or
its headers) and against a full disk here: each is a clear error in words, handled as being
offline, and the blame goes where it belongs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import requests

from photo_tagger.errors import LibraryError, SyncOfflineError
from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.background_sync import BackgroundSync
from photo_tagger.store.library import Library
from photo_tagger.store.wire import SYNC_PATH
from tests.harness import HANG, ThreadServer, add_library, wait_until
from tests.store.conftest import OTHER, PHOTO
from tests.store.hostile_http import Answer, HostileServer, drip, drip_head, endless
from tests.store.test_sync_background import Statuses

TOKEN = "0" * 12 + "." + "0" * 64


def hostile_sync(library: Library, url: str, **limits: float) -> sync.SyncResult:
    sync.remember(library.log, url, TOKEN)
    client = sync.SyncClient(library, url, TOKEN, requests.Session(), (5.0, 5.0), **limits)  # type: ignore[arg-type]
    return client.sync_once()


def test_an_endless_answer_is_cut_at_the_cap_and_counts_as_offline(tmp_path: Path) -> None:
    with HostileServer(lambda method, path: endless()) as server, Library.open(tmp_path / "a") as a:
        a.document.set_user_tag(PHOTO, "Family", True)
        with pytest.raises(SyncOfflineError, match=r"went on past the 1\.0 MB accepted") as err:
            hostile_sync(a, server.url, max_answer=1 << 20, deadline=HANG)
        assert "go up at the next sync" in str(err.value)
        assert sync.pending_edits(a.log) == 1


def test_an_answer_declaring_more_than_the_cap_is_not_read(tmp_path: Path) -> None:
    big = Answer("bytes", body=b"x" * (2 << 20))
    with HostileServer(lambda method, path: big) as server, Library.open(tmp_path / "a") as a:
        too_large = r"announced 2\.0 MB past the 1\.0 MB"
        with pytest.raises(SyncOfflineError, match=too_large):
            hostile_sync(a, server.url, max_answer=1 << 20, deadline=HANG)


def test_a_dripping_answer_stops_at_the_deadline_and_counts_as_offline(tmp_path: Path) -> None:
    with HostileServer(lambda method, path: drip()) as server, Library.open(tmp_path / "a") as a:
        a.document.set_user_tag(PHOTO, "Family", True)
        with pytest.raises(SyncOfflineError, match="within 0.3 seconds"):
            hostile_sync(a, server.url, deadline=0.3)
        assert sync.pending_edits(a.log) == 1


def test_a_server_dripping_its_headers_stops_at_the_deadline_and_counts_as_offline(
    tmp_path: Path,
) -> None:
    """A status line and headers that come a byte every half second and never end: each read
    gets its byte well within the read timeout, so only the exchange's deadline can end it."""
    route = lambda method, path: drip_head()  # noqa: E731
    with HostileServer(route, drip_interval=0.5) as server, Library.open(tmp_path / "a") as a:
        a.document.set_user_tag(PHOTO, "Family", True)
        with pytest.raises(SyncOfflineError, match="within 2 seconds") as err:
            hostile_sync(a, server.url, deadline=2.0)
        assert "go up at the next sync" in str(err.value)
        assert sync.pending_edits(a.log) == 1
        wait_until(lambda: server.ended, "the dripped answer to end")
        assert server.ended == [(SYNC_PATH, "hung up")]  # the client ended it, not the server


def test_the_background_sync_backs_off_from_an_endless_answer(tmp_path: Path) -> None:
    with HostileServer(lambda method, path: endless()) as server:
        with Library.open(tmp_path / "a") as a:
            sync.remember(a.log, server.url, TOKEN)
            a.document.set_user_tag(PHOTO, "Family", True)
        statuses = Statuses()
        worker = BackgroundSync(
            tmp_path / "a", statuses, rng=random.Random(7), max_answer=1 << 16, deadline=HANG
        )
        worker.start()
        try:
            offline = statuses.wait_for(lambda s: s.state == "offline")
        finally:
            worker.stop()
    assert "past the 64.0 KB accepted" in offline.message and offline.pending == 1


def test_a_full_disk_here_is_not_blamed_on_the_server(
    tmp_path: Path, server: ThreadServer, storage: Storage
) -> None:
    _, token = add_library(storage, "Family")
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        for i in range(300):
            a.document.set_user_tag(PHOTO if i % 2 else OTHER, f"Tag {i} " + "x" * 180, True)
        sync.remember(a.log, server.url, token)
        sync.SyncClient(a, server.url, token, requests.Session()).sync_once()
        sync.remember(b.log, server.url, token)
        pages = b.log._conn.execute("PRAGMA page_count").fetchone()[0]
        b.log._conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
        with pytest.raises(LibraryError) as err:
            sync.SyncClient(b, server.url, token, requests.Session()).sync_once()
        message = str(err.value)
        assert "could not be saved on this computer" in message and "disk is full" in message
        assert "administrator" not in message
        b.log._conn.execute("PRAGMA max_page_count = 1073741823")  # space was freed
        sync.SyncClient(b, server.url, token, requests.Session()).sync_once()
        assert len(b.document.user_tags(PHOTO)) == 150
