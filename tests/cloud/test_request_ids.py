"""Each inference request carries an id (optional in the Open Inference Protocol, required by
KServe's model servers), and an answer to another id is not taken for this request's."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from photo_tagger.cloud.escalation_settings import DEFAULT_MODEL
from photo_tagger.cloud.inference_client import InferenceClient
from photo_tagger.errors import EscalationOfflineError


class Endpoint(BaseHTTPRequestHandler):
    bodies: list[dict] = []
    echo = True

    def answer(self, value: dict) -> None:
        data = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        self.answer({"name": DEFAULT_MODEL, "versions": ["7"], "parameters": {"tags": ["A/B"]}})

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Endpoint.bodies.append(body)
        out = {"name": "tags", "datatype": "BYTES", "shape": [1], "data": ['{"A/B": 0.9}']}
        self.answer(
            {
                "id": body.get("id") if Endpoint.echo else "someone else's",
                "model_name": DEFAULT_MODEL,
                "model_version": "7",
                "outputs": [out],
            }
        )

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    Endpoint.bodies, Endpoint.echo = [], True


def test_every_request_has_an_id_of_its_own(url: str) -> None:
    client = InferenceClient([url], "token", DEFAULT_MODEL, requests.Session(), (5.0, 5.0))
    for _ in range(2):
        assert client.infer([b"photo"]).tags == [{"A/B": 0.9}]
    ids = [b.get("id") for b in Endpoint.bodies]
    assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == 2


def test_an_answer_to_another_request_is_not_taken(url: str) -> None:
    Endpoint.echo = False
    client = InferenceClient([url], "token", DEFAULT_MODEL, requests.Session(), (5.0, 5.0))
    with pytest.raises(EscalationOfflineError, match="another request"):
        client.infer([b"photo"])
