"""What a photo file itself says: its size and orientation, its embedded XMP packet and its IPTC
keywords. Only headers are read (Pillow opens lazily); no pixel is decoded."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageFile, IptcImagePlugin

from photo_tagger.imaging.decode import DEFAULT_MAX_PIXELS, allow_pillow
from photo_tagger.words import reason

_EXIF_ORIENTATION = 0x0112
_TIFF_XMP = 700
_IPTC_KEYWORDS = (2, 25)
_IPTC_CHARSET = (1, 90)
_IPTC_UTF8 = b"\x1b%G"


@dataclass(frozen=True)
class Geometry:
    width: int  # as stored
    height: int
    orientation: int  # EXIF orientation, 1 when there is none

    @property
    def upright_size(self) -> tuple[int, int]:
        if self.orientation in (5, 6, 7, 8):
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True)
class Embedded:
    geometry: Geometry | None = None
    xmp: bytes | None = None
    iptc_keywords: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)


def inspect(data: bytes) -> Embedded:
    """Geometry, XMP and IPTC keywords of a photo, as far as they can be read."""
    allow_pillow(DEFAULT_MAX_PIXELS)  # what the decoder reads, this reads the metadata of
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the size matters, not a decompression-bomb warning
            im = Image.open(io.BytesIO(data))
            geometry = Geometry(im.size[0], im.size[1], _orientation(im))
            xmp = _xmp(im)
            keywords, problems = _iptc_keywords(im)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        return Embedded(
            problems=(
                f"the photo's own metadata could not be read ({reason(exc, 'it is damaged')})",
            )
        )
    return Embedded(geometry, xmp, keywords, problems)


def geometry_of(path: Path) -> Geometry | None:
    """The stored size and orientation of the photo at `path` (None if it is not readable)."""
    allow_pillow(DEFAULT_MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                return Geometry(im.size[0], im.size[1], _orientation(im))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _orientation(im: Image.Image) -> int:
    try:
        value = int(im.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # a damaged EXIF block: treat the photo as upright, like the decoder does
        return 1
    return value if 1 <= value <= 8 else 1


def _xmp(im: Image.Image) -> bytes | None:
    value = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    if value is None and hasattr(im, "tag_v2"):
        value = im.tag_v2.get(_TIFF_XMP)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes | bytearray):
        return bytes(value).rstrip(b"\x00 ")
    return None


def _iptc_keywords(im: ImageFile.ImageFile) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        info = IptcImagePlugin.getiptcinfo(im) or {}
    except Exception as exc:  # a damaged IPTC block costs its keywords, not the photo
        return (), (f"the photo's IPTC block could not be read ({reason(exc, 'it is damaged')})",)
    raw = info.get(_IPTC_KEYWORDS, [])
    values = raw if isinstance(raw, list) else [raw]
    utf8 = info.get(_IPTC_CHARSET) == _IPTC_UTF8
    keywords = [_decode(v, utf8).strip() for v in values if isinstance(v, bytes)]
    return tuple(k for k in keywords if k), ()


def _decode(value: bytes, utf8: bool) -> str:
    """IPTC text is UTF-8 when the record says so; older files are mostly Latin-1 (or UTF-8
    written without saying so, which is why UTF-8 is tried first)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("utf-8" if utf8 else "latin-1", errors="replace")
