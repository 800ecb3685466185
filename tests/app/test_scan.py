"""The scan use case step by step (plan, analyse with its commits, finish), with the real models
on the sample photos and a real library on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from photo_tagger.app.scan import Importer, Scan, ScanHooks
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
FOUR = ("obama.jpg", "obama2.jpg", "coffee.jpg", "rocket.jpg")
EXPECTED_FACES = json.loads((PHOTOS.parent / "expected_faces.json").read_text())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in FOUR:
        shutil.copy(PHOTOS / name, photos / name)
    (photos / "notes.jpg").write_text("not a photo")
    return photos


def test_each_step_does_its_part(tmp_path: Path, folder: Path, models: Models) -> None:
    stored: list[list[str]] = []
    with Library.open(tmp_path / "lib") as lib:
        # a batch every two photos, whatever the time (commit_seconds would commit sooner)
        importer = Importer(lib, models, workers=2, commit_every=2, commit_seconds=1e9)
        scan = Scan(importer, [folder], ScanHooks(on_stored=stored.append))

        scan.plan()
        assert scan.report.found == 5
        assert sorted(Path(st.path).name for st in scan.todo) == sorted([*FOUR, "notes.jpg"])
        assert not lib.document.photo_ids()  # planning stores nothing

        scan.analyse()
        assert scan.report.analysed == 4
        assert [Path(s.path).name for s in scan.report.skipped] == ["notes.jpg"]
        assert len(lib.document.photo_ids()) == 4
        # committed in batches of two, each heard by the caller once stored
        assert [len(ids) for ids in stored if ids] == [2, 2]
        assert scan.report.faces == sum(EXPECTED_FACES[name] for name in FOUR)
        unnamed = [f for cid in lib.document.photo_ids() for f in lib.document.faces(cid)[1]]
        assert len(unnamed) == scan.report.faces
        assert lib.document.people() == []  # people come in finish()

        scan.finish()
        assert scan.report.new_people >= 1
        obama = {lib.index.lookup(str(folder / n))[2] for n in ("obama.jpg", "obama2.jpg")}
        people = {lib.document.face_person(cid, 0)[0] for cid in obama}
        assert len(people) == 1  # the same man in two photos is one person
        assert [p for p, _, _ in lib.index.skipped()] == [str(folder / "notes.jpg")]
        assert scan.report.context is not None and scan.report.duplicates is not None


def test_a_second_scan_plans_only_what_changed(
    tmp_path: Path, folder: Path, models: Models
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=2)
        first = importer.scan([folder])
        assert first.analysed == 4
        (folder / "coffee.jpg").rename(folder / "moved-coffee.jpg")
        (folder / "rocket.jpg").unlink()

        scan = Scan(importer, [folder], ScanHooks())
        scan.plan()
        # the moved file is read again (to know its content); nothing else is
        assert sorted(Path(st.path).name for st in scan.todo) == ["moved-coffee.jpg", "notes.jpg"]
        assert scan.report.unchanged == 2
        scan.analyse()
        scan.finish()
        assert scan.report.analysed == 0
        assert scan.report.known_content == 1
        assert scan.report.removed == 1  # rocket.jpg, gone from disk
        assert len(lib.document.photo_ids()) == 4  # its tags stay in the document


def test_a_stopped_scan_keeps_what_it_stored(tmp_path: Path, folder: Path, models: Models) -> None:
    seen = []

    def stop() -> bool:
        return len(seen) >= 1

    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=1, commit_every=1)
        report = importer.scan([folder], on_progress=seen.append, should_stop=stop)
        # the photos read with the one that stopped it (5 photos on 1 thread: 2 at a time), and
        # the 2 in flight
        assert 1 <= report.analysed <= 4
        assert len(lib.document.photo_ids()) == report.analysed
        # what it kept is finished as a whole scan finishes it: dates, places, near-duplicates
        assert report.cancelled and report.planned == 5
        assert report.context is not None and report.context.updated == report.analysed
        assert report.duplicates is not None


def test_photos_read_together_keep_their_own_answers(tmp_path: Path, models: Models) -> None:
    """One thread reads 4 files a call (Analyzer.analyze_group): a file that is no photo, and a
    copy of a photo read in the same call, change nothing for the others beside them."""
    photos = tmp_path / "photos"
    photos.mkdir()
    names = ["a-obama.jpg", "b-notes.jpg", "c-coffee.jpg", "d-obama-copy.jpg"]
    names += ["e-group.jpg", "f-rocket.jpg", "g-chelsea.jpg", "h-astronaut.jpg"]
    sources = ["obama.jpg", None, "coffee.jpg", "obama.jpg"]
    sources += ["group.jpg", "rocket.jpg", "chelsea.jpg", "astronaut.jpg"]
    for name, source in zip(names, sources, strict=True):
        if source is None:
            (photos / name).write_bytes(b"\xff\xd8 not a photo")
        else:
            shutil.copy(PHOTOS / source, photos / name)
    with Library.open(tmp_path / "lib") as lib:
        report = Importer(lib, models, workers=1).scan([photos])
        assert report.analysed == 6 and report.known_content == 1
        assert [Path(s.path).name for s in report.skipped] == ["b-notes.jpg"]
        for name, source in zip(names, sources, strict=True):
            if source is None:
                continue
            cid = lib.index.lookup(str(photos / name))[2]
            assert len(lib.document.faces(cid)[1]) == EXPECTED_FACES[source], name
        # the same faces, and the same tags, as the photo gets alone
        one = tmp_path / "one"
        one.mkdir()
        shutil.copy(PHOTOS / "group.jpg", one / "group.jpg")
        with Library.open(tmp_path / "alone") as alone:
            Importer(alone, models, workers=1).scan([one])
            cid = alone.index.lookup(str(one / "group.jpg"))[2]
            assert lib.document.faces(cid) == alone.document.faces(cid)
            assert lib.document.auto_tags(cid) == alone.document.auto_tags(cid)
