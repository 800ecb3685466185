"""Updates that wait for edits the server never receives: a library may keep only so many, a
request past that is refused with nothing stored, and they neither slow down its syncs nor keep
another library's syncs waiting."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pycrdt import Doc, Map

from photo_tagger.server.app import Limits, create_app
from photo_tagger.server.inference import add_inference
from photo_tagger.server.replicas import Replicas
from photo_tagger.server.storage import Storage
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.wire import encode_request
from tests.harness import ThreadServer, add_library
from tests.server.test_auth import EMPTY_STATE, post
from tests.server.test_protocol import stored
from tests.store.conftest import PHOTO

BOUND = 20


def never_placed(count: int) -> list[bytes]:
    """`count` tiny updates, each building on an edit that is never sent: the server can only
    keep them waiting."""
    author: Doc = Doc()
    user = author.get("user", type=Map)
    user["never sent"] = True
    updates = []
    for i in range(count):
        state = author.get_state()
        user[f"{PHOTO}|Tag {i}"] = True
        updates.append(author.get_update(state))
    return updates


@pytest.fixture
def bounded(storage: Storage) -> Iterator[ThreadServer]:
    """The server, keeping at most BOUND updates waiting per library."""
    srv = ThreadServer(storage)
    srv.app = create_app(storage, Limits(max_waiting=BOUND), [add_inference])
    with srv:
        yield srv


def test_past_the_bound_waiting_updates_are_refused_and_change_nothing(
    bounded: ThreadServer, storage: Storage
) -> None:
    hostile, hostile_token = add_library(storage, "Hostile")
    _, honest_token = add_library(storage, "Honest")
    pending = never_placed(BOUND + 5)
    for start in range(0, BOUND, 5):
        body = encode_request(EMPTY_STATE, pending[start : start + 5])
        assert post(bounded.url, body, hostile_token).status_code == 200
    before = stored(storage, hostile)
    over = encode_request(EMPTY_STATE, pending[BOUND:])
    refusals: list[int] = []
    done = threading.Event()

    def keep_refusing() -> None:
        while not done.is_set():
            refusals.append(post(bounded.url, over, hostile_token).status_code)

    hammering = threading.Thread(target=keep_refusing)
    hammering.start()
    try:
        honest = LibraryDocument()
        for i in range(5):  # another library syncs meanwhile
            state = honest.state_vector()
            honest.set_user_tag(PHOTO, f"Tag {i}", True)
            body = encode_request(state, [honest.encode_state_as_update(state)])
            assert post(bounded.url, body, honest_token).status_code == 200
    finally:
        done.set()
        hammering.join()
    response = post(bounded.url, over, hostile_token)
    assert response.status_code == 409
    assert "sync from scratch" in response.json()["detail"]
    assert set(refusals) == {409}
    assert stored(storage, hostile) == before  # byte for byte
    # an honest edit to the same library is still taken
    edit = LibraryDocument()
    edit.set_user_tag(PHOTO, "Family", True)
    body = encode_request(EMPTY_STATE, [edit.encode_state_as_update()])
    assert post(bounded.url, body, hostile_token).status_code == 200


def test_the_refusal_counts_bytes_too(storage: Storage) -> None:
    library_id, _ = add_library(storage, "Hostile")
    pending = never_placed(10)
    replicas = Replicas(storage, max_waiting_bytes=sum(len(u) for u in pending[:5]))
    replicas.sync(library_id, EMPTY_STATE, pending[:5])
    before = stored(storage, library_id)
    with pytest.raises(ValueError, match="sync from scratch"):
        replicas.sync(library_id, EMPTY_STATE, pending[5:6])
    assert stored(storage, library_id) == before


def test_waiting_updates_do_not_make_every_sync_compact(storage: Storage) -> None:
    """The waiting updates follow every snapshot as rows of their own: counted as history, they
    would fold the document again at each sync once there are more of them than compact_rows."""
    library_id, _ = add_library(storage, "Family")
    replicas = Replicas(storage, compact_rows=10, max_waiting=100)
    replicas.sync(library_id, EMPTY_STATE, never_placed(30))
    doc = LibraryDocument()
    for i in range(5):
        state = doc.state_vector()
        doc.set_user_tag(PHOTO, f"Tag {i}", True)
        replicas.sync(library_id, state, [doc.encode_state_as_update(state)])
    assert all(row.kind == "update" for row in stored(storage, library_id))
