"""Escalation: photos the local model is unsure about go, with the user's consent, to a bigger
model in the cloud, and its tags come back into the library.

- Off by default, per library. The settings live in the library's own settings table (this
  computer's, like the sync server and token), never in the shared document. While off, nothing
  here opens a connection.
- Selection: a photo with a file on this computer whose best local auto tag scores under
  `threshold`, at most `daily_budget` photos sent per day (local time), the least sure first.
- What leaves the computer: the photo's pixels only, decoded upright, shrunk to `max_side` on the
  long side and re-encoded as a bare JPEG (no EXIF, GPS, XMP, ICC or comment), never the file;
  as many photos a request as the endpoint takes (a batch it refuses is split down to single
  photos; a photo it refuses alone is that photo's failure).
- The queue is durable (escalation_queue.py): offline, photos wait; a photo whose answer came
  back is never sent again for the same model version.
- The answer lands in the document as `auto` tags with source "cloud" and the model's version
  (`LibraryDocument.set_auto_tags`): they sync like any other tag, override the local model's
  scores for the tags the cloud model scored, and never touch what the user set.

The settings are escalation_settings.py's (and named here too, as part of this feature's face),
the durable queue escalation_queue.py's, the protocol's client inference_client.py's (waiting for
an endpoint whose slots are all busy, splitting batches), the plain functions of what is selected
and sent escalation_photos.py's.

`Escalator` uses the library on the calling thread; a window runs it on a worker thread with its
own `Library.open(path)` (as the sync does), then refreshes its document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from photo_tagger.cloud.chat_client import ChatClient, asked_tags
from photo_tagger.cloud.classifier_client import ClassifierClient, ClassifierSpec
from photo_tagger.cloud.escalation_photos import (
    MAX_TAGS,
    accepted_tags,
    best_local_score,
    cloud_tags,
    imagenet_scorer,
    models_vocabulary,
    refined_in_cloud,
    start_of_day,
    upload_bytes,
)
from photo_tagger.cloud.escalation_queue import EscalationQueue, Waiting
from photo_tagger.cloud.escalation_settings import (
    CHAT,
    CLASSIFIER,
    DEFAULT_MODEL,
    LAST_VERSION,
    Endpoint,
    EscalationSettings,
    check_settings,
    disable,
    enable,
    endpoints_of,
)
from photo_tagger.cloud.inference_client import (
    DEADLINE,
    MAX_ANSWER,
    Answer,
    InferenceClient,
    ModelInfo,
    PhotoRefused,
)
from photo_tagger.cloud.mixed_client import MixedClient
from photo_tagger.errors import EscalationOfflineError, ImageError
from photo_tagger.files.discovery import content_id
from photo_tagger.store.library import Library
from photo_tagger.store.rules import CLOUD, cloud_model_of

BATCH_BYTES = 16 << 20  # what one request carries at most, unless one photo alone is more

# --- a run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refined:
    photo_id: str
    path: str
    model: str
    tags: dict[str, float]  # as recorded
    sent_bytes: int
    seconds: float  # from reading the file to the tags being stored


@dataclass
class EscalationReport:
    enabled: bool
    queued: int = 0  # photos newly queued by this run
    refined: list[Refined] = field(default_factory=list)
    already: int = 0  # found refined by this model (on another device, say): not sent
    failed: list[tuple[str, str]] = field(default_factory=list)  # (photo id, reason)
    dropped: list[tuple[str, int]] = field(default_factory=list)  # (photo id, tags not recorded)
    waiting: int = 0  # still queued afterwards
    budget_left: int = 0
    endpoint: str | None = None
    offline: str | None = None  # why nothing (more) could be sent, when no endpoint answered


@dataclass(frozen=True)
class _Run:
    """One run's queue, settings, report and listener."""

    queue: EscalationQueue
    settings: EscalationSettings
    report: EscalationReport
    on_refined: Callable[[Refined], None] | None

    def failed(self, photo_id: str, reason: str) -> None:
        self.queue.failed(photo_id, reason)
        self.report.failed.append((photo_id, reason))


@dataclass(frozen=True)
class _Upload:
    """A photo ready to go: what is sent, and what it was when its file was read."""

    photo_id: str
    path: str
    payload: bytes
    auto: Mapping[str, Mapping[str, Any]]  # its auto tags
    started: float  # time.monotonic() when its file was read


