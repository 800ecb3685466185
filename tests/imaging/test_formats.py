"""The format registry: each format's names, first bytes and decoder, checked on real files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photo_tagger.errors import CorruptImageError, UnsupportedImageError
from photo_tagger.imaging import decode, decode_photo, sniff_format
from photo_tagger.imaging.formats import (
    HeifFormat,
    ImageFormat,
    JpegFormat,
    PngFormat,
    RawFormat,
    TiffFormat,
    WebpFormat,
    format_of_path,
    formats,
    is_raw,
    register,
    sniff,
)
from tests.imaging.dng import write_dng

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def encode(im: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return Image.open(PHOTOS / "coffee.jpg").convert("RGB")


@pytest.fixture(scope="module")
def samples(photo: Image.Image) -> dict[type[ImageFormat], list[bytes]]:
    """Real files of every format, as the applications that write them do."""
    import pillow_heif

    heic = io.BytesIO()
    pillow_heif.from_pillow(photo).save(heic, quality=80)
    rgb = np.asarray(photo)
    return {
        JpegFormat: [p.read_bytes() for p in sorted(PHOTOS.glob("*.jpg"))],
        PngFormat: [encode(photo, "PNG"), encode(photo.convert("RGBA"), "PNG")],
        WebpFormat: [encode(photo, "WEBP")],
        TiffFormat: [encode(photo, "TIFF"), write_dng(rgb)],  # a DNG's bytes are a TIFF's
        HeifFormat: [heic.getvalue(), encode(photo, "AVIF")],
        RawFormat: [],
    }


def test_every_suffix_is_one_formats_and_every_format_is_whole() -> None:
    seen: dict[str, str] = {}
    for fmt in formats():
        assert fmt.suffixes, fmt.name
        for suffix in fmt.suffixes:
            assert suffix.startswith(".") and suffix == suffix.lower(), suffix
            assert suffix not in seen, f"{suffix}: {seen.get(suffix)} and {fmt.name}"
            seen[suffix] = fmt.name
            assert format_of_path(f"/photos/IMG_0001{suffix.upper()}") is fmt
    assert len({fmt.name for fmt in formats()}) == len(formats())
    assert {".jpg", ".jpeg", ".png", ".webp", ".tif", ".heic", ".avif", ".dng", ".nef"} <= set(seen)
    assert format_of_path("notes.txt") is None and format_of_path("IMG_0001") is None


def test_a_suffix_another_format_has_is_refused() -> None:
    class Impostor(ImageFormat):
        name = "IMPOSTOR"
        suffixes = (".png",)

    before = formats()
    with pytest.raises(ValueError, match=r"\.png is already PNG's"):
        register(Impostor)
    assert formats() == before and format_of_path("a.png") is PngFormat


def test_sniffing_tells_every_format_from_its_first_bytes(
    samples: dict[type[ImageFormat], list[bytes]],
) -> None:
    for fmt, files in samples.items():
        for data in files:
            assert sniff(data) is fmt
            assert sniff_format(data) == fmt.name
            assert [other for other in formats() if other.sniff(data)] == [fmt]
    assert sniff(b"Dear diary, today I took no photos.") is None
    assert sniff(b"") is None


@pytest.mark.parametrize("fmt", [JpegFormat, PngFormat, WebpFormat, TiffFormat, HeifFormat])
def test_a_file_is_decoded_as_what_it_is_whatever_its_name_says(
    fmt: type[ImageFormat], samples: dict[type[ImageFormat], list[bytes]]
) -> None:
    data = samples[fmt][0]
    expected = decode(data, target_side=200)
    assert expected.format == fmt.name
    for name in ("IMG_0001.jpg", "IMG_0001.png", "IMG_0001.webp", "IMG_0001.heic", "IMG_0001"):
        image = decode_photo(data, name, target_side=200)
        assert image.format == fmt.name
        assert (image.width, image.height) == (expected.width, expected.height)
        assert np.array_equal(image.rgb, expected.rgb)


def test_a_raw_is_read_as_its_name_says(photo: Image.Image) -> None:
    dng = write_dng(np.asarray(photo))
    assert is_raw("IMG_0001.DNG") and not is_raw("IMG_0001.tif")
    raw = decode_photo(dng, "IMG_0001.DNG", target_side=200)
    assert raw.format == "RAW" and (raw.width, raw.height) == photo.size
    # named as a TIFF, its first bytes decide: a TIFF, whose first image is not a photo Pillow reads
    with pytest.raises(CorruptImageError, match="damaged image header"):
        decode_photo(dng, "IMG_0001.tif")
    # a JPEG named as a RAW goes to LibRaw, which refuses it as it always has
    with pytest.raises(UnsupportedImageError, match="not a RAW format LibRaw can read"):
        decode_photo((PHOTOS / "rocket.jpg").read_bytes(), "IMG_0001.NEF")


@pytest.mark.parametrize("name", ["IMG_0001.jpg", "IMG_0001.heic", "IMG_0001.png", "notes"])
def test_what_is_not_a_photo_is_refused_with_the_same_words(name: str) -> None:
    with pytest.raises(UnsupportedImageError, match=r"^not a photo \(unknown file format\)$"):
        decode_photo(b"Dear diary, today I took no photos.\n", name)
    with pytest.raises(CorruptImageError, match=r"^empty file \(0 bytes\)$"):
        decode_photo(b"", name)
    with pytest.raises(CorruptImageError, match=r"^empty file \(0 bytes\)$"):
        decode_photo(b"", "IMG_0001.cr2")
