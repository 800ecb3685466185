"""Escalation to a stock image classifier on an Open Inference Protocol v2 server (Triton, KServe,
MLServer): a model that takes an FP32 image tensor and answers a score per class, with no code
written for photo-tagger.

What the model wants and what its classes mean is the endpoint's settings, a JSON file the user
gives (`photo-tagger escalate --api oip-classifier --classifier FILE`), as `ClassifierSpec`:

    {"input": "input", "output": "output",      the tensors' names (the model's metadata has them)
     "size": 224, "layout": "NCHW",              NCHW, NHWC, or "flat" (N, 3*size*size), as NCHW
     "mean": [0.485, 0.456, 0.406],              per channel, on pixels scaled to 0-1
     "std": [0.229, 0.224, 0.225],
     "labels": "imagenet"}                       or a list: the library tag of each class ("" none)

A photo is resized so that its short side is size * 256 / 224 and its centre cut to size x size,
as torchvision's ImageNet models expect. Scores that are not probabilities (negative, or not
summing to 1) are turned into them with a softmax. With "imagenet", the 1000 classes are read
through the library's own vocabulary (the mapping its local model uses); with a list, each class
gives its tag its score, a tag keeping the best of its classes. Tags outside the library's
vocabulary are dropped later, as for any endpoint (escalation.py).
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import requests
from PIL import Image, UnidentifiedImageError

from photo_tagger.cloud.inference_client import (
    BAD_ANSWER,
    CONNECT_TIMEOUT,
    DEADLINE,
    MAX_ANSWER,
    MAX_BATCH,
    READ_TIMEOUT,
    Answer,
    EndpointFailed,
    InferenceClient,
    ModelInfo,
    PhotoRefused,
)
from photo_tagger.errors import EscalationNotConfiguredError

IMAGENET = "imagenet"
LAYOUTS = ("NCHW", "NHWC", "flat")
FLOOR = 0.05  # a class scoring under this gives no tag
Scorer = Callable[[np.ndarray], dict[str, float]]  # 1000 ImageNet probabilities -> tag scores


@dataclass(frozen=True)
class ClassifierSpec:
    input: str = "input"
    output: str = "output"
    size: int = 224
    layout: str = "NCHW"
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    labels: str | tuple[str, ...] = IMAGENET

    @classmethod
    def from_json(cls, text: str) -> ClassifierSpec:
        """The settings in `text`; EscalationNotConfiguredError saying what is wrong."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            d = cls()
            labels = data.get("labels", d.labels)
            spec = cls(
                input=str(data.get("input", d.input)),
                output=str(data.get("output", d.output)),
                size=int(data.get("size", d.size)),
                layout=str(data.get("layout", d.layout)),
                mean=_three(data.get("mean", d.mean)),
                std=_three(data.get("std", d.std)),
                labels=labels if labels == IMAGENET else tuple(str(t) for t in labels),
            )
        except (ValueError, TypeError) as exc:
            raise EscalationNotConfiguredError(
                f"The classifier's settings cannot be read ({exc}): give a JSON object with "
                '"input", "output", "size", "layout", "mean", "std" and "labels".'
            ) from None
        if spec.layout not in LAYOUTS or not 16 <= spec.size <= 1024 or min(spec.std) <= 0:
            raise EscalationNotConfiguredError(
                f"The classifier's settings are out of range: layout one of {', '.join(LAYOUTS)}, "
                "size 16 to 1024, std above 0."
            )
        if spec.labels != IMAGENET and not spec.labels:
            raise EscalationNotConfiguredError('Give "labels": "imagenet" or a list of tags.')
        return spec

    def to_json(self) -> str:
        labels = self.labels if self.labels == IMAGENET else list(self.labels)
        return json.dumps({**self.__dict__, "mean": self.mean, "std": self.std, "labels": labels})

    def tensor(self, photos: Sequence[bytes]) -> np.ndarray:
        """The photos as the model's input tensor; PhotoRefused for one that cannot be read."""
        images = []
        for i, data in enumerate(photos):
            try:
                with Image.open(io.BytesIO(data)) as im:
                    images.append(self.pixels(im.convert("RGB")))
            except (OSError, UnidentifiedImageError, ValueError) as exc:
                raise PhotoRefused(f"photo {i} cannot be read to send: {exc}") from None
        batch = np.stack(images)  # N, H, W, 3
        if self.layout == "NHWC":
            return batch
        nchw = np.ascontiguousarray(batch.transpose(0, 3, 1, 2))
        return nchw.reshape(len(images), -1) if self.layout == "flat" else nchw

    def pixels(self, image: Image.Image) -> np.ndarray:
        """One photo: short side to size * 256 / 224, the centre cut square, normalised."""
        short = round(self.size * 256 / 224)
        w, h = image.size
        k = short / min(w, h)
        image = image.resize(
            (max(short, round(w * k)), max(short, round(h * k))), Image.Resampling.BILINEAR
        )
        w, h = image.size
        left, top = (w - self.size) // 2, (h - self.size) // 2
        image = image.crop((left, top, left + self.size, top + self.size))
        x = np.asarray(image, dtype=np.float32) / 255.0
        mean = np.asarray(self.mean, dtype=np.float32)
        std = np.asarray(self.std, dtype=np.float32)
        return ((x - mean) / std).astype(np.float32)

    def tags(self, scores: np.ndarray, imagenet: Scorer | None) -> dict[str, float]:
        """The tags one photo's class scores give."""
        if scores.min() < 0 or abs(float(scores.sum()) - 1.0) > 0.01:
            e = np.exp(scores - scores.max())
            scores = e / e.sum()
        if self.labels == IMAGENET:
            if imagenet is None or len(scores) != 1000:
                raise EndpointFailed(
                    f"answered {len(scores)} scores, not the 1000 ImageNet classes of its settings"
                )
            return imagenet(scores)
        if len(scores) != len(self.labels):
            raise EndpointFailed(
                f"answered {len(scores)} scores for the {len(self.labels)} labels of its settings"
            )
        out: dict[str, float] = {}
        for tag, score in zip(self.labels, scores.tolist(), strict=True):
            if tag and score >= FLOOR:
                out[tag] = max(round(score, 4), out.get(tag, 0.0))
        return out


