"""What a photo's own EXIF says about when, where and with what it was taken.

Only the metadata is read (Pillow opens lazily, HEIF through libheif's lazy reader); no pixel is
decoded. Camera files lie, get truncated and get rewritten by careless tools, so every field is
checked on its own and a value that does not make sense becomes None: `read_capture` never raises.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from PIL import Image

from photo_tagger.imaging.decode import DEFAULT_MAX_PIXELS, allow_pillow

_MAKE = 0x010F
_MODEL = 0x0110
_DATETIME = 0x0132
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 0x9003
_DATETIME_DIGITIZED = 0x9004
_OFFSET_TIME = 0x9010
_OFFSET_TIME_ORIGINAL = 0x9011
_OFFSET_TIME_DIGITIZED = 0x9012
_SUBSEC_TIME = 0x9290
_SUBSEC_TIME_ORIGINAL = 0x9291
_SUBSEC_TIME_DIGITIZED = 0x9292
_BODY_SERIAL = 0xA431
_GPS_LATITUDE_REF = 1
_GPS_LATITUDE = 2
_GPS_LONGITUDE_REF = 3
_GPS_LONGITUDE = 4
_GPS_STATUS = 9

# (name, date tag, its offset tag, its sub-second tag, the IFD holding the date), most trusted
# first: DateTime is the last time any software touched the file, a weaker witness.
_TIME_SOURCES = (
    ("DateTimeOriginal", _DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL, _SUBSEC_TIME_ORIGINAL, "exif"),
    (
        "DateTimeDigitized",
        _DATETIME_DIGITIZED,
        _OFFSET_TIME_DIGITIZED,
        _SUBSEC_TIME_DIGITIZED,
        "exif",
    ),
    ("DateTime", _DATETIME, _OFFSET_TIME, _SUBSEC_TIME, "ifd0"),
)

_EXIF_DATE = re.compile(r"\s*(\d{4})[:\-/.](\d{2})[:\-/.](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"\s*([+-])(\d{2}):?(\d{2})\s*$")
# Film scans carry dates from the 19th century; anything earlier is a broken clock, not a photo.
_EARLIEST_YEAR = 1826
# Within this of (0, 0) is a GPS that had no fix and wrote zeros, not a photo taken at sea.
_NULL_ISLAND_DEGREES = 1e-6
# What summing degrees, minutes and seconds as floats may add to an exact 90 or 180 degrees.
_ROUNDING_DEGREES = 1e-9


@dataclass(frozen=True)
class Camera:
    """One camera body: photos from the same body share a clock and usually a place."""

    make: str | None
    model: str | None
    serial: str | None = None

    @property
    def key(self) -> str:
        """One string for storing and comparing: "make|model|serial"."""
        return "|".join(part or "" for part in (self.make, self.model, self.serial))


@dataclass(frozen=True)
class CaptureFacts:
    """When, where and with what one photo was taken, as far as its file tells.

    `taken` is the photo's own wall clock: aware when the file records its UTC offset, naive
    otherwise. When the file has no date at all it is the file's modification time in this
    machine's local time, and `taken_guessed` is True. `taken_from` names the source:
    "DateTimeOriginal", "DateTimeDigitized", "DateTime", "file" or None.
    `position` is (latitude, longitude) in decimal degrees, south and west negative.
    """

    taken: datetime | None = None
    taken_guessed: bool = False
    taken_from: str | None = None
    position: tuple[float, float] | None = None
    camera: Camera | None = None


def read_capture(data: bytes, file_mtime: float | None = None) -> CaptureFacts:
    """The capture facts of a photo file's bytes; `file_mtime` (epoch seconds) is the last resort
    for the date. Never raises: what cannot be read is None."""
    ifd0, exif, gps = read_ifds(data)
    taken, taken_from = _taken(ifd0, exif)
    guessed = False
    if taken is None:
        taken = _from_mtime(file_mtime)
        if taken is not None:
            taken_from, guessed = "file", True
    return CaptureFacts(
        taken=taken,
        taken_guessed=guessed,
        taken_from=taken_from,
        position=_position(gps),
        camera=_camera(ifd0, exif),
    )


def read_ifds(data: bytes) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    """IFD0, the Exif IFD and the GPS IFD; empty dicts for whatever is missing or unreadable."""
    try:
        exif = _exif_of(data)
    except Exception:  # Pillow's parsers raise a zoo of types on crafted or damaged headers
        return {}, {}, {}
    if exif is None:
        return {}, {}, {}
    return _safe_dict(lambda: dict(exif)), _sub_ifd(exif, _EXIF_IFD), _sub_ifd(exif, _GPS_IFD)


def _exif_of(data: bytes) -> Image.Exif | None:
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        # TIFF and the RAW formats built on it (DNG, NEF, ARW, CR2, PEF...): the file is itself
        # the EXIF structure, so it is read as such, whatever compression the sensor data uses.
        exif = Image.Exif()
        exif.load_from_fp(io.BytesIO(data))
        return exif
    if data[4:8] == b"ftyp":
        return _heif_exif(data)
    allow_pillow(DEFAULT_MAX_PIXELS)  # the EXIF of every photo the decoder reads
    with Image.open(io.BytesIO(data)) as im:
        return im.getexif()


def _heif_exif(data: bytes) -> Image.Exif | None:
    import pillow_heif  # only when a HEIF photo turns up: it loads libheif

    raw = pillow_heif.open_heif(io.BytesIO(data)).info.get("exif")
    if not raw:
        return None
    exif = Image.Exif()
    exif.load(raw)
    return exif


def _sub_ifd(exif: Image.Exif, tag: int) -> dict[int, Any]:
    return _safe_dict(lambda: exif.get_ifd(tag))


def _safe_dict(read: Any) -> dict[int, Any]:
    try:
        return dict(read())
    except Exception:  # a bad offset or count in one IFD must not cost the others
        return {}


def _taken(ifd0: dict[int, Any], exif: dict[int, Any]) -> tuple[datetime | None, str | None]:
    for name, date_tag, offset_tag, subsec_tag, where in _TIME_SOURCES:
        holder = ifd0 if where == "ifd0" else exif
        wall = _parse_date(holder.get(date_tag))
        if wall is None:
            continue
        wall = wall.replace(microsecond=_parse_subsec(exif.get(subsec_tag)))
        offset = _parse_offset(exif.get(offset_tag))
        return (wall if offset is None else wall.replace(tzinfo=offset)), name
    return None, None


def _parse_date(value: Any) -> datetime | None:
    text = exif_text(value)
    if text is None:
        return None
    match = _EXIF_DATE.match(text)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        taken = datetime(year, month, day, hour, minute, second)
    except ValueError:  # month 13, 31 February, the "0000:00:00 00:00:00" of an unset clock
        return None
    return taken if taken.year >= _EARLIEST_YEAR else None


def _parse_subsec(value: Any) -> int:
    text = exif_text(value)
    if text is None or not text.isdigit():
        return 0
    return int(text[:6].ljust(6, "0"))


def _parse_offset(value: Any) -> timezone | None:
    text = exif_text(value)
    if text is None:
        return None
    match = _EXIF_OFFSET.match(text)
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    # UTC offsets in use run from -12:00 to +14:00, always in whole quarter hours
    if int(minutes) >= 60 or delta > timedelta(hours=14) or int(minutes) % 15:
        return None
    return timezone(-delta if sign == "-" else delta)


def _from_mtime(file_mtime: float | None) -> datetime | None:
    if file_mtime is None:
        return None
    try:
        return datetime.fromtimestamp(file_mtime)
    except (OverflowError, OSError, ValueError, TypeError):
        return None


def _position(gps: dict[int, Any]) -> tuple[float, float] | None:
    if exif_text(gps.get(_GPS_STATUS)) == "V":  # the receiver marked its measurement void
        return None
    lat = _coordinate(gps.get(_GPS_LATITUDE), gps.get(_GPS_LATITUDE_REF), "N", "S", 90.0)
    lon = _coordinate(gps.get(_GPS_LONGITUDE), gps.get(_GPS_LONGITUDE_REF), "E", "W", 180.0)
    if lat is None or lon is None:
        return None
    if abs(lat) < _NULL_ISLAND_DEGREES and abs(lon) < _NULL_ISLAND_DEGREES:
        return None
    return lat, lon


def _coordinate(value: Any, ref: Any, positive: str, negative: str, limit: float) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds) rationals and its hemisphere letter."""
    hemisphere = (exif_text(ref) or "").upper()[:1]
    # without its hemisphere letter a coordinate could be in either half of the world
    if hemisphere not in (positive, negative):
        return None
    parts = _numbers(value)
    if parts is None or not 1 <= len(parts) <= 3:
        return None
    # ExifTool and many cameras round 59.996 seconds up to 60 and write 41 deg 8' 60": a minute or
    # a second of exactly 60 is the next degree or minute, which the sum below rolls over to.
    if any(part < 0 for part in parts) or any(part > 60 for part in parts[1:]):
        return None
    degrees = sum(part / 60**i for i, part in enumerate(parts))
    if degrees > limit + _ROUNDING_DEGREES:
        return None
    degrees = min(degrees, limit)  # 89 deg 59' 60" is the pole, whatever the float sum says
    return -degrees if hemisphere == negative else degrees


def _numbers(value: Any) -> tuple[float, ...] | None:
    items = value if isinstance(value, tuple | list) else (value,)
    try:
        numbers = tuple(float(item) for item in items)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return numbers if all(math.isfinite(n) for n in numbers) else None


def _camera(ifd0: dict[int, Any], exif: dict[int, Any]) -> Camera | None:
    make, model = exif_text(ifd0.get(_MAKE)), exif_text(ifd0.get(_MODEL))
    if make is None and model is None:
        return None
    return Camera(make=make, model=model, serial=exif_text(exif.get(_BODY_SERIAL)))


def exif_text(value: Any) -> str | None:
    """An EXIF ASCII value as clean text; None for empty, binary or non-text values."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = value.split("\x00", 1)[0].strip()
    if not text or not text.isprintable():
        return None
    return text
