"""The official Open Inference Protocol client, `tritonclient[http]`, unchanged, against the real
server on 127.0.0.1: health, server and model metadata (also of a version), readiness, inference
with binary tensors (its default) and with JSON tensors, and errors it can read."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

from tests.harness import ThreadServer, add_library, sqlite_storage

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
MODEL = "cloud_tagger"


Client = tuple[triton.InferenceServerClient, dict[str, str]]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path_factory.mktemp("server")
    storage = sqlite_storage(data)
    _, token = add_library(storage, "photos")
    with ThreadServer(storage, data) as srv:
        yield srv.url, {"Authorization": f"Bearer {token}"}
    storage.close()


@pytest.fixture(scope="module")
def client(served: tuple[str, dict[str, str]]) -> Iterator[Client]:
    url, auth = served
    c = triton.InferenceServerClient(
        url.removeprefix("http://"), connection_timeout=30.0, network_timeout=60.0
    )
    yield c, auth
    c.close()


def photos(*names: str) -> np.ndarray:
    return np.array([(PHOTOS / n).read_bytes() for n in names], dtype=np.object_)


def test_health_needs_no_token_and_metadata_names_the_binary_extension(
    client: Client,
) -> None:
    c, auth = client
    assert c.is_server_live() and c.is_server_ready()
    assert "binary_tensor_data" in c.get_server_metadata(headers=dict(auth))["extensions"]
    meta = c.get_model_metadata(MODEL, headers=dict(auth))
    version = meta["versions"][0]
    assert c.get_model_metadata(MODEL, version, headers=dict(auth))["versions"] == [version]
    assert c.is_model_ready(MODEL, headers=dict(auth))
    assert c.is_model_ready(MODEL, version, headers=dict(auth))
    assert not c.is_model_ready(MODEL, "0", headers=dict(auth))
    assert not c.is_model_ready("other", headers=dict(auth))


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_tags_of_real_photos_with_binary_or_json_tensors(client: Client, binary: bool) -> None:
    c, auth = client  # a copy of the headers for each call: the client writes into the one it gets
    files = photos("rocket.jpg", "chelsea.jpg")
    image = triton.InferInput("image", [2], "BYTES")
    if binary:
        image.set_data_from_numpy(files)  # the photo files' own bytes, after the JSON
    else:  # in JSON, BYTES elements are text: the files in base64, as the model declares
        image.set_data_from_numpy(
            np.array([base64.b64encode(f) for f in files], dtype=np.object_), binary_data=False
        )
    outputs = [triton.InferRequestedOutput("tags", binary_data=binary)]
    result = c.infer(MODEL, [image], outputs=outputs, request_id="r7", headers=dict(auth))
    assert result.get_response()["id"] == "r7"
    rocket, cat = (json.loads(t) for t in result.as_numpy("tags"))
    assert rocket["Vehicles/Rocket"] > 0.5 and cat["Animals/Cat"] > 0.9
    # without outputs named, the client asks for every output in binary
    result = c.infer(MODEL, [image], headers=dict(auth))
    assert json.loads(result.as_numpy("tags")[1])["Animals/Cat"] > 0.9
    # and a version of the model, named as its metadata names it
    version = c.get_model_metadata(MODEL, headers=dict(auth))["versions"][0]
    result = c.infer(MODEL, [image], model_version=version, headers=dict(auth))
    assert result.get_response()["model_version"] == version


def test_errors_are_read_by_the_client(
    client: Client,
) -> None:
    c, auth = client
    image = triton.InferInput("image", [1], "BYTES")
    image.set_data_from_numpy(np.array([b"Dear diary, not a photo"], dtype=np.object_))
    with pytest.raises(InferenceServerException, match="not a photo") as e:
        c.infer(MODEL, [image], headers=dict(auth))
    assert e.value.status() == "400"
    with pytest.raises(InferenceServerException, match="token") as e:
        c.infer(MODEL, [image])
    assert e.value.status() == "401"
    with pytest.raises(InferenceServerException, match="No model 'other'") as e:
        c.get_model_metadata("other", headers=dict(auth))
    assert e.value.status() == "404"
    wrong = triton.InferInput("pixels", [1, 3], "FP32")
    wrong.set_data_from_numpy(np.zeros((1, 3), np.float32))
    with pytest.raises(InferenceServerException, match="exactly one input"):
        c.infer(MODEL, [wrong], headers=dict(auth))


def test_binary_framing_that_does_not_add_up_is_refused_in_words(
    served: tuple[str, dict[str, str]],
) -> None:
    url, auth = served
    for method, path, status in (("GET", "/v2/nothing", 404), ("GET", "/v2/models/x/infer", 405)):
        r = requests.request(method, url + path, headers=auth, timeout=10)
        assert r.status_code == status and f"no {method} {path}" in r.json()["error"]
    r = requests.get(url + "/v1/nothing", timeout=10)  # outside /v2, as the framework says it
    assert r.status_code == 404 and "detail" in r.json()
    head = json.dumps(
        {
            "inputs": [
                {
                    "name": "image",
                    "shape": [1],
                    "datatype": "BYTES",
                    "parameters": {"binary_data_size": 100},
                }
            ]
        }
    ).encode()
    cases = [
        ({"Inference-Header-Content-Length": "99999"}, head + b"\x00" * 100, "length"),
        ({"Inference-Header-Content-Length": str(len(head))}, head + b"\x00" * 7, "binary"),
        (
            {"Inference-Header-Content-Length": str(len(head))},
            head + b"\xff" + b"\0" * 99,
            "longer",
        ),
        ({"Inference-Header-Content-Length": "1e3"}, head + b"\x00" * 100, "length"),
    ]
    for headers, body, says in cases:
        r = requests.post(
            f"{url}/v2/models/{MODEL}/infer", data=body, headers={**auth, **headers}, timeout=30
        )
        assert r.status_code == 400 and says in r.json()["error"], r.text


def test_the_api_page_describes_the_inference_route_as_served(
    served: tuple[str, dict[str, str]],
) -> None:
    url, _ = served
    spec = requests.get(url + "/openapi.json", timeout=10).json()
    for path in ("/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer"):
        infer = spec["paths"][path]["post"]
        assert {"application/json", "application/octet-stream"} <= set(
            infer["requestBody"]["content"]
        )
        assert set(infer["responses"]) == {"200", "400", "401", "404", "413", "503"}
        assert any(p["name"] == "Inference-Header-Content-Length" for p in infer["parameters"])
    assert "/v2/models/{name}/versions/{version}/ready" in spec["paths"]
    assert "422" not in spec["paths"]["/v2/models/{name}"]["get"]["responses"]
    assert "422" in spec["paths"]["/v1/sync"]["post"]["responses"]  # outside /v2, as before
