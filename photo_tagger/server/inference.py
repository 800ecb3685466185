"""The cloud model, served under the Open Inference Protocol v2 (the KServe / Triton REST API).

GET  /v2/health/live                    200 while the server runs
GET  /v2/health/ready                   200 when the cloud model is loaded; 503 when this server has
                                        none (a laptop install has no models/cloud/)
GET  /v2                                server metadata
GET  /v2/models/{name}                  model metadata: its version, inputs, outputs, and in
                                        "parameters" the tags it can give and the floor under which
                                        it leaves a tag out
GET  /v2/models/{name}/ready
POST /v2/models/{name}/infer            (also /v2/models/{name}/versions/{version}/infer)

Every route needs a library's token, like the sync routes. One model, MODEL_NAME. The request has
one input, "image": BYTES, shape [n] (1 <= n <= MAX_BATCH), each element a photo file (JPEG, PNG,
WebP, TIFF, HEIC) base64-encoded, as `"parameters": {"content_type": "base64"}` declares. The
response has one output, "tags": BYTES, shape [n], each element the JSON text of {tag: score} for
every tag scoring at least the floor, best first; "model_version" names the model and the
vocabulary that mapped its classes, which is what the client records as the tags' model.

Errors follow the protocol: {"error": "..."} with 400 (not JSON, JSON nested too deeply, not the
input described above, not base64, not a photo we can read), 404 (no such model or version), 413
(over a size limit: the body, a photo's bytes, or the pixels of all the request's photos, which are
read from their headers before any is decoded), 503 (no cloud model on this server, or every
inference slot busy: then with Retry-After).

Inference has slots of its own (`InferenceLimits.slots`, one per core by default) and threads of
its own: a request that finds every slot taken is answered 503 at once, and however many arrive,
the threads that serve sync requests are never theirs. The JSON is parsed on those threads too,
never on the event loop.
"""

# no `from __future__ import annotations`: FastAPI reads the route annotations at run time
import asyncio
import base64
import binascii
import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import numpy as np
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from photo_tagger import __version__
from photo_tagger.errors import ImageError, ModelError
from photo_tagger.imaging import claimed_pixels, decode
from photo_tagger.imaging.decode import DEFAULT_TARGET_SIDE
from photo_tagger.server.http import Library, read_body
from photo_tagger.vision.model import Manifest, OnnxModel, default_models_dir
from photo_tagger.vision.tagger import Tagger
from photo_tagger.vision.vocabulary import Vocabulary

MODEL_NAME = "cloud_tagger"  # also its key in models/manifest.json
INPUT, OUTPUT = "image", "tags"
MAX_BATCH = 8
MAX_IMAGE_BYTES = 10 << 20  # one photo; the app sends re-encodes of at most ~1-2 MB
MAX_BODY = MAX_BATCH * MAX_IMAGE_BYTES * 4 // 3 + (64 << 10)  # base64 is 4/3 of the bytes
MAX_PIXELS = 50_000_000  # what a cloud peer decodes for anyone holding a token
MAX_REQUEST_PIXELS = 100_000_000  # all the photos of one request (8 x 12 megapixels)
FLOOR = 0.05  # tags under this score are left out of the answer
THREADS = 2
RETRY_AFTER = 5  # seconds, when every inference slot is busy
T = TypeVar("T")


@dataclass(frozen=True)
class InferenceLimits:
    """How much inference one server process does at once, and for one request."""

    slots: int = os.cpu_count() or 1  # requests tagged at the same time; more get 503
    max_request_pixels: int = MAX_REQUEST_PIXELS


class InferenceRefused(Exception):
    """A request the protocol answers with {"error": message} and `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


# --- the model, without HTTP ---------------------------------------------------------------------


class CloudTagger:
    """The cloud classifier and the tag vocabulary: photo files in, tag scores out."""

    def __init__(self, models_dir: Path, threads: int = THREADS) -> None:
        manifest = Manifest(models_dir)
        entry = manifest.entry(MODEL_NAME, "fp32")
        self.vocabulary = Vocabulary.from_file(manifest.vocabulary_file(MODEL_NAME))
        self.tagger = Tagger(OnnxModel(entry, threads=threads))
        if self.vocabulary.num_classes != int(entry.meta["output"]["shape"][1]):
            raise ModelError(
                f"The cloud model has {entry.meta['output']['shape'][1]} classes and the tag "
                f"vocabulary {self.vocabulary.num_classes}: reinstall the models."
            )
        self.version = f"{entry.id}+vocabulary@{self.vocabulary.version}"

    def tag_files(
        self, files: list[bytes], max_pixels: int = MAX_REQUEST_PIXELS
    ) -> list[dict[str, float]]:
        """Tag scores of each photo file, in order. Raises InferenceRefused: 413 when the photos'
        headers claim more than `max_pixels` in all (before any is decoded), 400 naming the first
        element that is not a photo we can read."""
        check_pixels(files, max_pixels)
        images = []
        for i, data in enumerate(files):
            try:
                images.append(decode(data, DEFAULT_TARGET_SIDE, max_pixels=MAX_PIXELS).rgb)
            except ImageError as exc:
                raise InferenceRefused(
                    400, f"Element {i} of input '{INPUT}' is not a photo this server reads: {exc}."
                ) from None
        probs = self.tagger.classify_batch(images)
        return [self.vocabulary.scores(p, floor=FLOOR) for p in np.asarray(probs)]


def check_pixels(files: list[bytes], max_pixels: int) -> None:
    """InferenceRefused (413) when the photos' headers claim more than `max_pixels` in all."""
    total = sum(claimed_pixels(data, MAX_PIXELS) for data in files)
    if total > max_pixels:
        raise InferenceRefused(
            413,
            f"The photos of this request have {total / 1e6:.0f} megapixels in all; this server "
            f"tags at most {max_pixels / 1e6:.0f} per request. Send smaller photos, or fewer "
            "per request.",
        )


