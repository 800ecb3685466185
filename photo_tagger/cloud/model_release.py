"""A model release as the server publishes it (`photo-tagger server publish-models`): the models
in the variant the app runs, the tag vocabulary and the class names, and a manifest listing each
file's sha256 and size, the release number and the oldest app version it works with, signed with
Ed25519 as its exact bytes.

A release lives in a folder (the server's `DATA/models/`): `MANIFEST`, `SIGNATURE` and
`files/<name>`, served under `REGISTRY_PATH` (server/registry.py) to the app's updater
(model_updates.py). No HTTP library here.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from photo_tagger.cloud.signing import sign
from photo_tagger.vision.model import Manifest, sha256_of

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
REGISTRY_PATH = "/v1/models"
ROLES = ("face_detector", "face_embedder", "tagger")
OPTIONAL_ROLES = ("object_detector",)  # carried when the models have one


def release_roles(manifest: Manifest) -> tuple[str, ...]:
    return ROLES + tuple(role for role in OPTIONAL_ROLES if manifest.has(role))


def release_files(models_dir: Path) -> dict[str, Path]:
    """What a release of the models in `models_dir` carries: each model in the variant the app
    runs, vocabulary, labels."""
    manifest = Manifest(models_dir)
    files = {}
    for role in release_roles(manifest):
        path = manifest.entry(role).file
        files[path.name] = path
    extras = [manifest.vocabulary_file(), models_dir / "imagenet_labels.txt"]
    extras += [manifest.labels_file(r) for r in OPTIONAL_ROLES if manifest.has(r)]
    for extra in extras:
        if extra.exists():
            files[extra.name] = extra
    return files


def release_manifest(models_dir: Path, release: int, min_app_version: str) -> bytes:
    """The manifest a release is published with, as the bytes that get signed."""
    manifest = Manifest(models_dir)
    models: dict[str, Any] = {}
    for role in release_roles(manifest):
        entry = dict(manifest.entry(role).meta)
        variant = manifest.variant(role)
        runs = dict(entry["files"][variant])
        runs["file"] = Path(runs["file"]).name
        entry["files"] = {variant: runs}  # the references stay with the publisher
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


# --- reading a release (the app side: what a signed manifest may say) -------------------------

SHA256_HEX = frozenset("0123456789abcdef")
FILE_FIELDS = ("vocabulary", "labels")  # besides each variant's "file": names of release files


@dataclass(frozen=True)
class ReleaseManifest:
    """A release manifest whose every field the updater relies on has been checked."""

    release: int
    min_app_version: str
    files: dict[str, tuple[int, str]]  # name -> (bytes, sha256)
    models: dict[str, Any]


def plain_file_name(name: object) -> str:
    """`name` when it names a file right inside the release folder: no folder, no `..`, no
    absolute path, no separator of any system; else ValueError."""
    if (
        not isinstance(name, str)
        or name in ("", ".", "..")
        or any(c in name for c in "/\\:\0")
        or name != name.strip()
        or name in (MANIFEST, SIGNATURE, "state.json")
    ):
        raise ValueError(f"the release names an unsafe file {name!r}")
    return name


def read_release_manifest(data: bytes) -> ReleaseManifest:
    """The manifest of a release, checked: a positive release number, each file a plain name
    with a size and a sha256, and each model naming only files of the release. ValueError says
    what is wrong."""
    body = json.loads(data)
    if not isinstance(body, dict):
        raise ValueError("the manifest is not an object")
    release = body.get("release")
    if not isinstance(release, int) or isinstance(release, bool) or release < 1:
        raise ValueError(f"the release number {release!r} is not a positive whole number")
    files: dict[str, tuple[int, str]] = {}
    raw_files = body.get("files")
    if not isinstance(raw_files, dict) or not raw_files:
        raise ValueError("the manifest lists no files")
    for name, meta in raw_files.items():
        size = meta.get("bytes") if isinstance(meta, dict) else None
        sha = meta.get("sha256") if isinstance(meta, dict) else None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"the size of {name!r} is not a number of bytes")
        if not isinstance(sha, str) or len(sha) != 64 or not set(sha) <= SHA256_HEX:
            raise ValueError(f"the sha256 of {name!r} is not 64 hex digits")
        files[plain_file_name(name)] = (size, sha)
    models = body.get("models")
    if not isinstance(models, dict) or not all(isinstance(m, dict) for m in models.values()):
        raise ValueError("the manifest's models are not a table of models")
    for role, model in models.items():
        for name in model_file_names(model):
            if plain_file_name(name) not in files:
                raise ValueError(f"the '{role}' model names {name!r}, which the release lacks")
    return ReleaseManifest(release, str(body.get("min_app_version", "0")), files, models)


def model_file_names(model: dict[str, Any]) -> list[object]:
    """Every file name one model of a manifest gives (its variants' files, vocabulary, labels)."""
    variants = model.get("files")
    if not isinstance(variants, dict) or not variants:
        raise ValueError("a model of the manifest lists no files")
    names: list[object] = []
    for variant in variants.values():
        names.append(variant.get("file") if isinstance(variant, dict) else None)
    names += [model[f] for f in FILE_FIELDS if f in model]
    return names
