"""A graph edit that makes the int8 tagger cheaper, computing the same numbers: run by
build_tagger.py on the quantized graph, or on its own over the shipped one.

    .venv-models/bin/python models/tagger_graph.py

The graph's first layer normalises the uint8 crop by ImageNet's mean and std: a per-channel 1x1
convolution whose output is quantized to uint8. onnxruntime runs it as a QLinearConv over three
channels, which costs 0.6 ms of the model's 4.0 (profiled on one thread, with the rest of the
graph and the next layer as they are). Its output is a function of each input byte alone, one
for each channel: a table of 3 x 256 bytes. `lookup_input` reads that table off the graph itself
(onnxruntime's own rounding, so nothing changes), removes the layer, and keeps the table in the
model file's metadata (`input_lookup`: three lists of 256 bytes, R, G, B), where the app's Tagger
finds it and applies it to the crop (cv2.LUT: 0.07 ms). The class probabilities are bit for bit
those of the graph before, on the test photos and on noise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

LOOKUP_KEY = "input_lookup"
NORMALISED = "/normalise/Conv_output_0_QuantizeLinear_Output"  # uint8, NCHW
HEAD = (  # from the Transpose to NCHW to the normalised image's quantization
    "/Cast",
    "/Cast_output_0_QuantizeLinear",
    "/Cast_output_0_DequantizeLinear",
    "/normalise/Conv",
    "/normalise/Conv_output_0_QuantizeLinear",
)


def lookup_table(model: onnx.ModelProto) -> np.ndarray:
    """(3, 256) uint8: what the graph makes of each byte of each channel, read by running it."""
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.insert(0, helper.make_tensor_value_info(NORMALISED, TensorProto.UINT8, None))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    size = 224
    values = (np.arange(size * size) % 256).astype(np.uint8).reshape(1, size, size, 1)
    image = np.repeat(values, 3, axis=3)
    out = session.run([NORMALISED], {session.get_inputs()[0].name: image})[0][0]
    table = np.zeros((3, 256), np.uint8)
    for c in range(3):
        for x in range(256):
            seen = np.unique(out[c].ravel()[values.ravel() == x])
            assert len(seen) == 1, f"channel {c}, byte {x}: {seen} (not a per-byte function)"
            table[c, x] = seen[0]
    return table


def lookup_input(model: onnx.ModelProto) -> onnx.ModelProto:
    """The graph without its normalising layer: it reads the crop through `input_lookup`."""
    if LOOKUP_KEY in _metadata(model):
        return model  # edited already
    table = lookup_table(model)
    g = model.graph
    names = {n.name for n in g.node}
    assert set(HEAD) <= names, f"not the graph build_tagger.py quantizes: {sorted(names)[:8]}"
    transpose = next(n for n in g.node if n.name == "/Transpose")
    kept = [n for n in g.node if n.name not in HEAD]
    transpose.output[0] = NORMALISED
    del g.node[:]
    g.node.extend(kept)
    used = {i for n in g.node for i in n.input}
    initializers = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(initializers)
    del g.value_info[:]
    entry = model.metadata_props.add()
    entry.key, entry.value = LOOKUP_KEY, json.dumps(table.tolist(), separators=(",", ":"))
    onnx.checker.check_model(model)
    return model


def same_outputs(before: onnx.ModelProto, after: onnx.ModelProto, crops: list[np.ndarray]) -> str:
    """Checks that `after`, reading each crop through its table, gives `before`'s outputs bit
    for bit: on `crops` and on as many crops of noise. Returns what was checked."""
    import cv2

    table = np.array(json.loads(_metadata(after)[LOOKUP_KEY]), np.uint8).T.reshape(1, 256, 3)
    a, b = (
        ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        for m in (before, after)
    )
    noise = np.random.default_rng(7).integers(0, 256, (len(crops), 224, 224, 3), dtype=np.uint8)
    for crop in [*crops, *noise]:
        x = crop[None]
        expected = a.run(None, {a.get_inputs()[0].name: x})[0]
        got = b.run(None, {b.get_inputs()[0].name: cv2.LUT(crop, table)[None]})[0]
        assert np.array_equal(expected, got), float(np.abs(expected - got).max())
    return (
        f"probabilities bit for bit those of the graph before, on {len(crops)} photos and "
        f"{len(crops)} crops of noise"
    )


def _metadata(model: onnx.ModelProto) -> dict[str, str]:
    return {p.key: p.value for p in model.metadata_props}


def test_crops() -> list[np.ndarray]:
    """The test photos as the app crops them for the tagger."""
    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from photo_tagger.imaging import decode_photo
    from photo_tagger.vision.tagger import center_crop

    return [
        center_crop(decode_photo(p.read_bytes(), str(p)).rgb, 224, 256)
        for p in sorted((repo / "tests" / "data" / "photos").glob("*.jpg"))
    ]


def main() -> None:
    """Edit the shipped int8 tagger in place, check it, and record it in the manifest."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from manifest_tools import MANIFEST, file_entry, record_model

    path = Path(__file__).resolve().parent / "tagger.int8.onnx"
    before = onnx.load(path)
    if LOOKUP_KEY in _metadata(before):
        raise SystemExit(f"{path} reads its input through a table already")
    after = lookup_input(onnx.load(path))
    checked = same_outputs(before, after, test_crops())
    onnx.save(after, path)
    entry = json.loads(MANIFEST.read_text())["models"]["tagger"]
    entry["files"]["int8"] = file_entry(path)
    entry["input"]["normalisation"]["int8"] = NORMALISATION_NOTE
    entry["checks"]["input_lookup"] = checked
    record_model("tagger", entry)
    print(f"{checked}; wrote {path} ({path.stat().st_size} bytes)")


NORMALISATION_NOTE = (
    f"by a table before the graph: the model file's metadata {LOOKUP_KEY!r} (three lists of 256 "
    "bytes: R, G, B), read off the normalising layer it replaces (models/tagger_graph.py)"
)


if __name__ == "__main__":
    main()
