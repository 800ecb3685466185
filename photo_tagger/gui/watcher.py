"""Watched folders: photos added, changed, moved or deleted on disk are picked up by themselves.

watchdog rather than QFileSystemWatcher: Qt watches a folder for entries coming and going but not
for a file rewritten in place (on Linux it does not ask inotify for IN_MODIFY on folders), and it
needs a watch per subfolder (on Windows a thread per 64 of them); watchdog reports writes, and
watches a whole tree natively on macOS and Windows.

Events arrive on watchdog's thread and are handed to the UI thread by a queued signal. There they
are collected per folder and, once the folder has been quiet for `debounce_ms` (or at the latest
after `max_wait_ms`), `changed(folders)` asks for an incremental scan of those folders.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from photo_tagger.files.discovery import is_photo_name
from photo_tagger.gui.paths import is_inside, outermost

# Opening and reading a file (as a scan does) must not look like a change.
EVENTS = (
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
)


def folders_to_rescan(event: FileSystemEvent) -> list[str]:
    """The folders whose scan picks up what `event` changed ([] for files that are not
    photos). A folder that appeared, went or moved is rescanned from its parent."""
    paths = [os.fsdecode(event.src_path)]
    dest = os.fsdecode(getattr(event, "dest_path", "") or "")
    if dest:
        paths.append(dest)
    out = []
    for path in paths:
        parent, name = os.path.split(path)
        if name.startswith("."):
            continue
        if event.is_directory or is_photo_name(name):
            out.append(parent)
    return out


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not isinstance(event, EVENTS):
            return
        folders = folders_to_rescan(event)
        if folders:
            self._watcher.eventSeen.emit(folders)  # queued to the UI thread


class FolderWatcher(QObject):
    changed = Signal(list)  # folders to rescan, outermost first
    eventSeen = Signal(list)  # from watchdog's thread

    def __init__(
        self,
        ignore: Iterable[str] = (),
        debounce_ms: int = 1500,
        max_wait_ms: int = 10_000,
        observer: BaseObserver | None = None,
    ) -> None:
        super().__init__()
        self._ignore = [os.path.abspath(p) for p in ignore]
        self._observer = observer if observer is not None else Observer()
        self._observer.daemon = True
        self._started = False
        self._watches: dict[str, ObservedWatch] = {}
        self._pending: set[str] = set()
        self._first_event = 0.0
        self._max_wait = max_wait_ms / 1000
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._flush)
        self.eventSeen.connect(self._on_event)

    @property
    def folders(self) -> list[str]:
        return sorted(self._watches)

    def watch(self, folder: str) -> bool:
        """Start watching a folder tree; False if it does not exist (a drive not mounted)."""
        folder = os.path.abspath(folder)
        if folder in self._watches:
            return True
        if not os.path.isdir(folder):
            return False
        try:
            self._watches[folder] = self._observer.schedule(_Handler(self), folder, recursive=True)
        except OSError:
            return False  # e.g. out of inotify watches: the folder is still scanned on start
        if not self._started:
            self._observer.start()
            self._started = True
        return True

    def unwatch(self, folder: str) -> None:
        watch = self._watches.pop(os.path.abspath(folder), None)
        if watch is not None:
            self._observer.unschedule(watch)

    def stop(self) -> None:
        self._timer.stop()
        self._pending.clear()
        if self._started:
            self._observer.stop()
            self._observer.join(timeout=2)
            self._started = False
        self._watches.clear()

    @Slot(list)
    def _on_event(self, folders: list[str]) -> None:
        for folder in folders:
            if any(is_inside(folder, i) for i in self._ignore):
                continue
            if not self._pending:
                self._first_event = time.monotonic()
            self._pending.add(folder)
        if not self._pending:
            return
        if time.monotonic() - self._first_event >= self._max_wait:
            self._flush()  # changes keep coming: scan what there is now
        else:
            self._timer.start()  # restarts: waits for a quiet moment

    def _flush(self) -> None:
        self._timer.stop()
        pending, self._pending = self._pending, set()
        folders = []
        for folder in pending:
            # a folder that is gone is rescanned from the nearest one still there
            while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
                folder = os.path.dirname(folder)
            folders.append(folder)
        roots = [r for r in self._watches if os.path.isdir(r)]
        inside = [f for f in folders if any(is_inside(f, r) for r in roots)]
        if inside:
            self.changed.emit(outermost(inside))
