"""Replicas edited apart converge once they exchange updates, and lose nothing on the way."""

from __future__ import annotations

from pathlib import Path

from pycrdt import Doc, Map

from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.library import Library
from tests.store.conftest import PHOTO, face


def exchange(a: LibraryDocument, b: LibraryDocument) -> None:
    """One round of the Yjs sync protocol: each sends its state vector, gets what it lacks."""
    to_b = a.encode_state_as_update(b.state_vector())
    to_a = b.encode_state_as_update(a.state_vector())
    b.apply_update(to_b)
    a.apply_update(to_a)


def everything(doc: LibraryDocument) -> dict[str, object]:
    return {
        pid: (
            doc.auto_tags(pid),
            doc.user_tags(pid),
            doc.faces(pid),
            {i: (doc.face_person(pid, i), doc.rejected(pid, i)) for i in range(3)},
        )
        for pid in sorted(doc.photo_ids())
    } | {"people": doc.people()}


def scan(doc: LibraryDocument) -> None:
    """Both laptops analyse the same photo on their own: same content id, same results."""
    with doc.batch():
        doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.8}, "local", "tagger@1")
        doc.set_faces(PHOTO, "detector@1", [face(0, 0, 10, 10), face(50, 0, 60, 10)])


def test_offline_edits_on_two_laptops_all_survive_the_merge() -> None:
    a, b = LibraryDocument(), LibraryDocument()
    scan(a)
    scan(b)
    a.set_user_tag(PHOTO, "Places/Beach", True)
    b.set_user_tag(PHOTO, "Holidays/Lisbon", True)
    b.set_user_tag(PHOTO, "Animals/Cat", False)
    ann = a.new_person("Ann")
    a.confirm_person(PHOTO, 0, ann)
    bob = b.new_person("Bob")
    b.suggest_person(PHOTO, 1, bob)
    b.reject_person(PHOTO, 1, bob)
    exchange(a, b)
    assert everything(a) == everything(b)
    assert a.user_tags(PHOTO) == {
        "Places/Beach": True,
        "Holidays/Lisbon": True,
        "Animals/Cat": False,
    }
    assert a.face_person(PHOTO, 0) == (ann, True)
    assert a.rejected(PHOTO, 1) == {bob}
    assert {p["name"] for p in a.people()} == {"Ann", "Bob"}
    assert a.effective_tags(PHOTO, lambda t: 0.5) == {"Places/Beach": 1.0, "Holidays/Lisbon": 1.0}


def test_same_tag_edited_on_both_sides_converges_to_one_answer() -> None:
    a, b = LibraryDocument(), LibraryDocument()
    a.set_user_tag(PHOTO, "Animals/Cat", True)
    b.set_user_tag(PHOTO, "Animals/Cat", False)
    exchange(a, b)
    assert a.user_tags(PHOTO) == b.user_tags(PHOTO)
    assert len(a.user_tags(PHOTO)) == 1


def test_people_merged_into_each_other_offline_resolve_alike() -> None:
    a = LibraryDocument()
    p, q = a.new_person(), a.new_person()
    b = LibraryDocument()
    exchange(a, b)
    a.merge_people(p, q)
    b.merge_people(q, p)
    exchange(a, b)
    assert a.resolve_person(p) == a.resolve_person(q) == b.resolve_person(p) == min(p, q)


def test_a_nested_map_per_photo_would_lose_one_laptops_tags() -> None:
    """Why the document keeps no nested Map per content id (see store/document.py)."""
    a: Doc = Doc()
    b: Doc = Doc()
    for doc, tag in ((a, "Places/Beach"), (b, "Holidays/Lisbon")):
        doc.get("photos", type=Map)[PHOTO] = Map({"user": Map({tag: True})})
    a.apply_update(b.get_update(a.get_state()))
    b.apply_update(a.get_update(b.get_state()))
    merged = a.get("photos", type=Map).to_py()
    assert merged == b.get("photos", type=Map).to_py()
    assert len(merged[PHOTO]["user"]) == 1  # one laptop's tag is gone


def test_libraries_sync_through_their_logs_and_keep_it(tmp_path: Path) -> None:
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        scan(a.document)
        a.document.set_user_tag(PHOTO, "Places/Beach", True)
        b.document.set_user_tag(PHOTO, "Family", True)
        sent = 0
        for row_id, update in a.log.updates_since(sent):
            b.log.apply_remote(update)
            sent = row_id
        assert a.log.updates_since(sent) == []
        b_missing = b.document.encode_state_as_update(a.document.state_vector())
        a.log.apply_remote(b_missing)
        expected = everything(a.document)
        assert everything(b.document) == expected
    for name in ("a", "b"):
        with Library.open(tmp_path / name) as lib:
            assert everything(lib.document) == expected
            assert lib.document.user_tags(PHOTO) == {"Places/Beach": True, "Family": True}


def test_a_confirmation_survives_another_laptops_later_suggestion() -> None:
    """Grouping on a laptop that scans offline must not undo who a person said a face is."""
    a, b = LibraryDocument(), LibraryDocument()
    scan(a)
    ann = a.new_person("Ann")
    exchange(a, b)
    a.confirm_person(PHOTO, 0, ann)  # laptop A: "this is Ann"
    stranger = b.new_person()
    assert b.suggest_person(PHOTO, 0, stranger)  # laptop B, offline, groups the face elsewhere
    exchange(a, b)
    assert a.face_person(PHOTO, 0) == (ann, True)
    assert b.face_person(PHOTO, 0) == (ann, True)
    assert everything(a) == everything(b)
    # and the user can still change their mind: rejecting Ann frees the face
    b.reject_person(PHOTO, 0, ann)
    exchange(a, b)
    assert a.face_person(PHOTO, 0) != (ann, True) and ann in a.rejected(PHOTO, 0)
