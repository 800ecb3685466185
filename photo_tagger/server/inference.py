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

GET  /v2/models/{name}/versions/{version}, .../versions/{version}/ready   the same, of that version

Every route but the two health probes needs a library's token, like the sync routes. One model,
MODEL_NAME; its request and answer are in infer_io.py, JSON or with the binary tensor data
extension (oip.py), which /v2 lists among its extensions.

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
from fastapi.responses import JSONResponse, Response

from photo_tagger import __version__
from photo_tagger.errors import ImageError, ModelError
from photo_tagger.imaging import claimed_pixels, decode
from photo_tagger.imaging.decode import DEFAULT_TARGET_SIDE
from photo_tagger.server.http import Library, read_body
from photo_tagger.server.infer_io import (
    FLOOR,
    INPUT,
    MAX_BATCH,
    MAX_IMAGE_BYTES,
    MODEL_NAME,
    InferenceRefused,
    infer_response,
    model_metadata,
    parse_infer_request,
)
from photo_tagger.server.oip import (
    BINARY_EXTENSION,
    HEADER_LENGTH,
    INFER_BODY,
    INFER_RESPONSES,
    ProtocolError,
    error,
    protocol_errors,
    split_body,
)
from photo_tagger.vision.model import Manifest, OnnxModel, default_models_dir
from photo_tagger.vision.tagger import Tagger
from photo_tagger.vision.vocabulary import Vocabulary

MAX_BODY = MAX_BATCH * MAX_IMAGE_BYTES * 4 // 3 + (64 << 10)  # base64 is 4/3 of the bytes
MAX_PIXELS = 50_000_000  # what a cloud peer decodes for anyone holding a token
MAX_REQUEST_PIXELS = 100_000_000  # all the photos of one request (8 x 12 megapixels)
THREADS = 2
RETRY_AFTER = 5  # seconds, when every inference slot is busy
METADATA_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error("No valid token for a library of this server."),
    404: error("No such model, or no such version of it."),
    503: error("No cloud model on this server."),
}
T = TypeVar("T")


@dataclass(frozen=True)
class InferenceLimits:
    """How much inference one server process does at once, and for one request."""

    slots: int = os.cpu_count() or 1  # requests tagged at the same time; more get 503
    max_request_pixels: int = MAX_REQUEST_PIXELS


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


# --- routes ----------------------------------------------------------------------------------


async def loaded_model(model: LazyModel, name: str, version: str | None = None) -> CloudTagger:
    """The model called `name` (at `version`, if given), loaded; InferenceRefused (404) for
    another name or version, (503) for none."""
    if name != MODEL_NAME:
        raise InferenceRefused(404, f"No model '{name}' here; this server has '{MODEL_NAME}'.")
    tagger = await run_in_threadpool(model.get)
    if version is not None and version != tagger.version:
        raise InferenceRefused(
            404, f"No version '{version}' of '{name}' here; it has '{tagger.version}'."
        )
    return tagger


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
) -> Response:
    """The answer to an inference request for `name` (at `version`, if given)."""
    if name != MODEL_NAME:
        raise InferenceRefused(404, f"No model '{name}' here; this server has '{MODEL_NAME}'.")
    with slots.taken():
        tagger = await slots.run(model.get)
        if version is not None and version != tagger.version:
            raise InferenceRefused(404, f"No version '{version}' of '{name}' here.")
        try:
            body = split_body(
                await read_body(request, MAX_BODY), request.headers.get(HEADER_LENGTH)
            )
        except HTTPException as exc:
            raise InferenceRefused(exc.status_code, str(exc.detail)) from None
        except ProtocolError as exc:
            raise InferenceRefused(400, str(exc)) from None
        parsed = await slots.run(lambda: parse_infer_request(body))
        pixels = slots.limits.max_request_pixels
        tags = await slots.run(lambda: tagger.tag_files(parsed.files, pixels))
    return infer_response(tagger.version, parsed.id, tags, parsed.binary_output)


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

    protocol_errors(app)

    describe_model(app, library, model)

    infer_route = {
        "response_class": Response,
        "openapi_extra": INFER_BODY,
        "responses": INFER_RESPONSES,
    }

    @app.post("/v2/models/{name}/infer", **infer_route)  # type: ignore[arg-type]
    async def model_infer(
        name: str, request: Request, library_id: Annotated[str, Depends(library)]
    ) -> Response:
        """Tag photos (see the module's docstring for the request and the answer)."""
        return await infer(model, slots, name, None, request)

    @app.post("/v2/models/{name}/versions/{version}/infer", **infer_route)  # type: ignore[arg-type]
    async def version_infer(
        name: str, version: str, request: Request, library_id: Annotated[str, Depends(library)]
    ) -> Response:
        """Tag photos with this version of the model."""
        return await infer(model, slots, name, version, request)


def describe_model(app: FastAPI, library: Library, model: LazyModel) -> None:
    """The routes that tell whether the server and the model are there, and what the model is."""

    # a load balancer's probes: no token
    @app.get("/v2/health/live")
    async def live() -> dict[str, bool]:
        return {"live": True}

    @app.get("/v2/health/ready", responses={503: error("No cloud model on this server.")})
    async def ready() -> dict[str, bool]:
        await loaded_model(model, MODEL_NAME)
        return {"ready": True}

    @app.get("/v2")
    async def server_metadata(library_id: Annotated[str, Depends(library)]) -> dict[str, Any]:
        return {"name": "photo-tagger", "version": __version__, "extensions": [BINARY_EXTENSION]}

    @app.get("/v2/models/{name}", responses=METADATA_ERRORS)
    async def metadata(name: str, library_id: Annotated[str, Depends(library)]) -> dict[str, Any]:
        tagger = await loaded_model(model, name)
        return model_metadata(tagger.version, tagger.vocabulary.names)

    @app.get("/v2/models/{name}/versions/{version}", responses=METADATA_ERRORS)
    async def version_metadata(
        name: str, version: str, library_id: Annotated[str, Depends(library)]
    ) -> dict[str, Any]:
        tagger = await loaded_model(model, name, version)
        return model_metadata(tagger.version, tagger.vocabulary.names)

    @app.get("/v2/models/{name}/ready", responses=METADATA_ERRORS)
    async def model_ready(
        name: str, library_id: Annotated[str, Depends(library)]
    ) -> dict[str, Any]:
        await loaded_model(model, name)
        return {"name": name, "ready": True}

    @app.get("/v2/models/{name}/versions/{version}/ready", responses=METADATA_ERRORS)
    async def version_ready(
        name: str, version: str, library_id: Annotated[str, Depends(library)]
    ) -> dict[str, Any]:
        await loaded_model(model, name, version)
        return {"name": name, "version": version, "ready": True}
