"""Escalation to a stock image classifier on a stock inference server, end to end: MLServer 1.7
with its own scikit-learn runtime (no code of ours in it, `make test` installs it in .venv-interop)
serves a classifier of flattened pixels; `photo-tagger escalate --api oip-classifier` sends it
the sample photos as FP32 tensors, its settings in a JSON file, and records the tags its labels
name."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests
from PIL import Image, ImageOps

from photo_tagger.cli.main import main
from photo_tagger.cloud.classifier_client import ClassifierSpec
from photo_tagger.store.library import Library
from tests.harness import wait_until

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "tests" / "data" / "photos"
INTEROP = ROOT / ".venv-interop" / "bin"
NAME = "photos-classifier"
SPEC = ClassifierSpec(
    input="pixels",
    output="predict_proba",  # the sklearn runtime's name for the class probabilities
    size=16,
    layout="flat",
    mean=(0.0, 0.0, 0.0),
    std=(1.0, 1.0, 1.0),
    labels=("Animals/Cat", "Vehicles/Rocket", ""),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def features() -> tuple[np.ndarray, np.ndarray]:
    """The sample photos as the client sends them, each in a few copies (mirrored, cut), and
    their classes: 0 the cat, 1 the rocket, 2 anything else."""
    x, y = [], []
    for path in sorted(PHOTOS.glob("*.jpg")):
        label = {"chelsea.jpg": 0, "rocket.jpg": 1}.get(path.name, 2)
        with Image.open(path) as im:
            image = ImageOps.exif_transpose(im).convert("RGB")
        w, h = image.size
        for copy in (image, ImageOps.mirror(image), image.crop((w // 10, h // 10, w, h))):
            x.append(SPEC.pixels(copy).transpose(2, 0, 1).ravel())
            y.append(label)
    return np.stack(x), np.asarray(y)


@pytest.fixture(scope="module")
def mlserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (INTEROP / "mlserver").exists():
        pytest.fail("MLServer is needed in .venv-interop: run `make test`.")
    work = tmp_path_factory.mktemp("mlserver")
    x, y = features()
    np.savez(work / "features.npz", x=x, y=y)
    model = work / "models" / NAME
    train = [str(INTEROP / "python"), str(ROOT / "tests" / "interop" / "train_classifier.py")]
    subprocess.run([*train, str(work / "features.npz"), str(model), NAME], check=True, timeout=120)
    port = free_port()
    settings = {
        "http_port": port,
        "grpc_port": free_port(),
        "metrics_port": free_port(),
        "host": "127.0.0.1",
        "parallel_workers": 0,
    }
    (work / "models" / "settings.json").write_text(json.dumps(settings))
    log = (work / "mlserver.log").open("wb")
    server = subprocess.Popen(
        [str(INTEROP / "mlserver"), "start", str(work / "models")],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=work / "models",
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert server.poll() is None, (work / "mlserver.log").read_text()[-2000:]
        try:
            return requests.get(f"{url}/v2/models/{NAME}/ready", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_until(ready, "MLServer to load the classifier", timeout=120)
        yield url
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_a_stock_classifier_on_mlserver_refines_the_photos(
    library_dir: Path, mlserver: str, tmp_path: Path
) -> None:
    settings = tmp_path / "classifier.json"
    settings.write_text(SPEC.to_json())
    code = main(
        [
            "escalate",
            "--library",
            str(library_dir),
            "--api",
            "oip-classifier",
            "--classifier",
            str(settings),
            "--endpoint",
            mlserver,
            "--model",
            NAME,
            "--threshold",
            "1",
        ]
    )
    assert code == 0
    with Library.open(library_dir) as library:
        cloud = {}
        for cid in library.document.photo_ids():
            name = Path(library.index.paths_for(cid)[0]).name
            auto = library.document.auto_tags(cid)
            cloud[name] = {t: a for t, a in auto.items() if a["source"] == "cloud"}
    assert cloud["chelsea.jpg"]["Animals/Cat"]["score"] > 0.5
    assert cloud["rocket.jpg"]["Vehicles/Rocket"]["score"] > 0.5
    assert (
        "Animals/Cat" not in cloud["coffee.jpg"]
        or cloud["coffee.jpg"]["Animals/Cat"]["score"] < 0.5
    )
    (model,) = {a["model"] for a in cloud["rocket.jpg"].values()}
    assert model.startswith(NAME)  # and its version, where the server gives one


def test_settings_that_cannot_be_read_are_said_in_words(library_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "classifier.json"
    bad.write_text('{"layout": "sideways"}')
    argv = ["escalate", "--library", str(library_dir), "--api", "oip-classifier"]
    assert main([*argv, "--classifier", str(bad), "--endpoint", "http://127.0.0.1:9"]) == 2
    assert main([*argv, "--classifier", str(tmp_path / "none.json")]) == 2
