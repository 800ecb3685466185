"""The face embedder on real faces: alignment, int8 against fp32, and who is who.

Eye points and fp32 embeddings come from tests/data/golden/face_embedder.json, written by
models/build_face_embedder.py; the crops are rebuilt here with the app's own `align_face`.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import pytest

from photo_tagger.vision.embedder import (
    EMBEDDING_SIZE,
    MAX_BATCH,
    FaceEmbedder,
    align_face,
    distances,
    template_eyes,
)
from photo_tagger.vision.model import Manifest, OnnxModel

from .conftest import GOLDEN_DIR

if TYPE_CHECKING:  # only the end-to-end test needs the detector, through its fixture
    from photo_tagger.vision.detector import FaceDetector

MIN_INT8_COSINE = 0.99  # the build measured 0.999 on these crops


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return json.loads((GOLDEN_DIR / "face_embedder.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def embedder(manifest: Manifest) -> FaceEmbedder:
    return FaceEmbedder(OnnxModel(manifest.entry("face_embedder", "int8"), threads=1))


@pytest.fixture(scope="module")
def embedder_fp32(manifest: Manifest) -> FaceEmbedder:
    return FaceEmbedder(OnnxModel(manifest.entry("face_embedder", "fp32"), threads=1))


@pytest.fixture(scope="module")
def golden_crops(golden: dict[str, Any], photo: Callable[[str], np.ndarray]) -> np.ndarray:
    return np.stack(
        [
            align_face(photo(f["photo"]), tuple(f["left_eye"]), tuple(f["right_eye"]))
            for f in golden["faces"]
        ]
    )


@pytest.fixture(scope="module")
def int8_embeddings(
    embedder: FaceEmbedder, golden: dict[str, Any], golden_crops: np.ndarray
) -> dict[str, np.ndarray]:
    """The shipped model's embedding of each golden face, by label ("obama", "group#3", ...)."""
    labels = [f["label"] for f in golden["faces"]]
    return dict(zip(labels, embedder.embed(golden_crops), strict=True))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_golden_holds_the_real_faces(golden: dict[str, Any]) -> None:
    labels = [f["label"] for f in golden["faces"]]
    assert {"obama", "obama2", "obama3", "biden", "astronaut"} <= set(labels)
    assert sum(label.startswith("group#") for label in labels) == 6


def test_fp32_matches_golden(
    embedder_fp32: FaceEmbedder, golden: dict[str, Any], golden_crops: np.ndarray
) -> None:
    got = embedder_fp32.embed(golden_crops)
    want = np.array([f["embedding"] for f in golden["faces"]], np.float32)
    assert got.shape == want.shape == (len(golden["faces"]), EMBEDDING_SIZE)
    assert np.abs(got - want).max() < 1e-3
    assert min(cosine(g, w) for g, w in zip(got, want, strict=True)) > 0.9999


def test_int8_stays_close_to_fp32(
    int8_embeddings: dict[str, np.ndarray], golden: dict[str, Any]
) -> None:
    for face in golden["faces"]:
        c = cosine(int8_embeddings[face["label"]], np.array(face["embedding"]))
        assert c >= MIN_INT8_COSINE, f"{face['label']}: cosine {c:.4f} to fp32"


def test_threshold_comes_from_the_manifest(embedder: FaceEmbedder, manifest: Manifest) -> None:
    entry = manifest.raw["models"]["face_embedder"]
    assert embedder.same_person_distance == entry["thresholds"]["same_person_distance"]
    assert 0.3 < embedder.same_person_distance < 0.6  # dlib's own 0.6 merges people here


def test_same_person_is_within_the_threshold(
    embedder: FaceEmbedder, int8_embeddings: dict[str, np.ndarray]
) -> None:
    for a, b in itertools.combinations(["obama", "obama2", "obama3"], 2):
        d = float(np.linalg.norm(int8_embeddings[a] - int8_embeddings[b]))
        assert d < embedder.same_person_distance, f"{a} vs {b}: {d:.3f}"


def test_different_people_are_beyond_the_threshold(
    embedder: FaceEmbedder, int8_embeddings: dict[str, np.ndarray]
) -> None:
    obamas = ["obama", "obama2", "obama3"]
    others = [label for label in int8_embeddings if label not in obamas]
    assert {"biden", "astronaut"} <= set(others)
    pairs = [(o, x) for o in obamas for x in others] + list(itertools.combinations(others, 2))
    for a, b in pairs:  # every other face is a different person, the six in the group included
        d = float(np.linalg.norm(int8_embeddings[a] - int8_embeddings[b]))
        assert d > embedder.same_person_distance, f"{a} vs {b}: {d:.3f}"


def test_batches_give_the_same_embeddings_as_single_faces(
    embedder: FaceEmbedder, golden_crops: np.ndarray
) -> None:
    crops = np.concatenate([golden_crops, golden_crops])[: MAX_BATCH + 3]  # spans two model calls
    batched = embedder.embed(crops)
    single = np.concatenate([embedder.embed(c[None]) for c in crops])
    assert batched.shape == (len(crops), EMBEDDING_SIZE) and batched.dtype == np.float32
    np.testing.assert_allclose(batched, single, atol=1e-5)


