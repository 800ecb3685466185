"""Face detection with YuNet (OpenCV's face detector, as digiKam uses it): boxes, scores, 5 points.

The pipeline is OpenCV's FaceDetectorYN: a photo longer than the model's `long_side` (640) is
scaled down to it (a smaller one is not scaled up) and padded on the right and bottom to a multiple
of 32; the model scores every cell of three grids (strides 8, 16 and 32) and regresses a box and
five points relative to the cell; candidates over `min_score` are merged by weighted non-maximum
suppression (the score-weighted mean of every box that overlaps the best one, so a face seen by
several cells gets one steadier box). Input size, strides and thresholds come from the model's
manifest entry. Beyond OpenCV's pipeline, a face the model is unsure of is looked at again:
enlarged when the photo is smaller than the input, and mirrored (FaceDetector.detect).

Against the BlazeFace model shipped before, on the face benchmark (benchmarks/bench_faces.py) it
finds faces from about 16 pixels instead of 48, in close-up crops that a face fills, and in
brightened copies, and takes fewer textures for faces; it costs about twice the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from photo_tagger.imaging.resize import shrink
from photo_tagger.vision.model import OnnxModel

Point = tuple[float, float]


@dataclass(frozen=True)
class Face:
    """One detected face, in pixels of the image given to `FaceDetector.detect`.

    `keypoints` are YuNet's five points in the model's order: the subject's right eye, left eye,
    nose tip, right and left mouth corners. On an upright face the subject's right eye appears on
    the image's left. The box may reach past the image edge for a face that is cut off by it.
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


def model_input(rgb: np.ndarray, long_side: int, multiple: int) -> tuple[np.ndarray, float]:
    """`rgb` scaled to a `long_side` long side, black-padded right and bottom to `multiple`.

    Returns the padded image and the scale (input pixels per photo pixel).
    """
    h, w = rgb.shape[:2]
    k = long_side / max(h, w)
    nw, nh = max(1, round(w * k)), max(1, round(h * k))
    pw, ph = math.ceil(nw / multiple) * multiple, math.ceil(nh / multiple) * multiple
    scaled = rgb if (nw, nh) == (w, h) else shrink(rgb, nw, nh)
    # one pass: 0.02 ms for a 500 x 375 photo, where a zeroed buffer and a copy took 0.23
    out = cv2.copyMakeBorder(scaled, 0, ph - nh, 0, pw - nw, cv2.BORDER_CONSTANT, value=0)
    return out, nw / w


