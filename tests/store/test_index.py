"""The local index: files, photos, face embeddings, skipped files."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from photo_tagger.store import index_schema
from photo_tagger.store.index import LocalIndex
from photo_tagger.store.sqlite import schema_version
from tests.store.conftest import OTHER, PHOTO


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LocalIndex]:
    idx = LocalIndex.open(tmp_path / "index.sqlite3")
    yield idx
    idx.close()


def test_files_lookup_upsert_and_paths_of_a_photo(index: LocalIndex) -> None:
    assert index.lookup("/p/a.jpg") is None
    index.upsert_file("/p/a.jpg", 10, 100, PHOTO)
    index.upsert_file("/p/copy of a.jpg", 10, 150, PHOTO)
    index.upsert_file("/p/a.jpg", 11, 200, OTHER)  # the file changed
    assert index.lookup("/p/a.jpg") == (11, 200, OTHER)
    assert index.paths_for(PHOTO) == ["/p/copy of a.jpg"]
    index.remove_paths(["/p/copy of a.jpg", "/p/never indexed.jpg"])
    assert index.paths_for(PHOTO) == []


def test_paths_under_a_folder_are_not_those_of_its_namesakes(index: LocalIndex) -> None:
    sep = os.sep
    inside = [f"{sep}photos{sep}a.jpg", f"{sep}photos{sep}2024{sep}b.jpg"]
    outside = [f"{sep}photos2{sep}c.jpg", f"{sep}photos.jpg", f"{sep}other{sep}d.jpg"]
    with index.batch():
        for i, p in enumerate(inside + outside):
            index.upsert_file(p, 1, 1, f"{i:032x}")
    assert index.all_paths_under(f"{sep}photos") == sorted(inside)
    assert index.all_paths_under(f"{sep}photos{sep}") == sorted(inside)
    assert index.all_paths_under(f"{sep}photos.jpg") == [f"{sep}photos.jpg"]
    assert len(index.all_paths_under(sep)) == 5


def test_photos_keep_their_first_added_time(index: LocalIndex) -> None:
    assert index.photo(PHOTO) is None
    before = time.time()
    index.set_photo(PHOTO, 4000, 3000, "thumbs/01/0123.jpg", "detector=a;tagger=b")
    first = index.photo(PHOTO)
    assert first is not None and before <= first["added"] <= time.time()  # when it was added
    index.set_photo(PHOTO, 3000, 4000, Path("thumbs/01/0123.webp"), "detector=a;tagger=c")
    again = index.photo(PHOTO)
    assert again == {
        "content_id": PHOTO,
        "width": 3000,
        "height": 4000,
        "thumbnail": "thumbs/01/0123.webp",
        "processed_by": "detector=a;tagger=c",
        "added": first["added"],
    }
    index.set_photo(OTHER, 10, 10, None, "detector=a;tagger=b")
    assert index.photo_count() == 2
    assert index.content_ids_processed_by("detector=a;tagger=b") == {OTHER}


def test_face_embeddings_round_trip_for_the_whole_library(index: LocalIndex) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 128)).astype(np.float32)
    b = rng.standard_normal((1, 128)).astype(np.float32)
    index.set_face_embeddings(OTHER, b)
    index.set_face_embeddings(PHOTO, rng.standard_normal((5, 128)))
    index.set_face_embeddings(PHOTO, a)  # a re-analysis replaces, not appends
    keys, emb = index.face_embeddings()
    assert keys == [(PHOTO, 0), (PHOTO, 1), (PHOTO, 2), (OTHER, 0)]
    assert emb.dtype == np.float32 and emb.shape == (4, 128)
    np.testing.assert_array_equal(emb, np.vstack([a, b]))
    index.set_face_embeddings(OTHER, np.zeros((0, 128), np.float32))
    assert index.face_embeddings()[0] == [(PHOTO, 0), (PHOTO, 1), (PHOTO, 2)]
    with pytest.raises(ValueError):
        index.set_face_embeddings(PHOTO, np.zeros((2, 64), np.float32))


def test_empty_index_has_no_faces(index: LocalIndex) -> None:
    keys, emb = index.face_embeddings()
    assert keys == [] and emb.shape == (0, 128)


def test_skipped_files_are_recorded_and_cleared(index: LocalIndex) -> None:
    index.record_skipped("/p/broken.jpg", "truncated data")
    index.record_skipped("/p/huge.png", "too many pixels")
    index.record_skipped("/p/broken.jpg", "still truncated")
    assert [(p, r) for p, r, _ in index.skipped()] == [
        ("/p/broken.jpg", "still truncated"),
        ("/p/huge.png", "too many pixels"),
    ]
    index.clear_skipped(["/p/huge.png"])
    assert [p for p, _, _ in index.skipped()] == ["/p/broken.jpg"]


def test_a_batch_commits_together_or_not_at_all(tmp_path: Path, index: LocalIndex) -> None:
    with pytest.raises(RuntimeError), index.batch():
        index.upsert_file("/p/a.jpg", 1, 1, PHOTO)
        with index.batch():  # nested: part of the same transaction
            index.set_photo(PHOTO, 1, 1, None, "x")
        raise RuntimeError("the scan stopped")
    assert index.lookup("/p/a.jpg") is None and index.photo(PHOTO) is None
    with index.batch():
        index.upsert_file("/p/a.jpg", 1, 1, PHOTO)
        index.set_face_embeddings(PHOTO, np.ones((1, 128), np.float32))
    other = LocalIndex.open(tmp_path / "index.sqlite3")  # another connection sees it committed
    assert other.lookup("/p/a.jpg") == (1, 1, PHOTO)
    assert other.face_embeddings()[0] == [(PHOTO, 0)]
    other.close()


def test_captures_of_photos_on_disk_read_in_one_go_and_from_another_connection(
    tmp_path: Path, index: LocalIndex
) -> None:
    a, b = "a" * 32, "b" * 32
    index.upsert_file("/p/a.jpg", 1, 1, a)
    index.set_capture(
        a,
        "2024-06-12T19:05:00+01:00",
        False,
        (38.7, -9.1),
        "Canon|R6|1",
        '["Portugal", "Lisbon", "Lisbon", "PT"]',
        b"sig",
    )
    index.set_capture(b, None, True, None, None, None, None)  # its file is gone
    index.set_context(a, '{"Dates/2024": 1.0}')
    index.set_duplicates({a: a})
    reader = LocalIndex.open_reader(index.path)
    try:
        (got,) = reader.captures()
        assert len(reader.captures(on_disk=False)) == 2
    finally:
        reader.close()
    assert got.content_id == a and got.position == (38.7, -9.1) and got.camera == "Canon|R6|1"
    assert (
        got.signature == b"sig" and got.duplicate_of == a and got.context == '{"Dates/2024": 1.0}'
    )
    assert got.taken == "2024-06-12T19:05:00+01:00" and not got.taken_guessed
    missing = index.capture(b)
    assert missing is not None and missing.taken_guessed and missing.position is None
    assert index.context_pending()  # b's tags were never worked out
    index.set_context(b, "{}")
    assert not index.context_pending()
    # a new reading replaces the facts: its tags are to be worked out again
    index.set_capture(a, None, True, None, None, None, None)
    again = index.capture(a)
    assert again is not None and again.position is None and again.context is None
    assert index.context_pending()


class IndexBeforeObjects(LocalIndex):
    """The index as photo-tagger wrote it before it stored objects (schema 2)."""

    MIGRATIONS = index_schema.MIGRATIONS[:2]


def test_an_index_from_before_objects_is_upgraded_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with IndexBeforeObjects.open(path) as old:
        old.upsert_file("/p/a.jpg", 10, 100, PHOTO)
        old.set_photo(PHOTO, 4000, 3000, "t/a.jpg", "models@1")
        old.set_face_embeddings(PHOTO, np.ones((1, 128), np.float32))
    with sqlite3.connect(path) as conn:
        assert schema_version(conn) == 2
    with LocalIndex.open(path) as index:
        assert index.lookup("/p/a.jpg") == (10, 100, PHOTO)
        assert index.photo(PHOTO)["processed_by"] == "models@1"  # type: ignore[index]
        assert len(index.face_embeddings()[0]) == 1
        assert index.objects(PHOTO) == []  # none until the scan analyses it again
        index.set_objects(PHOTO, [("person", 0.8, (1.0, 2.0, 30.0, 40.0))])
    with LocalIndex.open(path) as index:
        assert index.objects(PHOTO) == [
            {"label": "person", "score": 0.8, "box": [1.0, 2.0, 30.0, 40.0]}
        ]
    conn = sqlite3.connect(path)
    assert schema_version(conn) == len(index_schema.MIGRATIONS) == 5
    conn.close()


def test_an_index_from_before_the_order_of_taking_is_upgraded(tmp_path: Path) -> None:
    """Schema 4 indexes capture times, which the grid is ordered by: an index from before gets
    the index of its photos as they are."""
    path = tmp_path / "index.sqlite3"

    class IndexBeforeTakenOrder(LocalIndex):
        MIGRATIONS = index_schema.MIGRATIONS[:3]

    with IndexBeforeTakenOrder.open(path) as old:
        old.upsert_file("/p/a.jpg", 10, 100, PHOTO)
        old.set_photo(PHOTO, 4000, 3000, "t/a.jpg", "models@1")
        old.set_capture(PHOTO, "2024-06-12T14:00:00", False, None, None, None, None)
    with LocalIndex.open(path):
        pass
    conn = sqlite3.connect(path)
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT content_id FROM captures ORDER BY taken DESC LIMIT 1"
    ).fetchall()
    conn.close()
    assert any("captures_by_taken" in str(step) for step in plan), plan


def test_photos_await_a_closer_look_until_these_models_looked_for_their_objects(
    tmp_path: Path,
) -> None:
    """Schema 5 records whose object detector looked at each photo. Photos of an index from
    before await a closer look with the models that analysed them; others' photos do not."""
    path = tmp_path / "index.sqlite3"

    class IndexBeforeCloserLook(LocalIndex):
        MIGRATIONS = index_schema.MIGRATIONS[:4]

    ids = [f"{i:032x}" for i in range(1, 8)]
    with IndexBeforeCloserLook.open(path) as old:
        for i, cid in enumerate(ids):
            old.upsert_file(f"/p/{i}.jpg", 10, 100, cid)
            old.set_photo(cid, 40, 30, None, "models@2" if i < 6 else "models@1")
        old.upsert_file("/p/copy-of-0.jpg", 10, 100, ids[0])
    with LocalIndex.open(path) as index:
        first = index.awaiting_closer_look("models@2", limit=4)
        assert [cid for cid, _ in first] == ids[:4]
        assert first[0][1] == ["/p/0.jpg", "/p/copy-of-0.jpg"]  # each of its files
        rest = index.awaiting_closer_look("models@2", after=first[-1][0], limit=4)
        assert [cid for cid, _ in rest] == ids[4:6]  # not the photo other models analysed
        index.set_objects_looked(ids[1], "models@2")
        index.set_objects_looked(ids[2], "models@1")  # looked at by other models: not these
        index.set_objects_looked(ids[3], None)
        awaiting = [cid for cid, _ in index.awaiting_closer_look("models@2")]
        assert awaiting == [ids[0], ids[2], ids[3], ids[4], ids[5]]
        plan = index._conn.execute(
            "EXPLAIN QUERY PLAN SELECT content_id FROM photos WHERE objects_by IS NOT "
            "processed_by AND processed_by = ? AND content_id > ? ORDER BY content_id LIMIT 9",
            ("models@2", ""),
        ).fetchall()
        assert any("photos_awaiting_objects" in str(step) for step in plan), plan


def test_objects_replace_a_photos_objects_best_first(index: LocalIndex) -> None:
    index.set_objects(PHOTO, [("dog", 0.9, (0, 0, 5, 5)), ("cat", 0.6, (5, 5, 9, 9))])
    index.set_objects(OTHER, [("cup", 0.7, (0, 0, 1, 1))])
    index.set_objects(PHOTO, [("horse", 0.8, (1, 1, 2, 2))])  # analysed again
    assert [o["label"] for o in index.objects(PHOTO)] == ["horse"]
    index.set_objects(OTHER, [])
    assert index.objects(OTHER) == []
