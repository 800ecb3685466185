"""Graph edits that make the fp32 face detector cheaper, computing the same numbers: run by
build_yunet.py on the graph the app runs (the int8 reference is quantized from the plain one).

Profiled with onnxruntime on one thread (group.jpg at 640x448), two things cost more than they
should:

1. `read_rgb_rows`: the input's NHWC -> NCHW Transpose (0.28 ms) and the Gather that swaps RGB to
   BGR (0.23 ms). A uint8 NHWC buffer [1, H, W, 3] is, in memory, a one-channel image
   [1, 1, H, 3W]; the first convolution (3x3, stride 2, padding 1 on 3 channels) is exactly a
   3x9 convolution with stride (2, 6) and padding (1, 3) over it, with the BGR order in its
   weights. That convolution is cheaper too (0.53 ms instead of 0.73).
2. `merge_heads`: at each of the three strides, four heads (class 1 channel, box 4, object 1,
   landmarks 10) are each a 1x1 convolution and a depthwise 3x3 one over the same feature map.
   onnxruntime's blocked convolutions pad every output to 16 channels, so each head costs as much
   as all four would together: one 1x1 convolution to 16 channels, one depthwise over them and a
   Split give the same outputs at a quarter of the convolutions.

Together: 5.2 ms instead of 6.3 on the ten test photos (CPU time, one thread), every output
within 1e-5 of before.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper
from onnx import numpy_helper as nh


def _attrs(node: onnx.NodeProto) -> dict[str, object]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def read_rgb_rows(model: onnx.ModelProto) -> onnx.ModelProto:
    """The first convolution reads the uint8 NHWC RGB input as rows, with no Transpose or Gather.

    Expects the graph `with_uint8_input` makes: Transpose, Cast, Gather (to BGR), then the
    convolution.
    """
    g = model.graph
    init = {i.name: i for i in g.initializer}
    transpose, cast, gather = list(g.node)[:3]
    assert [transpose.op_type, cast.op_type, gather.op_type] == ["Transpose", "Cast", "Gather"]
    assert nh.to_array(init[gather.input[1]]).tolist() == [2, 1, 0]
    conv = next(n for n in g.node if n.input[0] == gather.output[0])
    a = _attrs(conv)
    assert a["kernel_shape"] == [3, 3] and a["strides"] == [2, 2] and a["pads"] == [1, 1, 1, 1]
    assert a.get("group", 1) == 1 and a.get("dilations", [1, 1]) == [1, 1]
    w = nh.to_array(init[conv.input[1]])  # [out, 3 (BGR), 3, 3]
    # Tap (row r, column 3 * kx + c) of the new kernel is tap (r, kx) of RGB channel c.
    rows = w[:, ::-1].transpose(0, 2, 3, 1).reshape(w.shape[0], 1, 3, 9)
    init[conv.input[1]].CopyFrom(nh.from_array(np.ascontiguousarray(rows), conv.input[1]))
    del conv.attribute[:]
    conv.attribute.extend(
        [
            helper.make_attribute("kernel_shape", [3, 9]),
            helper.make_attribute("strides", [2, 6]),
            helper.make_attribute("pads", [1, 3, 1, 3]),
        ]
    )
    g.initializer.extend(
        [
            nh.from_array(np.array([0, 0, -1], np.int64), "rows_shape"),
            nh.from_array(np.array([1], np.int64), "plane_axis"),
        ]
    )
    image = transpose.input[0]
    front = [
        helper.make_node("Reshape", [image, "rows_shape"], ["image_rows"], name="image_rows"),
        helper.make_node("Unsqueeze", ["image_rows", "plane_axis"], ["image_plane"], name="plane"),
        helper.make_node("Cast", ["image_plane"], ["image_f"], name="image_f", to=1),
    ]
    conv.input[0] = "image_f"
    for n in (transpose, cast, gather):
        g.node.remove(n)
    g.initializer.remove(init[gather.input[1]])
    for i, n in enumerate(front):
        g.node.insert(i, n)
    onnx.checker.check_model(model)
    return model


def merge_heads(model: onnx.ModelProto) -> onnx.ModelProto:
    """Each stride's four 1x1 + depthwise 3x3 heads as one pair of convolutions and a Split."""
    g = model.graph
    init = {i.name: i for i in g.initializer}

    def weight(node: onnx.NodeProto, i: int = 1) -> np.ndarray:
        return nh.to_array(init[node.input[i]])

    heads: dict[str, list[onnx.NodeProto]] = {}
    for n in g.node:
        head = n.op_type == "Conv" and n.input[1] in init
        if head and weight(n).shape[:2] in {(1, 64), (4, 64), (10, 64)}:
            heads.setdefault(n.input[0], []).append(n)
    assert len(heads) == 3 and all(len(h) == 4 for h in heads.values()), heads.keys()
    for feature, points in heads.items():
        depths = [next(d for d in g.node if d.input[0] == p.output[0]) for p in points]
        sizes = [weight(p).shape[0] for p in points]
        same = _attrs(depths[0]) | {"group": sum(sizes)}
        for p, d, k in zip(points, depths, sizes, strict=True):
            assert _attrs(p).get("kernel_shape") == [1, 1] and _attrs(p).get("group", 1) == 1
            assert d.op_type == "Conv" and _attrs(d) | {"group": sum(sizes)} == same
            assert _attrs(d)["group"] == k and len(p.input) == len(d.input) == 3
        name = f"head_{len(g.node)}_{feature}"
        g.initializer.extend(
            [
                nh.from_array(np.concatenate([weight(p) for p in points]), f"{name}_pw"),
                nh.from_array(np.concatenate([weight(p, 2) for p in points]), f"{name}_pb"),
                nh.from_array(np.concatenate([weight(d) for d in depths]), f"{name}_dw"),
                nh.from_array(np.concatenate([weight(d, 2) for d in depths]), f"{name}_db"),
                nh.from_array(np.array(sizes, np.int64), f"{name}_sizes"),
            ]
        )
        merged = [
            helper.make_node(
                "Conv", [feature, f"{name}_pw", f"{name}_pb"], [f"{name}_p"], name=f"{name}_p"
            ),
            helper.make_node(
                "Conv", [f"{name}_p", f"{name}_dw", f"{name}_db"], [f"{name}_d"], name=f"{name}_d"
            ),
            helper.make_node(
                "Split",
                [f"{name}_d", f"{name}_sizes"],
                [d.output[0] for d in depths],
                name=f"{name}_split",
                axis=1,
            ),
        ]
        merged[1].attribute.extend(helper.make_attribute(k, v) for k, v in same.items())
        at = list(g.node).index(depths[0])
        for n in points + depths:
            for w in n.input[1:]:
                g.initializer.remove(init.pop(w))
            g.node.remove(n)
        for i, n in enumerate(merged):
            g.node.insert(min(at, len(g.node)) + i, n)
    _sort(g)
    onnx.checker.check_model(model)
    return model


def _sort(g: onnx.GraphProto) -> None:
    """The nodes in an order where each comes after what it reads (stable otherwise)."""
    ready = {i.name for i in g.initializer} | {i.name for i in g.input} | {""}
    todo, done = list(g.node), []
    while todo:
        node = next(n for n in todo if all(i in ready for i in n.input))
        todo.remove(node)
        done.append(node)
        ready.update(node.output)
    del g.node[:]
    g.node.extend(done)
