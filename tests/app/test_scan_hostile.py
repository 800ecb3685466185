"""A scan among files that are not what their names say: pipes, devices, names that are not
UTF-8, a disk that fills up. Each is skipped with its reason or ends the scan with a clear error;
the real photos are tagged and nothing half-stored is left."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from photo_tagger.app.export import export_sidecars
from photo_tagger.app.scan import Importer, ScanReport
from photo_tagger.errors import LibraryError
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
T = TypeVar("T")
HANG = 300.0  # seconds: only a scan that hangs takes this long


def in_thread(fn: Callable[[], T]) -> T:
    """`fn()` (a scan with its library), on a thread that a hang cannot keep the tests on."""
    out: list[T | BaseException] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), "the scan hung"
    result = out[0]
    if isinstance(result, BaseException):
        raise result
    return result


def test_pipes_and_devices_named_like_photos_are_skipped(tmp_path: Path, models: Models) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(PHOTOS / "coffee.jpg", photos / "coffee.jpg")
    os.mkfifo(photos / "x.jpg")
    (photos / "z.jpg").symlink_to("/dev/zero")

    def scan() -> ScanReport:
        with Library.open(tmp_path / "lib") as lib:
            return Importer(lib, models, workers=2).scan([photos])

    report = in_thread(scan)
    assert report.analysed == 1
    with Library.open(tmp_path / "lib") as lib:
        assert len(lib.document.photo_ids()) == 1
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert sorted(reasons) == ["x.jpg", "z.jpg"]
    assert "named pipe" in reasons["x.jpg"] and "device" in reasons["z.jpg"]
    with Library.open(tmp_path / "lib") as lib:
        assert sorted(Path(p).name for p, _, _ in lib.index.skipped()) == ["x.jpg", "z.jpg"]


def test_a_name_that_is_not_utf8_is_stored_as_it_is(tmp_path: Path, models: Models) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    odd = os.fsdecode(os.path.join(os.fsencode(photos), b"caf\xe9.jpg"))  # Latin-1 "café"
    shutil.copy(PHOTOS / "coffee.jpg", odd)
    shutil.copy(PHOTOS / "rocket.jpg", photos / "rocket.jpg")
    with Library.open(tmp_path / "lib") as lib:
        importer = Importer(lib, models, workers=2)
        first = importer.scan([photos])
        assert (first.analysed, first.skipped) == (2, [])
        row = lib.index.lookup(odd)
        assert row is not None and lib.index.paths_for(row[2]) == [odd]
        assert odd in lib.index.all_paths_under(str(photos))

        again = importer.scan([photos])  # nothing changed: nothing is read again
        assert (again.unchanged, again.analysed, again.known_content) == (2, 0, 0)

        lib.document.set_user_tag(row[2], "Coffee", True)
        report = export_sidecars(lib, lambda tag: 0.5)
        assert report.failed == []
        assert os.path.exists(os.fsencode(odd) + b".xmp")

        os.unlink(odd)
        gone = importer.scan([photos])
        assert gone.removed == 1 and lib.index.lookup(odd) is None
        assert lib.index.all_paths_under(str(photos)) == [str(photos / "rocket.jpg")]


def test_a_full_disk_ends_the_scan_with_nothing_half_stored(tmp_path: Path, models: Models) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("obama.jpg", "obama2.jpg", "coffee.jpg", "rocket.jpg", "biden.jpg"):
        shutil.copy(PHOTOS / name, photos / name)
    with Library.open(tmp_path / "lib") as lib:
        index = lib.index._conn  # the index's own connection: its size is what we cap

        def fill_the_disk(ids: list[str]) -> None:
            if ids:  # after the first photo: the index cannot grow by a single page
                pages = index.execute("PRAGMA page_count").fetchone()[0]
                index.execute(f"PRAGMA max_page_count = {pages}")

        importer = Importer(lib, models, workers=1, commit_every=1, commit_seconds=1e9)
        with pytest.raises(LibraryError, match="free some space and scan again"):
            importer.scan([photos], on_stored=fill_the_disk)
        stored = lib.document.photo_ids()
        assert 1 <= len(stored) < 5
        # every photo the document holds has its file in the index, and nothing more
        assert all(lib.index.paths_for(cid) for cid in stored)
        assert lib.index.photo_count() == len(stored)


def test_photos_whose_tags_the_full_disk_kept_out_of_the_library_are_stored_by_the_next_scan(
    tmp_path: Path, models: Models
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("obama.jpg", "coffee.jpg", "rocket.jpg"):
        shutil.copy(PHOTOS / name, photos / name)
    with Library.open(tmp_path / "lib") as lib:
        log = lib.log._conn  # the shared document's log: the index is written, the log is not

        def refuse_writes(ids: list[str]) -> None:
            if ids:  # after the first photo
                log.execute("PRAGMA query_only = ON")

        importer = Importer(lib, models, workers=1, commit_every=1, commit_seconds=1e9)
        with pytest.raises(LibraryError, match="free some space and scan again"):
            importer.scan([photos], on_stored=refuse_writes)
        log.execute("PRAGMA query_only = OFF")
    with Library.open(tmp_path / "lib") as lib:  # the photo whose tags were not saved is gone
        assert lib.index.photo_count() == 2 and len(lib.document.photo_ids()) == 1
        report = Importer(lib, models, workers=1).scan([photos])
        assert len(lib.document.photo_ids()) == 3
        assert all(lib.document.auto_tags(cid) for cid in lib.document.photo_ids())
        assert report.restored == 1
