"""The cloud peer's model registry: a signed release of the models, for any library's token.

GET /v1/models/manifest.json       the release manifest (files, sha256, sizes, minimum app version)
GET /v1/models/manifest.json.sig   its Ed25519 signature (base64)
GET /v1/models/files/{name}        one file of the release

The server only serves what `photo-tagger server publish-models` wrote into DATA/models/; it cannot
sign anything itself, so a compromised server can withhold updates but not forge one.
"""

# no `from __future__ import annotations`: FastAPI reads the route annotations at run time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import FileResponse

from photo_tagger.cloud.model_release import MANIFEST, REGISTRY_PATH, SIGNATURE
from photo_tagger.server.http import Library


def release_path(models_dir: Path, name: str) -> Path:
    """The file `name` of the published release, never anything outside it."""
    if name in (MANIFEST, SIGNATURE):
        path = models_dir / name
    elif name.startswith("files/") and "/" not in name[6:] and name[6:] not in ("", ".", ".."):
        path = models_dir / "files" / name[6:]
    else:
        raise HTTPException(404, "No such file in the model registry.")
    if not path.is_file():
        raise HTTPException(404, "No model release is published on this server.")
    return path


def add_model_registry(app: FastAPI, models_dir: Path, library: Library) -> None:
    """Serve the release in `models_dir` to requests that `library` authenticates."""

    @app.get(
        REGISTRY_PATH + "/{name:path}",
        response_class=FileResponse,
        responses={
            200: {"description": "The file of the release."},
            401: {"description": "No valid token."},
            404: {"description": "No such file, or no release published on this server."},
        },
    )
    async def model_release(
        name: str, library_id: Annotated[str, Depends(library)]
    ) -> FileResponse:
        """A file of the published model release (see `photo-tagger models update`)."""
        return FileResponse(release_path(models_dir, name), media_type="application/octet-stream")
