"""The window's jobs that talk to the cloud peer: refining unsure photos with the cloud model
(photo_tagger.cloud.escalation) and downloading a signed model release
(photo_tagger.cloud.model_updates).

Both run off the UI thread on their own copy of the library (`Library.open(path)`, as a second
program would), never on the window's; what they store reaches the window's copy when it reads the
library's log again (`finish`, on the UI thread).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photo_tagger.gui.jobs import Job, JobControl
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.cloud.escalation import EscalationReport, Refined
    from photo_tagger.cloud.model_updates import UpdateResult


class _Stopped(Exception):
    """The user cancelled: leave after the photo in hand (its tags are stored)."""


@dataclass
class RefineResult:
    report: EscalationReport | None  # None: cancelled part way
    refined: list[Refined] = field(default_factory=list)


class RefineJob:
    """Queue the photos the local model is unsure about and send what the daily budget allows to
    the cloud model. With escalation off for the library nothing is sent: no request of any kind
    (Escalator.run returns at once)."""

    title = "Refining unsure photos in the cloud"

    def __init__(self, library_path: Path, on_finished: Callable[[RefineResult], None]) -> None:
        self._path = library_path
        self._on_finished = on_finished

    def run(self, control: JobControl) -> RefineResult:
        from photo_tagger.cloud.escalation import Escalator
        from photo_tagger.store.library import Library

        result = RefineResult(None)

        def refined(r: Refined) -> None:
            result.refined.append(r)
            control.status(f"{len(result.refined)} refined")
            if control.stopped():
                raise _Stopped

        control.status("Looking for unsure photos…")
        with Library.open(self._path) as library, contextlib.suppress(_Stopped):
            result.report = Escalator(library).run(on_refined=refined)
        return result

    def finish(self, result: Any) -> str:
        outcome: RefineResult = result
        self._on_finished(outcome)
        return refine_summary(outcome)

    def merge(self, other: Job) -> bool:
        return isinstance(other, RefineJob)


def refine_summary(result: RefineResult) -> str:
    n = len(result.refined)
    refined = f"{count(n, 'photo')} refined"
    report = result.report
    if report is None:
        return refined + " before you stopped"
    if not report.enabled:
        return "the cloud model is off for this library: nothing was sent"
    parts = [refined]
    if report.waiting:
        parts.append(f"{report.waiting} waiting")
    if report.failed:
        parts.append(f"{len(report.failed)} refused")
    text = ", ".join(parts)
    if report.offline:
        text += " (no cloud endpoint answered; they go when one does)"
    elif report.waiting and not report.budget_left:
        text += " (today's budget is spent)"
    return text


class ModelUpdateJob:
    """Ask the library's server for a newer signed model release and download it as the
    library's candidate (checked, loaded once; refused and left as it was when anything is
    wrong). The models in use stay as they are: `on_checked` hears what was found."""

    title = "Checking for model updates"

    def __init__(
        self,
        library_path: Path,
        server: str,
        token: str,
        on_checked: Callable[[UpdateResult], None],
    ) -> None:
        self._path = library_path
        self._server, self._token = server, token
        self._on_checked = on_checked

    def run(self, control: JobControl) -> UpdateResult:
        control.status(f"Asking {self._server}…")
        from photo_tagger.app.model_updates import model_updater  # HTTP: off the UI thread

        return model_updater(self._path).update(self._server, self._token)

    def finish(self, result: Any) -> str:
        from photo_tagger.cloud.model_updates import NEW, REJECTED, WAITING

        update: UpdateResult = result
        self._on_checked(update)
        if update.outcome == NEW:
            size = f"{update.downloaded_bytes / 1e6:.1f} MB"
            return f"downloaded model release {update.release} ({size}); it is not in use yet"
        if update.outcome == WAITING:
            return f"model release {update.release} is waiting for your decision"
        if update.outcome == REJECTED:
            return (
                f"the server offers model release {update.release}, which you rejected "
                "(`photo-tagger models update --again` downloads it again)"
            )
        return f"the models are up to date (release {update.release})"

    def merge(self, other: Job) -> bool:
        return isinstance(other, ModelUpdateJob)
