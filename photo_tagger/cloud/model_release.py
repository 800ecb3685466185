"""A model release as the server publishes it (`photo-tagger server publish-models`): the int8
models, the tag vocabulary and the class names, and a manifest listing each file's sha256 and size,
the release number and the oldest app version it works with, signed with Ed25519 as its exact bytes.

A release lives in a folder (the server's `DATA/models/`): `MANIFEST`, `SIGNATURE` and
`files/<name>`, served under `REGISTRY_PATH` (server/registry.py) to the app's updater
(model_updates.py). No HTTP library here.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from photo_tagger.cloud.signing import sign
from photo_tagger.vision.model import Manifest, sha256_of

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
REGISTRY_PATH = "/v1/models"
ROLES = ("face_detector", "face_embedder", "tagger")


def release_files(models_dir: Path) -> dict[str, Path]:
    """What a release of the models in `models_dir` carries: int8 models, vocabulary, labels."""
    manifest = Manifest(models_dir)
    files = {}
    for role in ROLES:
        path = manifest.entry(role, "int8").file
        files[path.name] = path
    for extra in (manifest.vocabulary_file(), models_dir / "imagenet_labels.txt"):
        if extra.exists():
            files[extra.name] = extra
    return files


def release_manifest(models_dir: Path, release: int, min_app_version: str) -> bytes:
    """The manifest a release is published with, as the bytes that get signed."""
    manifest = Manifest(models_dir)
    models: dict[str, Any] = {}
    for role in ROLES:
        entry = dict(manifest.entry(role).meta)
        int8 = dict(entry["files"]["int8"])
        int8["file"] = Path(int8["file"]).name
        entry["files"] = {"int8": int8}  # fp32 references stay with the publisher
        entry.pop("checks", None)
        models[role] = entry
    files = {
        name: {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        for name, path in sorted(release_files(models_dir).items())
    }
    body = {
        "release": release,
        "min_app_version": min_app_version,
        "files": files,
        "models": models,
    }
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()


def publish_release(
    models_dir: Path, out_dir: Path, key: Ed25519PrivateKey, release: int, min_app_version: str
) -> Path:
    """Write a signed release of `models_dir` into `out_dir` (replacing what was there)."""
    data = release_manifest(models_dir, release, min_app_version)
    staging = out_dir.with_name(out_dir.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "files").mkdir(parents=True)
    for name, path in release_files(models_dir).items():
        shutil.copyfile(path, staging / "files" / name)
    (staging / MANIFEST).write_bytes(data)
    (staging / SIGNATURE).write_text(sign(key, data) + "\n")
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return out_dir
