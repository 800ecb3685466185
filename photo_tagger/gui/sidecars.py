"""XMP sidecars from the window: File › Write XMP Sidecars (every photo, a job), and the setting
"Keep XMP sidecars up to date", which merges the sidecars of the photos an edit touched a moment
after the edit.

What goes into a sidecar is read from the library on the UI thread, which owns it (a few photos
at a time); the files are written off it (photo_tagger.metadata.export_photos), one batch at a
time, so that two writes of one sidecar never race. The whole-library export reads its own copy
of the library, off the UI thread, as a second program would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from photo_tagger.gui import settings as opts
from photo_tagger.gui.jobs import Job, JobControl
from photo_tagger.gui.runner import TaskRunner
from photo_tagger.gui.session import Session
from photo_tagger.gui.settings import Settings

if TYPE_CHECKING:
    from photo_tagger.metadata import ExportOptions, ExportReport, SidecarNaming

BATCH = 64  # photos read from the library per turn of the UI thread (~0.2 ms each)


@dataclass(frozen=True)
class SidecarOptions:
    keep_up_to_date: bool
    naming: str  # "jpg.xmp" or "xmp"
    include_model_tags: bool

    @classmethod
    def of(cls, settings: Settings) -> SidecarOptions:
        naming = settings.get(opts.XMP_NAMING)
        return cls(
            settings.get(opts.XMP_KEEP),
            naming if naming in ("jpg.xmp", "xmp") else "jpg.xmp",
            settings.get(opts.XMP_MODEL_TAGS),
        )

    def export_options(self) -> ExportOptions:
        from photo_tagger.metadata import ExportOptions

        naming: SidecarNaming = "xmp" if self.naming == "xmp" else "jpg.xmp"
        return ExportOptions(naming=naming, include_model_tags=self.include_model_tags)


def problems(report: ExportReport) -> list[str]:
    return [f"{path}: {reason}" for path, reason in report.failed]


class _Stopped(Exception):
    pass


class ExportSidecarsJob:
    """Merge every photo's tags and named faces into its sidecar(s)."""

    title = "Writing XMP sidecars"

    def __init__(
        self,
        library_path: Path,
        threshold: Callable[[str], float],
        options: SidecarOptions,
        on_finished: Callable[[ExportReport], None],
    ) -> None:
        self._path = library_path
        self._threshold = threshold
        self._options = options
        self._on_finished = on_finished

    def run(self, control: JobControl) -> ExportReport | None:
        from photo_tagger.app.export import export_sidecars
        from photo_tagger.store.library import Library
        from photo_tagger.vision.workers import Progress

        progress: Progress | None = None

        def report(done: int, total: int) -> None:
            nonlocal progress
            if progress is None:
                progress = Progress(total)
            progress.done = done
            control.report(progress)
            if control.stopped():
                raise _Stopped

        control.status("Reading the library…")
        with Library.open(self._path) as library:
            try:
                return export_sidecars(
                    library, self._threshold, self._options.export_options(), on_progress=report
                )
            except _Stopped:
                return None

    def finish(self, result: Any) -> str:
        if result is None:
            return "stopped; the sidecars written so far are kept"
        self._on_finished(result)
        return str(result.summary()).rstrip(".")

    def merge(self, other: Job) -> bool:
        return isinstance(other, ExportSidecarsJob)


def photos_of_people(session: Session, person_ids: Iterable[str]) -> set[str]:
    """The photos with a face of any of these people (merged ones included, either way)."""
    wanted = set(person_ids)
    wanted |= {session.resolve(p) for p in wanted}
    return {
        key[0]
        for key, (person, _) in session.doc.face_people().items()
        if person in wanted or session.resolve(person) in wanted
    }


class SidecarKeeper(QObject):
    """While "Keep XMP sidecars up to date" is on: a moment after an edit (or a scan storing
    photos), the sidecars of the photos it touched are merged again."""

    written = Signal(object)  # ExportReport of one batch (on the UI thread)

    def __init__(self, runner: TaskRunner, delay_ms: int = 1500) -> None:
        super().__init__()
        self._runner = runner
        self._session: Session | None = None
        self._options: SidecarOptions | None = None
        self._photos: set[str] = set()
        self._people: set[str] = set()
        self._busy = False
        self._generation = 0  # a batch written for a library closed since is not reported
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._write_next)

    @property
    def pending(self) -> bool:
        return bool(self._photos or self._people or self._busy)

    def follow(self, session: Session | None, options: SidecarOptions) -> None:
        """Keep the sidecars of `session`'s photos (None: none) if the options say so."""
        if self._session is not None and self._session is not session:
            self._session.edited.disconnect(self._on_edited)
            self._session.stored.disconnect(self._on_stored)
        if session is not None and session is not self._session:
            session.edited.connect(self._on_edited)
            session.stored.connect(self._on_stored)
        if session is not self._session:
            self._generation += 1
            self._busy = False
            self._photos.clear()
            self._people.clear()
        self._session = session
        self._options = options if options.keep_up_to_date else None
        if self._options is None:  # turned off: what waited is not written
            self._timer.stop()
            self._photos.clear()
            self._people.clear()

    def close(self) -> None:
        """The library is closing: write what waits now, here (a few photos), then let go."""
        if self._session is not None and self._options is not None:
            from photo_tagger.metadata import export_photos

            self._timer.stop()
            while self._photos or self._people:
                data = self._next_batch()
                if data["photos"]:
                    self.written.emit(export_photos(data, self._options.export_options()))
        self.follow(None, SidecarOptions(False, "jpg.xmp", False))

    def _on_edited(self, photo_ids: list[str], person_ids: list[str]) -> None:
        if self._options is not None:
            self._photos.update(photo_ids)
            self._people.update(person_ids)
            self._timer.start()

    def _on_stored(self, photo_ids: list[str]) -> None:
        if photo_ids:  # [] is "many": a model update, which "Write XMP Sidecars" covers
            self._on_edited(photo_ids, [])

    def _next_batch(self) -> dict[str, Any]:
        session = self._session
        assert session is not None
        if self._people:
            self._photos |= photos_of_people(session, self._people)
            self._people.clear()
        batch = sorted(self._photos)[:BATCH]
        self._photos.difference_update(batch)
        from photo_tagger.app.export import files_record

        return files_record(session.library, session.threshold, batch)

    def _write_next(self) -> None:
        if self._busy or self._session is None or self._options is None:
            return
        if not (self._photos or self._people):
            return
        from photo_tagger.metadata import export_photos

        data = self._next_batch()
        options = self._options.export_options()
        generation = self._generation
        self._busy = True

        def done(report: ExportReport) -> None:
            if generation != self._generation:
                return
            self._busy = False
            self.written.emit(report)
            if self._photos or self._people:
                QTimer.singleShot(0, self._write_next)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._busy = False
            raise error

        self._runner.run(lambda: export_photos(data, options), done, failed)
