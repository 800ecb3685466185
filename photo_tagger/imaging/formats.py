"""Every photo format we read, registered in one place: its names, its first bytes, its decoder.

    format_of_path("IMG_0001.CR2") -> RawFormat         # by the name (None: not a photo's)
    sniff(data) -> JpegFormat, PngFormat, ...           # by the first bytes (None: unknown)
    decode(data, target_side, max_pixels)               # as its first bytes say
    decode_photo(data, path, target_side, max_pixels)   # a RAW by its name, the rest by bytes

A format is a subclass of ImageFormat added with @register, in the order below: its name (the
`format` of what it decodes), the suffixes a scan reads as it (lower case, each one format's),
the suffixes a camera gives it when it writes it next to a RAW of the same shot, how to tell it
from its first bytes, and how to decode it (the pixel work is imaging.decode's and imaging.raw's).

A camera RAW cannot be told by its bytes: most are TIFF files with the maker's tags (DNG, NEF,
CR2, ARW...). So a file named as a RAW is read by LibRaw whatever its bytes, and any other file
is read as what its first bytes say it is, whatever its name says.
"""

from __future__ import annotations

import io
import os
from typing import ClassVar, TypeVar

from PIL import Image

from photo_tagger.errors import CorruptImageError, UnsupportedImageError
from photo_tagger.imaging.decode import (
    DEFAULT_MAX_PIXELS,
    DEFAULT_TARGET_SIDE,
    JPEG_SIGNATURE,
    DecodedImage,
    allow_pillow,
    decode_heif,
    decode_jpeg,
    decode_with_pillow,
)
from photo_tagger.imaging.raw import decode_raw


class ImageFormat:
    """A photo format: what it is called, how it is named and recognised, how it is decoded."""

    name: ClassVar[str]  # DecodedImage.format
    suffixes: ClassVar[tuple[str, ...]]  # what a scan reads as this format
    twin_suffixes: ClassVar[tuple[str, ...]] = ()  # its names when written next to a RAW
    raw: ClassVar[bool] = False  # a camera RAW: its name decides how it is read

    @staticmethod
    def sniff(head: bytes) -> bool:
        """True when `head`, the file's first bytes (at least 12 of them), are this format's."""
        raise NotImplementedError

    @classmethod
    def decode(cls, data: bytes, target_side: int, max_pixels: int) -> DecodedImage:
        """Upright, its long side about `target_side` pixels; an ImageError when it cannot be."""
        raise NotImplementedError


_FORMATS: list[type[ImageFormat]] = []
_BY_SUFFIX: dict[str, type[ImageFormat]] = {}
F = TypeVar("F", bound=type[ImageFormat])


def register(fmt: F) -> F:
    """Add `fmt` to the registry; a suffix another format already has is refused."""
    for suffix in fmt.suffixes:
        if not suffix.startswith(".") or suffix != suffix.lower():
            raise ValueError(f"{fmt.name}: {suffix!r} is not a lower-case suffix")
        if suffix in _BY_SUFFIX:
            raise ValueError(f"{fmt.name}: {suffix} is already {_BY_SUFFIX[suffix].name}'s")
    _FORMATS.append(fmt)
    _BY_SUFFIX.update(dict.fromkeys(fmt.suffixes, fmt))
    return fmt


@register
class JpegFormat(ImageFormat):
    name = "JPEG"
    suffixes = (".jpg", ".jpeg", ".jpe")
    twin_suffixes = (".jpg", ".jpeg")  # registered first: the twin a camera writes most

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head.startswith(JPEG_SIGNATURE)

    @classmethod
    def decode(cls, data: bytes, target_side: int, max_pixels: int) -> DecodedImage:
        return decode_jpeg(data, target_side, max_pixels)


class _PillowFormat(ImageFormat):
    @classmethod
    def decode(cls, data: bytes, target_side: int, max_pixels: int) -> DecodedImage:
        return decode_with_pillow(data, cls.name, target_side, max_pixels)


@register
class PngFormat(_PillowFormat):
    name = "PNG"
    suffixes = (".png",)

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head.startswith(b"\x89PNG\r\n\x1a\n")


@register
class WebpFormat(_PillowFormat):
    name = "WEBP"
    suffixes = (".webp",)

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


@register
class TiffFormat(_PillowFormat):
    name = "TIFF"
    suffixes = (".tif", ".tiff")

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head[:4] in (b"II*\x00", b"MM\x00*")


