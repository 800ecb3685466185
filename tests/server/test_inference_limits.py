"""What one token holder can ask of the cloud model: the pixels of a request are bounded (read
from the photos' headers, before any is decoded), inference has slots of its own so that syncs
still answer while every slot is busy, and no JSON body gets a 500."""

from __future__ import annotations

import base64
import io
import json
import socket
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image

from photo_tagger.server.run import ServerSettings
from photo_tagger.server.storage import Storage
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.wire import encode_request
from tests.harness import ThreadServer, add_library, wait_until
from tests.server.test_auth import EMPTY_STATE, post
from tests.store.conftest import PHOTO

INFER = "/v2/models/cloud_tagger/infer"
PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width` x `height`: its pixel data is far too short, so
    decoding it fails, and only reading its header can tell its size."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = 8 + 8  # signature, then the IHDR chunk's length and type
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def infer_body(*files: bytes) -> dict[str, object]:
    return {
        "inputs": [
            {
                "name": "image",
                "shape": [len(files)],
                "datatype": "BYTES",
                "parameters": {"content_type": "base64"},
                "data": [base64.b64encode(f).decode() for f in files],
            }
        ]
    }


@pytest.fixture
def one_slot(storage: Storage) -> Iterator[tuple[ThreadServer, str]]:
    """The server with a single inference slot, and a library's token."""
    _, token = add_library(storage, "Family")
    srv = ThreadServer(storage)
    srv.app = ServerSettings(inference_slots=1).app(storage)
    with srv:
        yield srv, token


def test_a_request_over_the_pixel_limit_is_refused_before_decoding(
    server: ThreadServer, storage: Storage
) -> None:
    _, token = add_library(storage, "Family")
    auth = {"Authorization": f"Bearer {token}"}
    bombs = [png_claiming(7000, 7000)] * 3  # 49 megapixels each, 147 in all
    response = requests.post(server.url + INFER, json=infer_body(*bombs), headers=auth, timeout=60)
    assert response.status_code == 413
    assert "megapixels" in response.json()["error"]
    # one of them alone is within the limit: decoding it says it is damaged
    alone = infer_body(bombs[0])
    response = requests.post(server.url + INFER, json=alone, headers=auth, timeout=60)
    assert response.status_code == 400


def test_deeply_nested_json_gets_400(server: ThreadServer, storage: Storage) -> None:
    _, token = add_library(storage, "Family")
    body = b"[" * 100_000 + b"]" * 100_000
    response = requests.post(
        server.url + INFER, data=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


def test_syncs_answer_while_every_inference_slot_is_busy(
    one_slot: tuple[ThreadServer, str],
) -> None:
    server, token = one_slot
    auth = {"Authorization": f"Bearer {token}"}
    photo = (PHOTOS / "astronaut.jpg").read_bytes()
    whole = json.dumps(infer_body(photo)).encode()
    with socket.create_connection(("127.0.0.1", server.port.number)) as slow:
        # an inference request whose body is still on its way holds the only slot
        slow.sendall(
            f"POST {INFER} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(whole)}\r\n\r\n".encode()
            + whole[:100]
        )
        # it holds the slot once its handler runs; a request sent before that could take the
        # slot first and leave this one refused, and every later one served
        slots = server.app.state.inference_slots
        wait_until(lambda: slots.free == 0, "the slow request to take the only slot", timeout=60)
        busy: list[requests.Response] = []

        def refused() -> bool:
            busy.append(requests.post(server.url + INFER, data=whole, headers=auth, timeout=60))
            return busy[-1].status_code == 503 and "busy" in busy[-1].json()["error"]

        wait_until(refused, "the second inference request to find the slot busy", timeout=60)
        assert busy[-1].headers["Retry-After"].isdigit()
        doc = LibraryDocument()
        doc.set_user_tag(PHOTO, "Family", True)
        body = encode_request(EMPTY_STATE, [doc.encode_state_as_update()])
        assert post(server.url, body, token).status_code == 200
    # the slot is given back once that request is gone
    wait_until(
        lambda: requests.post(server.url + INFER, data=whole, headers=auth, timeout=60).ok,
        "the slot to be free again",
        timeout=60,
    )
