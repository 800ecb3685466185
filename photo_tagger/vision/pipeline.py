"""From one decoded buffer to everything the models say about a photo, on every core.

`Analyzer.analyze` is a pure function of pixels: faces (boxes, eyes, embeddings), objects (class,
score, box) and tag scores.
`map_in_threads` runs any per-photo function on a pool of threads; onnxruntime, OpenCV and libjpeg
release the GIL, so threads scale across cores without copying buffers between processes.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from photo_tagger.vision.detector import Face, FaceDetector
from photo_tagger.vision.embedder import FaceEmbedder, align_face
from photo_tagger.vision.model import Manifest, OnnxModel
from photo_tagger.vision.objects import DetectedObject, ObjectDetector, load_object_detector
from photo_tagger.vision.picture import GRAPHICS_TAG, RULES_ID, drawn_score
from photo_tagger.vision.tagger import Tagger
from photo_tagger.vision.vocabulary import Vocabulary, ancestors

PEOPLE_TAG = "People"
GROUP_TAG = "People/Group"
PORTRAIT_TAG = "People/Portrait"


@dataclass(frozen=True)
class FaceResult:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the full-size photo
    score: float
    eyes: tuple[tuple[float, float], tuple[float, float]]  # image-left eye, image-right eye
    embedding: np.ndarray  # 128 float32


@dataclass(frozen=True)
class PhotoAnalysis:
    width: int
    height: int
    faces: list[FaceResult]
    tags: dict[str, float]  # tag -> score, every tag over the vocabulary's floor
    best_score: float  # the highest class probability: low means the tagger is unsure
    # the objects found (each over its class's score in the vocabulary), best first, in pixels
    # of the full-size photo; none on a drawn picture or without an object detector
    objects: list[DetectedObject] = field(default_factory=list)
    # the object detector was left out where it would tell nothing at once (a face was found, or
    # the classifier is sure), for a closer look later (app/closer_look.py)
    objects_later: bool = False


@dataclass
class Models:
    """The shipped models and the tag vocabulary, loaded and checked once. `objects` is None
    when the models folder has no object detector (an older model release)."""

    detector: FaceDetector
    embedder: FaceEmbedder
    tagger: Tagger
    vocabulary: Vocabulary
    ids: dict[str, str] = field(default_factory=dict)
    objects: ObjectDetector | None = None

    @classmethod
    def load(cls, models_dir: Path, variant: str | None = None, threads: int = 1) -> Models:
        """The models in `models_dir`, each in `variant` (by default the one its manifest entry
        names), each on `threads` threads."""
        manifest = Manifest(models_dir)
        entries = {
            k: manifest.entry(k, variant) for k in ("face_detector", "face_embedder", "tagger")
        }
        sessions = {k: OnnxModel(e, threads=threads) for k, e in entries.items()}
        vocabulary = Vocabulary.from_file(manifest.vocabulary_file())
        ids = {k: e.id for k, e in entries.items()}
        ids["vocabulary"] = f"vocabulary@{vocabulary.version}"
        ids["picture"] = RULES_ID
        objects = None
        if manifest.has("object_detector"):
            objects = load_object_detector(manifest, variant, threads)
            ids["object_detector"] = objects.model.entry.id
        return cls(
            detector=FaceDetector(sessions["face_detector"]),
            embedder=FaceEmbedder(sessions["face_embedder"]),
            tagger=Tagger(sessions["tagger"]),
            vocabulary=vocabulary,
            ids=ids,
            objects=objects,
        )

    @property
    def tagger_id(self) -> str:
        """What `auto` tags record as their model: the classifier and the vocabulary mapping it."""
        return f"{self.ids['tagger']}+{self.ids['vocabulary']}"

    @property
    def signature(self) -> str:
        """Changes whenever any model changes, so that photos analysed by older ones are redone."""
        return ";".join(f"{k}={v}" for k, v in sorted(self.ids.items()))


def people_tags(faces: list[Face], image_area: float) -> dict[str, float]:
    """Person tags come from the face detector: ImageNet classifiers are blind to people."""
    if not faces:
        return {}
    best = max(f.score for f in faces)
    tags = {PEOPLE_TAG: round(best, 3)}
    if len(faces) >= 3:
        tags[GROUP_TAG] = round(best, 3)
    elif len(faces) == 1:
        x0, y0, x1, y1 = faces[0].box
        # a face filling a good part of the frame (YuNet's boxes hug the face: 3 %, where
        # BlazeFace's looser ones needed 4 %)
        if (x1 - x0) * (y1 - y0) >= 0.03 * image_area:
            tags[PORTRAIT_TAG] = round(faces[0].score, 3)
    return tags


class Analyzer:
    """`every_photo`: run the object detector on every photo, not only where it adds something
    (objects_add_something): slower, for measuring what it finds."""

    def __init__(self, models: Models, every_photo: bool = False) -> None:
        self.models = models
        self.every_photo = every_photo

    def analyze(self, rgb: np.ndarray, width: int, height: int) -> PhotoAnalysis:
        """Everything the models say about one upright photo decoded at any scale.

        `width` and `height` are the full-size photo's, so that face boxes are stored in the
        pixels a user and other apps know (XMP regions, the viewer), whatever scale was decoded.
        """
        m = self.models
        faces = m.detector.detect(rgb)
        embeddings = np.zeros((0, 128), np.float32)
        if faces:
            crops = np.stack([align_face(rgb, f.left_eye, f.right_eye) for f in faces])
            embeddings = m.embedder.embed(crops)
        drawn = drawn_score(rgb)
        found: list[DetectedObject] = []
        later = False
        if drawn:  # a chart or a drawing: what the classifier would see in it is not there
            probs = np.zeros(m.vocabulary.num_classes, np.float32)
            tags = {GRAPHICS_TAG: drawn}
        else:
            probs = m.tagger.classify(rgb)
            tags = m.vocabulary.scores(probs)
            if self.every_photo or objects_add_something(faces, tags):
                found = self.find_objects(rgb)
            else:
                later = m.objects is not None
        merge_max(tags, people_tags(faces, float(rgb.shape[0] * rgb.shape[1])))
        merge_max(tags, m.vocabulary.object_tags((o.label, o.score) for o in found))
        k = width / rgb.shape[1]
        results = [
            FaceResult(
                box=tuple(round(v * k, 1) for v in f.box),  # type: ignore[arg-type]
                score=round(float(f.score), 3),
                eyes=(
                    (round(f.left_eye[0] * k, 1), round(f.left_eye[1] * k, 1)),
                    (round(f.right_eye[0] * k, 1), round(f.right_eye[1] * k, 1)),
                ),
                embedding=embeddings[i],
            )
            for i, f in enumerate(faces)
        ]
        objects = [DetectedObject(o.label, round(o.score, 3), scale_box(o.box, k)) for o in found]
        return PhotoAnalysis(
            width=width,
            height=height,
            faces=results,
            tags=tags,
            best_score=float(probs.max()),
            objects=objects,
            objects_later=later,
        )

    def find_objects(self, rgb: np.ndarray) -> list[DetectedObject]:
        """The objects that count as found (each over its class's score in the vocabulary), in
        pixels of `rgb`; none without an object detector."""
        if self.models.objects is None:
            return []
        vocabulary = self.models.vocabulary
        return [
            o
            for o in self.models.objects.detect(rgb)
            if o.score >= vocabulary.object_threshold(o.label)
        ]


SURE_TAG = 0.8  # the classifier is sure of what a photo shows when a specific tag scores this


def objects_add_something(faces: list[Face], tags: dict[str, float]) -> bool:
    """Whether the object detector can tell at once what the other models cannot: it costs as
    much as they do together (14 ms a photo on one core), so a scan runs it where they are
    blind. Not when a face was found (the photo's People tags and its count of people come from
    the faces), nor when the classifier is sure of what the photo shows (a specific tag at
    SURE_TAG or more: "Animals/Cat" 0.98); it runs on the photos left, where no face is seen and
    the classifier is unsure: people seen from behind or far away, scenes of several things.
    The others get it later, in a closer look (app/closer_look.py): the tie of a portrait, the
    cup beside a coffee."""
    if faces:
        return False
    broad = {a for t in tags for a in ancestors(t)}
    return max((s for t, s in tags.items() if t not in broad), default=0.0) < SURE_TAG


def scale_box(
    box: tuple[float, float, float, float], k: float
) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return (round(x0 * k, 1), round(y0 * k, 1), round(x1 * k, 1), round(y1 * k, 1))


def merge_max(tags: dict[str, float], more: dict[str, float]) -> None:
    """Add `more` to `tags`, a tag both hold keeping the higher score (two models saw it)."""
    for tag, score in more.items():
        tags[tag] = max(score, tags.get(tag, 0.0))


T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[T, R]):
    item: T
    result: R | None
    error: BaseException | None


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def lower_thread_priority() -> None:
    """Make the calling thread yield the processor to the user's: a scan in the window runs on
    every core, and the window's own thread must still answer within a few milliseconds. Best
    effort: where the system refuses, the thread runs at normal priority."""
    try:
        if sys.platform.startswith("linux"):
            # A Linux thread is a task with its own scheduling. As batch work it never takes the
            # processor from the window's thread when it wakes, while keeping its fair share
            # against other programs: a nice value would yield to them too (10 gave a scan in
            # the window a tenth of the processor on a machine busy with anything else).
            tid = threading.get_native_id()
            if os.sched_getscheduler(tid) != os.SCHED_BATCH:
                os.sched_setscheduler(tid, os.SCHED_BATCH, os.sched_param(0))
        elif sys.platform == "darwin":
            PRIO_DARWIN_THREAD, PRIO_DARWIN_BG = 3, 1  # noqa: N806 (sys/resource.h)
            os.setpriority(PRIO_DARWIN_THREAD, 0, PRIO_DARWIN_BG)
        elif sys.platform == "win32":
            kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
            THREAD_PRIORITY_BELOW_NORMAL = -1  # noqa: N806 (winbase.h)
            kernel32.SetThreadPriority(kernel32.GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL)
    except (OSError, AttributeError):
        pass


def map_in_threads(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    should_stop: Callable[[], bool] = lambda: False,
    background: bool = False,
) -> Generator[Outcome[T, R], None, None]:
    """`fn` over `items` on `workers` threads, yielding outcomes as they finish (not in order).

    At most `2 * workers` items are in flight, so a 100,000-photo scan never holds more than a few
    decoded photos in memory. An exception from `fn` is handed back in its outcome, never raised:
    one bad photo must not stop a scan. When `should_stop()` turns true, no new item starts.
    `background`: the threads run at a lower priority than the rest of the program (the window).
    """
    it = iter(items)
    pool = ThreadPoolExecutor(
        max_workers=workers,
        thread_name_prefix="photo",
        initializer=lower_thread_priority if background else None,
    )
    pending: deque[tuple[T, Future[R]]] = deque()

    def fill() -> None:
        while len(pending) < 2 * workers and not should_stop():
            try:
                item = next(it)
            except StopIteration:
                return
            pending.append((item, pool.submit(fn, item)))

    finished = False
    try:
        fill()
        while pending:
            item, fut = pending.popleft()
            try:
                result = fut.result()
            except Exception as exc:  # reported per photo by the caller
                yield Outcome(item, None, exc)
            else:
                yield Outcome(item, result, None)
            fill()
        finished = True
    finally:
        # A run the caller stopped reading (an error on its side, or the generator collected
        # later, which may happen on one of these very threads) does not wait for the work in
        # flight: joining would wait on the thread doing the collecting.
        pool.shutdown(wait=finished, cancel_futures=not finished)


@dataclass
class Progress:
    """Photos done, rate and time left, for a terminal line or a status bar."""

    total: int
    done: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.monotonic)

    def advance(self, skipped: bool = False) -> None:
        self.done += 1
        self.skipped += int(skipped)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        r = self.rate
        return (self.total - self.done) / r if r > 0 else None

    def line(self) -> str:
        eta = self.eta_seconds
        eta_s = "--:--" if eta is None else f"{int(eta) // 60:02d}:{int(eta) % 60:02d}"
        return f"{self.done}/{self.total} photos  {self.rate:.1f} photos/s  ETA {eta_s}" + (
            f"  ({self.skipped} skipped)" if self.skipped else ""
        )
