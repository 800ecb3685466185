"""The open library's sync with its server, as the window sees it: started when the library has a
server, told about each edit, stopped with the library; its status in the status bar.

`BackgroundSync` (photo_tagger.store.background_sync) does the syncing on its own thread with its
own copy of the library and reports there; `SyncLink` brings each status to the UI thread (a
queued signal), where the window reads in what a sync brought (`received`): the library stays the
UI thread's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from photo_tagger.store.background_sync import SyncStatus
    from photo_tagger.store.library import Library

STOP_SECONDS = 5.0  # closing waits this long at most for a sync in flight (its edits are saved)


class Syncer(Protocol):
    """What the window asks of a BackgroundSync."""

    def start(self) -> None: ...
    def stop(self, timeout: float | None = ...) -> None: ...
    def notify_edit(self) -> None: ...
    def sync_now(self) -> None: ...


StartSync = Callable[[Path, Callable[["SyncStatus"], None]], Syncer]


def background_sync(library_path: Path, on_status: Callable[[SyncStatus], None]) -> Syncer:
    """The real syncer: soon after edits, every minute, backing off while the server is away."""
    from photo_tagger.store.background_sync import BackgroundSync

    return BackgroundSync(library_path, on_status=on_status)


class SyncLink(QObject):
    started = Signal()  # syncing in the background (no status yet)
    statusChanged = Signal(object)  # SyncStatus, on the UI thread; None: not syncing
    received = Signal()  # a sync saved other devices' edits: read them in
    _posted = Signal(int, object)  # (generation, SyncStatus) from the sync thread

    def __init__(self, make: StartSync) -> None:
        super().__init__()
        self._make = make
        self._syncer: Syncer | None = None
        self._generation = 0  # statuses of a syncer stopped since are dropped
        self.status: SyncStatus | None = None
        self._posted.connect(self._on_posted)  # queued: emitted from the sync thread

    @property
    def active(self) -> bool:
        return self._syncer is not None

    def follow(self, library: Library) -> bool:
        """Sync `library` in the background if it has a server (stopping any earlier sync);
        returns whether it does."""
        from photo_tagger.store.sync import SyncSettings

        self.stop()
        if SyncSettings.of(library.log) is None:
            return False
        generation = self._generation

        def post(status: SyncStatus) -> None:
            self._posted.emit(generation, status)

        self._syncer = self._make(library.path, post)
        self._syncer.start()
        self.started.emit()
        return True

    def stop(self) -> None:
        self._generation += 1
        syncer, self._syncer = self._syncer, None
        if syncer is not None:
            syncer.stop(STOP_SECONDS)
        if self.status is not None or syncer is not None:
            self.status = None
            self.statusChanged.emit(None)

    def notify_edit(self) -> None:
        if self._syncer is not None:
            self._syncer.notify_edit()

    def sync_now(self) -> bool:
        if self._syncer is None:
            return False
        self._syncer.sync_now()
        return True

    def _on_posted(self, generation: int, status: SyncStatus) -> None:
        if generation != self._generation:
            return
        self.status = status
        self.statusChanged.emit(status)
        if status.received:
            self.received.emit()


class SyncIndicator(QLabel):
    """The status bar's "Synced" / "3 edits waiting" / "Offline, 3 edits waiting" / "Sync
    refused"; why, in its tooltip. Hidden while the library has no server."""

    def __init__(self, link: SyncLink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVisible(False)
        link.started.connect(self.starting)
        link.statusChanged.connect(self.show_status)

    def starting(self) -> None:
        self.setText("Syncing…")
        self.setToolTip("")
        self.setVisible(True)

    def show_status(self, status: SyncStatus | None) -> None:
        if status is None:
            self.setVisible(False)
            return
        self.setText(status.text())
        tip = status.message or {
            "synced": "Every edit made here is on the sync server.",
            "waiting": "Edits made here go up to the sync server in a moment.",
        }.get(status.state, "")
        self.setToolTip(tip)
        self.setVisible(True)
