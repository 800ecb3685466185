"""BackgroundSync on a real server: soon after an edit, periodically, backing off with jitter
while the server is unreachable, and saying so through its status."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.background_sync import BackgroundSync, SyncStatus, backoff_delays
from photo_tagger.store.library import Library
from tests.server.harness import ThreadServer, add_library, free_port, sqlite_storage
from tests.store.conftest import PHOTO


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    s = sqlite_storage(tmp_path / "server")
    yield s
    s.close()


class Statuses:
    """Every status a BackgroundSync reported, with a way to wait for one."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, SyncStatus]] = []
        self._cond = threading.Condition()

    def __call__(self, status: SyncStatus) -> None:
        with self._cond:
            self.seen.append((time.monotonic(), status))
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.seen)

    def wait_for(
        self, check: Callable[[SyncStatus], bool], since: int = 0, timeout: float = 10.0
    ) -> SyncStatus:
        """The first status from the `since`-th on that passes `check`, waiting for it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            start = since
            while True:
                for _, status in self.seen[start:]:
                    if check(status):
                        return status
                start = len(self.seen)
                left = deadline - time.monotonic()
                assert left > 0, f"no such status; saw {[s for _, s in self.seen]}"
                self._cond.wait(left)

    def states(self) -> list[str]:
        return [s.state for _, s in self.seen]


def background(path: Path, statuses: Statuses, **options: float) -> BackgroundSync:
    settings: dict[str, float] = {"interval": 30.0, "edit_delay": 0.05}
    settings.update(options)
    return BackgroundSync(path, statuses, rng=random.Random(7), **settings)  # type: ignore[arg-type]


def test_edits_go_up_soon_and_other_libraries_hear_of_them(
    tmp_path: Path, storage: Storage
) -> None:
    _, token = add_library(storage, "Family")
    with (
        ThreadServer(storage) as server,
        Library.open(tmp_path / "a") as a,
        Library.open(tmp_path / "b") as b,
    ):
        sync.remember(a.log, server.url, token)
        sync.remember(b.log, server.url, token)
        a_status, b_status = Statuses(), Statuses()
        a_sync = background(tmp_path / "a", a_status)
        b_sync = background(tmp_path / "b", b_status, interval=0.2)
        a_sync.start()
        b_sync.start()
        try:
            a_status.wait_for(lambda s: s.state == "synced")
            mark = a_status.mark()
            a.document.set_user_tag(PHOTO, "Family", True)
            a.document.set_user_tag(PHOTO, "Places/Beach", True)
            a_sync.notify_edit()
            waiting = a_status.wait_for(lambda s: s.state == "waiting", since=mark)
            assert waiting.pending == 2 and waiting.text() == "2 edits waiting"
            a_status.wait_for(lambda s: s.state == "synced", since=mark)
            # b's periodic sync brings the edits; its window refreshes its own document
            b_status.wait_for(lambda s: s.received)
            assert b.document.user_tags(PHOTO) == {}  # not yet: the window's copy
            b.log.refresh()
            assert b.document.user_tags(PHOTO) == {"Family": True, "Places/Beach": True}
        finally:
            a_sync.stop()
            b_sync.stop()
        assert not a_sync._thread or not a_sync._thread.is_alive()


def test_backs_off_with_jitter_while_offline_and_recovers(tmp_path: Path, storage: Storage) -> None:
    _, token = add_library(storage, "Family")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with Library.open(tmp_path / "a") as a:
        sync.remember(a.log, url, token)
        a.document.set_user_tag(PHOTO, "Family", True)
    statuses = Statuses()
    worker = background(tmp_path / "a", statuses, backoff_initial=0.05, backoff_max=0.4)
    worker.start()
    try:
        offline = statuses.wait_for(lambda s: s.state == "offline")
        assert offline.pending == 1 and offline.text() == "Offline, 1 edit waiting"
        assert "Cannot reach" in offline.message
        while worker.attempts < 6:
            time.sleep(0.05)
        times = [t for t, s in statuses.seen if s.state == "offline"]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert gaps[3] > gaps[0]  # backing off
        assert max(gaps) < 1.0  # ... up to backoff_max (plus the failed request's time)
        with ThreadServer(storage, port=port):  # the network is back
            statuses.wait_for(lambda s: s.state == "synced", since=statuses.mark())
    finally:
        worker.stop()


def test_a_revoked_token_shows_refused(tmp_path: Path, storage: Storage) -> None:
    _, token = add_library(storage, "Family")
    storage.revoke(token.split(".")[0])
    with ThreadServer(storage) as server:
        with Library.open(tmp_path / "a") as a:
            sync.remember(a.log, server.url, token)
        statuses = Statuses()
        worker = background(tmp_path / "a", statuses)
        worker.start()
        try:
            refused = statuses.wait_for(lambda s: s.state == "refused")
            assert refused.text() == "Sync refused" and "token" in refused.message
        finally:
            worker.stop()


def test_backoff_doubles_up_to_its_maximum_with_jitter() -> None:
    delays = backoff_delays(1.0, 8.0, random.Random(3))
    drawn = [next(delays) for _ in range(8)]
    for got, ceiling in zip(drawn, [1, 2, 4, 8, 8, 8, 8, 8], strict=True):
        assert ceiling / 2 <= got <= ceiling
    assert len({round(d, 6) for d in drawn[3:]}) == 5  # jittered, not lockstep


def test_stop_ends_the_thread_promptly(tmp_path: Path) -> None:
    statuses = Statuses()
    worker = BackgroundSync(tmp_path / "a", statuses, session_factory=requests.Session)
    Library.open(tmp_path / "a").close()
    worker.start()
    statuses.wait_for(lambda s: s.state == "refused")  # no server set for this library
    started = time.monotonic()
    worker.stop()
    assert time.monotonic() - started < 2.0
