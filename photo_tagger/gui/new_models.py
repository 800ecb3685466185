"""Model updates in the window: Help › Check for Model Updates downloads a newer signed release
from the library's sync server as a candidate (cloud_jobs.py), which is then tried on a sample of
the library in the background (model_review.py); the status bar says what it would change, and
only the user's Accept switches to it (then the photos are re-tagged, their own tags kept) or
Reject drops it. A candidate left waiting (by the command line, or a window closed before the user
decided) is shown when the library opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from photo_tagger.errors import PhotoTaggerError
from photo_tagger.gui import settings as opts
from photo_tagger.gui.cloud_jobs import ModelUpdateJob
from photo_tagger.gui.jobs import JobQueue
from photo_tagger.gui.messages import warn_error
from photo_tagger.gui.model_review import ReviewButton, ReviewDialog, TryModelsJob
from photo_tagger.gui.runner import UiThreadCaller
from photo_tagger.gui.scan_job import FolderModels, RetagJob
from photo_tagger.gui.session import Session

if TYPE_CHECKING:
    from photo_tagger.app.model_updates import Pending
    from photo_tagger.app.shadow import ShadowReport
    from photo_tagger.cloud.model_updates import UpdateResult
    from photo_tagger.gui.services import Services


class NewModels(QObject):
    message = Signal(str, int)  # a word for the status bar, for so many ms
    retagged = Signal()  # the photos were analysed again with the models accepted, to the end

    def __init__(self, services: Services, jobs: JobQueue) -> None:
        super().__init__()
        self._services = services
        self._jobs = jobs
        self._session: Session | None = None
        self._caller: UiThreadCaller | None = None
        self.button = ReviewButton()
        self.button.clicked.connect(self.review)
        self.report: ShadowReport | None = None
        self.dialog: ReviewDialog | None = None

    @property
    def _scale(self) -> float:
        return float(self._services.settings.get(opts.THRESHOLD_SCALE))

    def attach(self, session: Session, caller: UiThreadCaller) -> None:
        """The library the window opened: new models left waiting in it are shown (read off the
        UI thread: the update client is imported only for a library that ever had one)."""
        self._session, self._caller = session, caller
        if not (session.path / "models").is_dir():
            return
        path, scale = session.path, self._scale

        def found(waiting: Pending | None) -> None:
            if self._session is session:
                self._show(waiting)

        def read() -> Pending | None:
            from photo_tagger.app.model_updates import pending

            return pending(path, scale)

        self._services.images_runner.run(read, found)

    def detach(self) -> None:
        self._session = self._caller = None
        self._hide()

    def check(self, server: str, token: str) -> None:
        """Ask the library's server for a newer release (Help › Check for Model Updates)."""
        session = self._session
        if session is None:
            return

        def checked(update: UpdateResult) -> None:
            if self._session is session:  # not another library opened meanwhile
                self._on_checked(update)

        self._jobs.add(ModelUpdateJob(session.path, server, token, checked))

    def _on_checked(self, update: UpdateResult) -> None:
        """A release waits (downloaded now, or before): show what it would change, trying it
        first when that is not known yet."""
        if self._session is not None and update.waiting:
            from photo_tagger.app.model_updates import pending

            self._show(pending(self._session.path, self._scale))

    def _show(self, waiting: Pending | None) -> None:
        if waiting is None:
            self._hide()
        elif waiting.report is None:
            self.try_candidate()
        else:
            self._on_tried(waiting.report)

    def try_candidate(self) -> None:
        session, caller = self._session, self._caller
        if session is None or caller is None:
            return

        def tried(report: ShadowReport) -> None:
            if self._session is session:  # not closed, nor another library opened meanwhile
                self._on_tried(report)

        workers = self._services.scan_workers
        self._jobs.add(TryModelsJob(session, caller, self._scale, workers, tried))

    def _on_tried(self, report: ShadowReport) -> None:
        self.report = report
        self.button.show_report(report)

    def _hide(self) -> None:
        self.report = None
        self.button.setVisible(False)
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None

    def review(self) -> None:
        """The dialog listing what the new models would change, with Accept and Reject."""
        if self.report is None:
            return
        window = self.button.window()
        self.dialog = ReviewDialog(self.report, window)
        width, height = window.width(), window.height()
        self.dialog.resize(min(960, max(560, width * 4 // 5)), min(680, max(420, height * 4 // 5)))
        self.dialog.acceptModels.connect(self.accept)
        self.dialog.rejectModels.connect(self.reject)
        self.dialog.open()  # modal to the window only: background work goes on

    def accept(self) -> None:
        """Switch to the new models: their vocabulary at once, their tags by re-tagging in the
        background; what the user set stays."""
        from photo_tagger.app.model_updates import accept
        from photo_tagger.app.thresholds import load_vocabulary

        session, caller = self._session, self._caller
        if session is None or caller is None:
            return
        try:
            release = accept(session.path)
        except PhotoTaggerError as exc:
            self._hide()
            warn_error(self.button.window(), "New Models", exc)
            return
        self._hide()
        folder = self._services.models_dir(session.path)
        session.set_vocabulary(load_vocabulary(folder), self._scale)
        models = FolderModels(self._services.models, folder)
        self._jobs.add(
            RetagJob(
                session,
                models,
                caller,
                self._services.scan_workers,
                on_finished=lambda report: None if report.cancelled else self.retagged.emit(),
            )
        )
        self.message.emit(
            f"Now using model release {release}: your photos are re-tagged in the background; "
            "tags you added or removed stay as they are.",
            15_000,
        )

    def reject(self) -> None:
        """Drop the new models; nothing the user sees changes."""
        from photo_tagger.app.model_updates import reject

        session = self._session
        if session is None:
            return
        self._hide()
        try:
            release = reject(session.path)
        except PhotoTaggerError as exc:
            warn_error(self.button.window(), "New Models", exc)
            return
        self.message.emit(
            f"Model release {release} was dropped; the models in use stay as they were.", 15_000
        )
