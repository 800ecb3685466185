"""Face detection with MediaPipe's BlazeFace (full-range): boxes, scores and six keypoints.

The pipeline is MediaPipe's own: letterbox the photo into the model's square input, decode the raw
regressors against a fixed grid of anchors, keep candidates over `min_score`, then merge
overlapping candidates with weighted non-maximum suppression (the score-weighted mean of every box
that overlaps the best one, so a face seen by several anchors gets one steadier box). The model's
input size, anchor grid and thresholds are read from its manifest entry, not hard-coded here.

This runs once per photo, so the costs are kept off the hot path: anchors are built once, decoding
is vectorised, and only the handful of candidates over the threshold reach the NMS loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from photo_tagger.vision.model import OnnxModel

Point = tuple[float, float]


@dataclass(frozen=True)
class Face:
    """One detected face, in pixels of the image given to `FaceDetector.detect`.

    `keypoints` are BlazeFace's six points in the model's order: the subject's right eye, left eye,
    nose tip, mouth centre, right ear tragion, left ear tragion. On an upright face the subject's
    right eye appears on the image's left. The box may reach past the image edge for a face that
    is cut off by it.
    """

    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    score: float
    keypoints: tuple[Point, ...]

    @property
    def left_eye(self) -> Point:
        """The eye on the image's left side."""
        a, b = self.keypoints[0], self.keypoints[1]
        return a if a[0] <= b[0] else b

    @property
    def right_eye(self) -> Point:
        """The eye on the image's right side."""
        a, b = self.keypoints[0], self.keypoints[1]
        return b if a[0] <= b[0] else a


@dataclass(frozen=True)
class Letterbox:
    """How a photo was placed in the square model input: input = photo * scale + pad."""

    scale_x: float
    scale_y: float
    pad_x: int
    pad_y: int


