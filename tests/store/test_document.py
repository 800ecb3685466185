"""What the shared document means: user beats model, rejections stick, people merge."""

from __future__ import annotations

import pytest
from pycrdt import Doc

from photo_tagger.errors import NotFoundError
from photo_tagger.store.document import LibraryDocument
from tests.store.conftest import OTHER, PHOTO, face

HALF = 0.5


def threshold(tag: str) -> float:
    return HALF


def test_user_tags_beat_auto_tags(doc: LibraryDocument) -> None:
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.9, "Food/Coffee": 0.3}, "local", "tagger@1")
    assert doc.effective_tags(PHOTO, threshold) == {"Animals/Cat": 0.9}
    doc.set_user_tag(PHOTO, "Animals/Cat", False)
    doc.set_user_tag(PHOTO, "Food/Coffee", True)
    doc.set_user_tag(PHOTO, "Holidays/Lisbon 2024", True)
    assert doc.effective_tags(PHOTO, threshold) == {"Food/Coffee": 1.0, "Holidays/Lisbon 2024": 1.0}
    assert doc.user_tags(PHOTO) == {
        "Animals/Cat": False,
        "Food/Coffee": True,
        "Holidays/Lisbon 2024": True,
    }
    doc.clear_user_tag(PHOTO, "Animals/Cat")
    assert doc.effective_tags(PHOTO, threshold)["Animals/Cat"] == 0.9
    assert "Animals/Cat" not in doc.user_tags(PHOTO)


def test_model_rerun_replaces_its_own_tags_and_never_touches_user(doc: LibraryDocument) -> None:
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.9, "Animals/Dog": 0.6}, "local", "tagger@1")
    doc.set_auto_tags(PHOTO, {"Things/Car": 0.8}, "cloud", "big@1")
    doc.set_user_tag(PHOTO, "Animals/Dog", False)
    doc.set_user_tag(PHOTO, "Family", True)
    doc.set_auto_tags(PHOTO, {"Animals/Dog": 0.95, "Places/Beach": 0.7}, "local", "tagger@2")
    assert doc.user_tags(PHOTO) == {"Animals/Dog": False, "Family": True}
    assert doc.auto_tags(PHOTO) == {
        "Animals/Dog": {"score": 0.95, "source": "local", "model": "tagger@2"},
        "Places/Beach": {"score": 0.7, "source": "local", "model": "tagger@2"},
        "Things/Car": {"score": 0.8, "source": "cloud", "model": "big@1"},
    }
    assert doc.effective_tags(PHOTO, threshold) == {
        "Places/Beach": 0.7,
        "Things/Car": 0.8,
        "Family": 1.0,
    }


def test_cloud_verdict_overrides_local_score_for_the_same_tag(doc: LibraryDocument) -> None:
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.45}, "local", "tagger@1")
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.92}, "cloud", "big@1")
    assert doc.auto_tags(PHOTO)["Animals/Cat"]["source"] == "cloud"
    assert doc.effective_tags(PHOTO, threshold) == {"Animals/Cat": 0.92}
    with pytest.raises(ValueError):
        doc.set_auto_tags(PHOTO, {}, "elsewhere", "x@1")


def test_photos_exist_once_analysed(doc: LibraryDocument) -> None:
    assert not doc.has_photo(PHOTO)
    assert doc.faces(PHOTO) == (None, [])
    doc.set_faces(PHOTO, "detector@1", [face(10, 10, 50, 50)])
    doc.set_auto_tags(OTHER, {}, "local", "tagger@1")
    assert doc.has_photo(PHOTO) and doc.has_photo(OTHER)
    assert sorted(doc.photo_ids()) == sorted([PHOTO, OTHER])
    assert doc.photo_count() == 2
    detector, faces = doc.faces(PHOTO)
    assert detector == "detector@1"
    assert faces == [face(10, 10, 50, 50)]
    with pytest.raises(ValueError):
        doc.set_user_tag("not|an id", "x", True)


def test_a_batch_is_one_update_and_one_item_per_photo() -> None:
    ydoc: Doc = Doc()
    updates: list[bytes] = []
    ydoc.observe(lambda event: updates.append(event.update))
    doc = LibraryDocument(ydoc)
    with doc.batch():
        for i in range(10):
            pid = f"{i:032x}"
            doc.set_auto_tags(pid, {"Animals/Cat": 0.5 + i / 100}, "local", "tagger@1")
            doc.set_faces(pid, "detector@1", [face(0, 0, 10, 10)])
            assert doc.has_photo(pid)  # readable inside the batch
            assert doc.faces(pid)[1] == [face(0, 0, 10, 10)]
        assert doc.photo_count() == 10
    assert len(updates) == 1
    alone = LibraryDocument()
    alone.set_auto_tags(PHOTO, {"Animals/Cat": 0.5}, "local", "tagger@1")
    alone.set_faces(PHOTO, "detector@1", [face(0, 0, 10, 10)])
    together = LibraryDocument()
    with together.batch():
        together.set_auto_tags(PHOTO, {"Animals/Cat": 0.5}, "local", "tagger@1")
        together.set_faces(PHOTO, "detector@1", [face(0, 0, 10, 10)])
    # written as two items outside a batch, one inside: the snapshot is smaller
    assert len(together.encode_state_as_update()) < len(alone.encode_state_as_update())
    assert together.faces(PHOTO) == alone.faces(PHOTO)


