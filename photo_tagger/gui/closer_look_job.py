"""The closer look as the window runs it: after a scan, in the background, giving way to any
other work (app/closer_look.py says what it does).

Every scan that was not cancelled queues a `CloserLookJob` (when no photo waits, it ends at
once). It runs when the scans queued with it are done, at the scan's low priority, with progress
in the status bar and the usual Pause and Cancel. When other work arrives (photos dropped, a
folder changed), it stops at once, keeping what it stored, and is queued again after that work
(`gives_way`: jobs.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from photo_tagger.gui.jobs import Job, JobControl
from photo_tagger.gui.runner import UiThreadCaller
from photo_tagger.gui.scan_job import window_importer
from photo_tagger.gui.session import Session
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.app.closer_look import CloserLookReport
    from photo_tagger.vision.pipeline import Models


class CloserLookJob:
    """The object detector on the photos the scans left for later."""

    title = "Looking closer for objects"
    gives_way = True  # stopped and queued again when other work is added

    def __init__(
        self,
        session: Session,
        models: Callable[[], Models],
        caller: UiThreadCaller,
        workers: int | None = None,
        on_finished: Callable[[CloserLookReport], None] | None = None,
    ) -> None:
        self._session = session
        self._models = models
        self._caller = caller
        self._workers = workers
        self._on_finished = on_finished

    def again(self) -> CloserLookJob:
        """A new job for what this one leaves when it gives way."""
        return CloserLookJob(
            self._session, self._models, self._caller, self._workers, self._on_finished
        )

    def run(self, control: JobControl) -> CloserLookReport:
        from photo_tagger.app.closer_look import look_closer

        importer = window_importer(self._session, self._models(), self._workers, self._caller)
        return look_closer(
            importer,
            on_progress=control.report,
            should_stop=control.stopped,
            paused=control.paused,
            on_stored=self._session.photos_stored,
        )

    def finish(self, result: Any) -> str:
        report: CloserLookReport = result
        if self._on_finished is not None:
            self._on_finished(report)
        if not report.looked and not report.skipped:
            return ""
        parts = [f"{count(report.objects, 'object')} found in {count(report.looked, 'photo')}"]
        if report.skipped:
            parts.append(f"{len(report.skipped)} skipped")
        return ", ".join(parts)

    def merge(self, other: Job) -> bool:
        return isinstance(other, CloserLookJob)
