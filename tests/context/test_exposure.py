"""The lens and exposure a photo's EXIF records, for the Info panel: what makes sense is read, what
does not is None, and nothing raises, whatever the bytes."""

from __future__ import annotations

import os
from pathlib import Path

import piexif
import pytest

from photo_tagger.context.exposure import Shot, read_shot
from tests.context.conftest import exif_block, jpeg_with_exif

E = piexif.ExifIFD


def shot_of(tmp_path: Path, entries: dict[int, object]) -> Shot:
    return read_shot(jpeg_with_exif(tmp_path, exif_block(exif=entries)).read_bytes())


def test_a_camera_s_exposure_is_read(tmp_path: Path) -> None:
    shot = shot_of(
        tmp_path,
        {
            E.ExposureTime: (1, 250),
            E.FNumber: (28, 10),
            E.ISOSpeedRatings: 400,
            E.FocalLength: (50, 1),
            E.FocalLengthIn35mmFilm: 80,
            E.LensMake: b"Canon",
            E.LensModel: b"RF 50mm F1.8 STM",
        },
    )
    assert shot == Shot("Canon RF 50mm F1.8 STM", 0.004, 2.8, 400, 50.0, 80)
    assert shot.shutter == "1/250 s"


@pytest.mark.parametrize(
    ("seconds", "text"), [(1 / 8000, "1/8000 s"), (0.5, "0.5 s"), (2.5, "2.5 s"), (30, "30 s")]
)
def test_shutter_times_read_as_cameras_print_them(seconds: float, text: str) -> None:
    assert Shot(seconds=seconds).shutter == text


def test_nonsense_values_are_left_out(tmp_path: Path) -> None:
    shot = shot_of(
        tmp_path,
        {
            E.ExposureTime: (1, 0),  # a zero denominator
            E.FNumber: (5000, 1),  # f/5000
            E.ISOSpeedRatings: 0,
            E.FocalLength: (0, 1),
            E.LensModel: b"\x00\x01\x02",  # not text
        },
    )
    assert shot.empty


def test_the_lens_make_is_not_said_twice(tmp_path: Path) -> None:
    shot = shot_of(tmp_path, {E.LensMake: b"Apple", E.LensModel: b"Apple iPhone 15 back camera"})
    assert shot.lens == "Apple iPhone 15 back camera"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xd8\xff",
        b"II*\x00" + b"\xff" * 64,
        b"MM\x00*\x00\x00\x00\x08" + os.urandom(500),
        b"\x00\x00\x00\x18ftypheic" + os.urandom(200),
        os.urandom(4096),
    ],
)
def test_garbage_gives_an_empty_shot(data: bytes) -> None:
    assert read_shot(data).empty
