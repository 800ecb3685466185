"""Reading capture time, GPS and camera from real photo files, and surviving junk EXIF."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import piexif
import pillow_heif
import pytest
from PIL import Image

from photo_tagger.context import Camera, CaptureFacts, read_capture
from tests.context.conftest import (
    LISBON,
    SAMPLES,
    SYDNEY,
    exif_block,
    jpeg_with_exif,
)

MTIME = 1_718_000_000.0  # 2024-06-10, in whatever zone this machine is in


def facts_of(path: Path) -> CaptureFacts:
    return read_capture(path.read_bytes(), os.stat(path).st_mtime)


def test_original_time_with_offset_is_aware(tmp_path: Path) -> None:
    photo = jpeg_with_exif(tmp_path, exif_block(taken="2024:06:12 20:45:10", offset="+01:00"))
    facts = facts_of(photo)
    assert facts.taken == datetime(2024, 6, 12, 20, 45, 10, tzinfo=timezone(timedelta(hours=1)))
    assert facts.taken.utcoffset() == timedelta(hours=1)
    assert (facts.taken_guessed, facts.taken_from) == (False, "DateTimeOriginal")


def test_original_time_without_offset_is_the_naive_wall_clock(tmp_path: Path) -> None:
    photo = jpeg_with_exif(tmp_path, exif_block(taken="2024:06:12 20:45:10"), mtime=MTIME)
    facts = facts_of(photo)
    assert facts.taken == datetime(2024, 6, 12, 20, 45, 10)
    assert facts.taken.tzinfo is None
    assert not facts.taken_guessed


def test_negative_and_half_hour_offsets(tmp_path: Path) -> None:
    for offset, hours in (("-05:00", -5.0), ("+05:30", 5.5), ("+05:45", 5.75)):
        photo = jpeg_with_exif(tmp_path, exif_block(taken="2024:01:02 03:04:05", offset=offset))
        taken = facts_of(photo).taken
        assert taken is not None and taken.utcoffset() == timedelta(hours=hours)


def test_sub_seconds_order_a_burst(tmp_path: Path) -> None:
    block = exif_block(taken="2024:06:12 20:45:10", exif={piexif.ExifIFD.SubSecTimeOriginal: b"25"})
    taken = facts_of(jpeg_with_exif(tmp_path, block)).taken
    assert taken == datetime(2024, 6, 12, 20, 45, 10, 250_000)


def test_digitized_then_modified_time_stand_in_for_a_missing_original(tmp_path: Path) -> None:
    digitized = exif_block(exif={piexif.ExifIFD.DateTimeDigitized: b"2023:05:01 10:00:00"})
    facts = facts_of(jpeg_with_exif(tmp_path, digitized, name="digitized.jpg", mtime=MTIME))
    assert (facts.taken, facts.taken_from) == (datetime(2023, 5, 1, 10), "DateTimeDigitized")

    modified = exif_block(ifd0={piexif.ImageIFD.DateTime: b"2022:04:03 09:08:07"})
    facts = facts_of(jpeg_with_exif(tmp_path, modified, name="modified.jpg", mtime=MTIME))
    assert (facts.taken, facts.taken_from) == (datetime(2022, 4, 3, 9, 8, 7), "DateTime")
    assert not facts.taken_guessed


def test_no_date_falls_back_to_the_file_time_marked_as_a_guess(tmp_path: Path) -> None:
    photo = jpeg_with_exif(tmp_path, exif_block(make="Canon"), mtime=MTIME)
    facts = facts_of(photo)
    assert facts.taken == datetime.fromtimestamp(MTIME)
    assert (facts.taken_guessed, facts.taken_from) == (True, "file")
    assert read_capture(photo.read_bytes(), None).taken is None


def test_the_sample_photos_have_no_exif_and_get_only_the_file_time() -> None:
    for sample in SAMPLES:
        facts = read_capture(sample.read_bytes(), MTIME)
        assert facts == CaptureFacts(
            taken=datetime.fromtimestamp(MTIME), taken_guessed=True, taken_from="file"
        )


@pytest.mark.parametrize(
    ("position", "expected"),
    [(LISBON, LISBON), (SYDNEY, SYDNEY), ((40.7580, -73.9855), (40.7580, -73.9855))],
)
def test_gps_in_decimal_degrees_with_hemispheres_applied(
    tmp_path: Path, position: tuple[float, float], expected: tuple[float, float]
) -> None:
    facts = facts_of(jpeg_with_exif(tmp_path, exif_block(position=position)))
    assert facts.position == pytest.approx(expected, abs=1e-5)


def test_camera_identity_includes_the_body_serial(tmp_path: Path) -> None:
    block = exif_block(make="NIKON CORPORATION", model="NIKON D750", serial="6012345")
    camera = facts_of(jpeg_with_exif(tmp_path, block)).camera
    assert camera == Camera("NIKON CORPORATION", "NIKON D750", "6012345")
    assert camera.key == "NIKON CORPORATION|NIKON D750|6012345"
    padded = exif_block(make="Canon\x00\x00  ", model="  Canon EOS R5 ")
    camera = facts_of(jpeg_with_exif(tmp_path, padded, name="padded.jpg")).camera
    assert camera == Camera("Canon", "Canon EOS R5", None)


@pytest.mark.parametrize(
    "value",
    [
        b"0000:00:00 00:00:00",
        b"    :  :     :  :  ",
        b"2024:13:45 99:99:99",
        b"2023:02:29 10:00:00",
        b"1601:01:01 00:00:00",
        b"yesterday",
        b"\xff\xfe\xfd\x00",
        b"",
    ],
)
@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # the empty one
def test_junk_dates_fall_back_to_the_file_time(tmp_path: Path, value: bytes) -> None:
    block = exif_block(exif={piexif.ExifIFD.DateTimeOriginal: value})
    facts = facts_of(jpeg_with_exif(tmp_path, block, mtime=MTIME))
    assert facts.taken == datetime.fromtimestamp(MTIME)
    assert facts.taken_guessed


@pytest.mark.parametrize("offset", ["+25:00", "+01:07", "01:00", "local", "+1:00:00"])
def test_junk_offsets_leave_the_wall_clock_naive(tmp_path: Path, offset: str) -> None:
    photo = jpeg_with_exif(tmp_path, exif_block(taken="2024:06:12 20:45:10", offset=offset))
    assert facts_of(photo).taken == datetime(2024, 6, 12, 20, 45, 10)


@pytest.mark.parametrize(
    "gps",
    [
        {piexif.GPSIFD.GPSLatitude: ((38, 0), (43, 0), (0, 0))},  # zero denominators
        {piexif.GPSIFD.GPSLatitude: ((95, 1), (0, 1), (0, 1))},  # beyond the pole
        {piexif.GPSIFD.GPSLongitude: ((181, 1), (0, 1), (0, 1))},
        {piexif.GPSIFD.GPSLatitude: ((38, 1), (75, 1), (0, 1))},  # 75 minutes
        {piexif.GPSIFD.GPSLatitudeRef: b"X"},
        {piexif.GPSIFD.GPSLongitudeRef: b""},
        {piexif.GPSIFD.GPSStatus: b"V"},  # the receiver said: no fix
        {
            piexif.GPSIFD.GPSLatitude: ((0, 1), (0, 1), (0, 1)),
            piexif.GPSIFD.GPSLongitude: ((0, 1), (0, 1), (0, 1)),
        },
    ],
)
def test_junk_gps_gives_no_position(tmp_path: Path, gps: dict[int, object]) -> None:
    block = exif_block(taken="2024:06:12 20:45:10", position=LISBON, gps=gps)
    facts = facts_of(jpeg_with_exif(tmp_path, block))
    assert facts.position is None
    assert facts.taken == datetime(2024, 6, 12, 20, 45, 10)  # the rest is still read


def test_gps_without_hemisphere_letters_is_not_trusted(tmp_path: Path) -> None:
    block = exif_block(position=SYDNEY)
    del block["GPS"][piexif.GPSIFD.GPSLatitudeRef]
    assert facts_of(jpeg_with_exif(tmp_path, block)).position is None


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # Pillow's "corrupt EXIF"
def test_every_damaged_byte_of_the_exif_block_is_survived(tmp_path: Path) -> None:
    block = exif_block(
        taken="2024:06:12 20:45:10",
        offset="+01:00",
        position=LISBON,
        make="Canon",
        model="Canon EOS R5",
        serial="0123",
    )
    data = jpeg_with_exif(tmp_path, block).read_bytes()
    start = data.index(b"Exif\x00\x00")
    end = start + int.from_bytes(data[start - 2 : start], "big")
    seen_gps = 0
    for at in range(start, end):
        for replacement in (0x00, 0xFF):
            damaged = data[:at] + bytes([replacement]) + data[at + 1 :]
            facts = read_capture(damaged, MTIME)
            assert isinstance(facts, CaptureFacts)
            seen_gps += facts.position is not None
    assert seen_gps > 0  # most single-byte damage leaves the GPS readable
    for length in range(0, end + 16, 7):
        assert isinstance(read_capture(data[:length], MTIME), CaptureFacts)


def test_pixels_are_not_decoded(tmp_path: Path) -> None:
    block = exif_block(taken="2024:06:12 20:45:10", position=LISBON, make="Canon")
    data = jpeg_with_exif(tmp_path, block, SAMPLES[-1]).read_bytes()
    headers_only = data[: data.index(b"\xff\xda") + 64]  # cut inside the compressed pixels
    assert read_capture(headers_only, MTIME) == read_capture(data, MTIME)
    assert read_capture(headers_only, MTIME).position is not None


@pytest.mark.parametrize(
    "data", [b"", b"not a photo at all", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM", b"II*\x00"]
)
def test_unreadable_files_get_only_the_file_time(data: bytes) -> None:
    facts = read_capture(data, MTIME)
    assert facts == CaptureFacts(
        taken=datetime.fromtimestamp(MTIME), taken_guessed=True, taken_from="file"
    )


@pytest.mark.parametrize("mtime", [float("nan"), 1e20, -1e20])
def test_impossible_file_times_give_no_date(mtime: float) -> None:
    assert read_capture(b"junk", mtime).taken is None


def test_a_raw_tiff_container_pillow_cannot_decode_still_gives_its_exif() -> None:
    # The header of a NEF: a TIFF whose IFD0 says "Nikon compressed" (34713) over sensor data that
    # is nothing Pillow can decode; the EXIF and GPS IFDs hang off it as in any TIFF.
    block = exif_block(taken="2024:06:12 06:30:00", position=SYDNEY, make="NIKON", model="Z 6")
    block["0th"].update(
        {
            piexif.ImageIFD.ImageWidth: 6048,
            piexif.ImageIFD.ImageLength: 4024,
            piexif.ImageIFD.Compression: 34713,
        }
    )
    tiff = piexif.dump(block).removeprefix(b"Exif\x00\x00")
    assert tiff[:4] in (b"MM\x00*", b"II*\x00")
    raw = tiff + bytes(range(256)) * 64
    facts = read_capture(raw, MTIME)
    assert facts.taken == datetime(2024, 6, 12, 6, 30)
    assert facts.position == pytest.approx(SYDNEY, abs=1e-5)
    assert facts.camera == Camera("NIKON", "Z 6")


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF", "HEIF"])
def test_other_formats_carry_the_same_facts(fmt: str) -> None:
    block = exif_block(taken="2024:06:12 19:30:00", position=SYDNEY, make="Apple", model="iPhone")
    im = Image.open(SAMPLES[0]).convert("RGB").resize((64, 48))
    buf = io.BytesIO()
    if fmt == "HEIF":
        pillow_heif.from_pillow(im).save(buf, exif=piexif.dump(block), quality=30)
    else:
        im.save(buf, fmt, exif=piexif.dump(block))
    facts = read_capture(buf.getvalue(), MTIME)
    assert facts.taken == datetime(2024, 6, 12, 19, 30)
    assert facts.position == pytest.approx(SYDNEY, abs=1e-5)
    assert facts.camera == Camera("Apple", "iPhone")


def start_of_scan(jpeg: bytes) -> int:
    """Where a JPEG's compressed pixels begin: its SOS marker, after every header segment."""
    at = 2  # after SOI
    while jpeg[at + 1] != 0xDA:
        assert jpeg[at] == 0xFF, "not a JPEG segment"
        at += 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
    return at


def test_reading_needs_the_head_of_the_file_not_its_pixels(tmp_path: Path) -> None:
    block = exif_block(taken="2024:06:12 19:30:00", offset="+01:00", position=LISBON, make="X")
    photos = [jpeg_with_exif(tmp_path, block, sample).read_bytes() for sample in SAMPLES]
    photos += [sample.read_bytes() for sample in SAMPLES]
    for data in photos:
        head = data[: start_of_scan(data)]
        with pytest.raises(OSError), Image.open(io.BytesIO(head)) as im:
            im.load()  # no pixels left to decode
        assert read_capture(head, MTIME) == read_capture(data, MTIME)
    # (its cost per photo: benchmarks/bench_context.py)
