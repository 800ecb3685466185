"""Stock Yjs clients against the real server on 127.0.0.1: a device written with nothing but the
`yjs` and `y-protocols` packages (Node, tests/js/) syncs a library over the HTTP route, its body
y-protocols' sync messages as that package writes them, with no framing of ours."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pycrdt import Doc, Map

from photo_tagger.server.storage import Storage
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.wire import decode_reply, encode_request
from tests.harness import ThreadServer, add_library
from tests.server.test_auth import EMPTY_STATE, post
from tests.store.conftest import OTHER, PHOTO

JS = Path(__file__).resolve().parents[1] / "js"


def node(script: str, *args: str) -> str:
    """Run a script of tests/js/ with Node (`make test` installs its packages there)."""
    if shutil.which("node") is None or not (JS / "node_modules" / "yjs").is_dir():
        pytest.fail("Node.js and tests/js/node_modules are needed: run `make test`.")
    done = subprocess.run(
        ["node", str(JS / script), *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_yjs_device_syncs_tags_both_ways(server: ThreadServer, storage: Storage) -> None:
    _, token = add_library(storage, "Family")
    ours = LibraryDocument()
    ours.set_user_tag(PHOTO, "Family", True)
    body = encode_request(EMPTY_STATE, [ours.encode_state_as_update()])
    assert post(server.url, body, token).status_code == 200

    out = json.loads(node("sync_http.mjs", server.url, token, f"{OTHER}|Places/Beach"))
    assert out["user"] == {f"{PHOTO}|Family": True}  # it read what our device wrote

    reply = post(server.url, encode_request(EMPTY_STATE, []), token)
    doc: Doc = Doc()
    doc.apply_update(decode_reply(reply.content)[0])
    assert doc.get("user", type=Map).to_py() == {
        f"{PHOTO}|Family": True,
        f"{OTHER}|Places/Beach": True,  # and we read what it wrote
    }
