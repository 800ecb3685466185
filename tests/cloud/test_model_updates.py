"""Signed model updates end to end: `photo-tagger serve` offers a release, a library installs it.

Every refusal (tampered manifest, tampered file, truncated file, untrusted key) must leave the
library on the models it had, still able to scan.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from photo_tagger.cli.main import main
from photo_tagger.cloud.signing import load_private_key, sign
from photo_tagger.vision.model import default_models_dir
from tests.harness import ProcessServer

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[ProcessServer, Path, Path, str, Path]]:
    """A server with a library and a signing key; a client library with two scanned photos."""
    data, key, library = tmp_path / "server", tmp_path / "keys" / "release.key", tmp_path / "lib"
    code, out, _ = run(capsys, "server", "add-library", "--data", str(data), "Home")
    assert code == 0, out
    token = json.loads(out)["token"]
    assert run(capsys, "models", "keygen", "--library", str(library), str(key))[0] == 0
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("chelsea.jpg", "coffee.jpg"):
        shutil.copy(PHOTOS / name, photos / name)
    assert run(capsys, "scan", str(photos), "--library", str(library), "--quiet")[0] == 0
    with ProcessServer(data) as server:
        yield server, data, library, token, key


def publish(
    capsys: pytest.CaptureFixture[str], data: Path, key: Path, release: int, source: Path
) -> Path:
    code, out, err = run(
        capsys, "server", "publish-models", "--out", str(data / "models"), "--key", str(key),
        "--release", str(release), "--from", str(source),
    )  # fmt: skip
    assert code == 0, out + err
    return data / "models"


def bumped_models(tmp_path: Path) -> Path:
    """The shipped models as a new release: same files, the tagger's version raised."""
    source = tmp_path / "models-v2"
    shutil.copytree(default_models_dir(), source, ignore=shutil.ignore_patterns("fp32", "work"))
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["models"]["tagger"]["version"] = "2"
    (source / "manifest.json").write_text(json.dumps(manifest))
    return source


def update(
    capsys: pytest.CaptureFixture[str], library: Path, server: ProcessServer, token: str
) -> tuple[int, str, str]:
    return run(
        capsys, "models", "update", "--library", str(library), "--server", server.url,
        "--token", token,
    )  # fmt: skip


def status(capsys: pytest.CaptureFixture[str], library: Path) -> str:
    code, out, _ = run(capsys, "models", "status", "--library", str(library))
    assert code == 0
    return out