class LazyModel:
    """Loads the cloud model on first use, so that a server without one still syncs; a failed
    load is tried again at the next request (an administrator may have added the model since)."""

    def __init__(self, load: Callable[[], CloudTagger]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._model: CloudTagger | None = None

    def get(self) -> CloudTagger:
        with self._lock:
            if self._model is None:
                try:
                    self._model = self._load()
                except ModelError as exc:
                    raise InferenceRefused(
                        503, f"This server has no cloud model to serve ({exc})"
                    ) from None
            return self._model


# --- the protocol's JSON ---------------------------------------------------------------------


@dataclass(frozen=True)
class InferRequest:
    id: str | None
    files: list[bytes]


def parse_infer_request(body: bytes) -> InferRequest:
    """The photo files of an inference request, or InferenceRefused saying what is wrong."""
    try:
        request = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise InferenceRefused(400, "The body is not JSON (an inference request).") from None
    except RecursionError:
        raise InferenceRefused(
            400, "The body's JSON is nested too deeply to be an inference request."
        ) from None
    if not isinstance(request, dict) or not isinstance(request.get("inputs"), list):
        raise InferenceRefused(400, "An inference request needs an 'inputs' list.")
    inputs = request["inputs"]
    if len(inputs) != 1 or not isinstance(inputs[0], dict) or inputs[0].get("name") != INPUT:
        raise InferenceRefused(400, f"This model takes exactly one input, '{INPUT}'.")
    tensor = inputs[0]
    if tensor.get("datatype") != "BYTES":
        raise InferenceRefused(400, f"Input '{INPUT}' must have datatype BYTES.")
    data, shape = tensor.get("data"), tensor.get("shape")
    if not isinstance(data, list) or not all(isinstance(d, str) for d in data):
        raise InferenceRefused(400, f"Input '{INPUT}' needs 'data': a list of base64 strings.")
    if shape != [len(data)] or not data:
        raise InferenceRefused(400, f"Input '{INPUT}' needs 'shape': [n], n = number of photos.")
    if len(data) > MAX_BATCH:
        raise InferenceRefused(413, f"At most {MAX_BATCH} photos per request.")
    params = tensor.get("parameters") or {}
    if not isinstance(params, dict) or params.get("content_type", "base64") != "base64":
        raise InferenceRefused(400, f"Input '{INPUT}' must be base64 (content_type 'base64').")
    outputs = request.get("outputs")
    if outputs is not None and (
        not isinstance(outputs, list)
        or any(not isinstance(o, dict) or o.get("name") != OUTPUT for o in outputs)
    ):
        raise InferenceRefused(400, f"This model has one output, '{OUTPUT}'.")
    files = []
    for i, text in enumerate(data):
        if len(text) > MAX_IMAGE_BYTES * 4 // 3 + 4:
            raise InferenceRefused(413, f"Element {i} is over {MAX_IMAGE_BYTES >> 20} MB.")
        try:
            files.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise InferenceRefused(400, f"Element {i} of input '{INPUT}' is not base64.") from None
    request_id = request.get("id")
    return InferRequest(str(request_id) if request_id is not None else None, files)


def infer_response(
    version: str, request_id: str | None, tags: list[dict[str, float]]
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "model_name": MODEL_NAME,
        "model_version": version,
        "outputs": [
            {
                "name": OUTPUT,
                "shape": [len(tags)],
                "datatype": "BYTES",
                "data": [json.dumps(t) for t in tags],
            }
        ],
    }
    if request_id is not None:
        response["id"] = request_id
    return response


def model_metadata(model: CloudTagger) -> dict[str, Any]:
    return {
        "name": MODEL_NAME,
        "versions": [model.version],
        "platform": "onnxruntime_onnx",
        "inputs": [
            {
                "name": INPUT,
                "datatype": "BYTES",
                "shape": [-1],
                "parameters": {"content_type": "base64", "max_batch": MAX_BATCH},
            }
        ],
        "outputs": [{"name": OUTPUT, "datatype": "BYTES", "shape": [-1]}],
        "parameters": {"tags": model.vocabulary.names, "floor": FLOOR},
    }


# --- routes ----------------------------------------------------------------------------------


async def loaded_model(model: LazyModel, name: str) -> CloudTagger:
    """The model called `name`, loaded; InferenceRefused (404) for another name, (503) for none."""
    if name != MODEL_NAME:
        raise InferenceRefused(404, f"No model '{name}' here; this server has '{MODEL_NAME}'.")
    return await run_in_threadpool(model.get)


class Slots:
    """The inference slots of one server process and the threads that run them, apart from the
    threads that serve sync requests."""

    def __init__(self, limits: InferenceLimits) -> None:
        self.limits = limits
        self.free = max(1, limits.slots)
        self._threads = ThreadPoolExecutor(self.free, thread_name_prefix="inference")

    @contextmanager
    def taken(self) -> Iterator[None]:
        """A slot for the request (taken and given back on the event loop, hence no lock), or
        InferenceRefused (503, Retry-After) when every one is busy."""
        if self.free <= 0:
            raise InferenceRefused(
                503,
                "Every inference slot of this server is busy; try again in a few seconds.",
                {"Retry-After": str(RETRY_AFTER)},
            )
        self.free -= 1
        try:
            yield
        finally:
            self.free += 1

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, work)


