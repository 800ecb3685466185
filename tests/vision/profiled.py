"""What onnxruntime runs for a model, as its profiler records it: the nodes of one run, after the
graph optimisations the app's sessions get (one thread, ORT_ENABLE_ALL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


def profiled_nodes(model: Path, image: np.ndarray, work: Path) -> list[dict[str, Any]]:
    """The `args` of every node event of one run of `model` on `image` (its input "image"):
    "op_name", "input_type_shape", ..."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.enable_profiling = True
    opts.profile_file_prefix = str(work / "profile")
    session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
    session.run(None, {"image": image})
    events = json.loads(Path(session.end_profiling()).read_text())
    return [e["args"] for e in events if e.get("cat") == "Node" and "op_name" in e["args"]]
