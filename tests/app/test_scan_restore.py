"""A rescan restores what the shared document lost: another device (or anyone holding a sync token)
sends a valid update that removes photos' records, tags, faces and people; the next scan of the
files analyses those photos again, and keeps every user edit the document still holds. Real
models on the sample photos, a real library on disk, the wipe applied as a synced update."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Map

from photo_tagger.app.scan import Importer
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models
from tests.store.hostile import remove_everything, write_as_peer

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
FOUR = ("obama.jpg", "obama2.jpg", "coffee.jpg", "rocket.jpg")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in FOUR:
        shutil.copy(PHOTOS / name, photos / name)
    return photos


def analysis(lib: Library, cid: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return lib.document.auto_tags(cid), lib.document.faces(cid)[1]


def same_analysis(
    got: tuple[dict[str, Any], list[dict[str, Any]]],
    want: tuple[dict[str, Any], list[dict[str, Any]]],
) -> bool:
    """The same model tags and the same faces (boxes to a fraction of a pixel)."""
    (tags, faces), (want_tags, want_faces) = got, want
    return (
        tags == want_tags
        and len(faces) == len(want_faces)
        and all(
            f["box"] == pytest.approx(w["box"], abs=0.5)
            for f, w in zip(faces, want_faces, strict=True)
        )
    )


def ids_by_name(lib: Library, folder: Path) -> dict[str, str]:
    return {name: lib.index.lookup(str(folder / name))[2] for name in FOUR}  # type: ignore[index]


def test_a_rescan_restores_what_another_device_wiped(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=2)
        assert importer.scan([folder]).analysed == 4
        ids = ids_by_name(lib, folder)
        before = {name: analysis(lib, cid) for name, cid in ids.items()}
        assert before["obama.jpg"][1] and before["coffee.jpg"][0]

        write_as_peer(lib, remove_everything)
        assert lib.document.photo_ids() == [] and lib.document.people() == []

        report = importer.scan([folder])
        # every photo is back in the shared document, as the models found it
        assert sorted(lib.document.photo_ids()) == sorted(ids.values())
        for name, cid in ids.items():
            assert same_analysis(analysis(lib, cid), before[name]), name
        # the faces are people again: obama's two photos one person
        obama = {lib.document.face_person(ids[n], 0) for n in ("obama.jpg", "obama2.jpg")}
        assert len(obama) == 1 and None not in obama
        assert report.restored == 4 and report.analysed == 4 and report.unchanged == 0
        assert report.new_people >= 1

        again = importer.scan([folder])  # nothing more was lost: nothing is redone
        assert (again.restored, again.analysed, again.unchanged) == (0, 0, 4)


def test_a_partial_wipe_is_restored_and_every_user_edit_still_there_kept(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=2)
        importer.scan([folder])
        ids = ids_by_name(lib, folder)
        doc = lib.document
        before = {name: analysis(lib, cid) for name, cid in ids.items()}
        rocket_top = max(before["rocket.jpg"][0], key=lambda t: before["rocket.jpg"][0][t]["score"])
        doc.set_user_tag(ids["coffee.jpg"], "Mornings", True)  # a photo the wipe spares
        doc.set_user_tag(ids["rocket.jpg"], rocket_top, False)  # the user removed a model tag
        doc.set_user_tag(ids["rocket.jpg"], "Space", True)
        ana = doc.new_person("Ana")
        doc.confirm_person(ids["obama.jpg"], 0, ana)

        def wipe_some(roots: dict[str, Map]) -> None:
            del roots["photos"][ids["rocket.jpg"]]  # its record, not its user tags
            del roots["photos"][ids["obama2.jpg"]]
            record = json.loads(roots["photos"][ids["obama.jpg"]])
            roots["photos"][ids["obama.jpg"]] = json.dumps({**record, "faces": None})

        write_as_peer(lib, wipe_some)
        assert doc.faces(ids["obama.jpg"]) == (None, [])
        report = importer.scan([folder])

        for name, cid in ids.items():
            assert same_analysis(analysis(lib, cid), before[name]), name
        assert report.restored == 3 and report.unchanged == 1
        # what the user said stays: on the spared photo, on the restored ones
        assert doc.user_tags(ids["coffee.jpg"]) == {"Mornings": True}
        assert doc.user_tags(ids["rocket.jpg"]) == {rocket_top: False, "Space": True}
        effective = doc.effective_tags(ids["rocket.jpg"], lambda tag: 0.0)
        assert rocket_top not in effective and effective["Space"] == 1.0
        assert doc.face_person(ids["obama.jpg"], 0) == (ana, True)  # the face found again


def test_a_file_moved_after_a_wipe_is_restored_in_the_same_scan(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=2)
        importer.scan([folder])
        ids = ids_by_name(lib, folder)
        before = analysis(lib, ids["coffee.jpg"])
        write_as_peer(lib, remove_everything)
        (folder / "coffee.jpg").rename(folder / "moved-coffee.jpg")

        report = importer.scan([folder])
        assert same_analysis(analysis(lib, ids["coffee.jpg"]), before)
        assert lib.index.paths_for(ids["coffee.jpg"]) == [str(folder / "moved-coffee.jpg")]
        assert report.restored == 4 and report.known_content == 1
        assert importer.scan([folder]).analysed == 0