def decode_grid(
    outputs: dict[str, np.ndarray], stride: int, width: int, min_score: float
) -> tuple[np.ndarray, np.ndarray]:
    """One stride's candidates over `min_score`: ((K, 2 + 5, 2) box corners + points, scores).

    As FaceDetectorYN: score = sqrt(cls * obj); the box centre and points are offsets from the
    cell in strides, the box size is exp(.) strides; cells run row by row, `width // stride` a row.
    """
    cls = np.clip(outputs[f"cls_{stride}"][0, :, 0], 0.0, 1.0)
    obj = np.clip(outputs[f"obj_{stride}"][0, :, 0], 0.0, 1.0)
    score = np.sqrt(cls * obj)
    keep = np.flatnonzero(score > min_score)
    cols = width // stride
    cell = np.stack([keep % cols, keep // cols], axis=1).astype(np.float32)
    bbox = outputs[f"bbox_{stride}"][0, keep]
    centre = (cell + bbox[:, :2]) * stride
    half = np.exp(np.clip(bbox[:, 2:], -10.0, 10.0)) * stride / 2.0
    points = (outputs[f"kps_{stride}"][0, keep].reshape(-1, 5, 2) + cell[:, None]) * stride
    dets = np.concatenate([(centre - half)[:, None], (centre + half)[:, None], points], axis=1)
    return dets.astype(np.float32), score[keep].astype(np.float32)


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
    """Weighted non-maximum suppression, as MediaPipe's.

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


# Scores of a face the detector is unsure of: a photo smaller than its input is looked at again
# enlarged (on the face benchmark, 5 % of its images), and a face still unsure is checked in the
# mirrored photo (15 % of them); none of the camera photos of benchmarks/bench_pipeline.py.
RECHECK = (0.4, 0.8)
MIRROR_IOU = 0.5  # a face in the mirrored photo is the same face when their boxes' IoU is over this


class FaceDetector:
    """Finds faces in an RGB photo of any size with a YuNet model loaded by `OnnxModel`."""

    def __init__(self, model: OnnxModel, min_score: float | None = None) -> None:
        meta: dict[str, Any] = model.entry.meta
        self.model = model
        self.long_side = int(meta["input"]["long_side"])
        self.multiple = int(meta["input"]["multiple"])
        self.strides = [int(s) for s in meta["decode"]["strides"]]
        self.min_score = float(
            model.entry.threshold("min_score") if min_score is None else min_score
        )
        if not 0.0 < self.min_score < 1.0:
            raise ValueError(f"min_score must be between 0 and 1, got {self.min_score}")
        self.nms_iou = model.entry.threshold("nms_iou")

    def detect(self, rgb: np.ndarray) -> list[Face]:
        """Faces in `rgb` (HxWx3 uint8), best score first, in pixels of `rgb`.

        A photo is scaled down to the model's long side, never up: one decoded at 500 pixels runs
        at 512 x 384, 40 % less work than 640 x 480. Small faces score lower unenlarged, though,
        so when that pass sees a face it is unsure of (RECHECK), the photo is looked at again
        enlarged to the long side, and that pass is the answer. A face still unsure then is
        looked at in the mirrored photo too, and its score is the mean of both looks
        (mirror_checked); what scores `min_score` or more is a face.
        """
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an HxWx3 uint8 RGB image, got {rgb.shape} {rgb.dtype}")
        if min(rgb.shape[:2]) < 1:
            return []
        long_side = max(rgb.shape[:2])
        lo, hi = RECHECK
        floor = min(lo, self.min_score)
        side = min(self.long_side, long_side)
        faces = self.detect_at(rgb, side, floor)
        if long_side < self.long_side and any(lo <= f.score < hi for f in faces):
            side = self.long_side
            faces = self.detect_at(rgb, side, floor)
        if any(lo <= f.score < hi for f in faces):
            faces = self.mirror_checked(rgb, side, faces, floor)
        return [f for f in faces if f.score >= self.min_score]

    def mirror_checked(
        self, rgb: np.ndarray, side: int, faces: list[Face], floor: float
    ) -> list[Face]:
        """`faces` with each unsure one's score the mean of its own and that of the same face in
        the mirrored photo (0 where the mirror shows none there), best first. A real face looks
        like one both ways round; a texture that passes for one seldom does."""
        lo, hi = RECHECK
        width = rgb.shape[1]
        mirrored = self.detect_at(np.ascontiguousarray(rgb[:, ::-1]), side, floor)
        boxes = np.array(
            [[[width - m.box[2], m.box[1]], [width - m.box[0], m.box[3]]] for m in mirrored],
            np.float32,
        ).reshape(-1, 2, 2)
        scores = [m.score for m in mirrored]
        out = []
        for f in faces:
            if lo <= f.score < hi:
                overlap = iou(np.array(f.box, np.float32).reshape(2, 2), boxes)
                k = int(overlap.argmax()) if len(overlap) else -1
                other = scores[k] if k >= 0 and overlap[k] > MIRROR_IOU else 0.0
                f = Face(box=f.box, score=(f.score + other) / 2, keypoints=f.keypoints)
            out.append(f)
        return sorted(out, key=lambda f: -f.score)

    def detect_at(self, rgb: np.ndarray, side: int, min_score: float) -> list[Face]:
        """Faces scoring `min_score` or more in `rgb` scaled to a `side` long side."""
        image, k = model_input(rgb, side, self.multiple)
        names = self.model.output_names
        outputs = dict(zip(names, self.model.run(image[None]), strict=True))
        found = [decode_grid(outputs, s, image.shape[1], min_score) for s in self.strides]
        dets = np.concatenate([d for d, _ in found])
        scores = np.concatenate([s for _, s in found])
        faces = []
        for det, score in weighted_nms(dets, scores, self.nms_iou):
            pts = [(float(x / k), float(y / k)) for x, y in det]
            box = (pts[0][0], pts[0][1], pts[1][0], pts[1][1])
            faces.append(Face(box=box, score=score, keypoints=tuple(pts[2:])))
        return faces