class Escalator:
    """Queues and sends one library's unsure photos. Build one per run or keep it; `session`
    and `clock` are passed in so tests and the window decide them, as are the largest answer
    read, each request's deadline and the vocabulary (by default, the library's models')."""

    def __init__(
        self,
        library: Library,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        *,
        max_answer: int = MAX_ANSWER,
        deadline: float = DEADLINE,
        vocabulary: Collection[str] | None = None,
    ) -> None:
        self.library = library
        self.session = session
        self.clock = clock
        self.max_answer, self.deadline = max_answer, deadline
        self.vocabulary = vocabulary

    def settings(self) -> EscalationSettings:
        return EscalationSettings.of(self.library.log)

    def enqueue(self, queue: EscalationQueue, settings: EscalationSettings) -> int:
        """Queue every photo with a file here whose best local score is under the threshold and
        that the last model seen has not refined yet. Local work only."""
        doc, index = self.library.document, self.library.index
        last = self.library.log.setting(LAST_VERSION)
        done = queue.delivered_ids(str(last)) if last else set()
        waiting = queue.waiting_ids()
        picked = []
        for photo_id in doc.photo_ids():
            if photo_id in waiting or photo_id in done or not index.paths_for(photo_id):
                continue
            auto = doc.auto_tags(photo_id)
            if last and cloud_model_of(auto) == last:
                continue
            best = best_local_score(auto)
            if best < settings.threshold:
                picked.append((photo_id, best))
        return queue.add(picked, self.clock())

    def run(self, on_refined: Callable[[Refined], None] | None = None) -> EscalationReport:
        """Queue what is unsure and send what the budget allows. With escalation off this
        returns at once: no connection of any kind is made."""
        settings = self.settings()
        if not settings.enabled:
            return EscalationReport(enabled=False)
        settings = check_settings(settings)
        report = EscalationReport(enabled=True)
        with EscalationQueue.open(self.library.path) as queue:
            report.queued = self.enqueue(queue, settings)
            try:
                self._send(_Run(queue, settings, report, on_refined))
            except EscalationOfflineError as exc:
                report.offline = str(exc)
            report.waiting = queue.counts()["waiting"]
            report.budget_left = self._budget_left(queue, settings)
        return report

    def _budget_left(self, queue: EscalationQueue, settings: EscalationSettings) -> int:
        now = self.clock()
        return max(0, settings.daily_budget - queue.sent_since(start_of_day(now)))

    def _send(self, run: _Run) -> None:
        todo = run.queue.waiting()
        if not todo or self._budget_left(run.queue, run.settings) == 0:
            return  # nothing to send: no connection at all
        session = self.session or requests.Session()
        try:
            if self.vocabulary is None:
                self.vocabulary = models_vocabulary(self.library.path)
            client = self._client(run.settings, session)
            info = client.connect()
            self.library.log.set_settings({LAST_VERSION: info.version})
            while todo:
                left = self._budget_left(run.queue, run.settings)
                if left == 0:
                    break
                info = client.current or client.connect()
                run.report.endpoint = info.endpoint
                batch, todo = self._next_batch(run, info, todo, min(left, info.max_batch))
                self._send_batch(run, client, batch)
        finally:
            if self.session is None:
                session.close()

    def _client(self, settings: EscalationSettings, session: requests.Session) -> InferenceClient:
        """A client of the endpoints: of their kind, or one that walks endpoints of several."""
        endpoints = endpoints_of(settings)
        if len({(e.api, e.model) for e in endpoints}) == 1:
            return self._client_of(settings, [e.url for e in endpoints], endpoints[0], session)
        clients = {e.url: self._client_of(settings, [e.url], e, session) for e in endpoints}
        return MixedClient([e.url for e in endpoints], clients, session)

    def _client_of(
        self,
        settings: EscalationSettings,
        urls: list[str],
        kind: Endpoint,
        session: requests.Session,
    ) -> InferenceClient:
        token, model = settings.token, kind.model
        answer, deadline = self.max_answer, self.deadline
        if kind.api == CLASSIFIER:  # a stock image classifier: a tensor in, scores out
            spec = ClassifierSpec.from_json(settings.classifier)
            scorer = imagenet_scorer(self.library.path)
            return ClassifierClient(
                urls, token, model, session, spec, scorer, max_answer=answer, deadline=deadline
            )
        if kind.api == CHAT:  # asked which of the library's tags a photo shows
            tags = asked_tags(self.vocabulary or ())
            return ChatClient(
                urls, token, model, session, tags, max_answer=answer, deadline=deadline
            )
        return InferenceClient(urls, token, model, session, max_answer=answer, deadline=deadline)

    def _next_batch(
        self, run: _Run, info: ModelInfo, todo: list[Waiting], size: int
    ) -> tuple[list[_Upload], list[Waiting]]:
        """Up to `size` photos of `todo` ready to go (a batch stops growing once it holds
        BATCH_BYTES), and the rest of `todo`; photos forgotten, already refined by this model
        or without a readable file here are dealt with on the way."""
        batch: list[_Upload] = []
        rest = list(todo)
        while rest and len(batch) < size and sum(len(u.payload) for u in batch) < BATCH_BYTES:
            upload = self._upload(run, info, rest.pop(0).photo_id)
            if upload is not None:
                batch.append(upload)
        return batch, rest

    def _upload(self, run: _Run, info: ModelInfo, photo_id: str) -> _Upload | None:
        doc = self.library.document
        if not doc.has_photo(photo_id):
            run.queue.remove([photo_id])  # forgotten since it was queued
            return None
        auto = doc.auto_tags(photo_id)
        if run.queue.is_delivered(photo_id, info.version) or cloud_model_of(auto) == info.version:
            run.queue.delivered(photo_id, info.version, 0, self.clock())
            run.report.already += 1
            return None
        started = time.monotonic()
        try:
            path, payload = self._payload(photo_id)
        except ImageError as exc:
            run.failed(photo_id, str(exc))
            return None
        return _Upload(photo_id, path, payload, auto, started)

    def _send_batch(self, run: _Run, client: InferenceClient, batch: list[_Upload]) -> None:
        """Send the photos together; each part the endpoint answers is recorded as it comes
        back, and a photo it refused on its own is that photo's failure."""
        if not batch:
            return
        for part, answer in client.infer_parts([upload.payload for upload in batch]):
            if isinstance(answer, PhotoRefused):
                run.failed(batch[part[0]].photo_id, str(answer))
                continue
            for k, i in enumerate(part):
                self._record(run, batch[i], answer, k, client.current)

    def _record(
        self, run: _Run, upload: _Upload, answer: Answer, k: int, info: ModelInfo | None
    ) -> None:
        """The `k`-th photo of the answer: its tags, durable in the document before the queue
        says it is done."""
        tags = self._recordable(answer, k, info, upload, run.report)
        self.library.document.set_auto_tags(upload.photo_id, tags, CLOUD, answer.version)
        size = len(upload.payload)
        run.queue.delivered(upload.photo_id, answer.version, size, self.clock())
        seconds = time.monotonic() - upload.started
        refined = Refined(upload.photo_id, upload.path, answer.version, tags, size, seconds)
        run.report.refined.append(refined)
        if run.on_refined is not None:
            run.on_refined(refined)

    def _recordable(
        self,
        answer: Answer,
        k: int,
        info: ModelInfo | None,
        upload: _Upload,
        report: EscalationReport,
    ) -> dict[str, float]:
        """The tags the answer gives its `k`-th photo that are in the vocabulary (the models'
        here and the endpoint's, as far as each says), with cloud_tags' 0.0 verdicts; what was
        dropped goes in the report."""
        declared = info.tags if info else frozenset()
        known: Collection[str] | None = self.vocabulary
        if declared:
            known = declared if known is None else declared & frozenset(known)
        tags, dropped = accepted_tags(answer.tags[k], known)
        dropped += answer.dropped[k]
        if dropped:
            report.dropped.append((upload.photo_id, dropped))
        return cloud_tags(tags, upload.auto, declared)

    def _payload(self, photo_id: str) -> tuple[str, bytes]:
        """(path, what is sent) for the photo, from a file here whose content is still the
        photo's (a file edited since the scan is another photo, and is not sent)."""
        settings = self.settings()
        reasons = []
        for path in self.library.index.paths_for(photo_id):
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                reasons.append(f"{path}: {exc.strerror}")
                continue
            if content_id(data) != photo_id:
                reasons.append(f"{path} has changed since it was scanned")
                continue
            return path, upload_bytes(data, settings.max_side, path=str(path))
        raise ImageError("no readable file of this photo here (" + "; ".join(reasons) + ")")


# --- status, for the command line and the window ------------------------------------------------


@dataclass(frozen=True)
class EscalationStatus:
    settings: EscalationSettings
    waiting: int
    failed: int
    delivered: int
    sent_today: int
    last_model: str | None


def status(library: Library, clock: Callable[[], float] = time.time) -> EscalationStatus:
    """Where escalation stands for the library; reads local files only."""
    settings = EscalationSettings.of(library.log)
    with EscalationQueue.open(library.path) as queue:
        counts = queue.counts()
        sent_today = queue.sent_since(start_of_day(clock()))
    last = library.log.setting(LAST_VERSION)
    return EscalationStatus(
        settings,
        counts["waiting"],
        counts["failed"],
        counts["delivered"],
        sent_today,
        str(last) if last else None,
    )


__all__ = [
    "DEFAULT_MODEL",
    "MAX_TAGS",
    "EscalationReport",
    "EscalationSettings",
    "EscalationStatus",
    "Escalator",
    "Refined",
    "best_local_score",
    "check_settings",
    "cloud_model_of",
    "cloud_tags",
    "disable",
    "enable",
    "models_vocabulary",
    "refined_in_cloud",
    "status",
    "upload_bytes",
]