def test_rewriting_the_same_analysis_writes_nothing() -> None:
    ydoc: Doc = Doc()
    updates: list[bytes] = []
    doc = LibraryDocument(ydoc)
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.5}, "local", "tagger@1")
    doc.set_faces(PHOTO, "detector@1", [face(0, 0, 10, 10)])
    doc.set_user_tag(PHOTO, "Family", True)
    ydoc.observe(lambda event: updates.append(event.update))
    doc.set_auto_tags(PHOTO, {"Animals/Cat": 0.5}, "local", "tagger@1")
    doc.set_faces(PHOTO, "detector@1", [face(0, 0, 10, 10)])
    doc.set_user_tag(PHOTO, "Family", True)
    assert updates == []


def test_rejection_is_remembered_and_the_person_never_suggested_again(
    doc: LibraryDocument,
) -> None:
    doc.set_faces(PHOTO, "detector@1", [face(0, 0, 10, 10), face(50, 50, 60, 60)])
    ann, bob = doc.new_person("Ann"), doc.new_person()
    assert doc.suggest_person(PHOTO, 0, ann)
    assert doc.face_person(PHOTO, 0) == (ann, False)
    doc.reject_person(PHOTO, 0, ann)
    assert doc.face_person(PHOTO, 0) is None
    assert doc.rejected(PHOTO, 0) == {ann}
    assert not doc.suggest_person(PHOTO, 0, ann)
    assert doc.face_person(PHOTO, 0) is None
    assert doc.suggest_person(PHOTO, 0, bob)
    assert doc.face_person(PHOTO, 0) == (bob, False)
    assert doc.rejected(PHOTO, 1) == set()
    assert doc.rejections() == {(PHOTO, 0): {ann}}
    assert doc.face_people() == {(PHOTO, 0): (bob, False)}


def test_confirmed_person_is_never_replaced_by_a_suggestion(doc: LibraryDocument) -> None:
    ann, bob = doc.new_person("Ann"), doc.new_person("Bob")
    doc.reject_person(PHOTO, 0, ann)
    doc.confirm_person(PHOTO, 0, ann)  # the user changed their mind: the rejection goes
    assert doc.face_person(PHOTO, 0) == (ann, True)
    assert doc.rejected(PHOTO, 0) == set()
    assert not doc.suggest_person(PHOTO, 0, bob)
    assert doc.face_person(PHOTO, 0) == (ann, True)


def test_rejection_follows_merges(doc: LibraryDocument) -> None:
    ann, ann_again, bob = doc.new_person("Ann"), doc.new_person(), doc.new_person("Bob")
    doc.reject_person(PHOTO, 0, ann_again)
    doc.merge_people(ann_again, ann)
    assert not doc.suggest_person(PHOTO, 0, ann)  # ann_again is ann now
    doc.suggest_person(PHOTO, 1, ann_again)
    doc.reject_person(PHOTO, 1, ann)  # rejecting the merged person drops the old suggestion
    assert doc.face_person(PHOTO, 1) is None
    assert doc.suggest_person(PHOTO, 1, bob)


def test_merge_chains_resolve_to_the_last_person(doc: LibraryDocument) -> None:
    a, b, c = doc.new_person(), doc.new_person(), doc.new_person("Carol")
    doc.merge_people(a, b)
    doc.merge_people(b, c)
    assert doc.resolve_person(a) == c
    assert doc.resolve_person(c) == c
    doc.merge_people(a, c)  # already the same person: nothing to do
    doc.merge_people(c, a)  # resolves both sides first, so no cycle is written
    assert {doc.resolve_person(p) for p in (a, b, c)} == {c}
    entries = {p["id"]: p for p in doc.people()}
    assert entries[a]["merged_into"] == b and entries[b]["merged_into"] == c
    assert entries[c]["merged_into"] is None


def test_people_names_and_hiding(doc: LibraryDocument) -> None:
    pid = doc.new_person()
    assert doc.person(pid) == {"id": pid, "name": None, "merged_into": None, "hidden": False}
    doc.set_person_name(pid, "Dora")
    doc.set_person_hidden(pid, True)
    assert doc.people() == [{"id": pid, "name": "Dora", "merged_into": None, "hidden": True}]
    with pytest.raises(NotFoundError):
        doc.set_person_name("no-such-person", "x")
    with pytest.raises(NotFoundError):
        doc.suggest_person(PHOTO, 0, "no-such-person")


