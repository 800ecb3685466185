"""How a photo was exposed, as its EXIF says: lens, shutter time, aperture, ISO, focal length.

For showing, not for tags: read on demand from the first bytes of a file (exif.read_ifds), every
field checked on its own; a value that makes no sense (a zero or negative time, a NaN, an
aperture of f/5000) becomes None. `read_shot` never raises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from photo_tagger.context.exif import exif_text, read_ifds

_EXPOSURE_TIME = 0x829A
_F_NUMBER = 0x829D
_ISO = 0x8827
_FOCAL_LENGTH = 0x920A
_FOCAL_35MM = 0xA405
_LENS_MAKE = 0xA433
_LENS_MODEL = 0xA434

_MAX_SECONDS = 24 * 3600.0  # a day-long exposure is the most a camera writes honestly
_F_RANGE = (0.5, 256.0)
_ISO_RANGE = (1, 10_000_000)
_FOCAL_RANGE = (0.1, 10_000.0)  # millimetres
_MAX_TEXT = 120


@dataclass(frozen=True)
class Shot:
    """What the camera did; each None when the file does not say (or says nonsense)."""

    lens: str | None = None
    seconds: float | None = None  # exposure time
    f_number: float | None = None
    iso: int | None = None
    focal_mm: float | None = None
    focal_35mm: int | None = None  # the 35 mm equivalent focal length

    @property
    def empty(self) -> bool:
        return self == Shot()

    @property
    def shutter(self) -> str | None:
        """The exposure time as cameras print it: "1/250 s", "0.8 s", "30 s"."""
        s = self.seconds
        if s is None:
            return None
        if s < 0.5:
            return f"1/{round(1 / s):d} s"
        return f"{s:g} s" if s < 10 else f"{round(s):d} s"


def read_shot(data: bytes) -> Shot:
    """The exposure facts of a photo file's first bytes. Never raises."""
    try:
        ifd0, exif, _ = read_ifds(data)
    except Exception:  # read_ifds catches Pillow's errors; nothing here may reach the user
        return Shot()
    return Shot(
        lens=_lens(exif),
        seconds=_in_range(_number(exif.get(_EXPOSURE_TIME)), (1e-6, _MAX_SECONDS)),
        f_number=_in_range(_number(exif.get(_F_NUMBER)), _F_RANGE),
        iso=_whole(exif.get(_ISO), _ISO_RANGE),
        focal_mm=_in_range(_number(exif.get(_FOCAL_LENGTH)), _FOCAL_RANGE),
        focal_35mm=_whole(exif.get(_FOCAL_35MM), (1, 10_000)),
    )


def _lens(exif: dict[int, Any]) -> str | None:
    model = _text(exif.get(_LENS_MODEL))
    make = _text(exif.get(_LENS_MAKE))
    if model is None:
        return None
    if make and not model.lower().startswith(make.lower()):
        return f"{make} {model}"[:_MAX_TEXT]
    return model


def _number(value: Any) -> float | None:
    try:
        if isinstance(value, tuple) and len(value) == 2:  # a rational (numerator, denominator)
            value = Fraction(int(value[0]), int(value[1]))
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _in_range(value: float | None, bounds: tuple[float, float]) -> float | None:
    if value is None or not bounds[0] <= value <= bounds[1]:
        return None
    return value


def _whole(value: Any, bounds: tuple[int, int]) -> int | None:
    if isinstance(value, tuple):  # ISO may come as a list of values: the first is the one used
        value = value[0] if value else None
    number = _number(value)
    if number is None or not bounds[0] <= number <= bounds[1]:
        return None
    return round(number)


def _text(value: Any) -> str | None:
    text = exif_text(value)
    return text[:_MAX_TEXT] if text else None
