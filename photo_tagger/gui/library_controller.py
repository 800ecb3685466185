"""The library open in the window: opening and closing it, and the work done on it in the
background (adding photos, watching folders, grouping faces again).

`LibraryController` owns the open library's `Session`, the way back to the UI thread for its
background work (`UiThreadCaller`) and the folder watcher. The window asks it to open a library,
wires its views to the session it hands back, and lets go of them when `closing` says so.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from photo_tagger.errors import PhotoTaggerError
from photo_tagger.gui import settings as opts
from photo_tagger.gui.actions import EXTRA_COPY_TAG
from photo_tagger.gui.jobs import JobQueue
from photo_tagger.gui.library_links import LibraryLinks
from photo_tagger.gui.paths import is_inside
from photo_tagger.gui.runner import UiThreadCaller
from photo_tagger.gui.session import Session
from photo_tagger.gui.status import ProblemsButton
from photo_tagger.store.catalog import Row
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.app.closer_look import CloserLookReport
    from photo_tagger.app.scan_report import ScanReport
    from photo_tagger.gui.services import Services
    from photo_tagger.gui.watcher import FolderWatcher
    from photo_tagger.store.doc_check import Malformed


class LibraryController(QObject):
    message = Signal(str, int)  # a word for the status bar, for so many ms
    failed = Signal(str, object)  # a library could not be opened: (title, the LibraryError)
    closing = Signal()  # the session is about to close: the views let go of it

    def __init__(
        self, services: Services, jobs: JobQueue, links: LibraryLinks, problems: ProblemsButton
    ) -> None:
        super().__init__()
        self._services = services
        self._settings = services.settings
        self._jobs = jobs
        self._links = links
        links.new_models.retagged.connect(self.look_closer)  # the new models' objects follow
        self._problems = problems
        self.session: Session | None = None
        self.caller: UiThreadCaller | None = None
        self.watcher: FolderWatcher | None = None
        jobs.started.connect(lambda _: self.session and self.session.set_busy(True))
        jobs.idle.connect(lambda: self.session and self.session.set_busy(False))

    # --- opening and closing -------------------------------------------------------------------

    def load(self, path: Path, first_rows: list[Row] | None = None) -> Session | None:
        """Open (or create) the library in `path` and its session, leaving the one open as it
        is; None (and `failed`) when it cannot be opened. `first_rows`: the catalogue's start,
        already shown."""
        from photo_tagger.store.library import Library

        try:
            library = Library.open(path)
        except PhotoTaggerError as exc:
            self.failed.emit("Cannot open the library", exc)
            return None
        try:
            from photo_tagger.app.thresholds import load_vocabulary

            return Session(
                library,
                load_vocabulary(self._services.models_dir(library.path)),
                self._services.images_runner,
                self._settings.get(opts.THRESHOLD_SCALE),
                self._settings.get(opts.LOW_CONFIDENCE),
                first_rows=first_rows,
            )
        except PhotoTaggerError as exc:
            library.close()
            self.failed.emit("Cannot open the library", exc)
            return None

    def start(self, session: Session) -> None:
        """`session` (from `load`) is the open library from now on: remembered as the one to open
        next time, linked to its server and sidecars, its watched folders watched."""
        from photo_tagger.gui.watcher import FolderWatcher

        path = session.path
        self._settings.set(opts.LIBRARY, str(path))
        for message in session.library.load_report.messages():
            self.message.emit(message, 15000)
        self.session = session
        session.malformedFound.connect(self._on_malformed)
        self.caller = UiThreadCaller()
        self._links.attach(session, self.caller)
        self.watcher = FolderWatcher(
            ignore=[str(path)], debounce_ms=self._services.watch_debounce_ms
        )
        self.watcher.changed.connect(self._on_folders_changed)
        for folder in self._settings.watched_folders(path):
            self.watcher.watch(folder)

    def check_watched(self) -> None:
        """Pick up what changed in the watched folders while the window was closed."""
        if self.session is not None:
            watched = self._settings.watched_folders(self.session.path)
            present = [f for f in watched if os.path.isdir(f)]
            if present:
                self.scan(present, "Checking watched folders")

    def close(self) -> None:
        """Close the open library, if one is: its background work stops, `closing` lets the
        views go, then the session and the library close."""
        session = self.session
        if session is None:
            return
        self._jobs.cancel()
        if self.caller is not None:
            self.caller.close()
        if self.watcher is not None:
            self.watcher.stop()
        self._links.detach()
        self.closing.emit()
        session.close()
        session.library.close()
        self.session = self.caller = self.watcher = None

    # --- watched folders -----------------------------------------------------------------------

    def watch(self, folders: list[str]) -> None:
        """Watch these folders from now on, besides those watched already (a folder inside a
        watched one is watched already; one around watched ones takes their place)."""
        if self.session is None or self.watcher is None:
            return
        watched = self._settings.watched_folders(self.session.path)
        for folder in folders:
            if any(is_inside(folder, w) for w in watched):
                continue
            watched = [w for w in watched if not is_inside(w, folder)] + [folder]
            self.watcher.watch(folder)
        self._settings.set_watched_folders(self.session.path, watched)

    def set_watched(self, folders: list[str]) -> None:
        """The watched folders are these (the settings say so): the others are let go."""
        if self.session is None:
            return
        old = self._settings.watched_folders(self.session.path)
        self._settings.set_watched_folders(self.session.path, folders)
        for folder in set(old) - set(folders):
            if self.watcher is not None:
                self.watcher.unwatch(folder)

    def _on_folders_changed(self, folders: list[str]) -> None:
        self.scan(folders, "Updating watched folders")

    # --- background work -----------------------------------------------------------------------

    def add_paths(self, paths: list[str], watch: bool = True) -> bool:
        """Scan dropped or chosen folders and photos; folders are watched from now on. False
        when there is nothing to add (no library open, no such files)."""
        if self.session is None:
            return False
        paths = [os.path.abspath(p) for p in paths if os.path.exists(p)]
        if not paths:
            return False
        folders = [p for p in paths if os.path.isdir(p)]
        if watch and folders:
            self.watch(folders)
        self.scan(paths, "Adding photos")
        return True

    def scan(self, paths: list[str], title: str) -> None:
        from photo_tagger.gui.scan_job import ScanJob

        if self.session is None or self.caller is None:
            return
        self._jobs.add(
            ScanJob(
                self.session,
                paths,
                self._links.models(),
                self.caller,
                title=title,
                workers=self._services.scan_workers,
                on_finished=self._on_scan_finished,
            )
        )

    def _on_scan_finished(self, report: ScanReport) -> None:
        from photo_tagger.gui.messages import news

        skipped = news(report.skipped)  # a file is reported once, until it changes
        if skipped:
            self._problems.show_problems(
                "Photos skipped", [f"{s.path}: {s.reason}" for s in skipped]
            )
        if report.analysed:
            self._links.refine_if_on()
        if report.duplicates is not None and self.session is not None:
            self.session.read_duplicates()
        if not report.cancelled:
            self.look_closer()

    def look_closer(self) -> None:
        """Queue the closer look for objects, which runs when no other work is waiting."""
        from photo_tagger.gui.closer_look_job import CloserLookJob

        if self.session is None or self.caller is None:
            return
        self._jobs.add(
            CloserLookJob(
                self.session,
                self._links.models(),
                self.caller,
                self._services.scan_workers,
                on_finished=self._on_looked_closer,
            )
        )

    def _on_looked_closer(self, report: CloserLookReport) -> None:
        from photo_tagger.gui.messages import news

        skipped = news(report.skipped)
        if skipped:
            self._problems.show_problems(
                "Photos not looked at", [f"{s.path}: {s.reason}" for s in skipped]
            )
        if report.tagged:
            # objects can leave a photo unsure (a horse where the classifier saw a dog)
            self._links.refine_if_on()

    def regroup(self) -> None:
        """Group the faces into people again (faces lost their person)."""
        from photo_tagger.gui.scan_job import GroupPeopleJob

        if self.session is not None and self.caller is not None:
            from photo_tagger.vision.model import Manifest

            models = Manifest(self._services.models_dir(self.session.path))
            threshold = models.same_person_distance
            self._jobs.add(GroupPeopleJob(self.session, threshold, self.caller))

    # --- edits --------------------------------------------------------------------------------

    def undo(self) -> None:
        if self.session is not None:
            self.session.undo.undo()

    def redo(self) -> None:
        if self.session is not None:
            self.session.undo.redo()

    def read_in(self, first: list[str]) -> None:
        """Other copies of the library saved edits in its files (a sync): read them in, these
        photos' facts first."""
        if self.session is not None:
            self.session.reload_document()
            self.session.reread_facts(first)

    # --- records another device wrote malformed ------------------------------------------------

    def _on_malformed(self, lines: list[str]) -> None:
        n = len(lines)
        self._problems.show_problems(
            "Records skipped",
            lines,
            summary=(
                f"{count(n, 'record')} of this library, written by another device or "
                "program, could not be read and are left out. Setting them aside keeps them in the "
                "library's quarantine (nothing is deleted) and no longer reports them."
            ),
            fix=("Set Them Aside", self.set_aside_malformed),
        )

    def check(self) -> None:
        """List every malformed record of the library (not only those met so far), or say there
        are none; the whole library is read off the UI thread, from a copy of its own."""
        from photo_tagger.app.check import find_malformed

        session = self.session
        if session is None:
            return

        def done(found: list[Malformed]) -> None:
            if self.session is not session:
                return  # another library is open now
            if not found:
                self.message.emit("The library holds no malformed records.", 8000)
            else:
                self._on_malformed([str(m) for m in found])
                self._problems.show_list()

        self.message.emit("Checking the library…", 0)
        self._services.images_runner.run(partial(find_malformed, session.path), done)

    def set_aside_malformed(self) -> None:
        """Move every malformed record into the library's quarantine: one edit, synced. They are
        found off the UI thread; moving them (a few values) is done here."""
        from photo_tagger.app.check import find_malformed, set_aside

        session = self.session
        if session is None:
            return

        def done(found: list[Malformed]) -> None:
            if self.session is not session:
                return
            moved = set_aside(session.library, found)
            moved_text = count(moved, "malformed record")
            self.message.emit(f"{moved_text} set aside; nothing was deleted.", 10000)
            session.reload_document()

        self._services.images_runner.run(partial(find_malformed, session.path), done)

    # --- edits across the library --------------------------------------------------------------

    def rename_tag(self, tag: str, new: str) -> None:
        """Give a tag (and the tags under it) the name `new` on every photo that has it (one undo
        step): how an event gets its name."""
        from photo_tagger.gui.edits import RenameTag

        session = self.session
        if session is None:
            return
        session.finish_reading_facts()  # every photo that has the tag, not only those read yet
        command = RenameTag(session, tag, new)
        if command.photos:
            session.undo.push(command)
            self.message.emit(f"“{tag}” is now “{new}” on {count(command.photos, 'photo')}", 5000)

    def tag_duplicate_extras(self) -> None:
        """Tag the near-duplicates that are not the best of their group (one undo step), so that
        the user can look at them and delete them in their file manager."""
        from photo_tagger.gui.edits import SetTag

        session = self.session
        if session is None:
            return
        extras = session.duplicate_extras()
        if not extras:
            self.message.emit("No near-duplicates in this library.", 5000)
            return
        session.undo.push(SetTag(session, extras, EXTRA_COPY_TAG, True))
        self.message.emit(
            f"{len(extras)} extra copies tagged “{EXTRA_COPY_TAG}”: pick the tag in the "
            "filters to see them.",
            10000,
        )
