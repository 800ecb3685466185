"""Photos as large as today's medium-format cameras make decode; the limit refused is our own."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from photo_tagger.errors import ImageTooLargeError
from photo_tagger.imaging import decode, decode_photo

WIDTH, HEIGHT = 12_000, 8_500  # 102 MP, a medium-format sensor's photo
PILLOW_DEFAULT = 89_478_485  # Pillow's own limit as it ships


@pytest.fixture(autouse=True)
def pillow_as_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from Pillow's own limit, whatever earlier decodes raised it to."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", PILLOW_DEFAULT)


def encoded(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("L", (WIDTH, HEIGHT), 140).save(out, fmt, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def big_jpeg() -> bytes:
    return encoded("JPEG", quality=5)


@pytest.fixture(scope="module")
def big_png() -> bytes:
    return encoded("PNG", compress_level=1)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("photo", ["big_jpeg", "big_png"])
def test_a_102_megapixel_photo_decodes_small(photo: str, request: pytest.FixtureRequest) -> None:
    data = request.getfixturevalue(photo)
    image = decode_photo(data, f"medium-format.{photo[4:]}", target_side=500)
    assert (image.width, image.height) == (WIDTH, HEIGHT)
    assert 500 <= max(image.rgb.shape[:2]) <= WIDTH // 8  # at reduced scale, never at 102 MP
    assert int(image.rgb.mean()) in range(130, 150)


def test_a_photo_over_the_callers_limit_is_refused_naming_it(big_jpeg: bytes) -> None:
    with pytest.raises(ImageTooLargeError, match=r"12000x8500 .*limit of 100 megapixels"):
        decode(big_jpeg, max_pixels=100_000_000)


@pytest.mark.parametrize(("width", "height"), [(16_000, 16_000), (40_000, 40_000)])
def test_a_photo_over_the_default_limit_is_refused_naming_it(width: int, height: int) -> None:
    # 256 MP is within twice Pillow's limit once raised; 1,600 MP is beyond it: both name ours
    with pytest.raises(ImageTooLargeError, match="limit of 250 megapixels"):
        decode(png_claiming(width, height))