def test_update_installs_retags_keeps_user_tags_and_rolls_back(
    setup: tuple[ProcessServer, Path, Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, data, library, token, key = setup
    run(
        capsys,
        "tag",
        "add",
        "--library",
        str(library),
        str(tmp_path / "photos" / "chelsea.jpg"),
        "Pets",
    )
    publish(capsys, data, key, 2, bumped_models(tmp_path))

    # a key the library does not trust: refused, nothing installed
    code, _, err = update(capsys, library, server, token)
    assert code == 2 and "signature does not match any trusted key" in err
    assert "shipped with the app" in status(capsys, library)

    assert (
        run(capsys, "models", "trust", "--library", str(library), str(key.with_suffix(".pub")))[0]
        == 0
    )
    code, out, err = update(capsys, library, server, token)
    assert code == 0, out + err
    assert "installed model release 2" in out and "re-tagged 2 photos" in err
    assert "release 2" in status(capsys, library)
    code, out, _ = run(capsys, "export", "--library", str(library))
    photos = json.loads(out)["photos"]
    models = {a["model"] for p in photos for a in p["auto"].values() if a["source"] == "local"}
    assert models == {"mobilenet-v2-imagenet@2+vocabulary@3"}
    cat = next(p for p in photos if "Animals/Cat" in p["auto"])
    assert cat["user"] == {"Pets": True}

    code, out, _ = update(capsys, library, server, token)  # nothing newer on the server
    assert code == 0 and "up to date" in out

    code, out, err = run(capsys, "models", "rollback", "--library", str(library))
    assert code == 0 and "shipped models" in out and "re-tagged 2 photos" in err
    assert "shipped with the app" in status(capsys, library)


@pytest.mark.parametrize("damage", ["manifest", "file", "truncated"])
def test_a_damaged_release_is_refused_and_the_old_models_keep_working(
    setup: tuple[ProcessServer, Path, Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: str,
) -> None:
    server, data, library, token, key = setup
    run(capsys, "models", "trust", "--library", str(library), str(key.with_suffix(".pub")))
    release = publish(capsys, data, key, 2, bumped_models(tmp_path))
    if damage == "manifest":  # one byte changed after signing
        manifest = release / "manifest.json"
        manifest.write_bytes(manifest.read_bytes().replace(b'"release": 2', b'"release": 3'))
        expected = "signature does not match"
    elif damage == "file":
        model = release / "files" / "tagger.int8.onnx"
        data_ = bytearray(model.read_bytes())
        data_[len(data_) // 2] ^= 0xFF
        model.write_bytes(bytes(data_))
        expected = "does not match its sha256"
    else:
        model = release / "files" / "face_embedder.int8.onnx"
        model.write_bytes(model.read_bytes()[:1000])
        expected = "arrived truncated"
    code, _, err = update(capsys, library, server, token)
    assert code == 2 and expected in err, err
    assert "shipped with the app" in status(capsys, library)
    assert not list((library / "models" / "releases").glob("*"))  # no half-installed release
    photo = tmp_path / "photos" / "rocket.jpg"
    shutil.copy(PHOTOS / "rocket.jpg", photo)
    code, out, _ = run(capsys, "scan", str(tmp_path / "photos"), "--library", str(library))
    assert code == 0 and "1 analysed" in out


def resign(release: Path, key: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change a published release's manifest and sign it again with the publisher's own key: a
    release the library trusts, saying whatever the publisher (or its stolen key) says."""
    manifest = json.loads((release / "manifest.json").read_text())
    change(manifest)
    data = json.dumps(manifest, indent=1).encode()
    (release / "manifest.json").write_bytes(data)
    (release / "manifest.json.sig").write_text(sign(load_private_key(key), data) + "\n")


def test_an_update_never_goes_below_the_newest_release_ever_installed(
    setup: tuple[ProcessServer, Path, Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, data, library, token, key = setup
    run(capsys, "models", "trust", "--library", str(library), str(key.with_suffix(".pub")))
    source = bumped_models(tmp_path)
    for release in (2, 3):
        publish(capsys, data, key, release, source)
        code, out, err = update(capsys, library, server, token)
        assert code == 0 and f"installed model release {release}" in out, out + err
    for _ in range(2):  # back to release 2, then to the shipped models: the user's own choice
        assert run(capsys, "models", "rollback", "--library", str(library))[0] == 0
    assert "shipped with the app" in status(capsys, library)
    shutil.rmtree(library / "models" / "releases")  # nothing left on disk to remember 3 by

    for old in (2, 1):  # an older signed release, replayed: refused, the shipped models stay
        publish(capsys, data, key, old, source)
        code, _, err = update(capsys, library, server, token)
        assert code == 2 and "older than release 3" in err, err
        assert "shipped with the app" in status(capsys, library)

    publish(capsys, data, key, 3, source)  # the newest one again: the user may come back to it
    code, out, err = update(capsys, library, server, token)
    assert code == 0 and "installed model release 3" in out, out + err


def point_tagger_at(name: str) -> Callable[[dict[str, Any]], None]:
    def change(manifest: dict[str, Any]) -> None:
        manifest["models"]["tagger"]["files"]["int8"]["file"] = name

    return change


def point_vocabulary_at(name: str) -> Callable[[dict[str, Any]], None]:
    def change(manifest: dict[str, Any]) -> None:
        manifest["models"]["tagger"]["vocabulary"] = name

    return change


@pytest.mark.parametrize("escape", ["parent", "absolute", "vocabulary", "listed", "backslash"])
def test_a_signed_release_naming_a_file_outside_its_folder_is_refused(
    setup: tuple[ProcessServer, Path, Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    escape: str,
) -> None:
    server, data, library, token, key = setup
    run(capsys, "models", "trust", "--library", str(library), str(key.with_suffix(".pub")))
    release = publish(capsys, data, key, 2, bumped_models(tmp_path))
    # a model beside the library, where ../../../ from LIBRARY/models/releases/2/ leads
    outside = tmp_path / "outside.onnx"
    shutil.copy(release / "files" / "tagger.int8.onnx", outside)
    shutil.copy(release / "files" / "tagger_vocabulary.json", tmp_path / "outside.json")
    change = {
        "parent": point_tagger_at("../../../outside.onnx"),
        "absolute": point_tagger_at(str(outside)),
        "vocabulary": point_vocabulary_at("../../../outside.json"),
        "listed": lambda m: m["files"].update(
            {"../../../outside.onnx": m["files"]["tagger.int8.onnx"]}
        ),
        "backslash": point_tagger_at("..\\..\\..\\outside.onnx"),
    }[escape]
    resign(release, key, change)
    code, _, err = update(capsys, library, server, token)
    assert code == 2 and "unsafe file" in err, err
    assert "shipped with the app" in status(capsys, library)
    assert not list((library / "models" / "releases").glob("*"))
