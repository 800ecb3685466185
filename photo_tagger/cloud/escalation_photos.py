"""What escalation selects, what leaves the computer, and what it keeps of an answer: plain
functions of a photo's tags and pixels, for escalation.py (which names them too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from photo_tagger.errors import ImageError, ModelError
from photo_tagger.imaging import decode_photo
from photo_tagger.store.rules import LOCAL, cloud_model_of, model_confidence

JPEG_QUALITY = 90
MAX_TAGS = 50  # the most tags recorded from one answer for one photo, the best scored first
MAX_TAG_LENGTH = 200
FACE_TAGS = "People"  # the face detector's, on this computer; never the cloud model's


def best_local_score(auto: Mapping[str, Mapping[str, Any]]) -> float:
    """How sure the local models are of the photo: the best score of their most specific tags,
    the face detector's included (the cloud model cannot tell people apart, so a photo sure of
    its faces gains nothing there); 0.0 with none. See rules.model_confidence."""
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


def imagenet_scorer(library_path: Path) -> Callable[[np.ndarray], dict[str, float]] | None:
    """How the library's models read 1000 ImageNet probabilities as tags (None when their
    vocabulary cannot be read, or maps another set of classes)."""
    from photo_tagger.cloud.model_updates import active_models_dir
    from photo_tagger.vision.model import Manifest
    from photo_tagger.vision.vocabulary import Vocabulary

    try:
        folder = active_models_dir(library_path)
        vocabulary = Vocabulary.from_file(Manifest(folder).vocabulary_file())
    except (ModelError, OSError, ValueError):
        return None
    return vocabulary.scores if vocabulary.num_classes == 1000 else None


def start_of_day(now: float) -> float:
    """Local midnight before `now`: the daily budget starts again then."""
    day = dt.datetime.fromtimestamp(now).date()
    return dt.datetime.combine(day, dt.time()).timestamp()
