"""A malformed value written by another device is read as absent and reported, never raised."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pycrdt import Map

from photo_tagger.errors import TagNameError
from photo_tagger.store import doc_values
from photo_tagger.store.library import Library
from tests.store.conftest import OTHER, PHOTO, face
from tests.store.hostile import WRITES, peer_value, write_as_peer


def test_malformed_values_from_a_peer_are_skipped_and_reported(library: Library) -> None:
    doc = library.document
    doc.set_auto_tags(PHOTO, {"Cat": 0.9}, "local", "m@1")
    doc.set_faces(PHOTO, "det@1", [face(0, 0, 10, 10)])
    ana = doc.new_person("Ana")
    doc.confirm_person(PHOTO, 0, ana)

    def hostile(roots: dict[str, Map]) -> None:
        roots["photos"][OTHER] = "{not json"
        roots["photos"]["not|an id"] = json.dumps({"auto": {"model": "m", "tags": {"X": 1}}})
        roots["photos"]["a" * 32] = json.dumps({"auto": {"model": "m", "tags": {"Dog": "high"}}})
        roots["photos"]["b" * 32] = json.dumps(
            {"auto": None, "faces": {"detector": "d", "faces": [[1, 2]]}}
        )
        roots["auto.cloud"][PHOTO] = json.dumps(
            {"model": "big", "tags": {"Cat": 0.2, "Bad\x07": 1}}
        )
        roots["user"][f"{PHOTO}|Bell\x07"] = True
        roots["user"][f"{PHOTO}|Fine"] = "yes"
        roots["user"][f"{PHOTO}|Kept"] = True
        roots["people"]["mallory"] = "a string"
        roots["people"]["eve"] = Map({"name": 5, "merged_into": None, "hidden": False})
        roots["face_person"][f"{PHOTO}|1"] = "not a suggestion"
        roots["confirmed"]["nope"] = ana
        roots["confirmed"][f"{OTHER}|0"] = 7

    write_as_peer(library, hostile)

    assert doc.auto_tags(PHOTO) == {"Cat": {"score": 0.2, "source": "cloud", "model": "big"}}
    assert doc.user_tags(PHOTO) == {"Kept": True}
    assert doc.auto_tags(OTHER) == {} and doc.faces(OTHER) == (None, [])
    assert doc.auto_tags("a" * 32) == {}
    assert doc.faces("b" * 32) == (None, [])
    assert doc.faces(PHOTO)[1][0]["box"] == [0.0, 0.0, 10.0, 10.0]
    assert [p["id"] for p in doc.people()] == [ana]
    assert doc.face_person(PHOTO, 1) is None and doc.face_person(OTHER, 0) is None
    assert doc.face_people() == {(PHOTO, 0): (ana, True)}
    skipped = "\n".join(doc.skipped())
    for what in ("photo " + OTHER, "person mallory", "person eve", "'Bell\\x07'", "'Fine'"):
        assert what in skipped, skipped

    found = {(m.root, m.key) for m in doc.malformed()}
    assert ("photos", OTHER) in found and ("people", "mallory") in found
    assert ("photos", "not|an id") in found and "not|an id" not in doc.photo_ids()
    assert ("confirmed", "nope") in found and ("user", f"{PHOTO}|Fine") in found
    assert ("user", f"{PHOTO}|Kept") not in found
    assert doc.set_aside(doc.malformed()) == len(found)
    assert doc.malformed() == []
    # what was well formed stays: the cloud's good tag, the photo's faces, the user's tag
    assert doc.auto_tags(PHOTO)["Cat"]["source"] == "cloud" and doc.user_tags(PHOTO) == {
        "Kept": True
    }


def test_what_a_peer_removed_of_the_models_analysis_is_listed_as_lacking(
    library: Library,
) -> None:
    doc = library.document
    ids = [f"{n:032x}" for n in range(7)]
    for cid in ids:
        doc.set_auto_tags(cid, {"Cat": 0.9} if cid != ids[1] else {}, "local", "m@1")
        doc.set_faces(cid, "det@1", [face(0, 0, 10, 10)] if cid != ids[1] else [])
        doc.set_user_tag(cid, "Kept", True)
    assert doc.lacking_analysis(ids) == []  # an empty list of tags or faces is something found

    def remove(roots: dict[str, Map]) -> None:
        photos = roots["photos"]
        del photos[ids[2]]
        photos[ids[3]] = json.dumps({**json.loads(photos[ids[3]]), "faces": None})
        photos[ids[4]] = json.dumps({"faces": json.loads(photos[ids[4]])["faces"]})
        # written another way (keys in another order), a malformed face reads as no faces
        bad = {"faces": {"detector": "d", "faces": [{"box": [1], "score": 1}]}, "auto": None}
        photos[ids[5]] = json.dumps({**bad, "auto": {"model": "m", "tags": {}}})
        photos[ids[6]] = "{not json"

    write_as_peer(library, remove)
    assert doc.lacking_analysis(ids) == ids[2:]
    assert all(doc.user_tags(cid) == {"Kept": True} for cid in ids)
    with doc.batch():  # what a batch writes counts before it commits
        doc.set_auto_tags(ids[2], {}, "local", "m@1")
        doc.set_faces(ids[2], "det@1", [])
        assert doc.lacking_analysis(ids[2:3]) == []


def test_a_tag_that_cannot_be_stored_is_refused(library: Library) -> None:
    doc = library.document
    for bad in ("", " / ", "Bell\x07", "a//b", "x" * 201, "Line\nbreak"):
        with pytest.raises(TagNameError):
            doc.set_user_tag(PHOTO, bad, True)
    doc.set_user_tag(PHOTO, " Holidays / Lisbon ", True)
    assert doc.user_tags(PHOTO) == {"Holidays/Lisbon": True}


def _read_everything(library: Library, keys: list[str]) -> None:
    doc = library.document
    people = [p["id"] for p in doc.people()] + ["p1", "", "|"] + keys
    photos = doc.photo_ids() + [PHOTO, OTHER] + keys
    doc.photo_count(), doc.face_people(), doc.rejections(), doc.skipped(), doc.malformed()
    doc.all_marks()
    for pid in people:
        doc.resolve_person(pid), doc.person(pid)
    for photo in photos:
        doc.has_photo(photo), doc.auto_tags(photo), doc.user_tags(photo), doc.faces(photo)
        doc.marks(photo)
        doc.rotation(photo), doc.user_faces(photo), library.user_faces(photo)
        library.auto_tags(photo), library.user_tags(photo), library.faces(photo)
        library.effective_tags(photo, lambda tag: 0.5), library.context_tags(photo)
        for n in range(3):
            doc.face_person(photo, n), doc.rejected(photo, n), library.face_person(photo, n)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(writes=WRITES)
def test_nothing_a_peer_writes_breaks_a_read(writes: list[tuple[str, str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder, Library.open(Path(folder) / "lib") as library:
        doc = library.document
        doc.set_auto_tags(PHOTO, {"Cat": 0.9}, "local", "m@1")
        doc.set_faces(PHOTO, "det@1", [face(0, 0, 10, 10), face(20, 20, 30, 30)])
        doc.confirm_person(PHOTO, 0, doc.new_person("Ana"))

        def hostile(roots: dict[str, Map]) -> None:
            for root, key, value in writes:
                roots[root][key] = peer_value(value)

        write_as_peer(library, hostile)
        keys = [key for _, key, _ in writes]
        _read_everything(library, keys)
        assert all(doc_values.photo_id_problem(p) is None for p in doc.photo_ids())
        doc.set_aside(doc.malformed())
        assert doc.malformed() == []
        _read_everything(library, keys)
        # and the library is still writable: a scan's and a user's edits go through
        doc.set_faces(PHOTO, "det@2", [face(0, 0, 10, 10)])
        doc.set_user_tag(PHOTO, "Kept", True)
        assert doc.user_tags(PHOTO)["Kept"] is True


def test_reading_every_photos_tags_at_once_checks_them_as_one_at_a_time(library: Library) -> None:
    """What a search reads in bulk (auto_tags_where, user_tagged, the index's contexts) is what
    auto_tags() reads photo by photo, malformed parts skipped and reported alike."""
    doc = library.document
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.9}, "local", "m@1")
    doc.set_faces(PHOTO, "det@1", [face(0, 0, 10, 10)])
    doc.set_auto_tags(OTHER, {"Food/Coffee": 0.8}, "local", "m@1")
    doc.set_auto_tags(OTHER, {"Food/Tea": 0.7}, "cloud", "big@1")
    doc.set_user_tag(OTHER, "Trips/Lisbon", True)
    doc.set_user_tag(OTHER, "Food/Coffee", False)

    def hostile(roots: dict[str, Map]) -> None:
        roots["photos"]["a" * 32] = "{not json"
        roots["photos"]["b" * 32] = json.dumps({"auto": {"model": "m", "tags": {"Dog": "high"}}})
        roots["photos"]["c" * 32] = json.dumps(
            {"auto": {"model": "m", "tags": {"Sky": 0.5}}, "faces": {"detector": "d", "faces": 3}}
        )

    write_as_peer(library, hostile)
    texts: dict[str, str] = {}

    def wanted(photo_id: str, text: str) -> bool:
        texts[photo_id] = text
        return True

    every = doc.auto_tags_where(wanted)
    ids = [PHOTO, OTHER, "a" * 32, "b" * 32, "c" * 32]
    assert sorted(every) == sorted(ids)
    assert every == {p: doc.auto_tags(p) for p in ids}
    assert every["c" * 32] == {"Sky": {"score": 0.5, "source": "local", "model": "m"}}
    assert "Coffee" in texts[OTHER] and "Tea" in texts[OTHER]  # the record and the cloud's
    assert "Cat" in texts[PHOTO] and "det@1" not in texts[PHOTO]  # not the faces
    assert "Sky" in texts["c" * 32]
    assert doc.auto_tags_where(lambda p, text: "Cat" in text) == {PHOTO: doc.auto_tags(PHOTO)}
    skipped = "\n".join(doc.skipped())
    assert "photo " + "a" * 32 in skipped and "'high'" in skipped
    assert doc.user_tagged() == {OTHER: {"Trips/Lisbon", "Food/Coffee"}}

    library.index.set_capture(PHOTO, "2024-06-12T19:05:00", False, None, None, None, None)
    library.index.set_context(PHOTO, json.dumps({"Dates/2024": 1.0}))
    assert library.index.contexts() == {PHOTO: '{"Dates/2024": 1.0}'}
    assert library.auto_tags(PHOTO)["Dates/2024"]["source"] == "photo"
