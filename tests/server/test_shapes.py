"""What the server does with values of the wrong shape: an update that writes one (a person that
is text, a photo record that is not JSON, a score that is not a number...) is refused with 422
naming the record and why, and the stored document stays byte for byte as it was; well-formed
writes, removals and roots that no read knows go through. The updates are built the way a
hostile or buggy device would build them: raw pycrdt writes, not the app's setters."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map

from photo_tagger.server.storage import Storage
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.wire import encode_request
from tests.harness import ThreadServer, add_library
from tests.server.test_auth import EMPTY_STATE, post
from tests.server.test_protocol import full_read, seeded, stored
from tests.store.conftest import OTHER, PHOTO
from tests.store.hostile import KEYS, LEAVES, ROOTS, VALUES, peer_value

DOG = {"model": "m@1", "tags": {"Animals/Dog": 0.7}}


class Roots(dict[str, Map]):
    """A device's root Maps by name, each got as it is first asked for."""

    def __init__(self, doc: Doc) -> None:
        super().__init__()
        self.doc = doc

    def __missing__(self, name: str) -> Map:
        self[name] = shared = self.doc.get(name, type=Map)
        return shared


Write = Callable[[Roots], None]


def peer_of(url: str, token: str) -> Doc:
    """A device that has everything the server has."""
    peer: Doc = Doc()
    peer.apply_update(full_read(url, token))
    return peer


def send(url: str, token: str, peer: Doc, write: Write) -> requests.Response:
    """The peer makes one edit with raw writes and syncs it."""
    state = peer.get_state()
    with peer.transaction():
        write(Roots(peer))
    return post(url, encode_request(state, [peer.get_update(state)]), token)


def put(root: str, key: str, value: Callable[[], Any] | Any) -> Write:
    def write(roots: Roots) -> None:
        roots[root][key] = value() if callable(value) else value

    return write


def photo(record: dict[str, Any]) -> str:
    return json.dumps(record)


def seeded_library(server: ThreadServer, storage: Storage, name: str) -> tuple[str, str]:
    """(id, token) of a library named `name` holding a scanned photo, a user tag and a person."""
    library_id, token = add_library(storage, name)
    doc = LibraryDocument()
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.8}, "local", "tagger@1")
    doc.set_faces(PHOTO, "det@1", [{"box": [0, 0, 9, 9], "score": 0.9}])
    doc.set_user_tag(PHOTO, "Family", True)
    doc.confirm_person(PHOTO, 0, doc.new_person("Ann"))
    body = encode_request(EMPTY_STATE, [doc.encode_state_as_update()])
    assert post(server.url, body, token).status_code == 200
    return library_id, token


def readers_find_nothing(url: str, token: str) -> None:
    """What the server serves is all well formed: doc_check, as `photo-tagger check` runs it."""
    doc = LibraryDocument()
    doc.apply_update(full_read(url, token))
    assert doc.malformed() == []


