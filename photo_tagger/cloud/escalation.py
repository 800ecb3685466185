"""Escalation: photos the local model is unsure about go, with the user's consent, to a bigger
model in the cloud, and its tags come back into the library.

- Off by default, per library. The settings live in the library's own settings table (this
  computer's, like the sync server and token), never in the shared document. While off, nothing
  here opens a connection.
- Selection: a photo with a file on this computer whose best local auto tag scores under
  `threshold`, at most `daily_budget` photos sent per day (local time), the least sure first.
- What leaves the computer: the photo's pixels only, decoded upright, shrunk to `max_side` on the
  long side and re-encoded as a bare JPEG (no EXIF, GPS, XMP, ICC or comment), never the file.
- The queue is durable (escalation_queue.py): offline, photos wait; a photo whose answer came
  back is never sent again for the same model version.
- The answer lands in the document as `auto` tags with source "cloud" and the model's version
  (`LibraryDocument.set_auto_tags`): they sync like any other tag, override the local model's
  scores for the tags the cloud model scored, and never touch what the user set.

The settings are escalation_settings.py's (and named here too, as part of this feature's face),
the durable queue escalation_queue.py's, the protocol's client inference_client.py's.

`Escalator` uses the library on the calling thread; a window runs it on a worker thread with its
own `Library.open(path)` (as the sync does), then refreshes its document.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import requests

from photo_tagger.cloud.escalation_queue import EscalationQueue
from photo_tagger.cloud.escalation_settings import (
    DEFAULT_MODEL,
    LAST_VERSION,
    EscalationSettings,
    check_settings,
    disable,
    enable,
)
from photo_tagger.cloud.inference_client import (
    DEADLINE,
    MAX_ANSWER,
    Answer,
    InferenceClient,
    ModelInfo,
    PhotoRefused,
)
from photo_tagger.errors import EscalationOfflineError, ImageError, ModelError
from photo_tagger.files.discovery import content_id
from photo_tagger.imaging import decode_photo
from photo_tagger.store.library import Library
from photo_tagger.store.rules import CLOUD, LOCAL, cloud_model_of, model_confidence

JPEG_QUALITY = 90
MAX_TAGS = 50  # the most tags recorded from one answer for one photo, the best scored first
MAX_TAG_LENGTH = 200
FACE_TAGS = "People"  # the face detector's, on this computer; never the cloud model's


# --- what is selected, and what leaves the computer ---------------------------------------------


def best_local_score(auto: Mapping[str, Mapping[str, Any]]) -> float:
    """model_confidence of the local models, faces included (the cloud cannot name people)."""
    return model_confidence(auto, sources=(LOCAL,), with_people=True)


def refined_in_cloud(document: Any, photo_id: str) -> str | None:
    """The cloud model that refined the photo's tags (on any device), or None: for the window
    to mark photos refined in the cloud. `document` is a LibraryDocument."""
    return cloud_model_of(document.auto_tags(photo_id))


def upload_bytes(
    data: bytes, max_side: int, quality: int = JPEG_QUALITY, path: str = "photo.jpg"
) -> bytes:
    """What is sent for a photo file: its pixels, upright, long side <= `max_side`, as a bare JPEG
    (OpenCV writes only a JFIF header: no EXIF, GPS, XMP, ICC profile or comment). `path` names
    the file (a RAW is developed)."""
    rgb = decode_photo(data, path, target_side=max_side).rgb
    h, w = rgb.shape[:2]
    if max(h, w) > max_side:
        k = max_side / max(h, w)
        size = (max(1, min(max_side, round(w * k))), max(1, min(max_side, round(h * k))))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise ImageError("could not be re-encoded for upload")
    return bytes(np.asarray(buf).tobytes())


def cloud_tags(
    answer: Mapping[str, float], local: Mapping[str, Mapping[str, Any]], scorable: Iterable[str]
) -> dict[str, float]:
    """The tags to record from the cloud's answer: what it listed, plus 0.0 for each local tag it
    can score but left out (it scored it under its floor), so that its verdict replaces the
    unsure local one. Tags it cannot score (people, from the face detector) stay local."""
    tags = {t: round(float(s), 3) for t, s in answer.items()}
    can_score = set(scorable)
    for tag, a in local.items():
        if a.get("source") == LOCAL and tag in can_score and tag not in tags:
            tags[tag] = 0.0
    return tags


def accepted_tags(
    answer: Mapping[str, float], known: Collection[str] | None, limit: int = MAX_TAGS
) -> tuple[dict[str, float], int]:
    """The tags of an answer that may be recorded, and how many were dropped: only tags `known`
    (the vocabulary; None when neither the models here nor the endpoint say), never a face tag
    or a malformed name, the `limit` best scored."""
    good = [(t, s) for t, s in answer.items() if _sane_tag(t) and (known is None or t in known)]
    good.sort(key=lambda item: -item[1])
    return dict(good[:limit]), len(answer) - min(len(good), limit)


def _sane_tag(tag: str) -> bool:
    return (
        0 < len(tag) <= MAX_TAG_LENGTH
        and tag.isprintable()
        and "|" not in tag
        and tag == tag.strip()
        and tag.split("/", 1)[0] != FACE_TAGS
    )


def models_vocabulary(library_path: Path) -> frozenset[str] | None:
    """Every tag the models this library uses can give (None when they cannot be read)."""
    from photo_tagger.cloud.model_updates import active_models_dir
    from photo_tagger.vision.model import Manifest
    from photo_tagger.vision.vocabulary import Vocabulary

    try:
        folder = active_models_dir(library_path)
        return frozenset(Vocabulary.from_file(Manifest(folder).vocabulary_file()).names)
    except (ModelError, OSError, ValueError):
        return None


def start_of_day(now: float) -> float:
    """Local midnight before `now`: the daily budget starts again then."""
    day = dt.datetime.fromtimestamp(now).date()
    return dt.datetime.combine(day, dt.time()).timestamp()


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
                self._send(queue, settings, report, on_refined)
            except EscalationOfflineError as exc:
                report.offline = str(exc)
            report.waiting = queue.counts()["waiting"]
            report.budget_left = self._budget_left(queue, settings)
        return report

    def _budget_left(self, queue: EscalationQueue, settings: EscalationSettings) -> int:
        now = self.clock()
        return max(0, settings.daily_budget - queue.sent_since(start_of_day(now)))

    def _send(
        self,
        queue: EscalationQueue,
        settings: EscalationSettings,
        report: EscalationReport,
        on_refined: Callable[[Refined], None] | None,
    ) -> None:
        todo = queue.waiting()
        if not todo or self._budget_left(queue, settings) == 0:
            return  # nothing to send: no connection at all
        session = self.session or requests.Session()
        try:
            client = InferenceClient(
                settings.endpoints,
                settings.token,
                settings.model,
                session,
                max_answer=self.max_answer,
                deadline=self.deadline,
            )
            if self.vocabulary is None:
                self.vocabulary = models_vocabulary(self.library.path)
            info = client.connect()
            self.library.log.set_settings({LAST_VERSION: info.version})
            for item in todo:
                if self._budget_left(queue, settings) == 0:
                    break
                info = client.current or client.connect()
                report.endpoint = info.endpoint
                self._send_one(queue, client, info, item.photo_id, report, on_refined)
        finally:
            if self.session is None:
                session.close()

    def _send_one(
        self,
        queue: EscalationQueue,
        client: InferenceClient,
        info: ModelInfo,
        photo_id: str,
        report: EscalationReport,
        on_refined: Callable[[Refined], None] | None,
    ) -> None:
        doc = self.library.document
        if not doc.has_photo(photo_id):
            queue.remove([photo_id])  # forgotten since it was queued
            return
        auto = doc.auto_tags(photo_id)
        if queue.is_delivered(photo_id, info.version) or cloud_model_of(auto) == info.version:
            queue.delivered(photo_id, info.version, 0, self.clock())
            report.already += 1
            return
        started = time.monotonic()
        try:
            path, payload = self._payload(photo_id)
            answer = client.infer([payload])
        except (PhotoRefused, ImageError) as exc:
            queue.failed(photo_id, str(exc))
            report.failed.append((photo_id, str(exc)))
            return
        tags = self._recordable(answer, client.current, auto, photo_id, report)
        doc.set_auto_tags(photo_id, tags, CLOUD, answer.version)  # durable before it is "done"
        queue.delivered(photo_id, answer.version, len(payload), self.clock())
        refined = Refined(
            photo_id, path, answer.version, tags, len(payload), time.monotonic() - started
        )
        report.refined.append(refined)
        if on_refined is not None:
            on_refined(refined)

    def _recordable(
        self,
        answer: Answer,
        info: ModelInfo | None,
        auto: Mapping[str, Mapping[str, Any]],
        photo_id: str,
        report: EscalationReport,
    ) -> dict[str, float]:
        """The answer's tags in the vocabulary (the models' here and the endpoint's, as far as
        each says) with cloud_tags' 0.0 verdicts; what was dropped goes in the report."""
        declared = info.tags if info else frozenset()
        known: Collection[str] | None = self.vocabulary
        if declared:
            known = declared if known is None else declared & frozenset(known)
        tags, dropped = accepted_tags(answer.tags[0], known)
        dropped += answer.dropped[0]
        if dropped:
            report.dropped.append((photo_id, dropped))
        return cloud_tags(tags, auto, declared)

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
    "refined_in_cloud",
    "status",
    "upload_bytes",
]
