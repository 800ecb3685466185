"""The shipped face detector: int8 against the fp32 golden outputs, behaviour on real photos."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from photo_tagger.errors import ModelIntegrityError
from photo_tagger.vision.detector import (
    Face,
    FaceDetector,
    decode_grid,
    iou,
    model_input,
    shrink,
    weighted_nms,
)
from photo_tagger.vision.model import Manifest, OnnxModel
from tests.vision.profiled import profiled_nodes

GOLDEN = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "golden" / "face_detector.json").read_text()
)
PHOTOS = sorted(GOLDEN["photos"])
DATA = Path(__file__).resolve().parents[1] / "data"
EXPECTED_FACES = {
    k: v for k, v in json.loads((DATA / "expected_faces.json").read_text()).items() if k != "_"
}

# How far the int8 graph, built beside the fp32 one the app runs, may drift from it
# (models/build_yunet.py records what it measured on these photos in the manifest's checks).
INT8_MIN_IOU = 0.75
INT8_MAX_SCORE_DIFF = 0.1
INT8_MAX_KEYPOINT_ERR = 0.12  # fraction of the face's width


def box_iou(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float]) -> float:
    return float(
        iou(np.array(a, np.float32).reshape(2, 2), np.array([b], np.float32).reshape(1, 2, 2))[0]
    )


def match(golden: list[dict[str, Any]], faces: list[Face]) -> list[tuple[dict[str, Any], Face]]:
    """Each golden face with the detected face that overlaps it most."""
    return [(g, max(faces, key=lambda f: box_iou(g["box"], f.box))) for g in golden]


@pytest.fixture(scope="module")
def fp32_detector(manifest: Manifest) -> FaceDetector:
    return FaceDetector(OnnxModel(manifest.entry("face_detector", "fp32"), threads=1))


@pytest.fixture(scope="module")
def int8_detector(manifest: Manifest) -> FaceDetector:
    return FaceDetector(OnnxModel(manifest.entry("face_detector", "int8"), threads=1))


def test_the_app_runs_the_fp32_graph(manifest: Manifest, face_detector: FaceDetector) -> None:
    """Its int8 graph found the same faces on the face benchmark but took longer."""
    assert manifest.variant("face_detector") == "fp32"
    assert face_detector.model.entry.file.name == "face_detector.fp32.onnx"


@pytest.mark.parametrize("name", PHOTOS)
def test_int8_stays_close_to_fp32_golden(
    name: str, int8_detector: FaceDetector, photo: Callable[[str], np.ndarray]
) -> None:
    golden = GOLDEN["photos"][name]
    faces = int8_detector.detect(photo(name))
    assert len(faces) == len(golden)
    for g, f in match(golden, faces):
        assert box_iou(g["box"], f.box) >= INT8_MIN_IOU
        assert abs(g["score"] - f.score) <= INT8_MAX_SCORE_DIFF
        width = g["box"][2] - g["box"][0]
        for (gx, gy), (x, y) in zip(g["keypoints"], f.keypoints, strict=True):
            assert np.hypot(gx - x, gy - y) <= INT8_MAX_KEYPOINT_ERR * width


@pytest.mark.parametrize("name", PHOTOS)
def test_fp32_reproduces_golden(
    name: str, fp32_detector: FaceDetector, photo: Callable[[str], np.ndarray]
) -> None:
    """The golden file was written by this same code: any change to pre/post-processing shows."""
    golden = GOLDEN["photos"][name]
    faces = fp32_detector.detect(photo(name))
    assert len(faces) == len(golden)
    for g, f in match(golden, faces):
        assert box_iou(g["box"], f.box) >= 0.99
        assert abs(g["score"] - f.score) <= 0.002
        np.testing.assert_allclose(np.array(f.keypoints), np.array(g["keypoints"]), atol=0.5)


@pytest.mark.parametrize("name", sorted(EXPECTED_FACES))
def test_face_count(
    name: str, face_detector: FaceDetector, photo: Callable[[str], np.ndarray]
) -> None:
    assert len(face_detector.detect(photo(name))) == EXPECTED_FACES[name]


def test_faces_are_sorted_and_sane(
    face_detector: FaceDetector, photo: Callable[[str], np.ndarray]
) -> None:
    rgb = photo("group.jpg")
    h, w = rgb.shape[:2]
    faces = face_detector.detect(rgb)
    assert [f.score for f in faces] == sorted((f.score for f in faces), reverse=True)
    for f in faces:
        x0, y0, x1, y1 = f.box
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        assert face_detector.min_score <= f.score <= 1.0
        assert len(f.keypoints) == 5
        # Eyes, nose and mouth lie inside the box; the eyes are level-ish on these upright faces.
        for x, y in f.keypoints:
            assert x0 <= x <= x1 and y0 <= y <= y1
        assert f.left_eye[0] < f.right_eye[0]
        assert abs(f.left_eye[1] - f.right_eye[1]) < (x1 - x0) * 0.3


def test_eye_properties_follow_image_sides() -> None:
    face = Face(box=(0, 0, 10, 10), score=0.9, keypoints=((7, 3), (2, 3), (5, 5), (6, 7), (4, 7)))
    assert face.left_eye == (2, 3)
    assert face.right_eye == (7, 3)


def test_boxes_map_back_through_scaling_and_padding(
    fp32_detector: FaceDetector, photo: Callable[[str], np.ndarray]
) -> None:
    """The same face, moved down by black rows and shown at twice the size, is found where it is.

    The padding keeps the long side, so the model sees the face at the same scale; the doubled
    photo shrinks back to almost the same input. Both test the mapping back to photo pixels.
    """
    rgb = photo("astronaut.jpg")[:400]  # 512 wide, 400 tall: the face is in the top half
    (ref,) = fp32_detector.detect(rgb)
    canvas = np.zeros((512, 512, 3), np.uint8)
    canvas[112:] = rgb
    (moved,) = fp32_detector.detect(canvas)
    x0, y0, x1, y1 = moved.box
    assert box_iou(ref.box, (x0, y0 - 112, x1, y1 - 112)) >= 0.85  # measured 0.93
    assert abs(moved.left_eye[1] - 112 - ref.left_eye[1]) < 2.0
    (big,) = fp32_detector.detect(np.repeat(np.repeat(rgb, 2, axis=0), 2, axis=1))
    assert box_iou(ref.box, tuple(v / 2 for v in big.box)) >= 0.9


def test_mirrored_photo_mirrors_the_face(
    fp32_detector: FaceDetector, photo: Callable[[str], np.ndarray]
) -> None:
    rgb = photo("biden.jpg")
    w = rgb.shape[1]
    (ref,) = fp32_detector.detect(rgb)
    (mirror,) = fp32_detector.detect(np.ascontiguousarray(rgb[:, ::-1]))
    x0, y0, x1, y1 = mirror.box
    assert box_iou(ref.box, (w - x1, y0, w - x0, y1)) >= 0.85  # measured 0.89
    # The image-side properties swap with the mirror: the left eye comes from the other eye.
    assert abs((w - mirror.right_eye[0]) - ref.left_eye[0]) < 0.1 * (ref.box[2] - ref.box[0])


def test_min_score_overrides_the_manifest(
    manifest: Manifest, photo: Callable[[str], np.ndarray]
) -> None:
    model = OnnxModel(manifest.entry("face_detector"), threads=1)
    assert (
        FaceDetector(model).min_score
        == manifest.raw["models"]["face_detector"]["thresholds"]["min_score"]
    )
    strict = FaceDetector(model, min_score=0.8)
    scores = [f.score for f in strict.detect(photo("group.jpg"))]
    assert len(scores) == 6 and min(scores) >= 0.8
    stricter = FaceDetector(model, min_score=0.95)
    assert len(stricter.detect(photo("group.jpg"))) < 6
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError):
            FaceDetector(model, min_score=bad)


def test_tiny_and_wide_images(face_detector: FaceDetector) -> None:
    assert face_detector.detect(np.zeros((5, 3, 3), np.uint8)) == []
    assert face_detector.detect(np.full((40, 2000, 3), 128, np.uint8)) == []


def test_rejects_non_rgb_input(face_detector: FaceDetector) -> None:
    with pytest.raises(ValueError):
        face_detector.detect(np.zeros((100, 100), np.uint8))
    with pytest.raises(ValueError):
        face_detector.detect(np.zeros((100, 100, 3), np.float32))


def test_decode_grid_reads_cells_row_by_row() -> None:
    """One confident cell at row 1, column 2 of the stride-8 grid of a 32-wide input."""
    cells = (16 // 8) * (32 // 8)
    outputs = {
        "cls_8": np.zeros((1, cells, 1), np.float32),
        "obj_8": np.zeros((1, cells, 1), np.float32),
        "bbox_8": np.zeros((1, cells, 4), np.float32),
        "kps_8": np.zeros((1, cells, 10), np.float32),
    }
    i = 1 * 4 + 2
    outputs["cls_8"][0, i] = 0.81
    outputs["obj_8"][0, i] = 1.0
    outputs["bbox_8"][0, i] = [0.5, 0.25, np.log(2.0), 0.0]  # centre offsets, log size in strides
    outputs["kps_8"][0, i] = [0.0, 0.0, 1.0, 0.0, 0.5, 0.5, 0.0, 1.0, 1.0, 1.0]
    dets, scores = decode_grid(outputs, 8, 32, min_score=0.5)
    assert scores == pytest.approx([0.9])  # sqrt(cls * obj)
    centre = ((2 + 0.5) * 8, (1 + 0.25) * 8)
    np.testing.assert_allclose(dets[0, 0], [centre[0] - 8, centre[1] - 4])  # 16 wide, 8 tall
    np.testing.assert_allclose(dets[0, 1], [centre[0] + 8, centre[1] + 4])
    np.testing.assert_allclose(dets[0, 2], [16, 8])  # first point at the cell's corner
    np.testing.assert_allclose(dets[0, 3], [24, 8])
    assert decode_grid(outputs, 8, 32, min_score=0.95)[0].shape == (0, 7, 2)


def test_weighted_nms_merges_overlaps_by_score() -> None:
    # Two overlapping candidates (IoU 0.82) and one far away; one keypoint each.
    dets = np.array(
        [
            [[0.0, 0.0], [1.0, 1.0], [0.5, 0.5]],
            [[0.1, 0.0], [1.1, 1.0], [0.6, 0.5]],
            [[5.0, 5.0], [6.0, 6.0], [5.5, 5.5]],
        ],
        np.float32,
    )
    scores = np.array([0.6, 0.9, 0.7], np.float32)
    out = weighted_nms(dets, scores, 0.3)
    assert [s for _, s in out] == pytest.approx([0.9, 0.7])
    merged = out[0][0]
    np.testing.assert_allclose(merged[0], [(0.0 * 0.6 + 0.1 * 0.9) / 1.5, 0.0], atol=1e-6)
    np.testing.assert_allclose(out[1][0], dets[2])


def test_model_input_scales_the_long_side_and_pads() -> None:
    rgb = np.full((100, 400, 3), 200, np.uint8)
    image, k = model_input(rgb, 640, 32)
    assert image.shape == (160, 640, 3)  # 100 * 1.6 = 160, already a multiple of 32
    assert k == pytest.approx(1.6)
    image, k = model_input(np.full((50, 300, 3), 200, np.uint8), 640, 32)
    assert image.shape == (128, 640, 3)  # 107 rows of photo, black below to 128
    assert image[106].min() == 200 and image[107:].max() == 0


@pytest.mark.parametrize("size", [(3000, 2000), (1000, 700), (500, 350), (300, 200), (100, 80)])
def test_shrink_keeps_flat_colour_and_size(size: tuple[int, int]) -> None:
    w, h = size
    rgb = np.full((h, w, 3), (10, 120, 250), np.uint8)
    out = shrink(rgb, 192, 128)
    assert out.shape == (128, 192, 3)
    assert (out == (10, 120, 250)).all()


def test_refuses_a_model_file_that_does_not_match_its_sha256(
    tmp_path: Path, manifest: Manifest
) -> None:
    entry = manifest.entry("face_detector")
    shutil.copy(manifest.dir / "manifest.json", tmp_path / "manifest.json")
    target = tmp_path / entry.file.relative_to(manifest.dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = bytearray(entry.file.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError):
        OnnxModel(Manifest(tmp_path).entry("face_detector"))


def crop_around(rgb: np.ndarray, box: tuple[float, ...], fill: float, side: int) -> np.ndarray:
    """A square crop centred on `box` that the box's height fills `fill` of, shown at `side`."""
    size = (box[3] - box[1]) / fill
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    k = side / size
    m = np.array([[k, 0, side / 2 - cx * k], [0, k, side / 2 - cy * k]], np.float32)
    return cv2.warpAffine(rgb, m, (side, side), flags=cv2.INTER_AREA)