def test_embed_takes_no_faces(embedder: FaceEmbedder) -> None:
    assert embedder.embed(np.zeros((0, 150, 150, 3), np.uint8)).shape == (0, EMBEDDING_SIZE)


@pytest.mark.parametrize(
    "crops",
    [
        np.zeros((1, 112, 112, 3), np.uint8),
        np.zeros((150, 150, 3), np.uint8),
        np.zeros((1, 150, 150, 3), np.float32),
    ],
)
def test_embed_rejects_what_align_face_does_not_make(
    embedder: FaceEmbedder, crops: np.ndarray
) -> None:
    with pytest.raises(ValueError):
        embedder.embed(crops)


def dots(shape: tuple[int, int], points: list[tuple[float, float]], sigma: float) -> np.ndarray:
    """A black RGB image with a bright Gaussian dot centred on each point."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    img = np.zeros(shape, np.float64)
    for x, y in points:
        img += np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * sigma**2))
    return np.repeat((255 * np.clip(img, 0, 1)).astype(np.uint8)[:, :, None], 3, axis=2)


def dot_centres(crop: np.ndarray) -> list[tuple[float, float]]:
    """Intensity-weighted centres of the two dots in a crop, left one first."""
    grey = crop[:, :, 0].astype(np.float64)
    n, lab = cv2.connectedComponents((grey > 20).astype(np.uint8))
    assert n == 3, "expected exactly two dots in the crop"
    ys, xs = np.mgrid[0 : crop.shape[0], 0 : crop.shape[1]]
    centres = []
    for i in (1, 2):
        w = grey * (lab == i)
        centres.append((float((w * xs).sum() / w.sum()), float((w * ys).sum() / w.sum())))
    return sorted(centres)


@pytest.mark.parametrize(
    ("eye_gap", "angle"),
    [
        (52.5, 0.0),  # the template's own size: a pure shift
        (30.0, 20.0),  # a small, tilted face: scaled up
        (80.0, -35.0),  # scaled down, still bilinear
        (260.0, 10.0),  # a face five times the crop: shrunk through the pyramid first
    ],
)
def test_align_face_puts_the_eyes_on_the_template(eye_gap: float, angle: float) -> None:
    cx, cy = 400.3, 350.7
    t = math.radians(angle)
    dx, dy = eye_gap / 2 * math.cos(t), eye_gap / 2 * math.sin(t)
    left, right = (cx - dx, cy - dy), (cx + dx, cy + dy)
    image = dots((800, 900), [left, right], sigma=eye_gap / 25)
    crop = align_face(image, left, right)
    assert crop.shape == (150, 150, 3) and crop.dtype == np.uint8
    for (gx, gy), (wx, wy) in zip(dot_centres(crop), template_eyes(), strict=True):
        assert abs(gx - wx) < 0.15 and abs(gy - wy) < 0.15, (gx, gy, wx, wy)


def test_template_eyes_are_dlibs() -> None:
    (lx, ly), (rx, ry) = template_eyes()
    # dlib's 5-point template, eye corners averaged, padded by 0.25 into a 150-pixel chip.
    assert (lx, ly) == pytest.approx((47.733, 47.140), abs=1e-3)
    assert (rx, ry) == pytest.approx((100.281, 47.123), abs=1e-3)
    assert template_eyes(300)[1] == pytest.approx((2 * rx, 2 * ry))


def test_align_face_fills_outside_the_photo_with_black(photo: Callable[[str], np.ndarray]) -> None:
    rgb = photo("astronaut.jpg")
    crop = align_face(rgb, (2.0, 5.0), (40.0, 5.0))  # eyes at the top-left corner
    assert crop[:30, :30].max() == 0  # above and left of the photo
    assert crop[100:, 100:].max() > 0  # the photo itself


def test_distances_are_euclidean() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(4, 128)), rng.normal(size=(3, 128))
    want = np.linalg.norm(a[:, None] - b[None], axis=2)
    np.testing.assert_allclose(distances(a, b), want, rtol=1e-9)


def test_detected_eyes_tell_the_same_man_from_others(
    face_detector: FaceDetector, embedder: FaceEmbedder, photo: Callable[[str], np.ndarray]
) -> None:
    """The app's path: detector eye points -> align_face -> embed, on whole photos."""
    emb = {}
    for name in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "astronaut.jpg"):
        rgb = photo(name)
        (face,) = face_detector.detect(rgb)
        emb[name] = embedder.embed(align_face(rgb, face.left_eye, face.right_eye)[None])[0]
    d = {(a, b): float(np.linalg.norm(emb[a] - emb[b])) for a in emb for b in emb}
    threshold = embedder.same_person_distance
    for a, b in itertools.combinations(["obama.jpg", "obama2.jpg", "obama3.jpg"], 2):
        assert d[a, b] < threshold, f"{a} vs {b}: {d[a, b]:.3f}"
    for a in ("obama.jpg", "obama2.jpg", "obama3.jpg"):
        for b in ("biden.jpg", "astronaut.jpg"):
            assert d[a, b] > threshold, f"{a} vs {b}: {d[a, b]:.3f}"
