"""Face embeddings: dlib's ResNet face model, 128 numbers per face, compared by Euclidean distance.

The network was trained on dlib's "face chips": 150x150 crops warped so that the face's landmarks
land on a fixed template (`get_face_chip_details(det, 150, 0.25)`). We only have two eye points
from the detector, which fix a similarity transform (position, scale, rotation) exactly, so
`align_face` places the two eye centres where dlib's 5-point template puts them. Crops made any
other way still embed, but drift away from the same face's other crops.

This runs for every face of every photo: alignment is one small warp per face and `embed` is one
model call per batch.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from photo_tagger.vision.model import OnnxModel

Point = tuple[float, float]

CHIP_SIZE = 150
CHIP_PADDING = 0.25  # dlib's compute_face_descriptor default; the model was trained with it
EMBEDDING_SIZE = 128
MAX_BATCH = 16  # faces per model call: bounds memory on a crowd photo, big enough to amortise

# dlib's 5-point template on the unit face square (get_face_chip_details in
# dlib/image_transforms/interpolation.h): the outer and inner corner of the eye on the image's
# right, the same for the eye on the image's left, then the base of the nose.
_TEMPLATE_5 = (
    (0.8595674595992, 0.2134981538014),
    (0.6460604764104, 0.2289674387677),
    (0.1205750620789, 0.2137274526848),
    (0.3340850613712, 0.2290642403242),
    (0.4901123135679, 0.6277975316475),
)


def template_eyes(size: int = CHIP_SIZE) -> tuple[Point, Point]:
    """Where `align_face` puts the (image-left, image-right) eye centres in a `size` crop.

    Each eye centre is the midpoint of its two corners in dlib's template, moved into the padded
    chip the same way dlib does: (padding + p) / (2 * padding + 1) * size.
    """

    def chip(p: Point, q: Point) -> Point:
        x, y = (p[0] + q[0]) / 2, (p[1] + q[1]) / 2
        k = size / (2 * CHIP_PADDING + 1)
        return ((CHIP_PADDING + x) * k, (CHIP_PADDING + y) * k)

    t = _TEMPLATE_5
    return chip(t[2], t[3]), chip(t[0], t[1])


def alignment_matrix(left_eye: Point, right_eye: Point, size: int = CHIP_SIZE) -> np.ndarray:
    """The 2x3 similarity transform taking photo pixels to crop pixels (for cv2.warpAffine).

    It is the rotation + uniform scale + shift that sends `left_eye` and `right_eye` (the eyes on
    the image's left and right side) onto `template_eyes(size)`. Pixel centres are at integer
    coordinates on both sides, as in OpenCV and dlib.
    """
    (tlx, tly), (trx, try_) = template_eyes(size)
    # Treat points as complex numbers: z_crop = a * z_photo + b, with a = scale * e^(i*angle).
    src_l, src_r = complex(*left_eye), complex(*right_eye)
    dst_l, dst_r = complex(tlx, tly), complex(trx, try_)
    if src_r == src_l:
        raise ValueError(f"the two eye points coincide at {left_eye}: cannot align the face")
    a = (dst_r - dst_l) / (src_r - src_l)
    b = dst_l - a * src_l
    return np.array([[a.real, -a.imag, b.real], [a.imag, a.real, b.imag]], dtype=np.float64)


def _shrink_for_warp(rgb: np.ndarray, m: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """When the crop is much smaller than the face, halve the face's region first, as dlib does.

    Bilinear sampling at under half scale skips pixels and aliases; dlib's `extract_image_chips`
    picks the level of an image pyramid at which the remaining scale is between 1/2 and 1, and so
    do we, with OpenCV's Gaussian pyramid. Only the region the crop can see is shrunk, so the cost
    stays that of a small image. Returns the image and matrix to warp with.
    """
    scale = math.hypot(m[0, 0], m[1, 0])
    if scale >= 0.5:
        return rgb, m
    inv = cv2.invertAffineTransform(m)
    corners = np.array([[0, 0, 1], [size, 0, 1], [0, size, 1], [size, size, 1]], np.float64)
    pts = corners @ inv.T
    h, w = rgb.shape[:2]
    # Each pyramid level blurs over 5 of its pixels: keep enough margin that the region's own
    # edge (mirrored by pyrDown) never reaches a pixel the crop samples.
    margin = math.ceil(4.0 / scale)
    x0 = max(math.floor(pts[:, 0].min()) - margin, 0)
    y0 = max(math.floor(pts[:, 1].min()) - margin, 0)
    x1 = min(math.ceil(pts[:, 0].max()) + margin + 1, w)
    y1 = min(math.ceil(pts[:, 1].max()) + margin + 1, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return rgb, m  # the face is off the image: the plain warp gives the black crop
    small, factor = rgb[y0:y1, x0:x1], 1
    while scale * factor < 0.5 and min(small.shape[:2]) > 1:
        small = cv2.pyrDown(small)  # pixel i of the result is centred on pixel 2i
        factor *= 2
    # A photo pixel (x, y) is (x0 + factor * xs, y0 + factor * ys) in the shrunk region.
    shift = m[:, :2] @ np.array([x0, y0], np.float64) + m[:, 2]
    return small, np.concatenate([m[:, :2] * factor, shift[:, None]], axis=1)


def align_face(
    rgb: np.ndarray, left_eye: Point, right_eye: Point, size: int = CHIP_SIZE
) -> np.ndarray:
    """A `size` x `size` x 3 uint8 crop of the face whose eyes are at `left_eye` and `right_eye`.

    `left_eye` is the eye on the image's left side (the subject's right eye on an upright face).
    The eyes land on `template_eyes(size)`; what falls outside the photo is black, as in dlib.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an HxWx3 uint8 RGB image, got {rgb.shape} {rgb.dtype}")
    m = alignment_matrix(left_eye, right_eye, size)
    src, m = _shrink_for_warp(rgb, m, size)
    return cv2.warpAffine(
        src, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances (N, M) between embeddings a (N, 128) and b (M, 128)."""
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    sq = (a64 * a64).sum(1)[:, None] + (b64 * b64).sum(1)[None, :] - 2.0 * a64 @ b64.T
    return np.sqrt(np.clip(sq, 0.0, None))


class FaceEmbedder:
    """128-D embeddings of aligned face crops with dlib's face model loaded by `OnnxModel`.

    Two crops show the same person when their embeddings are closer (Euclidean) than
    `same_person_distance`, which comes from the model's manifest entry.
    """

    def __init__(self, model: OnnxModel) -> None:
        meta = model.entry.meta
        self.model = model
        self.size = int(meta["input"]["shape"][1])  # NHWC
        self._same_person_distance = model.entry.threshold("same_person_distance")

    @property
    def same_person_distance(self) -> float:
        return self._same_person_distance

    def embed(self, crops: np.ndarray) -> np.ndarray:
        """(N, size, size, 3) uint8 RGB crops from `align_face` -> (N, 128) float32 embeddings."""
        if crops.ndim != 4 or crops.shape[1:] != (self.size, self.size, 3):
            raise ValueError(
                f"expected (N, {self.size}, {self.size}, 3) face crops, got {crops.shape}"
            )
        if crops.dtype != np.uint8:
            raise ValueError(f"expected uint8 face crops, got {crops.dtype}")
        out = np.empty((len(crops), EMBEDDING_SIZE), np.float32)
        for i in range(0, len(crops), MAX_BATCH):
            batch = crops[i : i + MAX_BATCH].astype(np.float32)
            out[i : i + len(batch)] = self.model.run(batch)[0]
        return out
