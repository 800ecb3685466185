"""Photo tagging with an ImageNet classifier (MobileNetV2): 1000 class probabilities per photo.

The model's graph takes uint8 RGB crops (NHWC) and does the softmax itself; ImageNet's mean/std
normalisation is in the graph too, or (the int8 graph) in a table of 3 x 256 bytes that the model
file carries in its metadata (`input_lookup`, models/tagger_graph.py), applied here to the crop.
So the work here is cutting the crop. Mapping the 1000 ImageNet classes to the tags people use is
`vocabulary.py`'s job.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import cv2
import numpy as np

from photo_tagger.errors import ModelError
from photo_tagger.imaging.resize import shrink
from photo_tagger.vision.model import OnnxModel

LOOKUP_KEY = "input_lookup"


def center_crop(rgb: np.ndarray, size: int, resize: int) -> np.ndarray:
    """torchvision's eval transform (shorter side to `resize`, centre `size` x `size`) in one step.

    The centre square that the crop would cover is cut from the photo first and shrunk straight
    to `size`: the same pixels for a fraction of the resampling work.
    """
    h, w = rgb.shape[:2]
    side = max(1, round(min(h, w) * size / resize))
    y, x = (h - side) // 2, (w - side) // 2
    return shrink(rgb[y : y + side, x : x + side], size, size)


def input_lookup(model: OnnxModel) -> np.ndarray | None:
    """The (1, 256, 3) table through which the model reads its input, if its file has one."""
    text = model.metadata.get(LOOKUP_KEY)
    if text is None:
        return None
    try:
        table = np.array(json.loads(text), dtype=np.int64)
        ok = table.shape == (3, 256) and table.min() >= 0 and table.max() <= 255
    except (ValueError, TypeError, OverflowError):
        ok = False
    if not ok:
        raise ModelError(
            f"Model file {model.entry.file} has a damaged '{LOOKUP_KEY}': reinstall photo-tagger."
        )
    return np.ascontiguousarray(table.T.reshape(1, 256, 3).astype(np.uint8))


class Tagger:
    """ImageNet class probabilities for RGB photos of any size, from a model loaded by OnnxModel."""

    def __init__(self, model: OnnxModel) -> None:
        meta = model.entry.meta
        self.model = model
        self.size = int(meta["input"]["shape"][1])  # NHWC
        self.resize = int(meta["input"]["resize_shorter"])
        self.lookup = input_lookup(model)

    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        """The size x size x 3 uint8 crop the model sees."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an HxWx3 uint8 RGB image, got {rgb.shape} {rgb.dtype}")
        crop = center_crop(rgb, self.size, self.resize)
        return crop if self.lookup is None else cv2.LUT(crop, self.lookup)

    def classify(self, rgb: np.ndarray) -> np.ndarray:
        """1000 probabilities (float32, summing to 1) for one HxWx3 uint8 RGB photo."""
        probs: np.ndarray = self.classify_batch([rgb])[0]
        return probs

    def classify_batch(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """(N, 1000) probabilities for N photos of any sizes, in one model run."""
        if not images:
            return np.empty((0, 1000), np.float32)
        batch = np.stack([self.preprocess(rgb) for rgb in images])
        return np.asarray(self.model.run(batch)[0], dtype=np.float32)