MALFORMED: dict[str, tuple[Write, list[str]]] = {
    "a person that is text": (
        put("people", "mallory", "a string"),
        ["person mallory", "not a person's entry"],
    ),
    "a person whose name is a number": (
        put("people", "eve", lambda: Map({"name": 5, "hidden": False})),
        ["person eve", "name is 5"],
    ),
    "a photo record that is not JSON": (
        put("photos", OTHER, "{not json"),
        [f"photo {OTHER}", "not JSON"],
    ),
    "a photo record that is a map, not text": (
        put("photos", OTHER, lambda: Map({"auto": None})),
        [f"photo {OTHER}", "not the text of a record"],
    ),
    "a photo under a key that is not a content id": (
        put("photos", "not|an id", photo({"auto": DOG})),
        ["not a photo's content id"],
    ),
    "a score that is text": (
        put("photos", OTHER, photo({"auto": {"model": "m", "tags": {"Dog": "high"}}})),
        [f"photo {OTHER}", "'Dog' has the score 'high', not a number"],
    ),
    "a score that is not a finite number": (
        put("photos", OTHER, photo({"auto": {"model": "m", "tags": {"Dog": float("nan")}}})),
        ["nan, not a number"],
    ),
    "tags whose model is not a name": (
        put("photos", OTHER, photo({"auto": {"model": 3, "tags": {}}})),
        ["not a model name with tags"],
    ),
    "tags that are a list": (
        put("photos", OTHER, photo({"auto": {"model": "m", "tags": ["Dog"]}})),
        ["not a table of tags and scores"],
    ),
    "a tag name with a control character": (
        put("photos", OTHER, photo({"auto": {"model": "m", "tags": {"Bell\x07": 0.5}}})),
        ["is not a tag name"],
    ),
    "a face box of two numbers": (
        put("photos", OTHER, photo({"faces": {"detector": "d", "faces": [{"box": [1, 2]}]}})),
        ["box is [1, 2], not 4 numbers"],
    ),
    "cloud tags whose score is true": (
        put("auto.cloud", PHOTO, photo({"model": "big", "tags": {"Cat": True}})),
        [f"photo {PHOTO}", "has the score True, not a number"],
    ),
    "cloud tags that are empty": (put("auto.cloud", PHOTO, "null"), ["cloud tags are empty"]),
    "a user tag that is text": (
        put("user", f"{PHOTO}|Family", "yes"),
        ["tag 'Family'", "not added (true) or removed (false)"],
    ),
    "a user tag that is not a tag name": (
        put("user", f"{PHOTO}|Bell\x07", True),
        ["it is not a tag name"],
    ),
    "a suggestion that is text": (
        put("face_person", f"{PHOTO}|0", "not a suggestion"),
        [f"face 0 of photo {PHOTO}", "the suggested person is 'not a suggestion'"],
    ),
    "a confirmation that is a number": (
        put("confirmed", f"{OTHER}|0", 7),
        [f"face 0 of photo {OTHER}", "the confirmed person is 7"],
    ),
    "a confirmation under a key that is not a face": (
        put("confirmed", "nope", "p1"),
        ["the face 'nope'", "not a photo and a face number"],
    ),
    "a rejection under a key that is not one": (
        put("rejected", "x", True),
        ["not a photo, a face number and a person"],
    ),
    "a rating that is text": (
        put("marks", f"{PHOTO}|rating", "5"),
        [f"photo {PHOTO}, its 'rating'", "the rating is '5', not a whole number of stars"],
    ),
    "a rating of 7 stars": (put("marks", f"{PHOTO}|rating", 7), ["the rating is 7, not 0 to 5"]),
    "a rating of -3 stars": (put("marks", f"{OTHER}|rating", -3), ["the rating is -3, not 0"]),
    "a rating that is not a number": (
        put("marks", f"{PHOTO}|rating", float("nan")),
        ["the rating is nan"],
    ),
    "a favourite flag that is text": (
        put("marks", f"{PHOTO}|favourite", "yes"),
        ["its favourite flag is 'yes', not true or false"],
    ),
    "a mark that is not a rating or a flag": (
        put("marks", f"{PHOTO}|colour", "red"),
        ["not a photo and a rating, favourite or rejected"],
    ),
    "a rotation that is not a quarter turn": (
        put("rotation", OTHER, 45),
        [f"photo {OTHER}", "its rotation is 45.0, not 0, 90, 180 or 270 degrees"],
    ),
    "a face drawn by hand that is no box": (
        put("user_faces", f"{OTHER}|100000", {"box": [5, 5, 1, 1]}),
        [f"face 100000 of photo {OTHER}", "not a box"],
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_value_of_the_wrong_shape_is_refused_and_nothing_stored(
    server: ThreadServer, storage: Storage, case: str
) -> None:
    library_id, token, _ = seeded(server, storage)
    before, served = stored(storage, library_id), full_read(server.url, token)
    write, words = MALFORMED[case]

    response = send(server.url, token, peer_of(server.url, token), write)

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("Nothing was stored: the update writes 1 value of the wrong shape")
    for word in words:
        assert word in detail, detail
    assert stored(storage, library_id) == before
    assert full_read(server.url, token) == served


def test_a_write_inside_a_person_is_checked_as_the_whole_person(
    server: ThreadServer, storage: Storage
) -> None:
    library_id, token, _ = seeded(server, storage)
    before = stored(storage, library_id)
    peer = peer_of(server.url, token)
    (ann,) = peer.get("people", type=Map).keys()

    def hide_with_text(roots: Roots) -> None:
        roots["people"][ann]["hidden"] = "yes"

    response = send(server.url, token, peer, hide_with_text)
    assert response.status_code == 422
    assert f"person {ann} (the person's 'hidden' is 'yes', not true or false)" in response.text
    assert stored(storage, library_id) == before

    def hide(roots: Roots) -> None:
        roots["people"][ann]["hidden"] = True

    assert send(server.url, token, peer_of(server.url, token), hide).status_code == 200


def test_one_bad_value_refuses_the_whole_request(server: ThreadServer, storage: Storage) -> None:
    library_id, token, _ = seeded(server, storage)
    before, served = stored(storage, library_id), full_read(server.url, token)
    peer = peer_of(server.url, token)
    state = peer.get_state()
    updates = []
    for write in (put("user", f"{OTHER}|Family", True), put("people", "mallory", "text")):
        step = peer.get_state()
        with peer.transaction():
            write(Roots(peer))
        updates.append(peer.get_update(step))
    response = post(server.url, encode_request(state, updates), token)
    assert response.status_code == 422 and "1 value of the wrong shape" in response.text
    assert stored(storage, library_id) == before
    assert full_read(server.url, token) == served
    # many at once: the answer names a few and counts the others
    many = send(server.url, token, peer_of(server.url, token), _people_as_text(6))
    assert many.status_code == 422
    assert "6 values of the wrong shape" in many.text and "and 3 more" in many.text


def _people_as_text(count: int) -> Write:
    def write(roots: Roots) -> None:
        for i in range(count):
            roots["people"][f"p{i}"] = "text"

    return write


def test_well_formed_writes_to_every_root_are_stored(
    server: ThreadServer, storage: Storage
) -> None:
    library_id, token, _ = seeded(server, storage)
    before = stored(storage, library_id)
    face = {"box": [1.0, 2.0, 30.0, 40.0], "score": 0.9, "eyes": [[5, 6], [20, 6]]}

    def honest(roots: Roots) -> None:
        roots["photos"][OTHER] = photo({"auto": DOG, "faces": {"detector": "d", "faces": [face]}})
        roots["auto.cloud"][OTHER] = photo({"model": "big", "tags": {"Animals/Dog": 1}})
        roots["user"][f"{OTHER}|Family"] = False
        roots["people"]["bob"] = Map({"name": "Bob", "merged_into": None, "hidden": False})
        roots["face_person"][f"{OTHER}|0"] = Map({"person": "bob", "confirmed": False})
        roots["confirmed"][f"{OTHER}|0"] = "bob"
        roots["rejected"][f"{OTHER}|0|bob"] = True
        roots["marks"][f"{OTHER}|rating"] = 4
        roots["marks"][f"{OTHER}|favourite"] = True
        roots["marks"][f"{OTHER}|rejected"] = False
        roots["rotation"][OTHER] = 270
        roots["user_faces"][f"{OTHER}|123456"] = {"box": [10.0, 20.0, 50.0, 70.0]}

    assert send(server.url, token, peer_of(server.url, token), honest).status_code == 200
    assert len(stored(storage, library_id)) == len(before) + 1
    readers_find_nothing(server.url, token)


def test_removals_and_unknown_roots_go_through_and_only_what_changed_is_checked(
    server: ThreadServer, storage: Storage
) -> None:
    library_id, token, _ = seeded(server, storage)
    # values stored before the server checked them (or by an older server)
    old: Doc = Doc()
    old.apply_update(full_read(server.url, token))
    put("people", "eve", lambda: Map({"name": 5, "hidden": False}))(Roots(old))
    put("photos", OTHER, "{not json")(Roots(old))
    with storage.writing(library_id) as writer:
        writer.append("update", old.get_update())
    rows = len(stored(storage, library_id))

    def elsewhere(roots: Roots) -> None:
        roots["user"][f"{PHOTO}|Places/Beach"] = True

    def remove(roots: Roots) -> None:
        del roots["photos"][OTHER]
        del roots["people"]["eve"]["hidden"]  # a field removed inside a malformed person

    def newer_roots(roots: Roots) -> None:
        roots["quarantine"]["people|eve"] = "{}"
        roots["someday"]["anything"] = Map({"x": [1, None]})
        roots.doc.get("a list", type=Array).append("text")

    for write in (elsewhere, remove, newer_roots):
        response = send(server.url, token, peer_of(server.url, token), write)
        assert response.status_code == 200, (write.__name__, response.text)
        rows += 1
        assert len(stored(storage, library_id)) == rows
    doc = LibraryDocument()
    doc.apply_update(full_read(server.url, token))
    assert [(m.root, m.key) for m in doc.malformed()] == [("people", "eve")]


def test_a_value_that_waited_for_an_edit_is_checked_once_that_edit_comes(
    server: ThreadServer, storage: Storage
) -> None:
    library_id, token = add_library(storage, "Family")
    author: Doc = Doc()
    people = author.get("people", type=Map)
    people["mallory"] = Map({"name": "Mallory"})
    base = author.get_update()
    state = author.get_state()
    people["mallory"] = "a string"  # replaces the entry `base` wrote: waits for it
    builds_on_base = author.get_update(state)
    # the server cannot tell what it holds until the edit it builds on comes
    assert post(server.url, encode_request(EMPTY_STATE, [builds_on_base]), token).ok
    before, served = stored(storage, library_id), full_read(server.url, token)
    response = post(server.url, encode_request(EMPTY_STATE, [base]), token)
    assert response.status_code == 422 and "person mallory" in response.text
    assert stored(storage, library_id) == before
    assert full_read(server.url, token) == served
    readers_find_nothing(server.url, token)


# --- anything a peer writes: refused, or only values every read takes -------------------------

_GOOD = st.sampled_from(
    [
        photo({"auto": DOG, "faces": None}),
        photo({"model": "big", "tags": {"Animals/Cat": 0.5}}),
        True,
        False,
        "p1",
        ("map", {"person": "p1", "confirmed": False}),
        ("map", {"name": "Ann", "merged_into": None, "hidden": False}),
        90,
        {"box": [1.0, 2.0, 3.0, 4.0]},
    ]
)
_OPS = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(ROOTS), KEYS, VALUES | _GOOD),
    st.tuples(st.just("delete"), st.sampled_from(ROOTS), KEYS),
    st.tuples(st.just("field"), st.sampled_from(["name", "merged_into", "hidden", "x"]), LEAVES),
)


