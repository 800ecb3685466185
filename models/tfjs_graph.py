"""A TF.js graph model (model.json + weights) read and rewritten as a plain NCHW ONNX graph.

Enough of TensorFlow's graph ops for convnets exported through onnx-tf (NanoDet's TF.js port):
Conv2D, bias Add/AddV2, LeakyRelu, Relu, Sigmoid, Pad/PadV2, MaxPool, ConcatV2, ResizeBilinear,
SplitV, Reshape, Transpose, Identity, and SparseToDense on constants. Never imported by the app.

onnx-tf wrote the model in NCHW and wrapped every NHWC convolution in a pair of Transposes. Here a
tensor is carried as an ONNX tensor plus a permutation (its logical TF layout = the ONNX tensor's
axes in that order), so those Transposes become bookkeeping: convolutions, pools and resizes run
on NCHW tensors, and a real Transpose is written only where a Reshape needs the logical order.
Zero Pads in front of a convolution (and -inf Pads in front of a max pool) become the op's own
padding, and a constant bias Add after a convolution its bias. Constant-only subgraphs (shapes
built with SparseToDense) are evaluated here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from onnx import TensorProto, helper, numpy_helper

NCHW_AS_NHWC = (0, 2, 3, 1)  # logical NHWC read from a physical NCHW tensor
IDENTITY4 = (0, 1, 2, 3)


def read_graph_model(model_json: bytes, weights: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(model.json as a dict, every weight as a numpy array), decoded as tfjs-core's decodeWeights.

    Weights are stored back to back in manifest order; float16-quantized ones are widened to
    float32 (exactly, as tfjs does), int32 stay int32.
    """
    spec = json.loads(model_json)
    out: dict[str, np.ndarray] = {}
    offset = 0
    for group in spec["weightsManifest"]:
        for w in group["weights"]:
            n = math.prod(w["shape"])
            q = (w.get("quantization") or {}).get("dtype")
            dtype = {None: "<f4", "float16": "<f2"}[q] if w["dtype"] == "float32" else "<i4"
            if w["dtype"] not in ("float32", "int32") or (q and w["dtype"] != "float32"):
                raise SystemExit(f"{w['name']}: unsupported weight {w['dtype']} / {q}")
            dt = np.dtype(dtype)
            values = np.frombuffer(weights, dt, n, offset)
            offset += dt.itemsize * n
            out[w["name"]] = values.astype(np.float32 if w["dtype"] == "float32" else np.int64)
            out[w["name"]] = out[w["name"]].reshape(w["shape"])
    if offset != len(weights):
        unused = len(weights) - offset
        raise SystemExit(f"weights file has {unused} bytes the manifest does not use")
    return spec, out


@dataclass
class Value:
    """A tensor of the TF graph: ONNX tensor `name`; logical axis i is the ONNX tensor's perm[i]."""

    name: str
    perm: tuple[int, ...]
    shape: tuple[int, ...]  # logical (TF) shape


def layout_of(v: Value) -> tuple[int, ...]:
    """The `order` for `Converter.physical` that keeps `v`'s own layout."""
    return tuple(int(i) for i in np.argsort(v.perm))


