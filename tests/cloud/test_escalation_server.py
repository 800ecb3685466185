"""The cloud model and its Open Inference Protocol v2 routes on the real server app (127.0.0.1)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from PIL import Image, ImageOps

from photo_tagger.server import inference
from photo_tagger.vision.model import Manifest, OnnxModel, default_models_dir
from photo_tagger.vision.tagger import Tagger
from tests.harness import ThreadServer, add_library, sqlite_storage

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "tests" / "data" / "photos"
GOLDEN = json.loads((ROOT / "tests" / "data" / "golden" / "cloud_tagger.json").read_text())
INFER = "/v2/models/cloud_tagger/infer"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path_factory.mktemp("server")
    storage = sqlite_storage(data)
    _, token = add_library(storage, "photos")
    with ThreadServer(storage, data) as srv:
        yield srv.url, {"Authorization": f"Bearer {token}"}
    storage.close()


def request_for(*files: bytes, **changes: Any) -> dict[str, Any]:
    tensor = {
        "name": "image",
        "shape": [len(files)],
        "datatype": "BYTES",
        "parameters": {"content_type": "base64"},
        "data": [base64.b64encode(f).decode() for f in files],
    }
    tensor.update(changes)
    return {"id": "r1", "inputs": [tensor]}


@pytest.mark.parametrize("name", sorted(GOLDEN["photos"]))
def test_cloud_model_reproduces_its_golden_outputs(name: str) -> None:
    """The golden file was written by the build from this same preprocessing and model file."""
    entry = Manifest(default_models_dir()).entry("cloud_tagger", "fp32")
    with Image.open(PHOTOS / name) as im:
        rgb = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
    probs = Tagger(OnnxModel(entry)).classify(rgb)
    golden = GOLDEN["photos"][name]
    assert [int(i) for i in np.argsort(-probs)[:3]] == golden["top5_index"][:3]
    for (_, p), i in zip(golden["top5"], golden["top5_index"], strict=True):
        assert probs[i] == pytest.approx(p, abs=2e-3)


def test_health_metadata_and_tags_of_real_photos(served: tuple[str, dict[str, str]]) -> None:
    url, auth = served
    # a load balancer's probes need no token; everything else does
    assert requests.get(url + "/v2/health/live", timeout=10).status_code == 200
    assert requests.get(url + "/v2/health/ready", timeout=30).status_code == 200
    assert requests.get(url + "/v2", timeout=10).status_code == 401
    meta = requests.get(url + "/v2/models/cloud_tagger", headers=auth, timeout=10).json()
    version = meta["versions"][0]
    assert version.startswith("efficientnet-lite0-imagenet") and "+vocabulary@" in version
    assert meta["inputs"][0]["datatype"] == "BYTES" and "Animals/Cat" in meta["parameters"]["tags"]
    files = [(PHOTOS / n).read_bytes() for n in ("rocket.jpg", "chelsea.jpg", "coffee.jpg")]
    r = requests.post(url + INFER, json=request_for(*files), headers=auth, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model_name"] == "cloud_tagger" and body["model_version"] == version
    assert body["id"] == "r1"
    (out,) = body["outputs"]
    assert out["name"] == "tags" and out["datatype"] == "BYTES" and out["shape"] == [3]
    rocket, cat, coffee = (json.loads(t) for t in out["data"])
    assert next(iter(rocket)) == "Vehicles" and rocket["Vehicles/Rocket"] > 0.5
    assert cat["Animals/Cat"] > 0.9 and coffee["Food/Coffee"] > 0.9
    assert all(s >= inference.FLOOR for s in cat.values())


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "not JSON"),
        (json.dumps(request_for(b"Dear diary, not a photo")).encode(), 400, "not a photo"),
        (json.dumps(request_for(b"\xff\xd8\xff\xe0 truncated")).encode(), 400, "not a photo"),
        (json.dumps(request_for(b"x", data=["%%%"])).encode(), 400, "not base64"),
        (json.dumps(request_for(b"x", datatype="FP32")).encode(), 400, "BYTES"),
        (json.dumps(request_for(b"x", shape=[2])).encode(), 400, "shape"),
        (json.dumps({"inputs": []}).encode(), 400, "exactly one input"),
        (json.dumps(request_for(*[b"x"] * 9)).encode(), 413, "At most 8"),
    ],
)
def test_bad_requests_get_a_clear_400(
    served: tuple[str, dict[str, str]], body: bytes, status: int, says: str
) -> None:
    url, auth = served
    r = requests.post(url + INFER, data=body, headers=auth, timeout=30)
    assert r.status_code == status and says in r.json()["error"]


def test_size_limits_and_unknown_models(served: tuple[str, dict[str, str]]) -> None:
    url, auth = served
    huge = b"\xff\xd8\xff" + b"\x00" * (inference.MAX_IMAGE_BYTES + 1)
    r = requests.post(url + INFER, json=request_for(huge), headers=auth, timeout=60)
    assert r.status_code == 413
    r = requests.post(url + "/v2/models/other/infer", json=request_for(b"x"), headers=auth)
    assert r.status_code == 404 and "cloud_tagger" in r.json()["error"]
    r = requests.post(url + "/v2/models/cloud_tagger/versions/0/infer", json={}, headers=auth)
    assert r.status_code == 404
    r = requests.post(url + INFER, json=request_for(b"x"), timeout=10)
    assert r.status_code == 401


def test_a_server_without_the_cloud_model_still_syncs_and_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "models"
    empty.mkdir()
    model = inference.LazyModel(lambda: inference.CloudTagger(empty))
    with pytest.raises(inference.InferenceRefused) as refused:
        model.get()
    assert refused.value.status == 503 and "no cloud model" in refused.value.message
