"""The inference client and the model updater against hostile servers on 127.0.0.1: answers that
never end, that drip a byte at a time (the body, or the headers), that nest JSON without end.
Each is cut off with an error in words: the inference client fails over to the next endpoint, a
model update is refused with nothing installed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from photo_tagger.cloud.escalation_settings import DEFAULT_MODEL
from photo_tagger.cloud.inference_client import InferenceClient
from photo_tagger.cloud.model_release import REGISTRY_PATH
from photo_tagger.cloud.model_updates import ModelUpdater
from photo_tagger.cloud.signing import sign
from photo_tagger.errors import ModelUpdateError
from tests.harness import HANG, wait_until
from tests.store.hostile_http import (
    Answer,
    HostileServer,
    Route,
    as_json,
    drip,
    drip_head,
    endless,
)

MODEL = DEFAULT_MODEL  # the name our own server gives its model
DEEP = "[" * 200_000 + "]" * 200_000  # JSON nested past any parser's recursion limit


def inference_response(data: list[str]) -> Answer:
    return as_json(
        {
            "model_name": MODEL,
            "model_version": "7",
            "outputs": [{"name": "tags", "datatype": "BYTES", "shape": [len(data)], "data": data}],
        }
    )


def endpoint(infer: Answer, tags: list[str] | None = None) -> Route:
    """An endpoint that is ready, serves the model, and answers `infer` to every inference."""
    metadata = as_json(
        {"name": MODEL, "versions": ["7"], "parameters": {"tags": tags or ["Animals/Cat"]}}
    )

    def route(method: str, path: str) -> Answer:
        if path == "/v2/health/ready":
            return as_json({})
        if path == f"/v2/models/{MODEL}":
            return metadata
        return infer

    return route


GOOD = endpoint(inference_response([json.dumps({"Animals/Cat": 0.9})]))


def client(*urls: str, **limits: float) -> InferenceClient:
    return InferenceClient(list(urls), "token", MODEL, requests.Session(), (5.0, 5.0), **limits)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("hostile", "limits", "said"),
    [
        (endless(), {"max_answer": 1 << 20, "deadline": HANG}, "went on past the 1.0 MB accepted"),
        (drip(), {"deadline": 0.3}, "did not arrive in full within 0.3 seconds"),
        (
            inference_response([DEEP]),
            {"max_answer": 4 << 20},
            "answered something that is not an inference response",
        ),
        (
            Answer("bytes", body=DEEP.encode(), content_type="application/json"),
            {"max_answer": 4 << 20},
            "answered something that is not an inference response",
        ),
    ],
    ids=["endless", "drip", "deep-tags", "deep-body"],
)
def test_a_hostile_answer_fails_over_to_the_next_endpoint(
    hostile: Answer, limits: dict[str, float], said: str
) -> None:
    with HostileServer(endpoint(hostile)) as bad, HostileServer(GOOD) as good:
        inference = client(bad.url, good.url, **limits)
        answer = inference.infer([b"photo"])
    assert answer.endpoint == good.url and answer.tags == [{"Animals/Cat": 0.9}]
    assert len(inference.problems) == 1 and inference.problems[0].startswith(bad.url)
    assert said in inference.problems[0]


def test_headers_dripping_for_ever_fail_over_at_the_deadline() -> None:
    """A status line and headers a byte every half second: each read gets its byte within the
    read timeout, so only the exchange's deadline ends it, and the client hangs up."""
    with (
        HostileServer(endpoint(drip_head()), drip_interval=0.5) as bad,
        HostileServer(GOOD) as good,
    ):
        inference = client(bad.url, good.url, deadline=2.0)
        answer = inference.infer([b"photo"])
        infer = f"/v2/models/{MODEL}/infer"
        wait_until(lambda: infer in dict(bad.ended), "the dripped answer to end")
        assert dict(bad.ended)[infer] == "hung up"
    assert answer.endpoint == good.url
    assert "did not arrive in full within 2 seconds" in inference.problems[0]


def test_scores_that_are_not_numbers_in_0_1_are_dropped_and_counted() -> None:
    scores = '{"Animals/Cat": 0.9, "Animals/Dog": NaN, "Food": 5, "Sky": "high", "Sea": true}'
    with HostileServer(endpoint(inference_response([scores]))) as server:
        answer = client(server.url).infer([b"photo"])
    assert answer.tags == [{"Animals/Cat": 0.9}] and answer.dropped == [4]


# --- model updates ----------------------------------------------------------------------------


def release(file_bytes: int) -> tuple[bytes, str, Ed25519PrivateKey]:
    """A signed manifest declaring one file of `file_bytes` bytes (its signature, its key)."""
    key = Ed25519PrivateKey.generate()
    manifest = json.dumps(
        {
            "release": 2,
            "min_app_version": "0",
            "files": {
                "tagger.int8.onnx": {
                    "bytes": file_bytes,
                    "sha256": hashlib.sha256(b"x" * file_bytes).hexdigest(),
                }
            },
            "models": {},
        }
    ).encode()
    return manifest, sign(key, manifest), key


def registry(manifest: Answer, signature: str, file: Answer) -> Route:
    def route(method: str, path: str) -> Answer:
        if path == f"{REGISTRY_PATH}/manifest.json":
            return manifest
        if path == f"{REGISTRY_PATH}/manifest.json.sig":
            return Answer("bytes", body=signature.encode())
        return file

    return route


@pytest.mark.parametrize(
    ("what", "limits", "said"),
    [
        ("file-endless", {}, "went on past the 1000 bytes accepted"),
        ("file-drip", {"deadline": 0.3}, "within 0.3 seconds"),
        ("manifest-endless", {"max_manifest": 4096}, "went on past the 4.0 KB accepted"),
        ("manifest-drip", {"deadline": 0.3}, "within 0.3 seconds"),
    ],
)
def test_a_hostile_model_server_is_refused_and_nothing_is_installed(
    tmp_path: Path, what: str, limits: dict[str, float], said: str
) -> None:
    manifest, signature, key = release(1000)
    hostile = drip() if what.endswith("drip") else endless()
    good_manifest = Answer("bytes", body=manifest)
    route = (
        registry(good_manifest, signature, hostile)
        if what.startswith("file")
        else registry(hostile, signature, Answer("bytes", body=b"x" * 1000))
    )
    updater = ModelUpdater(
        tmp_path / "library",
        [key.public_key()],
        requests.Session(),
        timeout=5.0,
        **limits,  # type: ignore[arg-type]
    )
    with HostileServer(route) as server, pytest.raises(ModelUpdateError, match=said) as err:
        updater.update(server.url, "token")
    assert "Nothing was installed" in str(err.value)
    assert updater.current_release() is None
    releases = tmp_path / "library" / "models" / "releases"
    assert not releases.exists() or not list(releases.iterdir())
