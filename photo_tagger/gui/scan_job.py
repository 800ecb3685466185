"""The window's scans, regroupings and re-taggings, as jobs (jobs.py) over
`photo_tagger.app.scan`, and the models they use: each library's own (its installed model release,
else the shipped ones), loaded once off the UI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photo_tagger.gui.jobs import Job, JobControl
from photo_tagger.gui.paths import outermost
from photo_tagger.gui.runner import UiThreadCaller
from photo_tagger.gui.session import Session
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.app.scan import Importer
    from photo_tagger.app.scan_report import ScanReport
    from photo_tagger.vision.pipeline import Models

# Photos per library transaction in the window: each commit runs on the UI thread, so it is kept
# to a few milliseconds (the command line commits 64 at a time); and at least every quarter
# second, so that the first photos of a folder show up at once.
WINDOW_COMMIT_EVERY = 8
WINDOW_COMMIT_SECONDS = 0.25
# Up to so many photos, the work across the whole library (events, near-duplicates) runs on the
# scan's own thread: a fraction of a second, in short holds of the interpreter lock, where
# starting a child process for it costs a second or two. Beyond, it runs in a child process.
IN_PROCESS_UP_TO = 10_000


def window_importer(
    session: Session, models: Models, workers: int | None, caller: UiThreadCaller
) -> Importer:
    """Scans as the window runs them: library work handed to the UI thread in small batches,
    analysis at a lower priority, library-wide work in a child process (in a large library)."""
    from photo_tagger.app.calls import run_in_child_process
    from photo_tagger.app.scan import Importer

    def run_library_wide(fn: Callable[..., Any], *args: Any) -> Any:
        if len(session.catalog) <= IN_PROCESS_UP_TO:  # a list's length: read from any thread
            return fn(*args)
        return run_in_child_process(fn, *args)

    return Importer(
        session.library,
        models,
        workers=workers,
        on_library=caller,
        commit_every=WINDOW_COMMIT_EVERY,
        commit_seconds=WINDOW_COMMIT_SECONDS,
        background=True,
        run_library_wide=run_library_wide,
    )


class ModelShelf:
    """The models of one folder, loaded on first use (off the UI thread, by the first scan), then
    shared; asked for another folder (a model update was installed), it loads those instead.
    Asked for no folder in particular, it gives the `default` folder's (the shipped models)."""

    def __init__(
        self, load: Callable[[Path], Models], default: Callable[[], Path] | None = None
    ) -> None:
        self._load = load
        self._default = default
        self._folder: Path | None = None
        self._models: Models | None = None
        self._lock = threading.Lock()

    def __call__(self, folder: Path | None = None) -> Models:
        if folder is None:
            if self._default is None:
                raise TypeError("ModelShelf() needs a models folder")
            folder = self._default()
        with self._lock:
            if self._models is None or self._folder != folder:
                self._models = None  # the old ones go before the new ones load
                self._models = self._load(folder)
                self._folder = folder
            return self._models

    def is_loaded(self, folder: Path) -> bool:
        return self._models is not None and self._folder == folder


class FolderModels:
    """The models of `folder`, as a scan asks for them: `models()`, and whether that is quick."""

    def __init__(self, load: Callable[[Path], Models], folder: Path) -> None:
        self._load = load
        self.folder = folder

    def __call__(self) -> Models:
        return self._load(self.folder)

    @property
    def loaded(self) -> bool:
        is_loaded = getattr(self._load, "is_loaded", None)
        return bool(is_loaded(self.folder)) if is_loaded is not None else True


