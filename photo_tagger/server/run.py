"""Running the server with uvicorn, as `photo-tagger serve` does.

With --workers N uvicorn starts N processes on one socket; each builds its own app from the
settings passed in the environment (uvicorn imports the app factory by name in each worker). They
share the database, which keeps them consistent: see storage.py.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from photo_tagger.server.app import Limits, create_app
from photo_tagger.server.snapshots import SnapshotPolicy
from photo_tagger.server.storage import open_storage

SETTINGS_ENV = "PHOTO_TAGGER_SERVER_SETTINGS"


@dataclass(frozen=True)
class ServerSettings:
    data: str | None = None
    database: str | None = None
    host: str = "127.0.0.1"
    port: int = 8765
    max_body: int = Limits.max_body
    workers: int = 1
    log_level: str = "info"
    models: str | None = None  # a published model release (default: DATA/models)
    inference_slots: int = 0  # inference requests served at once (0: one per core)
    max_request_pixels: int = 0  # the pixels of one inference request's photos (0: the default)
    snapshot_every: float = SnapshotPolicy.every  # seconds (0: no snapshots)
    keep_snapshots: int = SnapshotPolicy.keep
    keep_snapshot_days: float = SnapshotPolicy.keep_days

    def limits(self) -> Limits:
        snapshots = SnapshotPolicy(
            self.snapshot_every, self.keep_snapshots, self.keep_snapshot_days
        )
        return Limits(max_body=self.max_body, snapshots=snapshots)

    def models_dir(self) -> Path | None:
        if self.models:
            return Path(self.models)
        return Path(self.data) / "models" if self.data else None

    def app(self, storage: Any, clock: Callable[[], float] = time.time) -> Any:
        from photo_tagger.server.inference import InferenceLimits, add_inference
        from photo_tagger.server.registry import add_model_registry

        models = self.models_dir()
        defaults = InferenceLimits()
        inference = InferenceLimits(
            slots=self.inference_slots or defaults.slots,
            max_request_pixels=self.max_request_pixels or defaults.max_request_pixels,
        )
        extensions: list[Any] = [  # the cloud model, for escalation
            lambda app, library: add_inference(app, library, limits=inference)
        ]
        if models is not None:
            extensions.append(lambda app, library: add_model_registry(app, models, library))
        return create_app(storage, self.limits(), extensions, clock)


def serve(settings: ServerSettings) -> None:
    """Serve until interrupted. Opens the database first, so a bad --database fails here, with
    a clear message, rather than in every worker."""
    import uvicorn

    settings.limits()  # a setting out of bounds fails here, with a message that names it
    storage = open_storage(Path(settings.data) if settings.data else None, settings.database)
    where = storage.describe()
    if settings.workers > 1:
        storage.close()
        os.environ[SETTINGS_ENV] = json.dumps(asdict(settings))
        app: Any = "photo_tagger.server.run:app_from_environment"
    else:
        app = settings.app(storage)
    print(
        f"photo-tagger sync server on http://{settings.host}:{settings.port} "
        f"(database: {where}; API description at /docs)",
        flush=True,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        workers=settings.workers if settings.workers > 1 else None,
        factory=settings.workers > 1,
        log_level=settings.log_level,
        proxy_headers=True,
        ws_max_size=settings.max_body,  # a live client's message, as an HTTP sync's body
        server_header=False,
    )


def app_from_environment() -> Any:
    """The app of one worker process (uvicorn --factory)."""
    settings = ServerSettings(**json.loads(os.environ[SETTINGS_ENV]))
    storage = open_storage(Path(settings.data) if settings.data else None, settings.database)
    return settings.app(storage)
