"""Setting the shared document back to an earlier state of it, as one edit on top of its history:
replicas that merge it read as that state did, and edits they made meanwhile merge as usual."""

from __future__ import annotations

from pycrdt import Array, Doc, Map

from photo_tagger.store.doc_restore import restoration
from photo_tagger.store.document import LibraryDocument
from tests.store.conftest import OTHER, PHOTO
from tests.store.test_sync import everything, exchange


def test_a_person_is_set_back_key_by_key_so_an_edit_made_elsewhere_meanwhile_is_kept() -> None:
    server, laptop = LibraryDocument(), LibraryDocument()
    ann = server.new_person("Ann")
    server.set_user_tag(PHOTO, "Places/Beach", True)
    earlier = server.encode_state_as_update()
    server.set_person_name(ann, "Nobody")
    server.set_user_tag(PHOTO, "Places/Beach", False)
    server.set_user_tag(OTHER, "Junk", True)
    exchange(server, laptop)
    laptop.set_person_hidden(ann, True)  # offline, while the restore is made

    done = restoration(server.encode_state_as_update(), earlier)
    assert done.update is not None and done.changed == {"user": 2, "people": 1}
    server.apply_update(done.update)
    exchange(server, laptop)
    for doc in (server, laptop):
        assert doc.person(ann) == {"id": ann, "name": "Ann", "merged_into": None, "hidden": True}
        assert doc.user_tags(PHOTO) == {"Places/Beach": True} and doc.user_tags(OTHER) == {}
    assert everything(server) == everything(laptop)
    assert (
        restoration(server.encode_state_as_update(), server.encode_state_as_update()).update is None
    )


def test_roots_of_a_newer_version_are_left_as_they_are_and_named() -> None:
    raw: Doc = Doc()
    doc = LibraryDocument(raw)
    doc.set_user_tag(PHOTO, "Places/Beach", True)
    earlier = doc.encode_state_as_update()
    doc.clear_user_tag(PHOTO, "Places/Beach")
    with raw.transaction():  # a root of a newer photo-tagger, which this one never writes
        raw.get("albums", type=Map)["summer"] = Array(["a", "b"])
    done = restoration(doc.encode_state_as_update(), earlier)
    assert done.unknown_roots == ["albums"] and done.changed == {"user": 1}
    assert done.update is not None
    doc.apply_update(done.update)
    assert doc.user_tags(PHOTO) == {"Places/Beach": True}
    assert raw.get("albums", type=Map).to_py() == {"summer": ["a", "b"]}
