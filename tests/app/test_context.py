"""A scan's context tags end to end: photos with EXIF written by the test, real models, a real
library; places, dates, events and borrowed places as the user sees them, with no network."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from photo_tagger.app.context import update_context
from photo_tagger.app.scan import Importer
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models
from tests.context.conftest import LISBON, NEW_YORK, SAMPLES, exif_block, jpeg_with_exif

SAMPLE = {p.stem: p for p in SAMPLES}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the network fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scan tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def photo(folder: Path, sample: str, name: str, **exif: object) -> Path:
    return jpeg_with_exif(folder, exif_block(**exif), SAMPLE[sample], name)  # type: ignore[arg-type]


def tags_of(lib: Library, name: str) -> dict[str, float]:
    cid = next(
        c for c in lib.document.photo_ids() if any(p.endswith(name) for p in lib.index.paths_for(c))
    )
    auto = lib.auto_tags(cid)
    return {t: a["score"] for t, a in auto.items() if a["source"] == "photo"}


def test_places_dates_events_and_borrowed_places(
    tmp_path: Path, models: Models, no_network: None
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    canon = {"make": "Canon", "model": "EOS R6", "serial": "0421"}
    photo(
        folder,
        "chelsea",
        "a.jpg",
        taken="2024:06:12 19:05:00",
        offset="+01:00",
        position=LISBON,
        **canon,
    )
    photo(folder, "coffee", "b.jpg", taken="2024:06:12 19:20:00", position=LISBON, **canon)
    photo(folder, "rocket", "c.jpg", taken="2024:06:12 19:22:30", **canon)  # no fix
    photo(
        folder, "astronaut", "d.jpg", taken="2024:06:12 19:40:00", make="Apple", model="iPhone 15"
    )
    photo(folder, "motorcycle", "e.jpg", taken="2023:12:24 10:00:00", position=NEW_YORK, **canon)
    (folder / "f.jpg").write_bytes(SAMPLE["biden"].read_bytes())  # carries nothing

    with Library.open(tmp_path / "lib") as lib:
        report = Importer(lib, models).scan([folder])
        assert report.analysed == 6 and not report.skipped
        assert report.context is not None
        assert report.context.events == 1 and report.context.borrowed_places == 1

        a = tags_of(lib, "a.jpg")
        assert a["Places/Portugal"] == a["Places/Portugal/Lisbon"] == 1.0
        assert a["Dates/2024"] == a["Dates/2024/2024-06"] == 1.0
        assert a["Time of day/Evening"] == 1.0 and a["Seasons/Summer"] == 1.0
        event = [t for t in a if t.startswith("Events/")]
        assert event == ["Events/2024/2024-06-12 Lisbon"]
        for name in ("b.jpg", "c.jpg", "d.jpg"):  # the same evening, same event
            assert tags_of(lib, name)[event[0]] == 1.0
        # c.jpg had no fix: the same camera's photo 2.5 minutes before lends its place, as a
        # suggestion; the phone's photo (another camera) gets none
        c = tags_of(lib, "c.jpg")
        assert c["Places/Portugal/Lisbon"] == 0.6 and c["Dates/2024/2024-06"] == 1.0
        assert not any(t.startswith("Places/") for t in tags_of(lib, "d.jpg"))
        e = tags_of(lib, "e.jpg")
        assert e["Places/United States/New York/New York City"] == 1.0
        assert e["Seasons/Winter"] == 1.0 and e["Time of day/Morning"] == 1.0
        assert not any(t.startswith("Events/") for t in e)  # one photo is not an occasion
        f = tags_of(lib, "f.jpg")
        assert set(f) == {t for t in f if t.startswith("Dates/")} and set(f.values()) == {0.5}

        # shown as the user sees them: facts and suggestions alike, whatever the threshold
        cid_c = next(
            c for c in lib.document.photo_ids() if lib.index.paths_for(c)[0].endswith("c.jpg")
        )
        effective = lib.effective_tags(cid_c, lambda tag: 0.99)
        assert effective["Places/Portugal/Lisbon"] == 0.6

        # the user says c.jpg was not in Lisbon: that stays, whatever is worked out later
        lib.document.set_user_tag(cid_c, "Places/Portugal/Lisbon", False)
        photo(folder, "obama", "g.jpg", taken="2024:06:12 20:10:00", position=LISBON, **canon)
        report = Importer(lib, models).scan([folder])
        assert report.analysed == 1
        assert report.context is not None and report.context.events == 1
        assert tags_of(lib, "g.jpg")[event[0]] == 1.0  # the event keeps its name and grows
        assert "Places/Portugal/Lisbon" not in lib.effective_tags(cid_c, lambda t: 0.5)

        # nothing changed: nothing is worked out or written again
        before = lib.log.last_row_id()
        report = Importer(lib, models).scan([folder])
        assert report.context is None and report.duplicates is None
        assert update_context(lib).updated == 0
        assert lib.log.last_row_id() == before


def test_near_duplicates_are_grouped_and_the_best_is_kept(tmp_path: Path, models: Models) -> None:
    import cv2

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("chelsea", "coffee", "rocket", "astronaut"):
        (folder / f"{name}.jpg").write_bytes(SAMPLE[name].read_bytes())
    bgr = cv2.imread(str(SAMPLE["chelsea"]))
    half = cv2.resize(bgr, (bgr.shape[1] // 2, bgr.shape[0] // 2), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(folder / "chelsea-small.jpg"), half)
    cv2.imwrite(str(folder / "chelsea-q40.jpg"), bgr, [cv2.IMWRITE_JPEG_QUALITY, 40])

    with Library.open(tmp_path / "lib") as lib:
        report = Importer(lib, models).scan([folder])
        assert report.duplicates is not None
        assert (report.duplicates.groups, report.duplicates.photos) == (1, 3)
        name_of = {c: Path(lib.index.paths_for(c)[0]).name for c in lib.document.photo_ids()}
        keep = {name_of[c.content_id]: c.duplicate_of for c in lib.index.captures()}
        original = next(c for c, n in name_of.items() if n == "chelsea.jpg")
        group = {n for n, k in keep.items() if k is not None}
        assert group == {"chelsea.jpg", "chelsea-small.jpg", "chelsea-q40.jpg"}
        # the full-size, least compressed copy is the one to keep
        assert {keep[n] for n in group} == {original}

        # a copy deleted: the group shrinks at the next scan
        (folder / "chelsea-q40.jpg").unlink()
        (folder / "chelsea-small.jpg").unlink()
        report = Importer(lib, models).scan([folder])
        assert report.duplicates is not None and report.duplicates.groups == 0
        assert all(c.duplicate_of is None for c in lib.index.captures())


def test_the_window_works_out_the_library_in_a_child_process(
    tmp_path: Path, models: Models
) -> None:
    """The same changes, worked out in a child process (as the window has it) as here."""
    from photo_tagger.app.calls import run_in_child_process
    from photo_tagger.app.context import context_changes

    folder = tmp_path / "photos"
    folder.mkdir()
    canon = {"make": "Canon", "model": "EOS R6"}
    for i, sample in enumerate(("chelsea", "coffee", "rocket")):
        photo(
            folder,
            sample,
            f"{sample}.jpg",
            taken=f"2024:06:12 19:0{i}:00",
            position=LISBON,
            **canon,
        )
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, run_library_wide=run_in_child_process)
        report = importer.scan([folder])
        assert report.context is not None and report.context.events == 1
        assert report.context.updated == 3
        lib.index.set_capture(
            lib.document.photo_ids()[0], None, True, None, None, None, None
        )  # as if read again, now without GPS: its tags are worked out anew
        here, _ = context_changes(lib.index.path)
        there, _ = run_in_child_process(context_changes, lib.index.path)
        assert here == there and len(here) == 3  # the event has only two photos with a date now


def test_raw_files_are_tagged_and_a_raw_jpeg_pair_is_one_photo(
    tmp_path: Path, models: Models
) -> None:
    import cv2

    from tests.imaging.dng import write_dng

    folder = tmp_path / "photos"
    folder.mkdir()

    def rgb(name: str) -> np.ndarray:  # the mosaic wants even sides
        img = cv2.cvtColor(cv2.imread(str(SAMPLE[name])), cv2.COLOR_BGR2RGB)
        return img[: img.shape[0] // 2 * 2, : img.shape[1] // 2 * 2]

    cat = rgb("chelsea")
    (folder / "IMG_0001.DNG").write_bytes(write_dng(cat))  # a RAW alone, no preview
    bike = rgb("motorcycle")
    (folder / "IMG_0002.dng").write_bytes(write_dng(bike, preview=bike))
    (folder / "IMG_0002.JPG").write_bytes(SAMPLE["motorcycle"].read_bytes())  # its twin
    (folder / "IMG_0003.nef").write_bytes(b"not a raw at all")

    with Library.open(tmp_path / "lib") as lib:
        report = Importer(lib, models).scan([folder])
        assert report.found == 4 and report.analysed == 2 and report.raw_with_twin == 1
        assert not report.metadata_problems  # no note for a RAW without XMP of its own
        assert [
            (Path(s.path).name, "RAW" in s.reason or "raw" in s.reason) for s in report.skipped
        ] == [("IMG_0003.nef", True)]
        assert lib.document.photo_count() == 2
        by_name = {
            Path(p).name: c for c in lib.document.photo_ids() for p in lib.index.paths_for(c)
        }
        assert by_name["IMG_0002.dng"] == by_name["IMG_0002.JPG"]  # one photo, two files
        raw_alone = by_name["IMG_0001.DNG"]
        tags = lib.effective_tags(raw_alone, lambda tag: 0.3)
        assert "Animals/Cat" in tags, tags
        photo = lib.index.photo(raw_alone)
        assert photo is not None and (photo["width"], photo["height"]) == (
            cat.shape[1],
            cat.shape[0],
        )
        thumbnail = lib.thumbs_dir / photo["thumbnail"]
        assert thumbnail.stat().st_size > 1000

        # a rescan changes nothing; the JPEG gone, the RAW still holds the photo and its tags
        assert Importer(lib, models).scan([folder]).analysed == 0
        (folder / "IMG_0002.JPG").unlink()
        report = Importer(lib, models).scan([folder])
        assert report.removed == 0 and lib.index.paths_for(by_name["IMG_0002.dng"]) == [
            str(folder / "IMG_0002.dng")
        ]
