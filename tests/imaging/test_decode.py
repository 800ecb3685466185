"""Decoding real photos, and every kind of bad file a scan meets."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from photo_tagger.errors import CorruptImageError, ImageTooLargeError, UnsupportedImageError
from photo_tagger.imaging import decode, make_thumbnail, sniff_format
from photo_tagger.imaging.decode import apply_orientation, jpeg_reduction

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def test_jpeg_decodes_at_reduced_scale_with_full_size_reported() -> None:
    data = (PHOTOS / "group.jpg").read_bytes()
    img = decode(data, target_side=300)
    assert (img.width, img.height) == (1280, 886)
    assert img.format == "JPEG"
    assert img.rgb.shape == (886 // 4 + 1, 1280 // 4, 3)  # 1/4 is the coarsest giving >= 300
    assert img.rgb.dtype == np.uint8
    full = np.asarray(Image.open(PHOTOS / "group.jpg").convert("RGB").resize((320, 222)))
    assert np.abs(img.rgb.astype(int)[:222] - full.astype(int)).mean() < 12


def test_reduction_never_goes_below_target() -> None:
    assert jpeg_reduction(4000, 3000, 500) == 8
    assert jpeg_reduction(4000, 3000, 501) == 4
    assert jpeg_reduction(400, 300, 500) == 1


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_like_pillow(orientation: int) -> None:
    src = Image.open(PHOTOS / "rocket.jpg").convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(src, "JPEG", quality=95, exif=exif)
    img = decode(data, target_side=10_000)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert img.rgb.shape == upright.shape
    assert (img.width, img.height) == (upright.shape[1], upright.shape[0])
    assert np.abs(img.rgb.astype(int) - upright.astype(int)).mean() < 3


def test_apply_orientation_matches_pillow_pixel_for_pixel() -> None:
    a = np.random.default_rng(0).integers(0, 255, (4, 6, 3), dtype=np.uint8)
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        data = encode(Image.fromarray(a), "PNG", exif=exif)
        ref = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))
        assert np.array_equal(apply_orientation(a, o), ref), o


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF"])
def test_other_formats(fmt: str) -> None:
    src = Image.open(PHOTOS / "coffee.jpg").convert("RGB")
    img = decode(encode(src, fmt), target_side=200)
    assert img.format == fmt
    assert (img.width, img.height) == src.size
    assert max(img.rgb.shape[:2]) <= 300


def test_heif() -> None:
    import pillow_heif

    src = Image.open(PHOTOS / "chelsea.jpg").convert("RGB")
    heif = pillow_heif.from_pillow(src)
    buf = io.BytesIO()
    heif.save(buf, quality=80)
    img = decode(buf.getvalue())
    assert img.format == "HEIF"
    assert (img.width, img.height) == src.size
    assert np.abs(img.rgb.astype(int) - np.asarray(src).astype(int)).mean() < 12


def test_rgba_png_is_flattened_on_white() -> None:
    im = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    img = decode(encode(im, "PNG"))
    assert img.rgb[0, 0].tolist() == [255, 255, 255]


def test_empty_file() -> None:
    with pytest.raises(CorruptImageError, match="empty"):
        decode(b"")


def test_text_file_named_jpg() -> None:
    with pytest.raises(UnsupportedImageError, match="not a photo"):
        decode(b"Dear diary, today I took no photos.\n")
    assert sniff_format(b"Dear diary") is None


def test_truncated_jpeg() -> None:
    data = (PHOTOS / "obama.jpg").read_bytes()
    with pytest.raises(CorruptImageError, match="truncated"):
        decode(data[: len(data) // 2])


def test_truncated_png() -> None:
    data = encode(Image.open(PHOTOS / "coffee.jpg"), "PNG")
    with pytest.raises(CorruptImageError) as caught:
        decode(data[: len(data) // 2])
    # said in words: not the decoder's own text ("image file is truncated (…)")
    assert str(caught.value) == "damaged image data (the file is cut short)"


def test_garbage_after_a_jpeg_header() -> None:
    data = (PHOTOS / "obama.jpg").read_bytes()[:600] + bytes(range(256)) * 40 + b"\xff\xd9"
    with pytest.raises(CorruptImageError):
        decode(data)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [20_000, 65_000])
def test_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    with pytest.raises(ImageTooLargeError, match="megapixels"):
        decode(png_claiming(side, side))


def test_thumbnail_is_small_jpeg() -> None:
    rgb = decode((PHOTOS / "group.jpg").read_bytes()).rgb
    jpeg = make_thumbnail(rgb, side=128)
    thumb = Image.open(io.BytesIO(jpeg))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == 128
