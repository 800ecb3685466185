"""Every request needs its library's token; a token opens its own library and no other; bodies
have a size limit; the API describes itself."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import requests

from photo_tagger.server.storage import Storage
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.wire import decode_reply, encode_request
from tests.harness import ThreadServer, add_library
from tests.store.conftest import PHOTO

EMPTY_STATE = b"\x00"


def post(url: str, body: bytes, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.post(url + "/v1/sync", data=body, headers=headers, timeout=10)


def edit(tag: str) -> bytes:
    doc = LibraryDocument()
    doc.set_user_tag(PHOTO, tag, True)
    return doc.encode_state_as_update()


def read_all(url: str, token: str) -> LibraryDocument:
    response = post(url, encode_request(EMPTY_STATE, []), token)
    assert response.status_code == 200
    doc = LibraryDocument()
    doc.apply_update(decode_reply(response.content)[0])
    return doc


def test_requests_without_a_valid_token_are_refused(server: ThreadServer, storage: Storage) -> None:
    library_id, token = add_library(storage, "Family")
    body = encode_request(EMPTY_STATE, [edit("Family")])
    token_id, secret = token.split(".")
    wrong_secret = token_id + "." + secret[::-1]
    for bad in (None, "", "nonsense", wrong_secret, token + "0", "0" * 12 + "." + secret):
        response = post(server.url, body, bad)
        assert response.status_code == 401, bad
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert requests.get(server.url + "/v1/library", timeout=10).status_code == 401
    assert storage.rows_after(library_id, 0) == []
    storage.revoke(token_id)
    assert post(server.url, body, token).status_code == 401


def test_a_token_only_ever_opens_its_own_library(server: ThreadServer, storage: Storage) -> None:
    family_id, family = add_library(storage, "Family")
    work_id, work = add_library(storage, "Work")
    assert post(server.url, encode_request(EMPTY_STATE, [edit("Family")]), family).ok
    assert post(server.url, encode_request(EMPTY_STATE, [edit("Work")]), work).ok
    assert read_all(server.url, family).user_tags(PHOTO) == {"Family": True}
    assert read_all(server.url, work).user_tags(PHOTO) == {"Work": True}
    about = requests.get(
        server.url + "/v1/library", headers={"Authorization": f"Bearer {work}"}, timeout=10
    )
    assert about.json() == {"library": work_id, "name": "Work"}
    assert len(storage.rows_after(family_id, 0)) == len(storage.rows_after(work_id, 0)) == 1


def test_tokens_are_stored_hashed(storage: Storage, tmp_path: Path) -> None:
    _, token = add_library(storage, "Family")
    secret = token.split(".")[1]
    raw = (tmp_path / "server" / "server.sqlite3").read_bytes()
    assert secret.encode() not in raw
    with sqlite3.connect(tmp_path / "server" / "server.sqlite3") as db:
        stored = db.execute("SELECT secret_hash FROM tokens").fetchone()[0]
    assert stored != secret and len(stored) == 64


def test_bodies_over_the_limit_get_413_and_change_nothing(storage: Storage) -> None:
    library_id, token = add_library(storage, "Family")
    with ThreadServer(storage, max_body=4096) as server:
        big = encode_request(EMPTY_STATE, [edit(f"{i}{'x' * 190}") for i in range(30)])
        assert post(server.url, big, token).status_code == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield big[:1000]

        response = requests.post(
            server.url + "/v1/sync",
            data=chunks(),
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 413
        assert post(server.url, encode_request(EMPTY_STATE, [edit("Family")]), token).ok
    assert len(storage.rows_after(library_id, 0)) == 1


def test_the_api_describes_itself(server: ThreadServer) -> None:
    spec = requests.get(server.url + "/openapi.json", timeout=10).json()
    sync = spec["paths"]["/v1/sync"]["post"]
    assert "application/octet-stream" in sync["requestBody"]["content"]
    assert {"200", "400", "401", "413"} <= set(sync["responses"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert requests.get(server.url + "/healthz", timeout=10).json() == {"status": "ok"}


def test_the_api_page_needs_no_internet(server: ThreadServer) -> None:
    """/docs loads Swagger UI from the server itself: on a LAN with no internet it still shows."""
    page = requests.get(server.url + "/docs", timeout=10)
    assert page.status_code == 200 and "/openapi.json" in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith(server.url) or s.startswith("/") for s in sources), sources
    for source in sources:
        asset = requests.get(urljoin(server.url, source), timeout=10)
        assert asset.status_code == 200 and len(asset.content) > 500, source
    assert requests.get(server.url + "/redoc", timeout=10).status_code == 404  # it needs a CDN
