"""Signed model updates end to end: `photo-tagger serve` offers a release, a library downloads it
as a candidate, and uses it once the user accepts it (tests/cloud/test_model_shadow.py: what the
candidate is tried on before that).

Every refusal (tampered manifest, tampered file, truncated file, untrusted key) must leave the
library on the models it had, still able to scan, with no candidate.
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
from tests.harness import ProcessServer
from tests.releases import bumped_models

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


def models(capsys: pytest.CaptureFixture[str], action: str, library: Path) -> tuple[int, str, str]:
    return run(capsys, "models", action, "--library", str(library))


def no_candidate(library: Path) -> bool:
    return not (library / "models" / "candidate").exists() and not list(
        (library / "models").glob("candidate*")
    )


def test_an_update_waits_for_accept_then_retags_keeps_user_tags_and_rolls_back(
    setup: tuple[ProcessServer, Path, Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Once `models update` switched at once; now it downloads a candidate that `models accept`
    switches to."""
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

    # a key the library does not trust: refused, nothing downloaded
    code, _, err = update(capsys, library, server, token)
    assert code == 2 and "signature does not match any trusted key" in err
    assert "shipped with the app" in status(capsys, library) and no_candidate(library)

    assert (
        run(capsys, "models", "trust", "--library", str(library), str(key.with_suffix(".pub")))[0]
        == 0
    )
    code, out, err = update(capsys, library, server, token)
    assert code == 0, out + err
    assert "downloaded model release 2" in out and "not in use" in out
    assert "re-tagged" not in err
    said = status(capsys, library)
    assert "shipped with the app" in said and "release 2 is waiting for your decision" in said

    code, out, err = models(capsys, "accept", library)
    assert code == 0 and "now using model release 2" in out and "re-tagged 2 photos" in err
    assert "release 2" in status(capsys, library) and no_candidate(library)
    # the release carries every model the shipped ones have, the object detector too
    in_release = {p.name for p in (library / "models").rglob("*") if p.is_file()}
    assert {"object_detector.int8.onnx", "coco_labels.txt"} <= in_release, in_release
    code, out, _ = run(capsys, "export", "--library", str(library))
    photos = json.loads(out)["photos"]
    in_use = {a["model"] for p in photos for a in p["auto"].values() if a["source"] == "local"}
    assert in_use == {"mobilenet-v2-imagenet@2+vocabulary@3"}
    cat = next(p for p in photos if "Animals/Cat" in p["auto"])
    assert cat["user"] == {"Pets": True}

    code, out, _ = update(capsys, library, server, token)  # nothing newer on the server
    assert code == 0 and "up to date" in out and no_candidate(library)
    code, _, err = models(capsys, "accept", library)  # nothing to accept
    assert code == 2 and "No new models are waiting" in err

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
    assert no_candidate(library)
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


def test_an_update_never_goes_below_the_newest_release_ever_accepted(
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
        assert code == 0 and f"downloaded model release {release}" in out, out + err
        code, out, _ = run(capsys, "models", "accept", "--no-retag", "--library", str(library))
        assert code == 0 and f"now using model release {release}" in out
    for _ in range(2):  # back to release 2, then to the shipped models: the user's own choice
        assert run(capsys, "models", "rollback", "--library", str(library))[0] == 0
    assert "shipped with the app" in status(capsys, library)
    shutil.rmtree(library / "models" / "releases")  # nothing left on disk to remember 3 by

    for old in (2, 1):  # an older signed release, replayed: refused, the shipped models stay
        publish(capsys, data, key, old, source)
        code, _, err = update(capsys, library, server, token)
        assert code == 2 and "older than release 3" in err, err
        assert "shipped with the app" in status(capsys, library) and no_candidate(library)

    publish(capsys, data, key, 3, source)  # the newest one again: the user may come back to it
    code, out, err = update(capsys, library, server, token)
    assert code == 0 and "downloaded model release 3" in out, out + err


def test_a_candidate_counts_only_once_accepted(
    setup: tuple[ProcessServer, Path, Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A release the user rejected (or never decided on) replaced nothing on the library: an
    older release the server offers later is still welcome; the rejected one is not downloaded
    again unless asked."""
    server, data, library, token, key = setup
    run(capsys, "models", "trust", "--library", str(library), str(key.with_suffix(".pub")))
    source = bumped_models(tmp_path)
    publish(capsys, data, key, 3, source)
    code, out, err = update(capsys, library, server, token)
    assert code == 0 and "downloaded model release 3" in out, out + err

    publish(capsys, data, key, 2, source)  # the server went back to 2: 3 still waits
    code, out, err = update(capsys, library, server, token)
    assert code == 0 and "model release 3 beside the shipped models" in out, out + err
    assert "downloaded" not in out

    code, out, _ = models(capsys, "reject", library)
    assert code == 0 and "model release 3 dropped" in out
    assert no_candidate(library) and "shipped with the app" in status(capsys, library)
    assert "waiting" not in status(capsys, library)

    code, out, err = update(capsys, library, server, token)  # 2 is not "older than 3"
    assert code == 0 and "downloaded model release 2" in out, out + err
    assert models(capsys, "reject", library)[0] == 0

    publish(capsys, data, key, 3, source)
    code, out, _ = update(capsys, library, server, token)
    assert code == 0 and "which you rejected; nothing was downloaded" in out
    assert "models update --again" in out
    assert no_candidate(library)
    code, out, err = run(
        capsys, "models", "update", "--again", "--library", str(library), "--server", server.url,
        "--token", token,
    )  # fmt: skip
    assert code == 0 and "downloaded model release 3" in out, out + err


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
    assert not list((library / "models" / "releases").glob("*")) and no_candidate(library)


def test_a_release_still_waiting_is_named_when_the_server_offers_nothing_newer(
    setup: tuple[ProcessServer, Path, Path, str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, data, library, token, key = setup
    run(capsys, "models", "trust", "--library", str(library), str(key.with_suffix(".pub")))
    source = bumped_models(tmp_path)
    publish(capsys, data, key, 2, source)
    assert update(capsys, library, server, token)[0] == 0
    assert run(capsys, "models", "accept", "--no-retag", "--library", str(library))[0] == 0
    publish(capsys, data, key, 3, source)
    assert update(capsys, library, server, token)[0] == 0
    publish(capsys, data, key, 2, source)  # the server went back to the release in use
    code, out, err = update(capsys, library, server, token)
    assert code == 0 and "model release 3 beside release 2: 0 of 2 photos" in out, out + err
    assert "up to date" not in out
