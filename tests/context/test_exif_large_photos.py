"""A photo as large as the decoder reads keeps its place and time, whatever Pillow's own limit."""

from __future__ import annotations

import struct

import pytest
from PIL import Image

from photo_tagger.context import read_capture
from tests.imaging.mutants import seeds


def jpeg_claiming(width: int, height: int) -> bytes:
    """The small test JPEG (GPS 41 deg 9' N, 8 deg 36' 30" W) with its frame header saying
    `width` x `height`: all Pillow reads to know a JPEG's size."""
    data = bytearray(seeds()[0])
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_a_200_megapixel_photo_keeps_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 89_478_485)  # Pillow's own, as it ships
    facts = read_capture(jpeg_claiming(16_000, 12_500))
    assert facts.position == pytest.approx((41.15, -(8 + 36.5 / 60)))
    assert facts.camera is not None and facts.camera.make == "Test"
