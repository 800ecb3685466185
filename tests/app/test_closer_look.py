"""The closer look after a scan: the object detector on the photos the scan left it out of, with
what it finds stored as a scan stores it and nothing the user said touched (real models, real
photos, a real library on disk)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from photo_tagger.app.closer_look import awaiting, look_closer
from photo_tagger.app.scan import Importer
from photo_tagger.app.thresholds import models_threshold
from photo_tagger.errors import LibraryError
from photo_tagger.store.library import Library
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
# a portrait with a tie, a coffee, and a rocket in which the detector finds nothing: a scan leaves
# the detector out on all three
NAMES = ("biden.jpg", "coffee.jpg", "rocket.jpg")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in NAMES:
        shutil.copy(PHOTOS / name, photos / name)
    return photos


def photo_id(library: Library, path: Path) -> str:
    entry = library.index.lookup(str(path))
    assert entry is not None
    return entry[2]


def test_the_photos_a_scan_left_get_their_objects_and_keep_what_the_user_said(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    threshold = models_threshold(default_models_dir())
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=2)
        assert importer.scan([folder]).analysed == 3
        portrait = photo_id(lib, folder / "biden.jpg")
        waiting = {cid for cid, _ in awaiting(importer)}
        assert portrait in waiting and len(waiting) == 3
        assert lib.index.objects(portrait) == []
        assert "Clothing/Tie" not in lib.effective_tags(portrait, threshold)
        lib.document.set_user_tag(portrait, "Clothing/Suit", False)  # the user said: no suit
        lib.document.set_user_tag(portrait, "Speech", True)

        report = look_closer(importer)

        assert (report.looked, report.skipped, report.cancelled) == (3, [], False)
        labels = [o["label"] for o in lib.index.objects(portrait)]
        assert "tie" in labels and "person" in labels
        shown = lib.effective_tags(portrait, threshold)
        assert "Clothing/Tie" in shown  # the detector's tie, shown as its tag
        assert "Clothing/Suit" not in shown and shown["Speech"] == 1.0
        assert lib.auto_tags(portrait)["Clothing/Tie"]["model"] == models.tagger_id
        assert awaiting(importer) == []
        assert look_closer(importer).looked == 0  # each photo is looked at once


def test_a_photo_edited_since_the_scan_is_left_to_the_next_scan(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=2)
        importer.scan([folder])
        edited = folder / "coffee.jpg"
        before = photo_id(lib, edited)
        edited.write_bytes((PHOTOS / "chelsea.jpg").read_bytes())  # another picture now

        report = look_closer(importer)

        assert report.looked == 2
        (skipped,) = report.skipped
        assert skipped.path == str(edited) and "changed since the scan" in skipped.reason
        assert lib.index.objects(before) == []
        assert [cid for cid, _ in awaiting(importer)] == [before]
        importer.scan([folder])  # the scan analyses the new content; the old one is gone
        assert {cid for cid, _ in awaiting(importer)} == {photo_id(lib, edited)}


def test_a_closer_look_stopped_keeps_what_it_stored_and_the_rest_waits(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    for name in ("obama2.jpg", "obama.jpg", "obama3.jpg", "astronaut.jpg", "group.jpg"):
        shutil.copy(PHOTOS / name, folder / name)
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=1, commit_every=1)
        importer.scan([folder])
        assert len(awaiting(importer)) == 8
        stored: list[str] = []

        report = look_closer(importer, should_stop=lambda: bool(stored), on_stored=stored.extend)

        assert report.cancelled and report.looked == len(stored) >= 1
        left = {cid for cid, _ in awaiting(importer)}
        assert left and not left & set(stored)
        assert look_closer(importer).looked == len(left)


def test_an_unreadable_photo_is_reported_in_words_and_waits(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=2)
        importer.scan([folder])
        gone = folder / "biden.jpg"
        gone.unlink()
        gone.mkdir()  # a folder where the photo was: it cannot be read

        report = look_closer(importer)

        (skipped,) = report.skipped
        assert skipped.path == str(gone) and "it is a folder" in skipped.reason
        assert "Traceback" not in skipped.reason
        assert len(awaiting(importer)) == 1


def test_a_full_disk_stops_the_closer_look_in_words_and_the_photos_wait(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=1, commit_every=1, commit_seconds=1e9)
        importer.scan([folder])
        waiting = {cid for cid, _ in awaiting(importer)}
        log = lib.log._conn  # the shared document's log: it takes no more writes
        log.execute("PRAGMA query_only = ON")

        with pytest.raises(LibraryError, match="free some space and look again"):
            look_closer(importer)

        log.execute("PRAGMA query_only = OFF")
        portrait = photo_id(lib, folder / "biden.jpg")  # its tie's tag could not be stored
        left = {cid for cid, _ in awaiting(importer)}
        assert portrait in left and left <= waiting  # not marked as looked at
        assert lib.index.objects(portrait) == []
        assert look_closer(importer).looked == len(left)
        assert awaiting(importer) == []
        assert "Clothing/Tie" in lib.auto_tags(portrait)
