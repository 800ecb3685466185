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

from photo_tagger.app.scan import Importer, ScanReport
from photo_tagger.store.library import Library
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
T = TypeVar("T")
HANG = 300.0  # seconds: only a scan that hangs takes this long


@pytest.fixture(scope="module")
def models() -> Models:
    return Models.load(default_models_dir())


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
