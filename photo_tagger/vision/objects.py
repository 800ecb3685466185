"""Objects in a photo with NanoDet-g: COCO's 80 classes (person, bicycle, cat, cup, kite, ...),
each with a score and a box, so that a photo can say what is in it and how many.

The pipeline is NanoDet's own: the photo is letterboxed into the model's square (aspect kept,
centred, black bars; the same area-averaged shrink as the face detector), the graph normalises it
(BGR, NanoDet's mean and std) and gives, for every cell of three grids (strides 8, 16, 32), a score
per class (a sigmoid inside the graph: GFL's joint class-and-box-quality score) and the distances
from the cell's centre to the box's four sides, each as a distribution over `reg_max + 1` steps
of one stride (the distance is its expectation). Candidates over `min_score` are decoded, then
non-maximum suppression runs per class, so that a rider overlapping a horse keeps both.

Input size, strides, `reg_max` and thresholds come from the model's manifest entry; the class names
from the labels file it names (`load_object_detector` reads both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from photo_tagger.errors import ModelError
from photo_tagger.imaging.resize import shrink
from photo_tagger.vision.model import Manifest, OnnxModel
from photo_tagger.words import reason

MAX_LABELS_BYTES = 64 * 1024


@dataclass(frozen=True)
class Letterbox:
    """How a photo was placed in the square model input: input = photo * scale + pad."""

    scale_x: float
    scale_y: float
    pad_x: int
    pad_y: int


def letterbox(rgb: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox]:
    """Fit `rgb` into a black `size` x `size` square, aspect kept, centred."""
    h, w = rgb.shape[:2]
    s = size / max(h, w)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    out = np.zeros((size, size, 3), np.uint8)
    px, py = (size - nw) // 2, (size - nh) // 2
    out[py : py + nh, px : px + nw] = shrink(rgb, nw, nh)
    return out, Letterbox(nw / w, nh / h, px, py)


@dataclass(frozen=True)
class DetectedObject:
    """One object, in pixels of the image given to `ObjectDetector.detect`, clipped to it."""

    label: str  # a COCO class name: "person", "dog", "cup", "dining table", ...
    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


def read_labels(path: Path, count: int) -> list[str]:
    """The `count` class names in `path`, one a line, in the model's class order."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_LABELS_BYTES + 1)
    except OSError as exc:
        raise ModelError(
            f"The object class names {path} cannot be read: {reason(exc, 'it is damaged')}. "
            "Reinstall photo-tagger."
        ) from exc
    try:
        if len(raw) > MAX_LABELS_BYTES:
            raise ValueError("too large")
        names = [line.strip() for line in raw.decode("utf-8").splitlines() if line.strip()]
    except ValueError:
        names = []
    if len(names) != count:
        raise ModelError(
            f"The object class names {path} do not match the model ({len(names)} names, "
            f"{count} expected). Reinstall photo-tagger."
        )
    return names