def test_new_detector_moves_confirmations_with_their_faces(doc: LibraryDocument) -> None:
    doc.set_faces(PHOTO, "detector@1", [face(0, 0, 100, 100), face(200, 0, 300, 100)])
    ann, bob, eve = doc.new_person("Ann"), doc.new_person("Bob"), doc.new_person("Eve")
    doc.confirm_person(PHOTO, 0, ann)
    doc.confirm_person(PHOTO, 1, bob)
    doc.reject_person(PHOTO, 1, eve)
    # the new detector finds the faces in the other order, slightly moved, plus a third
    doc.set_faces(
        PHOTO,
        "detector@2",
        [face(202, 1, 301, 99), face(500, 500, 540, 540), face(1, 2, 99, 101)],
    )
    assert doc.face_person(PHOTO, 2) == (ann, True)
    assert doc.face_person(PHOTO, 0) == (bob, True)
    assert doc.rejected(PHOTO, 0) == {eve}
    assert doc.face_person(PHOTO, 1) is None and doc.rejected(PHOTO, 1) == set()
    doc.set_faces(PHOTO, "detector@3", [face(202, 1, 301, 99)])  # Ann's face is not found
    assert doc.face_people() == {(PHOTO, 0): (bob, True)}


def test_people_made_and_merged_inside_a_batch_are_seen_at_once(doc: LibraryDocument) -> None:
    with doc.batch():
        a, b = doc.new_person(), doc.new_person("Bea")
        assert doc.suggest_person(PHOTO, 0, a)
        doc.merge_people(a, b)
        assert doc.resolve_person(a) == b
        doc.set_person_name(b, "Beatrice")
        assert doc.person(b) == {"id": b, "name": "Beatrice", "merged_into": None, "hidden": False}
        doc.set_user_tag(PHOTO, "Family", True)
        assert doc.user_tags(PHOTO) == {"Family": True}
    assert [p["name"] for p in doc.people() if p["id"] == b] == ["Beatrice"]
    assert doc.resolve_person(a) == b


def test_a_face_is_put_back_exactly_as_it_was(doc: LibraryDocument) -> None:
    ann, bob = doc.new_person("Ann"), doc.new_person("Bob")
    assert doc.suggest_person(PHOTO, 0, ann)
    doc.confirm_person(PHOTO, 0, ann)
    doc.set_face_state(PHOTO, 0, ann, False, set())  # a suggestion again, not a confirmation
    assert doc.face_person(PHOTO, 0) == (ann, False)

    doc.reject_person(PHOTO, 0, ann)
    assert doc.face_person(PHOTO, 0) is None and doc.rejected(PHOTO, 0) == {ann}
    doc.set_face_state(PHOTO, 0, ann, False, set())  # the rejection is forgotten
    assert doc.face_person(PHOTO, 0) == (ann, False) and doc.rejected(PHOTO, 0) == set()

    doc.set_face_state(PHOTO, 0, None, False, {bob})  # nobody, and not Bob
    assert doc.face_person(PHOTO, 0) is None and doc.rejected(PHOTO, 0) == {bob}
    assert not doc.suggest_person(PHOTO, 0, bob)
    doc.set_face_state(PHOTO, 0, bob, True, set())
    assert doc.face_person(PHOTO, 0) == (bob, True) and doc.rejections() == {}

    # the state is in the shared document, not only in this replica's lookups
    other = LibraryDocument()
    other.apply_update(doc.encode_state_as_update())
    assert other.face_person(PHOTO, 0) == (bob, True) and other.rejected(PHOTO, 0) == set()
    doc.set_face_state(PHOTO, 0, None, False, {ann})
    other.apply_update(doc.encode_state_as_update(other.state_vector()))
    assert other.face_person(PHOTO, 0) is None and other.rejected(PHOTO, 0) == {ann}
    other.close()
    with pytest.raises(NotFoundError):
        doc.set_face_state(PHOTO, 0, "nobody", True, set())


def test_a_merged_person_is_unmerged(doc: LibraryDocument) -> None:
    ann, ann_again = doc.new_person("Ann"), doc.new_person()
    doc.confirm_person(PHOTO, 0, ann_again)
    doc.merge_people(ann_again, ann)
    assert doc.resolve_person(ann_again) == ann
    doc.unmerge_person(ann_again)
    assert doc.resolve_person(ann_again) == ann_again
    assert doc.person(ann_again) == {
        "id": ann_again,
        "name": None,
        "merged_into": None,
        "hidden": False,
    }
    assert doc.face_person(PHOTO, 0) == (ann_again, True)
    with pytest.raises(NotFoundError):
        doc.unmerge_person("nobody")
