"""BackgroundSync on a real server: soon after an edit, periodically, backing off with jitter
while the server is unreachable, and saying so through its status."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.background_sync import BackgroundSync, SyncStatus, backoff_delays
from photo_tagger.store.library import Library
from tests.harness import HANG, HeldPort, ThreadServer, add_library
from tests.store.conftest import PHOTO
from tests.store.hostile import write_as_peer
from tests.store.test_sync_client import mallory_as_text


class Statuses:
    """Every status a BackgroundSync reported, with a way to wait for one."""

    def __init__(self) -> None:
        self.seen: list[SyncStatus] = []
        self._cond = threading.Condition()

    def __call__(self, status: SyncStatus) -> None:
        with self._cond:
            self.seen.append(status)
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.seen)

    def wait_for(
        self, check: Callable[[SyncStatus], bool], since: int = 0, count: int = 1
    ) -> SyncStatus:
        """The `count`-th status from the `since`-th on that passes `check`, waiting for it."""
        deadline = time.monotonic() + HANG
        with self._cond:
            while True:
                passing = [s for s in self.seen[since:] if check(s)]
                if len(passing) >= count:
                    return passing[count - 1]
                left = deadline - time.monotonic()
                assert left > 0, f"no such status; saw {self.seen}"
                self._cond.wait(left)


class NotingRandom(random.Random):
    """A seeded random.Random that notes the range of every number drawn with uniform()."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.ranges: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.ranges.append((a, b))
        return super().uniform(a, b)


def background(
    path: Path, statuses: Statuses, rng: random.Random | None = None, **options: float
) -> BackgroundSync:
    settings: dict[str, float] = {"interval": 30.0, "edit_delay": 0.05}
    settings.update(options)
    rng = rng or random.Random(7)
    return BackgroundSync(path, statuses, rng=rng, **settings)  # type: ignore[arg-type]


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


def test_backs_off_with_jitter_while_offline_and_recovers(
    tmp_path: Path, storage: Storage, held_port: HeldPort
) -> None:
    _, token = add_library(storage, "Family")
    with Library.open(tmp_path / "a") as a:
        sync.remember(a.log, held_port.url, token)  # nothing listens there yet
        a.document.set_user_tag(PHOTO, "Family", True)
    statuses, rng = Statuses(), NotingRandom(7)
    worker = background(tmp_path / "a", statuses, rng, backoff_initial=0.05, backoff_max=0.4)
    worker.start()
    try:
        offline = statuses.wait_for(lambda s: s.state == "offline")
        assert offline.pending == 1 and offline.text() == "Offline, 1 edit waiting"
        assert "Cannot reach" in offline.message
        statuses.wait_for(lambda s: s.state == "offline", count=6)  # six tries failed
        # after each failed try the next delay is drawn (jittered within [d/2, d]): d doubles
        # from backoff_initial up to backoff_max, and stays there
        assert rng.ranges[:5] == [(d / 2, d) for d in (0.05, 0.1, 0.2, 0.4, 0.4)]
        with ThreadServer(storage, port=held_port):  # the network is back
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


def test_stop_wakes_the_thread_from_its_wait(tmp_path: Path) -> None:
    statuses = Statuses()
    worker = BackgroundSync(
        tmp_path / "a", statuses, session_factory=requests.Session, backoff_max=100 * HANG
    )
    Library.open(tmp_path / "a").close()
    worker.start()
    statuses.wait_for(lambda s: s.state == "refused")  # no server set for this library
    # it would look again only after backoff_max, far longer than stop() waits for it
    worker.stop(timeout=HANG)
    assert worker._thread is not None and not worker._thread.is_alive()


def test_changes_the_server_refuses_show_refused_and_are_not_retried_at_once(
    tmp_path: Path, storage: Storage
) -> None:
    _, token = add_library(storage, "Family")
    with ThreadServer(storage) as server:
        with Library.open(tmp_path / "a") as a:
            sync.remember(a.log, server.url, token)
            write_as_peer(a, mallory_as_text)
        statuses, rng = Statuses(), NotingRandom(7)
        worker = background(tmp_path / "a", statuses, rng, backoff_initial=0.05)
        worker.start()
        try:
            done = statuses.wait_for(lambda s: s.state in ("refused", "offline", "synced"))
            assert done.state == "refused" and done.text() == "Sync refused"
            assert "person mallory" in done.message and "photo-tagger check" in done.message
            # not the offline backoff, which would send the same refused changes again soon:
            # looked at again only after backoff_max, or when the user asks
            assert rng.ranges == []
        finally:
            worker.stop()