def cell_centres(size: int, strides: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(centres (N, 2) as x, y in input pixels, stride (N,)) of every cell, in model order:
    stride by stride, each grid row by row."""
    centres, steps = [], []
    for s in strides:
        n = size // s
        xs, ys = np.meshgrid((np.arange(n) + 0.5) * s, (np.arange(n) + 0.5) * s)
        centres.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
        steps.append(np.full(n * n, s))
    return np.concatenate(centres).astype(np.float32), np.concatenate(steps).astype(np.float32)


def side_distances(dist: np.ndarray, reg_max: int) -> np.ndarray:
    """(K, 4 * (reg_max + 1)) logits -> (K, 4) expected distances in strides: left, top, right,
    bottom (DFL: softmax over the steps, then the mean step)."""
    d = dist.reshape(len(dist), 4, reg_max + 1).astype(np.float64)
    e = np.exp(d - d.max(axis=2, keepdims=True))
    return (e @ np.arange(reg_max + 1)) / e.sum(axis=2)  # type: ignore[no-any-return]


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> list[int]:
    """Indices kept by greedy non-maximum suppression, best score first."""
    order = np.argsort(-scores, kind="stable")
    area = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    keep: list[int] = []
    while order.size:
        i, rest = int(order[0]), order[1:]
        keep.append(i)
        lo = np.maximum(boxes[i, :2], boxes[rest, :2])
        hi = np.minimum(boxes[i, 2:], boxes[rest, 2:])
        inter = np.prod(np.clip(hi - lo, 0.0, None), axis=1)
        union = area[i] + area[rest] - inter
        iou = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
        order = rest[iou <= iou_threshold]
    return keep


class ObjectDetector:
    """Finds COCO objects in an RGB photo of any size with a NanoDet model loaded by `OnnxModel`."""

    def __init__(
        self, model: OnnxModel, labels: Sequence[str], min_score: float | None = None
    ) -> None:
        meta: dict[str, Any] = model.entry.meta
        self.model = model
        self.size = int(meta["input"]["shape"][1])  # NHWC
        decode = meta["decode"]
        self.reg_max = int(decode["reg_max"])
        self.centres, self.strides = cell_centres(self.size, list(decode["strides"]))
        self.labels = list(labels)
        if len(self.labels) != int(decode["num_classes"]):
            raise ModelError(
                f"The '{model.entry.key}' model has {decode['num_classes']} classes but "
                f"{len(self.labels)} class names were given. Reinstall photo-tagger."
            )
        self.min_score = float(
            model.entry.threshold("min_score") if min_score is None else min_score
        )
        if not 0.0 < self.min_score < 1.0:
            raise ValueError(f"min_score must be between 0 and 1, got {self.min_score}")
        self.nms_iou = model.entry.threshold("nms_iou")
        self.max_objects = int(model.entry.threshold("max_objects"))

    def raw(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, Letterbox]:
        """(scores (N, classes), side logits (N, 4 * (reg_max + 1)), letterbox) for one photo."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an HxWx3 uint8 RGB image, got {rgb.shape} {rgb.dtype}")
        square, lb = letterbox(rgb, self.size)
        scores, dists = self.model.run(square[None])
        return scores[0], dists[0], lb

    def detect(self, rgb: np.ndarray) -> list[DetectedObject]:
        """Objects in `rgb` (HxWx3 uint8), best score first, in pixels of `rgb`."""
        scores, dists, lb = self.raw(rgb)
        cells, classes = np.nonzero(scores > self.min_score)
        if cells.size == 0:
            return []
        unique, where = np.unique(cells, return_inverse=True)
        sides = side_distances(dists[unique], self.reg_max) * self.strides[unique, None]
        centre = self.centres[unique]
        boxes = np.concatenate([centre - sides[:, :2], centre + sides[:, 2:]], axis=1)[where]
        found = scores[cells, classes]
        kept: list[tuple[float, int, np.ndarray]] = []
        for c in np.unique(classes):
            idx = np.flatnonzero(classes == c)
            for i in nms(boxes[idx], found[idx], self.nms_iou):
                kept.append((float(found[idx[i]]), int(c), boxes[idx[i]]))
        kept.sort(key=lambda k: -k[0])
        h, w = rgb.shape[:2]
        out = []
        for score, c, box in kept[: self.max_objects]:
            # From input pixels back to the photo's, undoing the letterbox; clipped to the photo.
            x0, x1 = np.clip((box[[0, 2]] - lb.pad_x) / lb.scale_x, 0, w)
            y0, y1 = np.clip((box[[1, 3]] - lb.pad_y) / lb.scale_y, 0, h)
            if x1 <= x0 or y1 <= y0:  # nothing of it inside the photo
                continue
            b = (float(x0), float(y0), float(x1), float(y1))
            out.append(DetectedObject(label=self.labels[c], score=score, box=b))
        return out


def load_object_detector(
    manifest: Manifest,
    variant: str | None = None,
    threads: int = 1,
    key: str = "object_detector",
) -> ObjectDetector:
    """The shipped object detector: its model (sha256 checked) and its class names."""
    entry = manifest.entry(key, variant)
    count = int(entry.meta.get("decode", {}).get("num_classes", 0))
    labels = read_labels(manifest.labels_file(key), count)
    return ObjectDetector(OnnxModel(entry, threads=threads), labels)
