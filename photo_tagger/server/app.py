"""The HTTP face of the cloud peer (FastAPI). Every route but /healthz needs a library's token.

POST /v1/sync     body: Yjs sync messages, SYNC_STEP1 (the device's state vector) then SYNC_UPDATE
                  messages (its edits); answer: SYNC_STEP2 (what the device lacks), then, only
                  if the server lacks some of what the device has, SYNC_STEP1 (the server's
                  state vector). application/octet-stream both ways.
GET  /v1/library  {"library": id, "name": name} of the token's library.
GET  /healthz     {"status": "ok"}, for load balancers; no token.

401 without a valid token (a token only ever opens its own library: the library comes from the
token, never from the request); 413 for a body over the limit; 400 for a body that is not a sync
request or updates that cannot be merged (nothing is stored); 422 for updates that write values
no device's reads would take, named in the answer (nothing is stored; the device must set them
aside, `photo-tagger check --repair`); 409 for updates that would leave the library with too many
updates waiting for edits the server never received (nothing is stored; the device must sync from
scratch); 503 when the database is down.
"""

# no `from __future__ import annotations`: FastAPI reads the route annotations at run time
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi_swagger import patch_fastapi

from photo_tagger import __version__
from photo_tagger.server.database import StorageUnavailable
from photo_tagger.server.http import Library, read_body, token_library
from photo_tagger.server.replicas import BadUpdate, Misshapen, Replicas, TooMuchWaiting
from photo_tagger.server.snapshots import SnapshotPolicy
from photo_tagger.server.storage import Storage
from photo_tagger.server.ysocket import add_live_sync
from photo_tagger.store.wire import (
    LIBRARY_HEADER,
    MEDIA_TYPE,
    SYNC_PATH,
    decode_reply,
    decode_request,
    encode_reply,
    is_framed,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    max_body: int = 64 << 20  # a first sync sends the whole library: ~13 MB per 100k photos
    compact_rows: int = 1000
    max_waiting: int = 1000  # updates a library keeps waiting for items the server never received
    max_waiting_bytes: int = 4 << 20
    snapshots: SnapshotPolicy = SnapshotPolicy()  # dated copies of each library's document


SYNC_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "y-protocols sync messages: SYNC_STEP1 (the device's state vector), then "
        "SYNC_UPDATE messages (updates the server may lack). Each message is varuint(sync type: "
        "0 step 1, 1 step 2, 2 update) varuint(length) payload, as y-protocols' sync module "
        "writes it, either alone or after a varuint message type 0 (sync) as y-websocket frames "
        "it; the answer comes in the framing asked in.",
        "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    }
}
SYNC_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SYNC_STEP2 (what the device lacks), then SYNC_STEP1 (the server's state "
        "vector) only if the server lacks some of what the device has.",
        "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    },
    400: {"description": "Not a sync request, or updates that cannot be merged; nothing stored."},
    401: {"description": "No valid token."},
    409: {
        "description": "The updates would leave too many waiting for edits the server never "
        "received; nothing stored. The device must sync from scratch."
    },
    413: {"description": "The body is over the server's limit."},
    422: {
        "description": "The updates write values of the wrong shape (named in `detail`); "
        "nothing stored. The device must set them aside (`photo-tagger check --repair`)."
    },
    503: {"description": "The database is unavailable; try again later."},
}


def create_app(
    storage: Storage,
    limits: Limits | None = None,
    extensions: Sequence[Callable[[FastAPI, Library], None]] = (),
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The server's app. Each extension adds routes, given the app and the `library` dependency
    (a route depending on it gets the token's library id, or a 401 is sent). `clock` dates the
    libraries' snapshots."""
    limits = limits or Limits()
    replicas = _replicas(storage, limits, clock)
    library = token_library(storage)
    app = _new_app()

    @app.exception_handler(StorageUnavailable)
    async def storage_down(request: Request, exc: StorageUnavailable) -> JSONResponse:
        log.error("%s", exc)
        return JSONResponse(
            {"detail": "The server's database is unavailable; try again later."}, status_code=503
        )

    @app.post(SYNC_PATH, response_class=Response, openapi_extra=SYNC_BODY, responses=SYNC_RESPONSES)
    async def sync(request: Request, library_id: Annotated[str, Depends(library)]) -> Response:
        """Merge the device's edits; answer what it lacks (and, if the server lacks some of what
        the device has, the server's state vector)."""
        body = await read_body(request, limits.max_body)
        try:
            framed = is_framed(body)  # y-websocket's framing, or y-protocols' messages alone
            state_vector, updates = decode_request(body, framed)
        except ValueError as exc:
            raise HTTPException(400, f"Not a sync request: {exc}.") from exc
        try:
            reply = await run_in_threadpool(replicas.sync, library_id, state_vector, updates)
        except BadUpdate as exc:
            raise HTTPException(400, f"Nothing was stored: {exc}.") from exc
        except Misshapen as exc:
            raise HTTPException(422, f"Nothing was stored: {exc}.") from exc
        except TooMuchWaiting as exc:
            raise HTTPException(409, f"Refused: {exc}.") from exc
        if not framed:  # answered as asked
            reply = encode_reply(*decode_reply(reply), framed=False)
        return Response(reply, media_type=MEDIA_TYPE, headers={LIBRARY_HEADER: library_id})

    @app.get("/v1/library")
    async def about(library_id: Annotated[str, Depends(library)]) -> dict[str, Any]:
        """The library the token opens."""
        name = await run_in_threadpool(storage.library_name, library_id)
        return {"library": library_id, "name": name}

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.state.live_sync = add_live_sync(app, storage, replicas)  # the libraries over y-websocket
    for extend in extensions:
        extend(app, library)
    return app


def _replicas(storage: Storage, limits: Limits, clock: Callable[[], float]) -> Replicas:
    return Replicas(
        storage,
        compact_rows=limits.compact_rows,
        max_waiting=limits.max_waiting,
        max_waiting_bytes=limits.max_waiting_bytes,
        snapshots=limits.snapshots,
        clock=clock,
    )


def _new_app() -> FastAPI:
    """The app, with its API page served from the package's own copy of Swagger UI."""
    app = FastAPI(
        title="photo-tagger sync server",
        version=__version__,
        description="Keeps each library's shared document and merges the devices' edits.",
        docs_url=None,  # the API page is served from the app's own files, below
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    # Swagger UI from the package's own copy, not a CDN: the page works on a LAN with no internet
    patch_fastapi(
        app,
        docs_url="/docs",
        redirect_from_root_to_docs=False,
        swagger_js_url="/docs/swagger-ui-bundle.js",
        swagger_css_url="/docs/swagger-ui.css",
        swagger_favicon_url="/docs/favicon-32x32.png",
    )
    return app
