"""The score a model's tag needs to count as one of the photo's tags, and the models' vocabulary.

One rule for the window, the command line and the export: the vocabulary's own threshold for the
tag, times a scale the user sets (under 1 shows more model tags). People tags come from the face
detector, which has applied its own threshold already.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from photo_tagger.vision.model import Manifest
from photo_tagger.vision.pipeline import PEOPLE_TAG
from photo_tagger.vision.vocabulary import Vocabulary

Threshold = Callable[[str], float]


def load_vocabulary(models_dir: Path) -> Vocabulary:
    """The tag vocabulary of the models in `models_dir`."""
    return Vocabulary.from_file(Manifest(models_dir).vocabulary_file())


def tag_threshold(vocabulary: Vocabulary, scale: float = 1.0) -> Threshold:
    def threshold(tag: str) -> float:
        if tag == PEOPLE_TAG or tag.startswith(PEOPLE_TAG + "/"):
            return 0.0
        return min(1.0, vocabulary.threshold(tag) * scale)

    return threshold


def models_threshold(models_dir: Path, scale: float = 1.0) -> Threshold:
    """`tag_threshold` for the models in `models_dir`."""
    return tag_threshold(load_vocabulary(models_dir), scale)
