"""Escalation within the inference server's limits: an endpoint whose slots are all busy (503 with
Retry-After) is asked again after the time it gives, a bounded number of times, and the photos
stay queued if it stays busy; photos go in batches, and a batch refused as too large (413) is
split down to single photos. Against the real server on 127.0.0.1 (its only slot held, real
photos over its 100 megapixels a request) and against hostile ones."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import cv2
import pytest

from photo_tagger.cli.main import main
from photo_tagger.cloud import escalation
from photo_tagger.cloud.escalation import Escalator
from photo_tagger.cloud.escalation_queue import EscalationQueue
from photo_tagger.cloud.inference_client import BUSY_RETRIES
from photo_tagger.server.run import ServerSettings
from photo_tagger.server.storage import Storage
from photo_tagger.store.library import Library
from tests.cloud.conftest import PHOTOS
from tests.cloud.test_hostile_endpoints import MODEL, inference_response
from tests.harness import ThreadServer, add_library, wait_until
from tests.store.hostile_http import Answer, HostileServer, as_json

TOKEN = "0" * 12 + "." + "0" * 64
INFER = f"/v2/models/{MODEL}/infer"
CAT = json.dumps({"Animals/Cat": 0.9})


def busy(retry_after: str) -> Answer:
    body = json.dumps({"error": "Every inference slot of this server is busy."}).encode()
    return Answer("bytes", 503, body, "application/json", (("Retry-After", retry_after),))


def photos_in(body: bytes) -> int:
    return len(json.loads(body)["inputs"][0]["data"])


class Endpoint:
    """A hostile endpoint: ready, serving the model in batches of up to 8, and answering each
    inference with what `answer(number of the inference, photos in it)` gives."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.server = HostileServer(self.route)
        self.inferences: list[int] = []  # photos in each inference request, in order

    def route(self, method: str, path: str) -> Answer:
        if path == "/v2/health/ready":
            return as_json({})
        if path == f"/v2/models/{MODEL}":
            return as_json(
                {
                    "name": MODEL,
                    "versions": ["7"],
                    "inputs": [{"name": "image", "parameters": {"max_batch": 8}}],
                    "parameters": {"tags": ["Animals/Cat"]},
                }
            )
        count = photos_in(self.server.bodies[-1])
        self.inferences.append(count)
        return self.answer(len(self.inferences), count)


def escalate_with(endpoint: str, library_dir: Path, **settings: Any) -> escalation.EscalationReport:
    with Library.open(library_dir) as library:
        escalation.enable(library.log, endpoints=[endpoint], token=TOKEN, **settings)
        return Escalator(library).run()


def waiting(library_dir: Path) -> dict[str, int]:
    with EscalationQueue.open(library_dir) as queue:
        return queue.counts()


# --- 503 with Retry-After -----------------------------------------------------------------------


def test_a_busy_endpoint_is_asked_again_after_the_time_it_gives(library_dir: Path) -> None:
    answers = lambda n, count: busy("1") if n == 1 else inference_response([CAT] * count)  # noqa: E731
    endpoint = Endpoint(answers)
    with endpoint.server:
        report = escalate_with(endpoint.server.url, library_dir, threshold=1.0, daily_budget=1)
    assert report.offline is None and not report.failed
    assert len(report.refined) == 1
    assert endpoint.inferences == [1, 1]  # refused as busy, then served


@pytest.mark.parametrize(
    ("retry_after", "asked"),
    [("1", 1 + BUSY_RETRIES), ("3600", 1), ("soon", 1)],
    ids=["busy-for-ever", "come-back-in-an-hour", "unreadable"],
)
def test_an_endpoint_that_stays_busy_keeps_the_photos_queued(
    library_dir: Path, retry_after: str, asked: int
) -> None:
    endpoint = Endpoint(lambda n, count: busy(retry_after))
    with endpoint.server:
        report = escalate_with(endpoint.server.url, library_dir, threshold=1.0, daily_budget=3)
    assert report.refined == [] and report.failed == []
    assert report.offline is not None and "stay queued" in report.offline
    assert "busy" in report.offline
    assert len(endpoint.inferences) == asked  # a bounded number of times, then it gives up
    assert waiting(library_dir)["waiting"] == report.queued and report.queued >= 3


