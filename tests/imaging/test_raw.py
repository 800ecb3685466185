"""RAW files: real DNGs (written by tests/imaging/dng.py from the sample photos) through LibRaw."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from photo_tagger.errors import CorruptImageError, ImageTooLargeError, UnsupportedImageError
from photo_tagger.files.formats import pair_key
from photo_tagger.imaging.decode import apply_orientation
from photo_tagger.imaging.formats import RawFormat, is_raw
from photo_tagger.imaging.raw import decode_raw
from tests.imaging.dng import write_dng

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """group.jpg, 1280 x 886: even sizes, as a sensor's are."""
    rgb = np.asarray(Image.open(PHOTOS / "group.jpg").convert("RGB"))
    assert rgb.shape == (886, 1280, 3)
    return rgb


def likeness(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of two photos' grey images, `b` resized to `a`."""
    b = cv2.resize(b, (a.shape[1], a.shape[0]), interpolation=cv2.INTER_AREA)
    ga, gb = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(np.float64).ravel() for x in (a, b))
    return float(np.corrcoef(ga, gb)[0, 1])


def test_sensor_data_is_developed_like_the_photo(photo: np.ndarray) -> None:
    img = decode_raw(write_dng(photo), target_side=500)
    assert img.format == "RAW"
    assert (img.width, img.height) == (1280, 886)
    assert img.rgb.dtype == np.uint8
    assert img.rgb.shape == (443, 640, 3)  # half size: 2 x 2 Bayer blocks, within 1.5x of 500
    assert likeness(img.rgb, photo) > 0.98
    # the white balance and colour matrix bring the colours back, not just the shapes
    small = cv2.resize(photo, (640, 443), interpolation=cv2.INTER_AREA).astype(np.float64)
    assert np.abs(img.rgb.astype(np.float64) - small).mean() < 15
    assert np.abs(img.rgb.mean(axis=(0, 1)) - small.mean(axis=(0, 1))).max() < 10


def test_large_developed_raw_is_shrunk_to_target(photo: np.ndarray) -> None:
    img = decode_raw(write_dng(photo), target_side=200)
    assert max(img.rgb.shape[:2]) == 200
    assert (img.width, img.height) == (1280, 886)


def test_embedded_preview_is_used_when_large_enough(photo: np.ndarray) -> None:
    """A negative as the preview tells which one was decoded."""
    negative = 255 - photo
    img = decode_raw(write_dng(photo, preview=negative), target_side=500)
    assert likeness(img.rgb, photo) < -0.95
    assert (img.width, img.height) == (1280, 886)
    assert max(img.rgb.shape[:2]) == 640  # the JPEG decoded at 1/2 scale, as decode() does
    bitmap = decode_raw(write_dng(photo, preview=negative, preview_jpeg=False), 500)
    assert likeness(bitmap.rgb, photo) < -0.95


def test_small_or_misshapen_preview_is_not_used(photo: np.ndarray) -> None:
    small = cv2.resize(255 - photo, (320, 222), interpolation=cv2.INTER_AREA)
    img = decode_raw(write_dng(photo, preview=small), target_side=500)
    assert likeness(img.rgb, photo) > 0.98
    # a preview stored already turned (its shape is not the sensor's) is not trusted either
    turned = np.ascontiguousarray(np.rot90(255 - photo))
    img = decode_raw(write_dng(photo, preview=turned, orientation=6), target_side=500)
    assert likeness(img.rgb, np.rot90(photo, -1)) > 0.98


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("with_preview", [False, True])
def test_orientation_is_applied(photo: np.ndarray, orientation: int, with_preview: bool) -> None:
    preview = photo if with_preview else None
    upright = decode_raw(write_dng(photo, preview=preview), target_side=500).rgb
    img = decode_raw(write_dng(photo, orientation=orientation, preview=preview), 500)
    expected = apply_orientation(upright, orientation)
    assert img.rgb.shape == expected.shape
    assert np.abs(img.rgb.astype(int) - expected.astype(int)).mean() < 1
    turned = orientation in (5, 6, 7, 8)
    assert (img.width, img.height) == ((886, 1280) if turned else (1280, 886))


def test_preview_orientation_follows_the_raw_not_its_own_exif(photo: np.ndarray) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # the preview claims to be turned; the RAW says it is not
    buf = io.BytesIO()
    Image.fromarray(255 - photo).save(buf, "JPEG", quality=90, exif=exif)
    img = decode_raw(write_dng(photo, preview=buf.getvalue()), target_side=500)
    assert img.rgb.shape[:2] == (443, 640)
    assert likeness(img.rgb, photo) < -0.95
    turned = decode_raw(write_dng(photo, preview=buf.getvalue(), orientation=8), 500)
    assert likeness(turned.rgb, np.rot90(photo)) < -0.95


@pytest.mark.parametrize("with_preview", [False, True])
def test_truncated_raw_is_a_clear_error(photo: np.ndarray, with_preview: bool) -> None:
    data = write_dng(photo, preview=255 - photo if with_preview else None)
    with pytest.raises(CorruptImageError, match="truncated RAW"):
        decode_raw(data[: len(data) // 2])
    if not with_preview:
        with pytest.raises(CorruptImageError, match="truncated RAW"):
            decode_raw(data[:-1000])


def test_damaged_preview_falls_back_to_the_sensor_data(photo: np.ndarray) -> None:
    data = write_dng(photo, preview=255 - photo)  # the preview JPEG is the file's last part
    img = decode_raw(data[:-1000], target_side=500)
    assert likeness(img.rgb, photo) > 0.98


def test_bad_files_are_clear_errors(photo: np.ndarray) -> None:
    with pytest.raises(CorruptImageError, match="empty"):
        decode_raw(b"")
    with pytest.raises(UnsupportedImageError, match="not a RAW"):
        decode_raw(b"this is not a photo" * 50)
    with pytest.raises(UnsupportedImageError, match="not a RAW"):
        decode_raw((PHOTOS / "rocket.jpg").read_bytes())
    with pytest.raises(ImageTooLargeError, match="megapixels"):
        decode_raw(write_dng(photo), max_pixels=1_000_000)


def test_suffixes_and_pairs() -> None:
    RAW_SUFFIXES = set(RawFormat.suffixes)
    assert all(s.startswith(".") and s == s.lower() for s in RAW_SUFFIXES)
    assert {".cr2", ".cr3", ".nef", ".arw", ".dng", ".raf", ".orf", ".rw2", ".pef", ".srw"} <= (
        RAW_SUFFIXES
    )
    assert is_raw("/p/IMG_0001.CR2") and is_raw(Path("a.dng"))
    assert not is_raw("/p/IMG_0001.JPG")
    key = pair_key("/photos/2024/IMG_0001.CR2")
    assert key is not None
    assert pair_key("/photos/2024/IMG_0001.JPG") == key
    assert pair_key("/photos/2024/img_0001.heic") == key
    assert pair_key("/photos/2024/IMG_0002.JPG") != key
    assert pair_key("/photos/2025/IMG_0001.JPG") != key
    assert pair_key("/photos/2024/IMG_0001.png") is None
    assert pair_key("/photos/2024/IMG_0001.mov") is None
