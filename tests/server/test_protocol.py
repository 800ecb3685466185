"""What the server does with bodies: malformed or hostile ones get 400 and leave the stored
document byte for byte as it was; repeated and reordered updates merge to the same document and
are stored once."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map

from photo_tagger.server.replicas import Replicas
from photo_tagger.server.storage import Row, Storage
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.wire import (
    STEP1,
    STEP2,
    UPDATE,
    decode_messages,
    decode_reply,
    encode_message,
    encode_request,
    write_varuint,
)
from tests.harness import ProcessServer, ThreadServer, add_library
from tests.server.test_auth import EMPTY_STATE, post
from tests.store.conftest import OTHER, PHOTO


def stored(storage: Storage, library_id: str) -> list[Row]:
    return storage.rows_after(library_id, 0)


def full_read(url: str, token: str) -> bytes:
    response = post(url, encode_request(EMPTY_STATE, []), token)
    assert response.status_code == 200
    return decode_reply(response.content)[0]


def seeded(server: ThreadServer, storage: Storage) -> tuple[str, str, bytes]:
    """A library on the server with some history; returns (id, token, a valid body)."""
    library_id, token = add_library(storage, "Family")
    doc = LibraryDocument()
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.8}, "local", "tagger@1")
    doc.set_user_tag(PHOTO, "Family", True)
    pid = doc.new_person("Ann")
    doc.set_person_name(pid, "Anna")
    body = encode_request(EMPTY_STATE, [doc.encode_state_as_update()])
    assert post(server.url, body, token).status_code == 200
    doc.set_user_tag(OTHER, "Places/Beach", True)
    return library_id, token, encode_request(EMPTY_STATE, [doc.encode_state_as_update()])


def hostile_bodies(valid: bytes) -> list[bytes]:
    update = decode_messages(valid)[1][1]
    return [
        b"",
        b"\x00",
        b"hello, server",
        encode_message(UPDATE, update),  # no state vector first
        encode_message(STEP1, b"\x00") + encode_message(STEP1, b"\x00"),
        encode_message(STEP1, b"\xff\xff\xff"),  # a state vector that is not one
        encode_message(STEP1, b"\x02\x07\x01"),  # two clients announced, one and a half sent
        encode_message(STEP1, b"\x00") + encode_message(UPDATE, b"\x01\x02garbage"),
        encode_message(STEP1, b"\x00") + bytes([0, UPDATE]) + write_varuint(1 << 30) + b"x",
        encode_message(STEP1, b"\x00") + encode_message(STEP2, update[: len(update) // 2]),
        encode_message(STEP1, b"\x00") + bytes([1, 0, 0]),  # an awareness message
        # a valid update followed by a broken one: all or nothing
        encode_message(STEP1, b"\x00")
        + encode_message(UPDATE, update)
        + encode_message(UPDATE, update[:-3]),
    ]


def test_hostile_bodies_get_400_and_change_nothing(server: ThreadServer, storage: Storage) -> None:
    library_id, token, valid = seeded(server, storage)
    before, before_read = stored(storage, library_id), full_read(server.url, token)
    for body in hostile_bodies(valid):
        response = post(server.url, body, token)
        assert response.status_code == 400, body[:40]
        assert "detail" in response.json()
        assert stored(storage, library_id) == before
    # the valid half of the last body was merged in memory, then dropped with the rest
    assert full_read(server.url, token) == before_read
    assert post(server.url, valid, token).status_code == 200
    assert len(stored(storage, library_id)) == len(before) + 1


@pytest.fixture
def fuzz_target(server: ThreadServer, storage: Storage) -> tuple[str, str, str, bytes]:
    library_id, token, valid = seeded(server, storage)
    return server.url, library_id, token, valid


def mutate(body: bytes, rng: random.Random) -> bytes:
    out = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if op < 0.5 and out:
            out[rng.randrange(len(out))] = rng.randrange(256)
        elif op < 0.7:
            del out[rng.randrange(len(out) + 1) :]
        else:
            out.insert(rng.randrange(len(out) + 1), rng.randrange(256))
    return bytes(out)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.one_of(st.binary(max_size=200), st.integers(0, 2**32 - 1)),
)
@example(raw=100000)  # one flipped byte puts a control character in a tag name: 422
def test_fuzzed_bodies_never_change_the_stored_document_unless_valid(
    fuzz_target: tuple[str, str, str, bytes], storage: Storage, raw: bytes | int
) -> None:
    url, library_id, token, valid = fuzz_target
    body = raw if isinstance(raw, bytes) else mutate(valid, random.Random(raw))
    before = stored(storage, library_id)
    response = post(url, body, token)
    # 400: not a sync body; 422: a body that writes a value no device would read
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code != 200:
        assert stored(storage, library_id) == before
    doc: Doc = Doc()
    doc.apply_update(full_read(url, token))  # the server still serves a readable document


def test_repeated_and_reordered_updates_merge_alike_and_are_stored_once(
    server: ThreadServer, storage: Storage
) -> None:
    library_id, token = add_library(storage, "Family")
    a: Doc = Doc()
    b: Doc = Doc()
    a_user, b_user = a.get("user", type=Map), b.get("user", type=Map)
    updates = []
    for doc, change in (
        (a, lambda: a_user.update({f"{PHOTO}|Family": True})),
        (a, lambda: a_user.update({f"{PHOTO}|Family": False})),  # builds on the one before
        (b, lambda: b_user.update({f"{OTHER}|Places/Beach": True})),
        (a, lambda: a_user.pop(f"{PHOTO}|Family")),
    ):
        state = doc.get_state()
        change()
        updates.append(doc.get_update(state))
    expected: Doc = Doc()
    for u in updates:
        expected.apply_update(u)
    for i in [3, 1, 2, 0]:  # dependants before what they build on
        assert post(server.url, encode_request(EMPTY_STATE, [updates[i]]), token).ok
    rows = stored(storage, library_id)
    assert len(rows) == len(updates)  # the waiting ones too, or a restart would lose them
    for i in [1, 0, 3, 2, 0, 3]:  # and every one again
        assert post(server.url, encode_request(EMPTY_STATE, [updates[i]]), token).ok
    assert stored(storage, library_id) == rows  # repeats change nothing and are not stored
    merged: Doc = Doc()
    merged.apply_update(full_read(server.url, token))
    assert merged.get("user", type=Map).to_py() == expected.get("user", type=Map).to_py()
    # a server process starting afresh reads the same document from those rows
    fresh = Replicas(storage).sync(library_id, EMPTY_STATE, [])
    again: Doc = Doc()
    again.apply_update(decode_reply(fresh)[0])
    assert again.get("user", type=Map).to_py() == expected.get("user", type=Map).to_py()


def test_the_server_compacts_a_long_history(storage: Storage) -> None:
    library_id, token = add_library(storage, "Family")
    replicas = Replicas(storage, compact_rows=10)
    doc = LibraryDocument()
    for i in range(25):
        state = doc.state_vector()
        doc.set_user_tag(PHOTO, f"Tag {i}", True)
        replicas.sync(library_id, state, [doc.encode_state_as_update(state)])
    rows = stored(storage, library_id)
    assert rows[0].kind == "snapshot" and len(rows) <= 11
    replica = LibraryDocument()
    replica.apply_update(decode_reply(Replicas(storage).sync(library_id, EMPTY_STATE, []))[0])
    assert len(replica.user_tags(PHOTO)) == 25


def test_a_request_cut_off_by_a_dead_server_leaves_no_trace(storage: Storage) -> None:
    """kill -9 with a sync half received: after the restart the document is as it was."""
    library_id, token = add_library(storage, "Family")
    data = Path(storage.location).parent
    storage.close()
    with ProcessServer(data) as proc:
        doc = LibraryDocument()
        doc.set_user_tag(PHOTO, "Family", True)
        assert post(proc.url, encode_request(EMPTY_STATE, [doc.encode_state_as_update()]), token).ok
        before = stored(storage, library_id)
        doc.set_user_tag(PHOTO, "Places/Beach", True)
        body = encode_request(EMPTY_STATE, [doc.encode_state_as_update()])
        with socket.create_connection(("127.0.0.1", proc.port.number)) as conn:
            conn.sendall(
                f"POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[: len(body) // 2]
            )
            proc.kill()
        assert stored(storage, library_id) == before
        proc.start()
        assert post(proc.url, body, token).ok
        merged = LibraryDocument()
        merged.apply_update(full_read(proc.url, token))
        assert merged.user_tags(PHOTO) == {"Family": True, "Places/Beach": True}


def test_compaction_keeps_updates_still_waiting_for_what_they_build_on(storage: Storage) -> None:
    library_id, _ = add_library(storage, "Family")
    replicas = Replicas(storage, compact_rows=3)
    author: Doc = Doc()
    user = author.get("user", type=Map)
    user[f"{PHOTO}|Family"] = True
    first = author.get_update()
    state = author.get_state()
    user[f"{PHOTO}|Family"] = False
    later = author.get_update(state)  # builds on `first`
    replicas.sync(library_id, EMPTY_STATE, [later])  # arrives first: waits
    other = LibraryDocument()
    for i in range(6):  # enough to compact, with `later` still waiting
        state = other.state_vector()
        other.set_user_tag(OTHER, f"Tag {i}", True)
        replicas.sync(library_id, state, [other.encode_state_as_update(state)])
    assert stored(storage, library_id)[0].kind == "snapshot"
    restarted = Replicas(storage)
    restarted.sync(library_id, EMPTY_STATE, [first])
    merged: Doc = Doc()
    merged.apply_update(decode_reply(restarted.sync(library_id, EMPTY_STATE, []))[0])
    assert merged.get("user", type=Map)[f"{PHOTO}|Family"] is False
