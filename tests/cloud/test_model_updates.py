"""Signed model updates end to end: `photo-tagger serve` offers a release, a library installs it.

Every refusal (tampered manifest, tampered file, truncated file, untrusted key) must leave the
library on the models it had, still able to scan.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from photo_tagger.cli.main import main
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
    assert models == {"mobilenet-v2-imagenet@2+vocabulary@1"}
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