@register
class HeifFormat(ImageFormat):
    """HEIC (phones, cameras) and AVIF: both HEIF containers, both read by libheif."""

    name = "HEIF"
    suffixes = (".heic", ".heif", ".avif")
    # .hif is what Canon and Fujifilm name a HEIF written next to a RAW
    twin_suffixes = (".heic", ".heif", ".hif")
    brands: ClassVar[tuple[bytes, ...]] = (
        b"heic",
        b"heix",
        b"hevc",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
        b"avif",
    )

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head[4:8] == b"ftyp" and head[8:12] in HeifFormat.brands

    @classmethod
    def decode(cls, data: bytes, target_side: int, max_pixels: int) -> DecodedImage:
        return decode_heif(data, target_side, max_pixels)


@register
class RawFormat(ImageFormat):
    """Camera RAW files, read by LibRaw (imaging.raw)."""

    name = "RAW"
    raw = True
    suffixes = (
        ".3fr",  # Hasselblad
        ".ari",  # ARRI
        ".arw",  # Sony
        ".srf",
        ".sr2",
        ".cr2",  # Canon
        ".cr3",
        ".crw",
        ".dcr",  # Kodak
        ".kdc",
        ".dng",  # Adobe, Leica, Pentax, Ricoh, phones
        ".erf",  # Epson
        ".fff",  # Hasselblad / Imacon
        ".iiq",  # Phase One
        ".mef",  # Mamiya
        ".mos",  # Leaf
        ".mrw",  # Minolta
        ".nef",  # Nikon
        ".nrw",
        ".orf",  # Olympus / OM System
        ".pef",  # Pentax
        ".raf",  # Fujifilm
        ".raw",  # Panasonic, Leica
        ".rw2",  # Panasonic
        ".rwl",  # Leica
        ".srw",  # Samsung
    )

    @staticmethod
    def sniff(head: bytes) -> bool:
        """Never: a RAW's bytes are a TIFF's, or a maker's own; its name tells it (see above)."""
        return False

    @classmethod
    def decode(cls, data: bytes, target_side: int, max_pixels: int) -> DecodedImage:
        return decode_raw(data, target_side, max_pixels)


def formats() -> tuple[type[ImageFormat], ...]:
    """Every registered format, in the order of registration."""
    return tuple(_FORMATS)


def format_of_path(path: str | os.PathLike[str]) -> type[ImageFormat] | None:
    """The format a file is by its name (its suffix, in any case), or None."""
    return _BY_SUFFIX.get(os.path.splitext(path)[1].lower())


def is_raw(path: str | os.PathLike[str]) -> bool:
    """True for a file named as a camera RAW."""
    fmt = format_of_path(path)
    return fmt is not None and fmt.raw


def sniff(data: bytes) -> type[ImageFormat] | None:
    """The format `data` is by its first bytes, or None when it is not one we read."""
    for fmt in _FORMATS:
        if fmt.sniff(data):
            return fmt
    return None


def sniff_format(data: bytes) -> str | None:
    """The name of the format `data` is by its first bytes, or None."""
    fmt = sniff(data)
    return None if fmt is None else fmt.name


def claimed_pixels(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """How many pixels a photo's header claims, nothing decoded: 0 when the header cannot be read
    (decoding it then says what is wrong), more than `max_pixels` when it claims more than that."""
    try:
        if sniff(data) is HeifFormat:
            import pillow_heif  # only when a HEIF photo turns up: it loads libheif

            width, height = pillow_heif.open_heif(io.BytesIO(data)).size
        else:
            allow_pillow(max_pixels)
            width, height = Image.open(io.BytesIO(data)).size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return max_pixels + 1
    except Exception:  # any damage: decode() reports it in words
        return 0
    return max(0, width) * max(0, height)


def decode(
    data: bytes,
    target_side: int = DEFAULT_TARGET_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DecodedImage:
    """Decode `data` upright, its long side about `target_side` pixels (never upscaled), as the
    format its first bytes say.

    Raises an ImageError subclass, with a message fit for a scan report, for anything that is not a
    whole photo we can read.
    """
    if not data:
        raise CorruptImageError("empty file (0 bytes)")
    fmt = sniff(data)
    if fmt is None:
        raise UnsupportedImageError("not a photo (unknown file format)")
    return fmt.decode(data, target_side, max_pixels)


def decode_photo(
    data: bytes,
    path: str | os.PathLike[str],
    target_side: int = DEFAULT_TARGET_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DecodedImage:
    """Decode a photo file's bytes: a RAW by LibRaw, as its name says (TIFF-based RAW files look
    like TIFFs), anything else by what its first bytes say (`decode()`)."""
    fmt = format_of_path(path)
    if fmt is not None and fmt.raw:
        return fmt.decode(data, target_side, max_pixels)
    return decode(data, target_side, max_pixels)
