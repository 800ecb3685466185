"""The metadata of a photo as large as the decoder reads is read, whatever Pillow's own limit."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from photo_tagger.metadata import read_photo_metadata
from tests.imaging.mutants import XMP


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int) -> bytes:
    """A PNG whose header says `width` x `height` and which carries an XMP packet."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    itxt = b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"iTXt", itxt)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def test_a_200_megapixel_photo_keeps_its_keywords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 89_478_485)  # Pillow's own, as it ships
    photo = tmp_path / "stitched.png"
    photo.write_bytes(png(16_000, 12_500))
    data = read_photo_metadata(photo)
    assert data.tags == ("Cat",)
    assert (data.width, data.height) == (16_000, 12_500)
    assert data.problems == ()
