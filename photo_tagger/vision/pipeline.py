"""From one decoded buffer to everything the models say about a photo.

`Analyzer.analyze` is a pure function of pixels: faces (boxes, eyes, embeddings), objects (class,
score, box) and tag scores. `Analyzer.analyze_group` does it for a few photos at once, each model
on all of them in turn; the worker threads that run it are `workers.py`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photo_tagger.vision.detector import Face, FaceDetector
from photo_tagger.vision.embedder import FaceEmbedder, align_face
from photo_tagger.vision.model import Manifest, OnnxModel
from photo_tagger.vision.objects import DetectedObject, ObjectDetector, load_object_detector
from photo_tagger.vision.picture import GRAPHICS_TAG, RULES_ID, drawn_score
from photo_tagger.vision.tagger import Tagger
from photo_tagger.vision.vocabulary import Vocabulary

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
    # of the full-size photo; none on a drawn picture, without an object detector, or when the
    # detector was left to the closer look (`objects_later`)
    objects: list[DetectedObject] = field(default_factory=list)
    # the object detector was left to a closer look after the scan (app/closer_look.py)
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


@dataclass
class _Work:
    """One photo on its way through `Analyzer.analyze_group`."""

    rgb: np.ndarray
    width: int
    height: int
    faces: list[Face] = field(default_factory=list)
    embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 128), np.float32))
    drawn: float = 0.0
    probs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    tags: dict[str, float] = field(default_factory=dict)
    found: list[DetectedObject] = field(default_factory=list)
    later: bool = False
    result: PhotoAnalysis | None = None
    error: BaseException | None = None

    def answer(self) -> PhotoAnalysis | BaseException:
        if self.error is not None:
            return self.error
        assert self.result is not None, "every step ran"
        return self.result


class Analyzer:
    """`with_objects`: run the object detector too, where a scan leaves it to the closer look
    after it (app/closer_look.py says why): for a look at everything at once (a shadow test of
    new models, the accuracy benchmark's `--objects-in-scan`)."""

    def __init__(self, models: Models, with_objects: bool = False) -> None:
        self.models = models
        self.with_objects = with_objects

    def analyze(self, rgb: np.ndarray, width: int, height: int) -> PhotoAnalysis:
        """Everything the models say about one upright photo decoded at any scale.

        `width` and `height` are the full-size photo's, so that face boxes are stored in the
        pixels a user and other apps know (XMP regions, the viewer), whatever scale was decoded.
        """
        out = self.analyze_group([(rgb, width, height)])[0]
        if isinstance(out, BaseException):
            raise out
        return out

    def analyze_group(
        self, images: Sequence[tuple[np.ndarray, int, int]]
    ) -> list[PhotoAnalysis | BaseException]:
        """`analyze` for a few photos, each (rgb, width, height): each model runs on all of
        them in turn, while its weights are still in the processor's cache (workers.GROUP). A
        photo that a step fails on has the exception in its place; the others go on."""
        works = [_Work(rgb, width, height) for rgb, width, height in images]
        steps = (self._find_faces, self._embed_faces, self._classify, self._objects, self._sum_up)
        for step in steps:
            for w in works:
                if w.error is None:
                    try:
                        step(w)
                    except Exception as exc:  # noqa: BLE001 (handed back, for this photo only)
                        w.error = exc
        return [w.answer() for w in works]

    def _find_faces(self, w: _Work) -> None:
        w.faces = self.models.detector.detect(w.rgb)

    def _embed_faces(self, w: _Work) -> None:
        if w.faces:
            crops = np.stack([align_face(w.rgb, f.left_eye, f.right_eye) for f in w.faces])
            w.embeddings = self.models.embedder.embed(crops)

    def _classify(self, w: _Work) -> None:
        m = self.models
        w.drawn = drawn_score(w.rgb)
        if w.drawn:  # a chart or a drawing: what the classifier would see in it is not there
            w.probs = np.zeros(m.vocabulary.num_classes, np.float32)
            w.tags = {GRAPHICS_TAG: w.drawn}
        else:
            w.probs = m.tagger.classify(w.rgb)
            w.tags = m.vocabulary.scores(w.probs)

    def _objects(self, w: _Work) -> None:
        if w.drawn:
            return
        if self.with_objects:
            w.found = self.find_objects(w.rgb)
        else:
            w.later = self.models.objects is not None

    def _sum_up(self, w: _Work) -> None:
        m, rgb, faces, tags, found = self.models, w.rgb, w.faces, w.tags, w.found
        merge_max(tags, people_tags(faces, float(rgb.shape[0] * rgb.shape[1])))
        merge_max(tags, m.vocabulary.object_tags((o.label, o.score) for o in found))
        k = w.width / rgb.shape[1]
        results = [
            FaceResult(
                box=tuple(round(v * k, 1) for v in f.box),  # type: ignore[arg-type]
                score=round(float(f.score), 3),
                eyes=(
                    (round(f.left_eye[0] * k, 1), round(f.left_eye[1] * k, 1)),
                    (round(f.right_eye[0] * k, 1), round(f.right_eye[1] * k, 1)),
                ),
                embedding=w.embeddings[i],
            )
            for i, f in enumerate(faces)
        ]
        w.result = PhotoAnalysis(
            width=w.width,
            height=w.height,
            faces=results,
            tags=tags,
            best_score=float(w.probs.max()),
            objects=in_photo_pixels(found, k),
            objects_later=w.later,
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


def in_photo_pixels(found: Sequence[DetectedObject], k: float) -> list[DetectedObject]:
    """Objects found in a decoded buffer, in pixels of the full-size photo (`k`: its width over
    the buffer's), as they are stored: boxes to a tenth of a pixel, scores to three places."""
    return [
        DetectedObject(o.label, round(o.score, 3), tuple(round(v * k, 1) for v in o.box))  # type: ignore[arg-type]
        for o in found
    ]


def merge_max(tags: dict[str, float], more: dict[str, float]) -> None:
    """Add `more` to `tags`, a tag both hold keeping the higher score (two models saw it)."""
    for tag, score in more.items():
        tags[tag] = max(score, tags.get(tag, 0.0))
