"""Syncing in the background, for the window: `BackgroundSync` runs syncs (store/sync.py) on a
plain thread, soon after an edit, periodically, with exponential backoff and jitter while the server
is unreachable. It keeps its own copy of the document (its own DocumentLog on the same file, as a
second process would), so the window's document is only ever touched on the window's thread: when
a sync brings changes, the status says so and the window calls `library.log.refresh()` on its own
thread.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import requests

from photo_tagger.errors import (
    PhotoTaggerError,
    SyncError,
    SyncNotConfiguredError,
    SyncRefusedError,
)
from photo_tagger.store.persistence import DocumentLog
from photo_tagger.store.sync import DEADLINE, MAX_ANSWER, SyncClient, SyncSettings, pending_edits
from photo_tagger.words import count

log = logging.getLogger(__name__)

State = Literal["synced", "waiting", "offline", "refused"]


@dataclass(frozen=True)
class SyncStatus:
    state: State
    pending: int  # edits made here that the server has not acknowledged
    message: str = ""  # why, for offline and refused
    received: bool = False  # changes from other devices were saved: refresh the library's view

    def text(self) -> str:
        """What the status bar says."""
        waiting = f"{count(self.pending, 'edit')} waiting"
        if self.state == "synced":
            return "Synced"
        if self.state == "waiting":
            return waiting
        if self.state == "offline":
            return "Offline" + (f", {waiting}" if self.pending else "")
        return "Sync refused"


@dataclass
class _Replica:
    log: DocumentLog


def backoff_delays(initial: float, maximum: float, rng: random.Random) -> Iterator[float]:
    """Exponential backoff with jitter: each delay is drawn from [d/2, d] for d = initial, 2x
    initial, ... up to `maximum`, so that many clients losing the same server spread out."""
    delay = initial
    while True:
        yield rng.uniform(delay / 2, delay)
        delay = min(maximum, delay * 2)


class BackgroundSync:
    """Keeps a library in sync from a plain thread. Qt-free: `on_status` is called on the sync
    thread, so a window forwards it to its own thread (a queued signal) before touching widgets.

    start(); notify_edit() after each edit; sync_now() for a user's "sync now"; stop().
    """

    def __init__(
        self,
        library_path: Path,
        on_status: Callable[[SyncStatus], None],
        *,
        session_factory: Callable[[], requests.Session] = requests.Session,
        interval: float = 60.0,
        edit_delay: float = 1.0,
        backoff_initial: float = 2.0,
        backoff_max: float = 300.0,
        rng: random.Random | None = None,
        timeout: tuple[float, float] = (5.0, 60.0),
        max_answer: int = MAX_ANSWER,
        deadline: float = DEADLINE,
        open_log: Callable[[Path], DocumentLog] | None = None,
    ) -> None:
        from photo_tagger.store.library import DOCUMENT_FILE

        self.document_path = Path(library_path) / DOCUMENT_FILE
        self.on_status = on_status
        self.session_factory = session_factory
        self.interval = interval
        self.edit_delay = edit_delay
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.rng = rng or random.Random()
        self.timeout = timeout
        self.max_answer, self.deadline = max_answer, deadline  # of one round trip
        self.open_log = open_log or DocumentLog.open
        self.attempts = 0  # syncs tried, for the curious (and the tests)
        self._cond = threading.Condition()
        self._stopping = self._edited = self._forced = False
        self._thread: threading.Thread | None = None
        self._status: SyncStatus | None = None

    @property
    def status(self) -> SyncStatus | None:
        return self._status

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("BackgroundSync is already started")
        self._thread = threading.Thread(target=self._run, name="photo-tagger sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the thread to finish (after the request in flight, if any) and wait for it."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def notify_edit(self) -> None:
        """An edit was saved: sync soon (edits in quick succession go up together)."""
        with self._cond:
            self._edited = True
            self._cond.notify_all()

    def sync_now(self) -> None:
        """Sync at once, even while backing off."""
        with self._cond:
            self._forced = True
            self._cond.notify_all()

    # --- the thread ---------------------------------------------------------------------------

    def _emit(self, status: SyncStatus) -> None:
        self._status = status
        try:
            self.on_status(status)
        except Exception:  # a broken listener must not stop the syncing
            log.exception("sync status listener failed")

    def _run(self) -> None:
        try:
            doc_log = self.open_log(self.document_path)
        except PhotoTaggerError as exc:
            self._emit(SyncStatus("refused", 0, str(exc)))
            return
        session = self.session_factory()
        try:
            self._loop(_Replica(doc_log), session)
        finally:
            session.close()
            doc_log.close()

    def _loop(self, replica: _Replica, session: requests.Session) -> None:
        next_sync = time.monotonic()
        backoff: Iterator[float] | None = None
        held_until = 0.0  # while backing off, edits do not bring the next try closer
        while True:
            with self._cond:
                wait = next_sync - time.monotonic()
                if wait > 0 and not (self._stopping or self._edited or self._forced):
                    self._cond.wait(wait)
                if self._stopping:
                    return
                edited, forced = self._edited, self._forced
                self._edited = self._forced = False
            now = time.monotonic()
            if forced:
                next_sync, held_until, backoff = now, 0.0, None
            elif edited:
                self._emit_pending(replica)
                next_sync = min(next_sync, max(now + self.edit_delay, held_until))
            if time.monotonic() < next_sync:
                continue
            status = self._sync(replica, session)
            self._emit(status)
            now = time.monotonic()
            if status.state in ("synced", "waiting"):
                backoff, held_until = None, 0.0
                next_sync = now + (self.edit_delay if status.pending else self.interval)
            elif status.state == "offline":
                backoff = backoff or backoff_delays(
                    self.backoff_initial, self.backoff_max, self.rng
                )
                next_sync = held_until = now + next(backoff)
            else:  # refused: only the user helps (a new token, or setting malformed values
                # aside with `photo-tagger check --repair`); look again now and then
                next_sync = held_until = now + self.backoff_max

    def _emit_pending(self, replica: _Replica) -> None:
        try:
            pending = pending_edits(replica.log)
        except PhotoTaggerError:
            return
        last = self._status
        if last is not None and last.state in ("offline", "refused"):
            self._emit(SyncStatus(last.state, pending, last.message))
        elif pending:
            self._emit(SyncStatus("waiting", pending))

    def _sync(self, replica: _Replica, session: requests.Session) -> SyncStatus:
        self.attempts += 1
        try:
            settings = SyncSettings.of(replica.log)
            if settings is None:
                raise SyncNotConfiguredError("No sync server is set for this library.")
            client = SyncClient(
                replica,
                settings.server,
                settings.token,
                session,
                self.timeout,
                max_answer=self.max_answer,
                deadline=self.deadline,
            )
            result = client.sync_once()
        except (SyncRefusedError, SyncNotConfiguredError) as exc:
            return SyncStatus("refused", self._pending(replica), str(exc))
        except SyncError as exc:
            return SyncStatus("offline", self._pending(replica), str(exc))
        except PhotoTaggerError as exc:  # the library's files: try again later, as if offline
            log.warning("sync failed: %s", exc)
            return SyncStatus("offline", self._pending(replica), str(exc))
        if result.pending:
            return SyncStatus("waiting", result.pending, received=result.received)
        return SyncStatus("synced", 0, received=result.received)

    @staticmethod
    def _pending(replica: _Replica) -> int:
        try:
            return pending_edits(replica.log)
        except PhotoTaggerError:
            return 0
