"""The open library's links beyond its own folder: the sync with its server, the cloud model,
model updates from the server (new_models.py), and XMP sidecars next to the photos.

The window builds one `LibraryLinks`, attaches the open library's session to it (and detaches it on
closing), connects its menu actions to the methods here and shows `message`s in its status bar.
The work itself is in sync_link.py, cloud_jobs.py and sidecars.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from photo_tagger.gui.cloud_jobs import RefineJob, RefineResult
from photo_tagger.gui.jobs import JobQueue
from photo_tagger.gui.new_models import NewModels
from photo_tagger.gui.runner import UiThreadCaller
from photo_tagger.gui.scan_job import FolderModels
from photo_tagger.gui.session import Session
from photo_tagger.gui.sidecars import ExportSidecarsJob, SidecarKeeper, SidecarOptions, problems
from photo_tagger.gui.status import ProblemsButton
from photo_tagger.gui.sync_link import SyncLink

if TYPE_CHECKING:
    from photo_tagger.gui.services import Services
    from photo_tagger.metadata import ExportReport

MESSAGE_MS = 10_000


def import_network_clients() -> None:
    import photo_tagger.cloud.escalation  # noqa: F401
    import photo_tagger.store.background_sync  # noqa: F401


class LibraryLinks(QObject):
    message = Signal(str, int)  # a word for the status bar, for so many ms

    def __init__(self, services: Services, jobs: JobQueue, problems: ProblemsButton) -> None:
        super().__init__()
        self._services = services
        self._settings = services.settings
        self._jobs = jobs
        self._problems = problems
        self._session: Session | None = None
        self._caller: UiThreadCaller | None = None
        self.sync = SyncLink(services.syncer)
        self.sidecars = SidecarKeeper(services.images_runner, services.sidecar_delay_ms)
        self.sidecars.written.connect(self._on_sidecars_written)
        self.new_models = NewModels(services, jobs)
        self.new_models.message.connect(self.message)

    def attach(self, session: Session, caller: UiThreadCaller) -> None:
        """The library the window opened: sync it if it has a server, keep its sidecars."""
        self._session, self._caller = session, caller
        session.edited.connect(self.sync.notify_edit)
        session.stored.connect(self.sync.notify_edit)
        self.sidecars.follow(session, SidecarOptions.of(self._settings))
        self.new_models.attach(session, caller)

        # The sync client and the cloud model's client (and HTTP) are imported off the UI thread
        # (~150 ms), then the sync starts; edits made meanwhile are counted from the log anyway.
        def follow(_: None) -> None:
            if self._session is session:
                self.follow_sync()

        self._services.images_runner.run(import_network_clients, follow)

    def detach(self) -> None:
        """The library is closing. Sidecars still waiting for their edit are written now; the
        sync stops (every edit is saved, and what has not gone up goes at the next sync)."""
        self.sidecars.close()
        self.sync.stop()
        self.new_models.detach()
        self._session = self._caller = None

    def settings_changed(self) -> None:
        if self._session is not None:
            self.sidecars.follow(self._session, SidecarOptions.of(self._settings))

    def models(self) -> FolderModels:
        """The open library's models (its installed release, else the shipped ones), as a scan
        asks for them."""
        assert self._session is not None
        folder = self._services.models_dir(self._session.path)
        return FolderModels(self._services.models, folder)

    def _say(self, text: str) -> None:
        self.message.emit(text, MESSAGE_MS)

    # --- sync ----------------------------------------------------------------------------------

    def follow_sync(self) -> bool:
        """Sync the open library in the background if it has a server (again, if it changed)."""
        return self._session is not None and self.sync.follow(self._session.library)

    def sync_now(self) -> None:
        if self._session is not None and not self.sync.sync_now():
            self._say("This library has no sync server: set one in Settings › Sync.")

    # --- the cloud model -----------------------------------------------------------------------

    def cloud_on(self) -> bool:
        from photo_tagger.cloud.escalation import EscalationSettings

        session = self._session
        return session is not None and EscalationSettings.of(session.library.log).enabled

    def refine_in_cloud(self) -> None:
        """Send the unsure photos to the cloud model, if the user turned it on for the library:
        while it is off, no job starts and nothing is sent."""
        if self._session is None:
            return
        if not self.cloud_on():
            self._say(
                "The cloud model is off for this library (nothing is sent): turn it on in "
                "Settings › Cloud model."
            )
            return
        self._jobs.add(RefineJob(self._session.path, self._on_refined))

    def refine_if_on(self) -> None:
        """A scan added photos: the unsure ones go to the cloud model, if it is on."""
        if self._session is not None and self.cloud_on():
            self._jobs.add(RefineJob(self._session.path, self._on_refined))

    def _on_refined(self, result: RefineResult) -> None:
        session = self._session
        if session is None:
            return
        session.library.log.refresh()  # the job stored the cloud's tags through its own copy
        ids = [r.photo_id for r in result.refined]
        if ids:
            session.photos_stored(ids)
        report = result.report
        if report is not None and report.failed:
            self._problems.show_problems(
                "Photos not refined",
                [f"{session.path_of(pid) or pid}: {why}" for pid, why in report.failed],
            )

    # --- XMP sidecars --------------------------------------------------------------------------

    def write_sidecars(self) -> None:
        session = self._session
        if session is not None:
            options = SidecarOptions.of(self._settings)
            self._jobs.add(
                ExportSidecarsJob(session.path, session.threshold, options, self._on_exported)
            )

    def _on_exported(self, report: ExportReport) -> None:
        self._problems.show_problems("XMP sidecars not written", problems(report))

    def _on_sidecars_written(self, report: ExportReport) -> None:
        failed = problems(report)
        if failed:
            self._problems.show_problems("XMP sidecars not written", failed)
            self.message.emit(f"An XMP sidecar could not be written: {failed[0]}", 15_000)

    # --- model updates -------------------------------------------------------------------------

    def check_model_updates(self) -> None:
        """Model releases come from the library's sync server, signed by a trusted key; a new
        one waits for the user's decision (new_models.py)."""
        from photo_tagger.store.sync import SyncSettings

        session = self._session
        if session is None:
            return
        server = SyncSettings.of(session.library.log)
        if server is None:
            self._say(
                "Model updates come from the library's sync server: set one in Settings › Sync."
            )
            return
        self.new_models.check(server.server, server.token)