async def infer(
    model: LazyModel, slots: Slots, name: str, version: str | None, request: Request
) -> dict[str, Any]:
    """The answer to an inference request for `name` (at `version`, if given)."""
    if name != MODEL_NAME:
        raise InferenceRefused(404, f"No model '{name}' here; this server has '{MODEL_NAME}'.")
    with slots.taken():
        tagger = await slots.run(model.get)
        if version is not None and version != tagger.version:
            raise InferenceRefused(404, f"No version '{version}' of '{name}' here.")
        try:
            body = await read_body(request, MAX_BODY)
        except HTTPException as exc:
            raise InferenceRefused(exc.status_code, str(exc.detail)) from None
        parsed = await slots.run(lambda: parse_infer_request(body))
        pixels = slots.limits.max_request_pixels
        tags = await slots.run(lambda: tagger.tag_files(parsed.files, pixels))
    return infer_response(tagger.version, parsed.id, tags)


def add_inference(
    app: FastAPI,
    library: Library,
    models_dir: Path | None = None,
    limits: InferenceLimits | None = None,
) -> None:
    """Serve the cloud model from `models_dir` (default: the app's models) to requests that
    `library` authenticates, within `limits`."""
    model = LazyModel(lambda: CloudTagger(models_dir or default_models_dir()))
    slots = Slots(limits or InferenceLimits())
    app.state.inference_slots = slots  # how many are free: for whoever runs the app

    @app.exception_handler(InferenceRefused)
    async def refused(request: Request, exc: InferenceRefused) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)

    @app.get("/v2/health/live")
    async def live(library_id: Annotated[str, Depends(library)]) -> dict[str, bool]:
        return {"live": True}

    @app.get("/v2/health/ready")
    async def ready(library_id: Annotated[str, Depends(library)]) -> dict[str, bool]:
        await loaded_model(model, MODEL_NAME)
        return {"ready": True}

    @app.get("/v2")
    async def server_metadata(library_id: Annotated[str, Depends(library)]) -> dict[str, Any]:
        return {"name": "photo-tagger", "version": __version__, "extensions": []}

    @app.get("/v2/models/{name}")
    async def metadata(name: str, library_id: Annotated[str, Depends(library)]) -> dict[str, Any]:
        return model_metadata(await loaded_model(model, name))

    @app.get("/v2/models/{name}/ready")
    async def model_ready(
        name: str, library_id: Annotated[str, Depends(library)]
    ) -> dict[str, Any]:
        await loaded_model(model, name)
        return {"name": name, "ready": True}

    @app.post("/v2/models/{name}/infer")
    async def model_infer(
        name: str, request: Request, library_id: Annotated[str, Depends(library)]
    ) -> dict[str, Any]:
        """Tag photos (see the module's docstring for the request and the answer)."""
        return await infer(model, slots, name, None, request)

    @app.post("/v2/models/{name}/versions/{version}/infer")
    async def version_infer(
        name: str, version: str, request: Request, library_id: Annotated[str, Depends(library)]
    ) -> dict[str, Any]:
        return await infer(model, slots, name, version, request)