_NAMES = itertools.count()


def _apply(roots: Roots, op: tuple[Any, ...]) -> None:
    if op[0] == "put":
        roots[op[1]][op[2]] = peer_value(op[3])
    elif op[0] == "delete":
        roots[op[1]].pop(op[2], None)
    else:  # a field of a person the document has
        person = next((v for v in roots["people"].values() if isinstance(v, Map)), None)
        if person is not None:
            person[op[1]] = op[2]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(st.lists(_OPS, min_size=1, max_size=5), min_size=1, max_size=3))
def test_the_server_refuses_or_stores_only_what_every_read_takes(
    server: ThreadServer, storage: Storage, edits: list[list[tuple[Any, ...]]]
) -> None:
    library_id, token = seeded_library(server, storage, f"Library {next(_NAMES)}")
    peer = peer_of(server.url, token)
    for ops in edits:
        before, served = stored(storage, library_id), full_read(server.url, token)

        def write(roots: Roots, ops: list[tuple[Any, ...]] = ops) -> None:
            for op in ops:
                _apply(roots, op)

        response = send(server.url, token, peer, write)
        assert response.status_code in (200, 422), response.text
        event(f"answered {response.status_code}")
        if response.status_code == 422:
            assert stored(storage, library_id) == before
            assert full_read(server.url, token) == served
            peer = peer_of(server.url, token)  # the device sets its edit aside
        readers_find_nothing(server.url, token)
