"""Stock Yjs clients against the real server on 127.0.0.1 (Node, tests/js/): a device written with
nothing but the `yjs` and `y-protocols` packages syncs a library over the HTTP route, its body
y-protocols' sync messages as that package writes them, with no framing of ours; and devices
using y-websocket's stock provider sync the same library live, beside `photo-tagger sync`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pycrdt import Doc, Map
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from photo_tagger.server.storage import Storage
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.wire import decode_reply, encode_request
from tests.harness import ThreadServer, add_library, wait_until
from tests.server.test_auth import EMPTY_STATE, post
from tests.store.conftest import OTHER, PHOTO

JS = Path(__file__).resolve().parents[1] / "js"


def node_argv(script: str, *args: str) -> list[str]:
    """How to run a script of tests/js/ with Node (`make test` installs its packages there)."""
    if shutil.which("node") is None or not (JS / "node_modules" / "y-websocket").is_dir():
        pytest.fail("Node.js and tests/js/node_modules are needed: run `make test`.")
    return ["node", str(JS / script), *args]


def node(script: str, *args: str) -> str:
    done = subprocess.run(node_argv(script, *args), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def user_map(url: str, token: str) -> dict[str, object]:
    """The library's tag edits as the server has them, read as an HTTP device reads them."""
    reply = post(url, encode_request(EMPTY_STATE, []), token)
    doc: Doc = Doc()
    doc.apply_update(decode_reply(reply.content)[0])
    return doc.get("user", type=Map).to_py() or {}


def http_edit(url: str, token: str, key: str) -> None:
    """A device that syncs over HTTP sets one tag."""
    doc = LibraryDocument()
    photo, tag = key.split("|")
    doc.set_user_tag(photo, tag, True)
    body = encode_request(EMPTY_STATE, [doc.encode_state_as_update()])
    assert post(url, body, token).status_code == 200


def test_a_yjs_device_syncs_tags_both_ways(server: ThreadServer, storage: Storage) -> None:
    _, token = add_library(storage, "Family")
    ours = LibraryDocument()
    ours.set_user_tag(PHOTO, "Family", True)
    body = encode_request(EMPTY_STATE, [ours.encode_state_as_update()])
    assert post(server.url, body, token).status_code == 200

    out = json.loads(node("sync_http.mjs", server.url, token, f"{OTHER}|Places/Beach"))
    assert out["user"] == {f"{PHOTO}|Family": True}  # it read what our device wrote

    assert user_map(server.url, token) == {
        f"{PHOTO}|Family": True,
        f"{OTHER}|Places/Beach": True,  # and we read what it wrote
    }


def test_a_y_websocket_device_and_an_http_device_share_a_library(
    server: ThreadServer, storage: Storage
) -> None:
    library_id, token = add_library(storage, "Family")
    http_edit(server.url, token, f"{PHOTO}|Family")
    ws = server.url.replace("http://", "ws://") + "/v1/ws"
    out = json.loads(node("live_sync.mjs", ws, library_id, token, f"{OTHER}|Places/Beach", "-"))
    assert out["user"][f"{PHOTO}|Family"] is True  # it got what the HTTP device wrote
    wait_until(
        lambda: f"{OTHER}|Places/Beach" in user_map(server.url, token),
        "the y-websocket device's tag to be stored",
    )
    # while one stays connected, an edit made over HTTP reaches it live
    waiting = subprocess.Popen(
        node_argv("live_sync.mjs", ws, library_id, token, "-", f"{PHOTO}|Late"),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: server_has_clients(server), "the live device to connect")
        http_edit(server.url, token, f"{PHOTO}|Late")
        out = json.loads(waiting.communicate(timeout=60)[0])
    finally:
        waiting.kill()
    assert out["user"][f"{PHOTO}|Late"] is True


def server_has_clients(server: ThreadServer) -> bool:
    live = server.app.state.live_sync
    return bool(live.rooms and any(room.clients for room in live.rooms.rooms.values()))


def test_live_clients_are_held_to_the_same_rules(server: ThreadServer, storage: Storage) -> None:
    library_id, token = add_library(storage, "Family")
    other_library, _ = add_library(storage, "Neighbours")
    ws = server.url.replace("http://", "ws://") + "/v1/ws"
    out = json.loads(node("live_sync.mjs", ws, library_id, token, f"!{PHOTO}|Family", "-"))
    assert out["closed"] == 4422 and "Nothing was stored" in out["reason"]
    assert user_map(server.url, token) == {}
    for path, credentials in (
        (library_id, ""),  # no token
        (library_id, "?token=not-a-token"),
        (other_library, f"?token={token}"),  # a token opens its own library only
    ):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{ws}/{path}{credentials}", open_timeout=10).close()
        assert refused.value.response.status_code == 403