class ScanJob:
    """Find, analyse and store the photos under some folders (or single photos)."""

    def __init__(
        self,
        session: Session,
        paths: Iterable[str],
        models: Callable[[], Models],
        caller: UiThreadCaller,
        title: str = "Adding photos",
        workers: int | None = None,
        on_finished: Callable[[ScanReport], None] | None = None,
    ) -> None:
        self.title = title
        self.paths = outermost(paths)
        self.report: ScanReport | None = None
        self._session = session
        self._models = models
        self._caller = caller
        self._workers = workers
        self._on_finished = on_finished

    def run(self, control: JobControl) -> ScanReport:
        if not getattr(self._models, "loaded", True):
            control.status("Loading the models…")
        models = self._models()
        control.status("Looking for photos…")
        importer = window_importer(self._session, models, self._workers, self._caller)
        return importer.scan(
            [Path(p) for p in self.paths],
            on_progress=control.report,
            should_stop=control.stopped,
            paused=control.paused,
            on_stored=self._session.photos_stored,
            on_step=control.status,
        )

    def finish(self, result: Any) -> str:
        report: ScanReport = result
        self.report = report
        if report.cancelled:
            self.title = "Cancelled"  # the status bar says so first: "Cancelled: 29 of 50 added"
        self._session.flush_catalog()
        if self._on_finished is not None:
            self._on_finished(report)
        return summary(report)

    def merge(self, other: Job) -> bool:
        if not isinstance(other, ScanJob) or other.title != self.title:
            return False
        self.paths = outermost([*self.paths, *other.paths])
        return True


def summary(report: ScanReport) -> str:
    added, restored = report.analysed - report.restored, report.restored
    parts = [f"{count(added, 'photo')} added"] if added or not restored else []
    if report.cancelled:  # said first (the title); what it stored has its dates and places
        parts, restored = [f"{report.analysed} of {report.planned} added"], 0
    if restored:
        # the shared document had lost them (removed on another device): analysed again
        parts.append(f"{count(restored, 'photo')} restored")
    if report.known_content:
        parts.append(f"{report.known_content} recognised by content")
    if report.removed:
        parts.append(f"{report.removed} gone from disk")
    if report.new_people:
        parts.append(count(report.new_people, "new person", "new people"))
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped")
    return ", ".join(parts) + (f" in {report.seconds:.1f} s" if report.analysed else "")


class GroupPeopleJob:
    """Suggest people for faces that have none (after the user rejected a suggestion)."""

    title = "Grouping faces"

    def __init__(self, session: Session, threshold: float, caller: UiThreadCaller) -> None:
        self._session = session
        self._threshold = threshold
        self._caller = caller

    def run(self, control: JobControl) -> int:
        from photo_tagger.app.people import group_people

        session = self._session
        return group_people(session.library, self._threshold, self._caller, session.photos_stored)

    def finish(self, result: Any) -> str:
        return count(result, "new person", "new people") if result else ""

    def merge(self, other: Job) -> bool:
        return isinstance(other, GroupPeopleJob)


class RetagJob:
    """Analyse again every photo that other models analysed (after a model update): their model
    tags are replaced, what the user set is untouched."""

    title = "Re-tagging with the new models"

    def __init__(
        self,
        session: Session,
        models: FolderModels,
        caller: UiThreadCaller,
        workers: int | None = None,
        on_finished: Callable[[ScanReport], None] | None = None,
    ) -> None:
        self._session = session
        self._models = models
        self._caller = caller
        self._workers = workers
        self._on_finished = on_finished

    def run(self, control: JobControl) -> ScanReport:
        if not self._models.loaded:
            control.status("Loading the new models…")
        importer = window_importer(self._session, self._models(), self._workers, self._caller)
        return importer.retag(on_progress=control.report, should_stop=control.stopped)

    def finish(self, result: Any) -> str:
        report: ScanReport = result
        if report.analysed:
            # every re-tagged photo's facts are read again, and the sync and the sidecars hear
            self._session.reload_document()
            self._session.stored.emit([])
        if self._on_finished is not None:
            self._on_finished(report)
        return f"{count(report.analysed, 'photo')} re-tagged" + (
            f", {len(report.skipped)} skipped" if report.skipped else ""
        )

    def merge(self, other: Job) -> bool:
        return isinstance(other, RetagJob)