@pytest.mark.parametrize("name", ["obama.jpg", "biden.jpg", "astronaut.jpg"])
@pytest.mark.parametrize("fill", [0.75, 0.95])
def test_close_up_crops_keep_their_face(
    name: str, fill: float, face_detector: FaceDetector, photo: Callable[[str], np.ndarray]
) -> None:
    """A face that fills most of the frame (a close-up, or a crop a user made) is still a face."""
    rgb = photo(name)
    (face,) = face_detector.detect(rgb)
    (found,) = face_detector.detect(crop_around(rgb, face.box, fill, 480))
    assert found.box[3] - found.box[1] > 0.6 * 480


@pytest.mark.parametrize("long_side", [640, 500, 320])
@pytest.mark.parametrize(("gain", "faces"), [(1.0, 6), (1.4, 6), (1.8, 4)])
def test_smaller_and_brighter_copies_keep_their_faces(
    long_side: int,
    gain: float,
    faces: int,
    face_detector: FaceDetector,
    photo: Callable[[str], np.ndarray],
) -> None:
    """The group photo as the scan decodes a large photo (long side 500-640) or as a small copy
    (320; faces 24-50 pixels high), as it is and overexposed. At 1.8 times the light the palest
    face washes out to white (4-5 of 6 are found; the earlier detector found 1-2)."""
    rgb = photo("group.jpg")
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (long_side, round(h * long_side / w)), interpolation=cv2.INTER_AREA)
    copy = np.clip(small.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    assert len(face_detector.detect(copy)) >= faces


def recording_sizes(detector: FaceDetector) -> list[tuple[int, ...]]:
    """The shape of every input `detector`'s model is given from now on."""
    sizes: list[tuple[int, ...]] = []
    run = detector.model.run

    def recording(x: np.ndarray) -> list[np.ndarray]:
        sizes.append(x.shape)
        return run(x)

    detector.model.run = recording  # type: ignore[method-assign]
    return sizes


def test_a_photo_smaller_than_the_input_is_not_enlarged_when_its_faces_are_clear(
    manifest: Manifest, photo: Callable[[str], np.ndarray]
) -> None:
    """A 12 MP photo is decoded at 500 pixels: the detector runs on 512 x 352, not 640 x 448."""
    detector = FaceDetector(OnnxModel(manifest.entry("face_detector"), threads=1))
    sizes = recording_sizes(detector)
    rgb = photo("group.jpg")
    small = cv2.resize(rgb, (500, round(rgb.shape[0] * 500 / rgb.shape[1])), cv2.INTER_AREA)
    assert len(detector.detect(small)) == 6
    assert sizes == [(1, 352, 512, 3)]


def test_a_small_photo_with_an_unsure_face_is_looked_at_again_enlarged(
    manifest: Manifest, photo: Callable[[str], np.ndarray]
) -> None:
    """In a 320-pixel brightened copy of the group photo, the palest faces score under the
    threshold at their own size and over it enlarged to the model's 640 (one, still unsure
    there, is checked in the mirrored photo at 640 too)."""
    detector = FaceDetector(OnnxModel(manifest.entry("face_detector"), threads=1))
    sizes = recording_sizes(detector)
    rgb = photo("group.jpg")
    small = cv2.resize(rgb, (320, round(rgb.shape[0] * 320 / rgb.shape[1])), cv2.INTER_AREA)
    bright = np.clip(small.astype(np.float32) * 1.4, 0, 255).astype(np.uint8)
    assert len(detector.detect(bright)) == 6
    assert sizes == [(1, 224, 320, 3), (1, 448, 640, 3), (1, 448, 640, 3)]


def test_an_unsure_face_counts_by_the_mean_of_both_looks_at_it(
    manifest: Manifest, photo: Callable[[str], np.ndarray]
) -> None:
    """A face scoring 0.4-0.8 is looked at in the mirrored photo as well, and scores the mean:
    a face seen both ways round keeps about its score, one the mirror does not show halves."""
    detector = FaceDetector(OnnxModel(manifest.entry("face_detector"), threads=1))
    rgb = photo("group.jpg")
    side = 640
    faces = detector.detect_at(rgb, side, 0.4)
    unsure = Face(box=faces[0].box, score=0.6, keypoints=faces[0].keypoints)
    ghost = Face(box=(1.0, 1.0, 30.0, 30.0), score=0.7, keypoints=faces[0].keypoints)
    sure = Face(box=faces[1].box, score=0.95, keypoints=faces[1].keypoints)
    checked = detector.mirror_checked(rgb, side, [unsure, ghost, sure], 0.4)
    by_box = {f.box: f.score for f in checked}
    assert by_box[sure.box] == 0.95  # a sure face is left as it is
    assert by_box[ghost.box] == pytest.approx(0.35)  # nothing there in the mirror
    assert abs(by_box[unsure.box] - (0.6 + faces[0].score) / 2) < 0.05  # seen again, mirrored
    assert [f.score for f in checked] == sorted(by_box.values(), reverse=True)


def test_fp32_graph_reads_the_buffer_as_it_is_and_merges_its_heads(
    tmp_path: Path, manifest: Manifest
) -> None:
    """As onnxruntime optimises it, the face detector's graph neither transposes nor reorders the
    uint8 RGB buffer (those cost a twelfth of its time), and each stride's four heads run as one
    1x1 and one depthwise convolution: 35 convolutions, not 53."""
    path = manifest.entry("face_detector").file
    nodes = profiled_nodes(path, np.zeros((1, 384, 512, 3), np.uint8), tmp_path)
    ops = [n["op_name"] for n in nodes]
    assert "Gather" not in ops
    images = [n["op_name"] for n in nodes if 384 * 512 * 3 in _sizes(n["input_type_shape"])]
    assert images and not {"Transpose", "Gather"} & set(images), images  # Reshape, Cast, Conv
    assert ops.count("Conv") == 35, ops.count("Conv")


def _sizes(shapes: list[dict[str, list[int]]]) -> list[int]:
    return [int(np.prod(dims)) for shape in shapes for dims in shape.values()]