def shrink(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize `rgb` to `width` x `height`, averaging every source pixel when shrinking.

    Small faces need a true area average: bilinear sampling straight down to a 192-pixel input
    aliases them away (the smallest face of group.jpg scored 0.22 instead of 0.55-0.69). OpenCV's
    own area average is slow at fractional ratios (3.9 ms for 1280x886 -> 192), but fast when
    halving. So: bilinear to `2**n` times the target (a ratio under 2, harmless before averaging),
    then n halvings. Same scores as the exact area average, at 1.0 ms on 1280x886 and 0.3 ms on a
    750-pixel photo.
    """
    h, w = rgb.shape[:2]
    ratio = min(w / width, h / height)
    if ratio <= 1:
        return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_LINEAR)
    # Below 2x too, going up to 2x and halving costs half of a fractional area average.
    k = 2 ** max(1, int(np.log2(ratio)))
    out = cv2.resize(rgb, (width * k, height * k), interpolation=cv2.INTER_LINEAR)
    while k > 1:
        k //= 2
        out = cv2.resize(out, (width * k, height * k), interpolation=cv2.INTER_AREA)
    return out


def letterbox(rgb: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox]:
    """Fit `rgb` into a black `size` x `size` square, aspect kept, centred, as MediaPipe does."""
    h, w = rgb.shape[:2]
    s = size / max(h, w)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    out = np.zeros((size, size, 3), np.uint8)
    px, py = (size - nw) // 2, (size - nh) // 2
    out[py : py + nh, px : px + nw] = shrink(rgb, nw, nh)
    return out, Letterbox(nw / w, nh / h, px, py)


def ssd_anchors(input_size: int, strides: list[int], offset: float) -> np.ndarray:
    """Anchor centres (N, 2) as x, y in 0-1, one per feature-map cell and layer, in model order.

    MediaPipe's SsdAnchorsCalculator with `fixed_anchor_size` and no interpolated aspect ratio,
    which is what BlazeFace full-range uses (one 48x48 layer at stride 4 -> 2304 anchors).
    """
    layers = []
    for stride in strides:
        n = input_size // stride
        centres = (np.arange(n, dtype=np.float32) + offset) / n
        xs, ys = np.meshgrid(centres, centres)  # row-major: y outer, x inner, as the model emits
        layers.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
    return np.concatenate(layers).astype(np.float32)


def decode(
    regressors: np.ndarray, logits: np.ndarray, anchors: np.ndarray, scale: float, min_score: float
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates over `min_score` as (boxes+keypoints (K, 2 + P, 2) in 0-1 of the input, scores).

    Each row of `regressors` is x, y, w, h of the box, then x, y per keypoint, in input pixels
    relative to the anchor centre. Rows are [x0y0, x1y1, kp0, kp1, ...] so that a box and its
    keypoints can be averaged together in NMS.
    """
    logits = logits.reshape(-1)
    # sigmoid(x) > t  <=>  x > logit(t): threshold before paying for exp on 2304 values.
    keep = np.flatnonzero(logits > np.log(min_score / (1.0 - min_score)))
    if keep.size == 0:
        return np.empty((0, 2, 2), np.float32), np.empty((0,), np.float32)
    raw = regressors.reshape(len(anchors), -1, 2)[keep] / scale
    centre = anchors[keep]
    pts = raw + centre[:, None, :]  # box centre and keypoints are anchor-relative
    half = raw[:, 1, :] / 2.0  # w, h are not
    out = np.concatenate([(pts[:, 0] - half)[:, None], (pts[:, 0] + half)[:, None], pts[:, 2:]], 1)
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits[keep], -100.0, 100.0)))
    valid = np.all(out[:, 1] > out[:, 0], axis=1)  # drop degenerate boxes, as MediaPipe does
    return out[valid].astype(np.float32), scores[valid].astype(np.float32)


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one [x0y0, x1y1] box against (K, 2, 2) boxes."""
    lo = np.maximum(box[0], boxes[:, 0])
    hi = np.minimum(box[1], boxes[:, 1])
    inter = np.prod(np.clip(hi - lo, 0.0, None), axis=1)
    area = np.prod(box[1] - box[0])
    areas = np.prod(boxes[:, 1] - boxes[:, 0], axis=1)
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def weighted_nms(
    dets: np.ndarray, scores: np.ndarray, iou_threshold: float
) -> list[tuple[np.ndarray, float]]:
    """MediaPipe's WEIGHTED non-maximum suppression.

    Take the best remaining candidate; every remaining candidate overlapping it by more than
    `iou_threshold` (itself included) is merged into one detection whose box and keypoints are the
    score-weighted mean, with the best candidate's score; repeat on what is left.
    """
    order = np.argsort(-scores, kind="stable")
    dets, scores = dets[order], scores[order]
    out: list[tuple[np.ndarray, float]] = []
    while len(scores):
        overlap = iou(dets[0, :2], dets[:, :2]) > iou_threshold
        overlap[0] = True
        w = scores[overlap]
        merged = (dets[overlap] * w[:, None, None]).sum(axis=0) / w.sum()
        out.append((merged, float(scores[0])))
        dets, scores = dets[~overlap], scores[~overlap]
    return out


class FaceDetector:
    """Finds faces in an RGB photo of any size with a BlazeFace model loaded by `OnnxModel`."""

    def __init__(self, model: OnnxModel, min_score: float | None = None) -> None:
        meta: dict[str, Any] = model.entry.meta
        self.model = model
        self.input_size = int(meta["input"]["shape"][1])  # NHWC
        anchors = meta["anchors"]
        self.anchors = ssd_anchors(self.input_size, list(anchors["strides"]), anchors["offset"])
        self.scale = float(meta["decode"]["scale"])
        self.min_score = float(
            model.entry.threshold("min_score") if min_score is None else min_score
        )
        if not 0.0 < self.min_score < 1.0:
            raise ValueError(f"min_score must be between 0 and 1, got {self.min_score}")
        self.nms_iou = model.entry.threshold("nms_iou")

    def detect(self, rgb: np.ndarray) -> list[Face]:
        """Faces in `rgb` (HxWx3 uint8), best score first, in pixels of `rgb`."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an HxWx3 uint8 RGB image, got {rgb.shape} {rgb.dtype}")
        square, lb = letterbox(rgb, self.input_size)
        regressors, logits = self.model.run(square[None])
        dets, scores = decode(regressors[0], logits[0], self.anchors, self.scale, self.min_score)
        faces = []
        size = self.input_size
        for det, score in weighted_nms(dets, scores, self.nms_iou):
            # From 0-1 of the square input back to pixels of the photo, undoing the letterbox.
            x = (det[:, 0] * size - lb.pad_x) / lb.scale_x
            y = (det[:, 1] * size - lb.pad_y) / lb.scale_y
            pts = [(float(a), float(b)) for a, b in zip(x, y, strict=True)]
            box = (pts[0][0], pts[0][1], pts[1][0], pts[1][1])
            faces.append(Face(box=box, score=score, keypoints=tuple(pts[2:])))
        return faces
