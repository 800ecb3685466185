"""Ratings, favourites and rejects: stored as the user's edits in the shared document, converging
field by field on two laptops marked offline, and a malformed value from another device read as
never said and reported, never raised."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycrdt import Map

from photo_tagger.server.storage import Storage
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.library import Library
from photo_tagger.store.marks import NO_MARKS, Marks
from tests.harness import ThreadServer, add_library
from tests.store.conftest import OTHER, PHOTO
from tests.store.hostile import write_as_peer
from tests.store.test_sync import exchange
from tests.store.test_sync_client import client


def test_marks_are_set_per_field_and_read_back(doc: LibraryDocument) -> None:
    assert doc.marks(PHOTO) == NO_MARKS and doc.all_marks() == {}
    doc.set_marks([PHOTO, OTHER], rating=4)
    doc.set_marks([PHOTO], favourite=True)
    assert doc.marks(PHOTO) == Marks(rating=4, favourite=True)
    assert doc.marks(OTHER) == Marks(rating=4)
    doc.set_marks([OTHER], rejected=True, rating=0)
    assert doc.all_marks() == {PHOTO: Marks(4, True, None), OTHER: Marks(0, None, True)}


def test_setting_a_mark_it_already_has_writes_nothing(doc: LibraryDocument) -> None:
    doc.set_marks([PHOTO], rating=3)
    state = doc.state_vector()
    doc.set_marks([PHOTO], rating=3)
    assert doc.state_vector() == state


def test_marks_made_offline_on_two_laptops_converge_field_by_field() -> None:
    a, b = LibraryDocument(), LibraryDocument()
    a.set_marks([PHOTO], rating=5)
    b.set_marks([PHOTO], favourite=True)
    b.set_marks([OTHER], rating=2)
    a.set_marks([OTHER], rating=4)  # the same field of the same photo: one of them wins
    a.set_marks([OTHER], rejected=True)
    assert a.marks(PHOTO) == Marks(rating=5) and b.marks(PHOTO) == Marks(favourite=True)
    exchange(a, b)  # what was read before is read again: the other laptop's marks are there
    assert a.all_marks() == b.all_marks()
    assert a.marks(PHOTO) == Marks(rating=5, favourite=True)
    assert a.marks(OTHER).rejected is True and a.marks(OTHER).rating in (2, 4)
    # what was undone on one laptop while the other set it stays converged too
    a.restore_marks({PHOTO: Marks(rating=None, favourite=None)})
    b.set_marks([PHOTO], rating=1)
    exchange(a, b)
    assert a.all_marks() == b.all_marks()


def test_a_value_no_reader_takes_is_refused_before_it_is_written(doc: LibraryDocument) -> None:
    for bad in ({"rating": 6}, {"rating": -1}, {"rating": 2.5}, {"favourite": "yes"}):
        with pytest.raises(ValueError):
            doc.set_marks([PHOTO], **bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        doc.set_marks(["not|an id"], rating=1)
    assert doc.all_marks() == {}


def test_malformed_marks_from_a_peer_are_ignored_reported_and_set_aside(library: Library) -> None:
    doc = library.document
    doc.set_marks([PHOTO], rating=2, favourite=True)
    third, fourth = "a" * 32, "b" * 32

    def hostile(roots: dict[str, Map]) -> None:
        marks = roots["marks"]
        marks[f"{PHOTO}|rating"] = "5"
        marks[f"{OTHER}|rating"] = 7
        marks[f"{third}|rating"] = -3
        marks[f"{fourth}|rating"] = float("nan")
        marks[f"{OTHER}|favourite"] = "yes"
        marks[f"{OTHER}|rejected"] = True  # well formed: kept
        marks[f"{PHOTO}|colour"] = "red"
        marks["not a photo"] = 3

    write_as_peer(library, hostile)

    assert doc.marks(PHOTO) == Marks(favourite=True)
    assert doc.marks(OTHER) == Marks(rejected=True)
    assert doc.marks(third) == NO_MARKS and doc.marks(fourth) == NO_MARKS
    assert doc.all_marks() == {PHOTO: Marks(favourite=True), OTHER: Marks(rejected=True)}
    skipped = "\n".join(doc.skipped())
    for words in ("'5', not a whole number", "7, not 0 to 5", "-3, not 0 to 5", "nan"):
        assert words in skipped, skipped
    assert "favourite flag is 'yes', not true or false" in skipped
    found = {(m.root, m.key) for m in doc.malformed()}
    assert len(found) == 7 and all(root == "marks" for root, _ in found)
    assert doc.set_aside(doc.malformed()) == 7
    assert doc.malformed() == []
    assert doc.all_marks() == {PHOTO: Marks(favourite=True), OTHER: Marks(rejected=True)}
    doc.set_marks([PHOTO], rating=5)  # the user rates it again: taken as any edit
    assert doc.marks(PHOTO) == Marks(rating=5, favourite=True)


def test_a_rating_that_came_back_as_a_float_is_a_rating(library: Library) -> None:
    def as_float(roots: dict[str, Map]) -> None:
        roots["marks"][f"{PHOTO}|rating"] = 3.0

    write_as_peer(library, as_float)
    assert library.document.marks(PHOTO) == Marks(rating=3)
    assert library.document.malformed() == []


def test_two_laptops_marking_offline_converge_through_the_server(
    tmp_path: Path, server: ThreadServer, storage: Storage
) -> None:
    _, token = add_library(storage, "Family")
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        a.document.set_marks([PHOTO], rating=3)
        client(a, server.url, token).sync_once()
        client(b, server.url, token).sync_once()
        assert b.document.marks(PHOTO) == Marks(rating=3)
        # both offline: one rates and rejects, the other makes it a favourite
        a.document.set_marks([PHOTO], rating=1, rejected=True)
        b.document.set_marks([PHOTO], favourite=True)
        b.document.set_marks([OTHER], rating=5)
        for library in (a, b, a):
            client(library, server.url, token).sync_once()
        assert a.document.all_marks() == b.document.all_marks()
        assert a.document.marks(PHOTO) == Marks(rating=1, favourite=True, rejected=True)
        assert a.document.marks(OTHER) == Marks(rating=5)
    with Library.open(tmp_path / "b") as b:  # kept on disk, as any edit
        assert b.document.marks(PHOTO) == Marks(rating=1, favourite=True, rejected=True)