def _three(value: Any) -> tuple[float, float, float]:
    a, b, c = (float(v) for v in value)
    return a, b, c


class ClassifierClient(InferenceClient):
    """A stock image classifier on the first healthy endpoint of `endpoints`."""

    def __init__(
        self,
        endpoints: Sequence[str],
        token: str,
        model: str,
        session: requests.Session,
        spec: ClassifierSpec,
        imagenet: Scorer | None,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        *,
        max_answer: int = MAX_ANSWER,
        deadline: float = DEADLINE,
    ) -> None:
        super().__init__(
            endpoints, token, model, session, timeout, max_answer=max_answer, deadline=deadline
        )
        self.spec = spec
        self.imagenet = imagenet

    def _probe(self, endpoint: str) -> ModelInfo:
        meta = self.ready_metadata(endpoint)
        inputs = {i.get("name"): i for i in meta.get("inputs") or [] if isinstance(i, dict)}
        outputs = {o.get("name") for o in meta.get("outputs") or [] if isinstance(o, dict)}
        if inputs and self.spec.input not in inputs:
            raise EndpointFailed(
                f"has no input '{self.spec.input}' ({', '.join(map(str, inputs))})"
            )
        if outputs and self.spec.output not in outputs:
            raise EndpointFailed(f"has no output '{self.spec.output}'")
        shape = (inputs.get(self.spec.input) or {}).get("shape") or []
        batch = MAX_BATCH if shape and shape[0] == -1 else 1
        named = self.model_version(meta)
        version = f"{self.model}@{named}" if named != self.model else self.model
        return ModelInfo(endpoint, self.model, version[:200], frozenset(), batch)

    def infer(self, files: Sequence[bytes]) -> Answer:
        x = self.spec.tensor(files)
        body = {
            "id": uuid.uuid4().hex,
            "inputs": [
                {
                    "name": self.spec.input,
                    "shape": list(x.shape),
                    "datatype": "FP32",
                    "data": x.ravel().tolist(),
                }
            ],
            "outputs": [{"name": self.spec.output}],
        }
        while True:
            info = self.current or self.connect()
            try:
                return self._scores(info, body, len(files))
            except EndpointFailed as exc:
                self.fail_over(info, exc)

    def _scores(self, info: ModelInfo, body: dict[str, Any], count: int) -> Answer:
        data = self.post_inference(f"{info.endpoint}/v2/models/{self.model}/infer", body)
        try:
            out = next(o for o in data["outputs"] if o["name"] == self.spec.output)
            scores = np.asarray(out["data"], dtype=np.float64).reshape(count, -1)
            if not np.isfinite(scores).all():
                raise ValueError("scores that are not numbers")
        except BAD_ANSWER:
            raise EndpointFailed("answered something that is not class scores") from None
        tags = [self.spec.tags(row, self.imagenet) for row in scores]
        return Answer(info.endpoint, info.version, tags, [0] * count)
