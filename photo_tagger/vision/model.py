"""Shipped ONNX models: the manifest, integrity checks, and one onnxruntime session per model.

Each model class (FaceDetector, FaceEmbedder, Tagger) wraps an `OnnxModel`; none of them know where
the files live or how many threads to use: that is decided by whoever builds them (`load_models`).

A model's manifest entry lists its files by variant ("int8", "fp32"); its "variant" names the one
the app runs ("int8" when not given): int8 where quantizing made it cheaper at the same accuracy,
fp32 where it did not (the face detector, whose int8 graph ran slower than its fp32 one). Only
that variant is installed; the others are references for the build.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from photo_tagger import shipped
from photo_tagger.errors import ModelError, ModelIntegrityError
from photo_tagger.words import reason

MANIFEST_NAME = "manifest.json"
DEFAULT_VOCABULARY = "tagger_vocabulary.json"
SHIPPED_VARIANT = "int8"  # what a model's entry runs when it names no "variant"


def default_models_dir() -> Path:
    """`PHOTO_TAGGER_MODELS` if set, else the `models/` folder shipped with the app."""
    env = os.environ.get("PHOTO_TAGGER_MODELS")
    if env:
        return Path(env)
    return shipped("models")


@dataclass(frozen=True)
class ModelEntry:
    """One model as the manifest describes it."""

    key: str  # role in the app: "face_detector", "face_embedder", "tagger"
    name: str
    version: str
    file: Path
    sha256: str
    meta: dict[str, Any]

    @property
    def id(self) -> str:
        """What the store records as the model that produced a result."""
        return f"{self.name}@{self.version}"

    def threshold(self, name: str) -> float:
        """One of the thresholds the manifest gives for this model (`same_person_distance`...)."""
        try:
            return float(self.meta["thresholds"][name])
        except (KeyError, TypeError, ValueError):
            raise ModelError(
                f"The model manifest gives no '{name}' for the '{self.key}' model: reinstall "
                "the models."
            ) from None


class Manifest:
    def __init__(self, models_dir: Path) -> None:
        self.dir = Path(models_dir)
        path = self.dir / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(
                f"No model manifest at {path}. Reinstall photo-tagger, or set PHOTO_TAGGER_MODELS "
                "to the folder that holds manifest.json."
            ) from None
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"The model manifest {path} cannot be read: {reason(exc, 'it is damaged')}. "
                "Reinstall photo-tagger."
            ) from exc
        self.raw: dict[str, Any] = data

    def _model(self, key: str) -> dict[str, Any]:
        try:
            return dict(self.raw["models"][key])
        except KeyError:
            raise ModelError(f"The model manifest in {self.dir} has no '{key}' model.") from None

    def has(self, key: str) -> bool:
        """Whether the manifest lists a model for the role `key` (a release may lack one)."""
        models = self.raw.get("models")
        return isinstance(models, dict) and key in models

    def vocabulary_file(self, key: str = "tagger") -> Path:
        """The tag vocabulary that model `key` (a tagger) maps its classes through."""
        return self.dir / str(self._model(key).get("vocabulary", DEFAULT_VOCABULARY))

    def labels_file(self, key: str) -> Path:
        """The class names, one a line, of model `key` (a detector or classifier)."""
        name = self._model(key).get("labels")
        if not isinstance(name, str) or not name or Path(name).name != name:
            raise ModelError(f"The model manifest gives no class names for the '{key}' model.")
        return self.dir / name

    @property
    def same_person_distance(self) -> float:
        """How close two faces' embeddings are when they are the same person."""
        return self.entry("face_embedder").threshold("same_person_distance")

    def variant(self, key: str) -> str:
        """The variant of model `key` that the app runs."""
        return str(self._model(key).get("variant", SHIPPED_VARIANT))

    def entry(self, key: str, variant: str | None = None) -> ModelEntry:
        """Model `key` in `variant`, by default the one the app runs."""
        item = self._model(key)
        files = item["files"]
        variant = variant or self.variant(key)
        if variant not in files:
            raise ModelError(f"The '{key}' model has no '{variant}' variant in the manifest.")
        f = files[variant]
        return ModelEntry(
            key=key,
            name=item["name"] + ("" if variant == "int8" else f"-{variant}"),
            version=str(item["version"]),
            file=self.dir / f["file"],
            sha256=f["sha256"],
            meta=item,
        )


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class OnnxModel:
    """An onnxruntime session over a manifest entry whose sha256 has been checked."""

    def __init__(self, entry: ModelEntry, threads: int = 1) -> None:
        import onnxruntime as ort

        if not entry.file.exists():
            raise ModelError(f"Model file {entry.file} is missing. Reinstall photo-tagger.")
        actual = sha256_of(entry.file)
        if actual != entry.sha256:
            raise ModelIntegrityError(
                f"Model file {entry.file} does not match its manifest (sha256 {actual[:12]}..., "
                f"expected {entry.sha256[:12]}...). It may be damaged or replaced: reinstall "
                "photo-tagger or restore the file."
            )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(
                str(entry.file), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(
                f"Model file {entry.file} cannot be loaded: "
                f"{reason(exc, 'it is damaged or made for another version')}. Reinstall "
                "photo-tagger."
            ) from exc
        self.entry = entry
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [o.name for o in self.session.get_outputs()]

    @property
    def metadata(self) -> dict[str, str]:
        """The model file's own key-value metadata (what a graph edit left for its callers)."""
        return dict(self.session.get_modelmeta().custom_metadata_map)

    def run(self, x: np.ndarray) -> list[np.ndarray]:
        return self.session.run(self.output_names, {self.input_name: x})  # type: ignore[no-any-return]
