"""What the user changes about a photo itself: its rotation and the faces they drew by hand.
Stored in the shared document, merged across devices, checked where read: a malformed value
another device wrote is read as absent and reported, never raised."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycrdt import Map

from photo_tagger.store import doc_values
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.library import Library
from tests.store.conftest import OTHER, PHOTO, face
from tests.store.hostile import write_as_peer


def test_a_rotation_is_stored_read_and_forgotten(doc: LibraryDocument) -> None:
    assert doc.rotation(PHOTO) == 0
    doc.set_rotation(PHOTO, 90)
    assert doc.rotation(PHOTO) == 90
    doc.set_rotation(PHOTO, -90)  # a turn left from upright
    assert doc.rotation(PHOTO) == 270
    doc.set_rotation(PHOTO, 360)
    assert doc.rotation(PHOTO) == 0
    assert doc.malformed() == []
    with pytest.raises(ValueError):
        doc.set_rotation(PHOTO, 45)


def test_a_face_drawn_by_hand_is_a_face_like_any_other(doc: LibraryDocument) -> None:
    doc.set_faces(PHOTO, "det@1", [face(0, 0, 10, 10)])
    number = doc.new_face_number(PHOTO)
    assert number >= doc_values.USER_FACE_FIRST
    doc.add_user_face(PHOTO, number, [40, 50, 80, 100])
    assert doc.user_faces(PHOTO) == {number: [40.0, 50.0, 80.0, 100.0]}
    ana = doc.new_person("Ana")
    doc.confirm_person(PHOTO, number, ana)
    assert doc.face_person(PHOTO, number) == (ana, True)
    assert doc.face_people()[(PHOTO, number)] == (ana, True)
    # a rescan rewrites the detector's faces and leaves the drawn one and its person alone
    doc.set_faces(PHOTO, "det@2", [face(1, 1, 11, 11), face(200, 200, 240, 240)])
    assert doc.user_faces(PHOTO) == {number: [40.0, 50.0, 80.0, 100.0]}
    assert doc.face_person(PHOTO, number) == (ana, True)
    assert doc.malformed() == []
    doc.remove_user_face(PHOTO, number)
    assert doc.user_faces(PHOTO) == {}
    with pytest.raises(ValueError):
        doc.add_user_face(PHOTO, number, [10, 10, 5, 20])  # not a box


def test_two_devices_merge_their_rotations_and_drawn_faces(tmp_path: Path) -> None:
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        a.document.set_rotation(PHOTO, 90)
        number = a.document.new_face_number(PHOTO)
        a.document.add_user_face(PHOTO, number, [1, 2, 30, 40])
        b.log.apply_remote(a.document.encode_state_as_update())
        assert b.document.rotation(PHOTO) == 90
        assert b.document.user_faces(PHOTO) == {number: [1.0, 2.0, 30.0, 40.0]}
        a.document.remove_user_face(PHOTO, number)
        b.log.apply_remote(a.document.encode_state_as_update(b.document.state_vector()))
        assert b.document.user_faces(PHOTO) == {}


def test_malformed_rotations_and_drawn_faces_from_a_peer_are_skipped_and_reported(
    library: Library,
) -> None:
    doc = library.document

    def hostile(roots: dict[str, Map]) -> None:
        roots["rotation"][PHOTO] = 45
        roots["rotation"][OTHER] = "90"
        roots["rotation"]["not|an id"] = 90
        roots["user_faces"][f"{PHOTO}|100001"] = {"box": [10, 10, 5, 5]}
        roots["user_faces"][f"{PHOTO}|100002"] = "a face"
        roots["user_faces"][f"{PHOTO}|3"] = {"box": [1, 2, 3, 4]}  # the detector's numbers
        roots["user_faces"][f"{PHOTO}|100003"] = {"box": [1, 2, 3, 4]}  # well formed
        roots["user_faces"][f"{OTHER}|100004"] = Map({"box": [0, 0, 1e300, 4]})

    write_as_peer(library, hostile)

    assert doc.rotation(PHOTO) == 0 and doc.rotation(OTHER) == 0
    assert doc.user_faces(PHOTO) == {100003: [1.0, 2.0, 3.0, 4.0]}
    assert doc.user_faces(OTHER) == {}
    skipped = "\n".join(doc.skipped())
    assert "not 0, 90, 180 or 270 degrees" in skipped and "not a box" in skipped
    found = {(m.root, m.key) for m in doc.malformed()}
    assert found == {
        ("rotation", PHOTO),
        ("rotation", OTHER),
        ("rotation", "not|an id"),
        ("user_faces", f"{PHOTO}|100001"),
        ("user_faces", f"{PHOTO}|100002"),
        ("user_faces", f"{PHOTO}|3"),
        ("user_faces", f"{OTHER}|100004"),
    }
    assert doc.set_aside(doc.malformed()) == len(found)
    assert doc.malformed() == []
    assert doc.user_faces(PHOTO) == {100003: [1.0, 2.0, 3.0, 4.0]}


def test_a_face_drawn_by_hand_goes_out_with_the_photo_to_export_and_sidecars(
    library: Library,
) -> None:
    from photo_tagger.app.export import photo_record

    doc = library.document
    doc.set_faces(PHOTO, "det@1", [face(0, 0, 10, 10)])
    doc.add_user_face(PHOTO, 123456, [40, 50, 80, 100])
    ana = doc.new_person("Ana")
    doc.confirm_person(PHOTO, 123456, ana)
    faces = photo_record(library, PHOTO, lambda tag: 0.5)["faces"]
    assert faces[1] == {"box": [40.0, 50.0, 80.0, 100.0], "score": 1.0, "person": ana}