def test_every_slot_of_the_real_server_busy_then_free(library_dir: Path, storage: Storage) -> None:
    _, token = add_library(storage, "photos")
    server = ThreadServer(storage)
    server.app = ServerSettings(inference_slots=1).app(storage)
    photo = (PHOTOS / "astronaut.jpg").read_bytes()
    with server, socket.create_connection(("127.0.0.1", server.port.number)) as slow:
        # an inference request whose body is still on its way holds the only slot
        slow.sendall(
            f"POST {INFER} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(photo) * 2}\r\n\r\n".encode()
        )
        slots = server.app.state.inference_slots
        wait_until(lambda: slots.free == 0, "the slow request to take the only slot")

        def free_the_slot_once_refused() -> None:
            refused = lambda: any(r.status == 503 for r in server.requests)  # noqa: E731
            wait_until(refused, "the escalation to find every slot busy")
            slow.close()  # the slot is given back once that request is gone

        freeing = threading.Thread(target=free_the_slot_once_refused)
        freeing.start()
        try:
            with Library.open(library_dir) as library:
                escalation.enable(
                    library.log,
                    endpoints=[server.url],
                    token=token,
                    threshold=1.0,
                    daily_budget=1,
                )
                report = Escalator(library).run()
        finally:
            freeing.join()
    assert report.offline is None and len(report.refined) == 1 and not report.failed
    statuses = [r.status for r in server.requests if r.path == INFER][1:]  # after the slow one
    assert statuses == [503, 200]


# --- batches and 413 ----------------------------------------------------------------------------


LARGE = (6900, 5200)  # 36 megapixels: three of them are over the server's 100 a request


@pytest.fixture(scope="module")
def large_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three real 36-megapixel photos (sample photos enlarged), scanned into a library."""
    folder = tmp_path_factory.mktemp("large")
    for name in ("rocket.jpg", "coffee.jpg", "chelsea.jpg"):
        small = cv2.imread(str(PHOTOS / name))
        large = cv2.resize(small, LARGE, interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(folder / name), large, [cv2.IMWRITE_JPEG_QUALITY, 85])
    library = tmp_path_factory.mktemp("large-library") / "library"
    assert main(["scan", str(folder), "--library", str(library)]) == 0
    return library


def test_a_batch_over_the_servers_megapixels_is_split_and_every_photo_refined(
    large_library: Path, server: ThreadServer, server_data: tuple[Path, str]
) -> None:
    with Library.open(large_library) as library:
        escalation.enable(
            library.log,
            endpoints=[server.url],
            token=server_data[1],
            threshold=1.0,
            max_side=8192,  # the photos go whole: 36 megapixels each
        )
        report = Escalator(library).run()
    assert report.offline is None and not report.failed
    assert len(report.refined) == 3
    sent = [(photos_in(bytes(r.body)), r.status) for r in server.requests if r.path == INFER]
    assert sent == [(3, 413), (1, 200), (2, 200)]


def test_batches_refused_as_too_large_are_split_down_to_single_photos(library_dir: Path) -> None:
    """An endpoint that takes one photo a request, whatever it declared."""

    def answers(n: int, count: int) -> Answer:
        if count > 1:
            return as_json({"error": "The photos of this request are too many."}, 413)
        return inference_response([CAT])

    endpoint = Endpoint(answers)
    with endpoint.server:
        report = escalate_with(endpoint.server.url, library_dir, threshold=1.0, daily_budget=3)
    assert report.offline is None and not report.failed
    assert len(report.refined) == 3
    assert endpoint.inferences == [3, 1, 2, 1, 1]
    assert waiting(library_dir)["delivered"] == 3