class Converter:
    """Walks the TF graph in order and writes ONNX nodes (see the module docstring)."""

    def __init__(self, spec: dict[str, Any], weights: dict[str, np.ndarray]) -> None:
        self.nodes = spec["modelTopology"]["node"]
        self.consts: dict[str, np.ndarray] = dict(weights)
        self.values: dict[str, Value] = {}
        self.onnx_nodes: list[Any] = []
        self.initializers: dict[str, np.ndarray] = {}
        # ONNX tensor -> (its input, pads, value): a Pad not yet written (see `pad`)
        self.pending_pads: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}
        self.conv_nodes: dict[str, Any] = {}  # ONNX tensor -> the Conv node that writes it
        self.ops: dict[str, Callable[[dict[str, Any], list[str]], None]] = {
            "Const": lambda n, i: None,
            "Placeholder": self.placeholder,
            "Identity": self.identity,
            "Transpose": self.transpose,
            "Pad": self.pad,
            "PadV2": self.pad,
            "Conv2D": self.conv,
            "Add": self.add,
            "AddV2": self.add,
            "LeakyRelu": self.unary,
            "Relu": self.unary,
            "Sigmoid": self.unary,
            "MaxPool": self.maxpool,
            "ConcatV2": self.concat,
            "ResizeBilinear": self.resize,
            "SplitV": self.split,
            "Reshape": self.reshape,
            "SparseToDense": self.sparse_to_dense,
        }
        self.counter = 0

    # -- helpers ---------------------------------------------------------------------------------

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}_{self.counter}"

    def const(self, name: str) -> np.ndarray:
        return self.consts[name.removesuffix(":0")]

    def is_const(self, name: str) -> bool:
        return name.removesuffix(":0") in self.consts

    def initializer(self, hint: str, array: np.ndarray) -> str:
        name = self.fresh(hint)
        self.initializers[name] = array
        return name

    def emit(self, op: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        out = self.fresh(hint)
        self.onnx_nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def physical(self, v: Value, order: tuple[int, ...]) -> str:
        """An ONNX tensor holding `v` whose axis j is `v`'s logical axis order[j]."""
        inv = tuple(v.perm[p] for p in order)  # axis j of the result = axis inv[j] of v.name
        if inv == tuple(range(len(inv))):
            return v.name
        return self.emit("Transpose", [self.materialize_pad(v.name)], "transpose", perm=list(inv))

    def materialize_pad(self, name: str) -> str:
        """A pad kept aside for a following convolution is written as a Pad node after all."""
        if name not in self.pending_pads:
            return name
        source, pads, value = self.pending_pads.pop(name)
        node = helper.make_node(
            "Pad",
            [source, self.initializer("pads", pads), self.initializer("pad_value", value)],
            [name],
            name=name,
            mode="constant",
        )
        self.onnx_nodes.append(node)
        return name

    def take_pad(self, v: Value, value_ok: Callable[[float], bool]) -> list[int] | None:
        """ONNX `pads` (top, left, bottom, right) for a convolution or pool reading NHWC `v`, when
        `v` is a spatial-only Pad kept aside whose value the op's own padding reproduces."""
        if v.perm != NCHW_AS_NHWC or v.name not in self.pending_pads:
            return None
        _, p, value = self.pending_pads[v.name]
        p = p.reshape(2, 4)  # physical NCHW: before, after
        if not value_ok(float(value)) or p[:, :2].any():
            return None
        return [int(p[0, 2]), int(p[0, 3]), int(p[1, 2]), int(p[1, 3])]

    def set(self, tf_name: str, v: Value) -> None:
        self.values[tf_name] = v

    def get(self, tf_name: str) -> Value:
        base, _, idx = tf_name.partition(":")
        return self.values[base if not idx or idx == "0" else tf_name]

    # -- ops -------------------------------------------------------------------------------------

    def placeholder(self, n: dict[str, Any], inputs: list[str]) -> None:
        dims = n["attr"]["shape"]["shape"]["dim"]
        self.input_shape = tuple(int(d["size"]) for d in dims)
        self.input_name = n["name"]
        self.set(n["name"], Value(n["name"], tuple(range(len(dims))), self.input_shape))

    def identity(self, n: dict[str, Any], inputs: list[str]) -> None:
        self.set(n["name"], self.get(inputs[0]))

    def transpose(self, n: dict[str, Any], inputs: list[str]) -> None:
        v = self.get(inputs[0])
        p = [int(i) for i in self.const(inputs[1])]
        self.set(
            n["name"],
            Value(v.name, tuple(v.perm[i] for i in p), tuple(v.shape[i] for i in p)),
        )

    def pad(self, n: dict[str, Any], inputs: list[str]) -> None:
        v = self.get(inputs[0])
        logical = self.const(inputs[1]).astype(np.int64)  # (rank, 2): before, after per axis
        value = float(self.const(inputs[2])) if n["op"] == "PadV2" else 0.0
        rank = len(v.shape)
        phys = np.zeros((2, rank), np.int64)
        for axis in range(rank):
            phys[:, v.perm[axis]] = logical[axis]
        out = self.fresh("pad")
        # Kept aside: a following convolution takes zero pads as its own padding attribute.
        self.pending_pads[out] = (
            self.materialize_pad(v.name),
            phys.reshape(-1),
            np.array(value, np.float32),
        )
        shape = tuple(s + int(a) + int(b) for s, (a, b) in zip(v.shape, logical, strict=True))
        self.set(n["name"], Value(out, v.perm, shape))

    def conv(self, n: dict[str, Any], inputs: list[str]) -> None:
        attr = n["attr"]
        if attr["data_format"]["s"] != "TkhXQw==" or attr["padding"]["s"] != "VkFMSUQ=":
            raise SystemExit(f"{n['name']}: only NHWC VALID Conv2D is handled")
        if any(int(d) != 1 for d in attr["dilations"]["list"]["i"]):
            raise SystemExit(f"{n['name']}: dilated Conv2D is not handled")
        v = self.get(inputs[0])
        w = self.const(inputs[1])  # HWIO
        stride = [int(s) for s in attr["strides"]["list"]["i"]][1:3]
        pads = self.take_pad(v, lambda value: value == 0.0)
        if pads is None:
            pads = [0, 0, 0, 0]
            src = self.materialize_pad(self.physical(v, (0, 3, 1, 2)))
        else:
            src = self.pending_pads.pop(v.name)[0]
        kh, kw, cin, cout = w.shape
        if cin != v.shape[3]:
            raise SystemExit(f"{n['name']}: grouped Conv2D is not handled")
        weight = self.initializer("conv_w", np.ascontiguousarray(w.transpose(3, 2, 0, 1)))
        out = self.emit(
            "Conv", [src, weight], "conv", kernel_shape=[kh, kw], strides=stride, pads=pads
        )
        self.conv_nodes[out] = self.onnx_nodes[-1]
        h = (v.shape[1] - kh) // stride[0] + 1  # v.shape is after the pad, folded or not
        wd = (v.shape[2] - kw) // stride[1] + 1
        self.set(n["name"], Value(out, NCHW_AS_NHWC, (v.shape[0], h, wd, cout)))

    def add(self, n: dict[str, Any], inputs: list[str]) -> None:
        a, b = inputs
        if self.is_const(a) and self.is_const(b):
            self.consts[n["name"]] = self.const(a) + self.const(b)
            return
        if self.is_const(a):
            a, b = b, a
        v = self.get(a)
        if self.is_const(b):
            bias = self.const(b)
            node = self.conv_nodes.get(v.name)
            if bias.ndim == 1 and node is not None and len(node.input) == 2:
                if v.perm != NCHW_AS_NHWC:
                    raise SystemExit(f"{n['name']}: bias on an unexpected layout")
                node.input.append(self.initializer("conv_b", bias.astype(np.float32)))
                self.set(n["name"], v)
                return
            raise SystemExit(f"{n['name']}: constant Add other than a conv bias")
        w = self.get(b)
        other = self.physical(w, layout_of(v))
        out = self.emit("Add", [self.materialize_pad(v.name), other], "add")
        self.set(n["name"], Value(out, v.perm, v.shape))

    def unary(self, n: dict[str, Any], inputs: list[str]) -> None:
        v = self.get(inputs[0])
        attrs = {"alpha": float(n["attr"]["alpha"]["f"])} if n["op"] == "LeakyRelu" else {}
        out = self.emit(n["op"], [self.materialize_pad(v.name)], n["op"].lower(), **attrs)
        self.set(n["name"], Value(out, v.perm, v.shape))

    def maxpool(self, n: dict[str, Any], inputs: list[str]) -> None:
        attr = n["attr"]
        if attr["data_format"]["s"] != "TkhXQw==" or attr["padding"]["s"] != "VkFMSUQ=":
            raise SystemExit(f"{n['name']}: only NHWC VALID MaxPool is handled")
        v = self.get(inputs[0])
        k = [int(s) for s in attr["ksize"]["list"]["i"]][1:3]
        s = [int(s) for s in attr["strides"]["list"]["i"]][1:3]
        pads = self.take_pad(v, lambda value: value < -1e30)  # PadV2 with -inf / lowest float
        src = self.materialize_pad(self.physical(v, (0, 3, 1, 2))) if pads is None else v.name
        if pads is None:
            pads = [0, 0, 0, 0]
        else:
            src = self.pending_pads.pop(v.name)[0]
        out = self.emit("MaxPool", [src], "maxpool", kernel_shape=k, strides=s, pads=pads)
        h = (v.shape[1] - k[0]) // s[0] + 1
        w = (v.shape[2] - k[1]) // s[1] + 1
        self.set(n["name"], Value(out, NCHW_AS_NHWC, (v.shape[0], h, w, v.shape[3])))

    def concat(self, n: dict[str, Any], inputs: list[str]) -> None:
        axis = int(self.const(inputs[-1]))
        vs = [self.get(i) for i in inputs[:-1]]
        first = vs[0]
        axis %= len(first.shape)
        names = [self.materialize_pad(self.physical(v, layout_of(first))) for v in vs]
        out = self.emit("Concat", names, "concat", axis=first.perm[axis])
        shape = list(first.shape)
        shape[axis] = sum(v.shape[axis] for v in vs)
        self.set(n["name"], Value(out, first.perm, tuple(shape)))

    def resize(self, n: dict[str, Any], inputs: list[str]) -> None:
        attr = n["attr"]
        if attr["align_corners"]["b"] or not attr["half_pixel_centers"]["b"]:
            raise SystemExit(f"{n['name']}: only half-pixel-centre bilinear resizes are handled")
        v = self.get(inputs[0])
        h, w = (int(x) for x in self.const(inputs[1]))
        src = self.materialize_pad(self.physical(v, (0, 3, 1, 2)))
        scales = np.array([1.0, 1.0, h / v.shape[1], w / v.shape[2]], np.float32)
        out = self.emit(
            "Resize",
            [src, "", self.initializer("scales", scales)],
            "resize",
            mode="linear",
            coordinate_transformation_mode="half_pixel",
        )
        self.set(n["name"], Value(out, NCHW_AS_NHWC, (v.shape[0], h, w, v.shape[3])))

    def split(self, n: dict[str, Any], inputs: list[str]) -> None:
        v = self.get(inputs[0])
        sizes = [int(s) for s in self.const(inputs[1])]
        axis = int(self.const(inputs[2])) % len(v.shape)
        outs = [self.fresh("split") for _ in sizes]
        self.onnx_nodes.append(
            helper.make_node(
                "Split",
                [self.materialize_pad(v.name), self.initializer("split", np.array(sizes))],
                outs,
                name=outs[0],
                axis=v.perm[axis],
            )
        )
        for i, (out, size) in enumerate(zip(outs, sizes, strict=True)):
            shape = list(v.shape)
            shape[axis] = size
            self.set(n["name"] if i == 0 else f"{n['name']}:{i}", Value(out, v.perm, tuple(shape)))

    def reshape(self, n: dict[str, Any], inputs: list[str]) -> None:
        v = self.get(inputs[0])
        target = [int(s) for s in self.const(inputs[1])]
        src = self.materialize_pad(self.physical(v, tuple(range(len(v.shape)))))
        out = self.emit(
            "Reshape", [src, self.initializer("shape", np.array(target, np.int64))], "reshape"
        )
        if -1 in target:
            i = target.index(-1)
            target[i] = math.prod(v.shape) // -math.prod(target)
        self.set(n["name"], Value(out, tuple(range(len(target))), tuple(target)))

    def sparse_to_dense(self, n: dict[str, Any], inputs: list[str]) -> None:
        idx, shape, values, default = (self.const(i) for i in inputs)
        dense = np.full(shape.astype(np.int64), default, dtype=values.dtype)
        idx = idx.reshape(len(idx), -1) if idx.size else np.zeros((0, 1), np.int64)
        for i, v in zip(idx, np.broadcast_to(values, len(idx)), strict=True):
            dense[tuple(i)] = v
        self.consts[n["name"]] = dense

    # -- whole graph -----------------------------------------------------------------------------

    def run(self) -> None:
        for n in self.nodes:
            op = n["op"]
            if op not in self.ops:
                raise SystemExit(f"{n['name']}: TF op {op} is not handled")
            inputs = [i for i in n.get("input", []) if not i.startswith("^")]
            constant = op != "Const" and inputs and all(self.is_const(i) for i in inputs)
            if constant and op not in ("AddV2", "Add", "SparseToDense"):
                raise SystemExit(f"{n['name']}: constant {op} is not handled")
            self.ops[op](n, inputs)

    def finish(self, outputs: dict[str, str]) -> tuple[list[Any], list[Any], list[Any]]:
        """(nodes, initializers, graph outputs): TF output `outputs[name]` in its logical layout
        as ONNX output `name`."""
        renames, infos = {}, []
        for onnx_name, tf_name in outputs.items():
            v = self.get(tf_name)
            name = self.materialize_pad(self.physical(v, tuple(range(len(v.shape)))))
            renames[name] = onnx_name
            infos.append(helper.make_tensor_value_info(onnx_name, TensorProto.FLOAT, list(v.shape)))
        for node in self.onnx_nodes:
            node.output[:] = [renames.get(o, o) for o in node.output]
            node.input[:] = [renames.get(i, i) for i in node.input]
        inits = [numpy_helper.from_array(a, k) for k, a in sorted(self.initializers.items())]
        return list(self.onnx_nodes), inits, infos
