"""GPS as cameras and tools really write it: a minute or a second of exactly 60 rolls over."""

from __future__ import annotations

import os
from pathlib import Path

import piexif
import pytest

from photo_tagger.context import read_capture
from tests.context.conftest import exif_block, jpeg_with_exif

EAST = {piexif.GPSIFD.GPSLongitudeRef: b"E", piexif.GPSIFD.GPSLongitude: ((2, 1), (0, 1), (0, 1))}


def latitude_of(tmp_path: Path, dms: tuple[tuple[int, int], ...]) -> float | None:
    gps = {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: dms, **EAST}
    photo = jpeg_with_exif(tmp_path, exif_block(gps=gps))
    facts = read_capture(photo.read_bytes(), os.stat(photo).st_mtime)
    return None if facts.position is None else facts.position[0]


@pytest.mark.parametrize(
    ("dms", "degrees"),
    [
        (((41, 1), (8, 1), (60, 1)), 41 + 9 / 60),  # ExifTool's 41 deg 8' 60"
        (((41, 1), (8, 1), (6000, 100)), 41 + 9 / 60),
        (((41, 1), (8, 1), (599999, 10000)), 41 + 8 / 60 + 59.9999 / 3600),  # just under 60
        (((41, 1), (60, 1), (0, 1)), 42.0),  # 60 minutes
        (((41, 1), (59, 1), (60, 1)), 42.0),  # both roll over
        (((41, 1), (5999, 100), (0, 1)), 41 + 59.99 / 60),
        (((89, 1), (59, 1), (60, 1)), 90.0),  # exactly the pole
    ],
)
def test_sixty_seconds_or_minutes_roll_over(
    tmp_path: Path, dms: tuple[tuple[int, int], ...], degrees: float
) -> None:
    assert latitude_of(tmp_path, dms) == pytest.approx(degrees, abs=1e-9)


@pytest.mark.parametrize(
    "dms",
    [
        ((41, 1), (8, 1), (6001, 100)),  # 60.01 seconds
        ((41, 1), (61, 1), (0, 1)),  # 61 minutes
        ((41, 1), (8, 1), (60, 0)),  # no number at all
        ((90, 1), (0, 1), (60, 1)),  # past the pole
        ((89, 1), (60, 1), (1, 1)),
    ],
)
def test_garbage_is_still_refused(tmp_path: Path, dms: tuple[tuple[int, int], ...]) -> None:
    assert latitude_of(tmp_path, dms) is None
