"""Damaged files the fuzzing found: each is refused with an ImageError, never another error."""

from __future__ import annotations

import contextlib

import pytest

from photo_tagger.errors import ImageError
from photo_tagger.imaging import decode
from tests.imaging.mutants import seeds


def heif() -> bytes:
    return next(seed for seed in seeds() if seed[4:8] == b"ftyp")


@pytest.mark.parametrize("version", [1, 2, 255])
def test_a_heif_with_an_unknown_box_version_is_an_image_error(version: int) -> None:
    data = bytearray(heif())
    data[data.index(b"hdlr") + 4] = version  # the handler box's version: only 0 exists
    with pytest.raises(ImageError, match="damaged HEIF data"):
        decode(bytes(data))


def test_every_cut_of_every_photo_is_a_photo_or_an_image_error() -> None:
    for seed in seeds()[:-2]:  # the RAW files are named as such, see test_fuzz_decoders
        for end in range(0, len(seed), max(1, len(seed) // 97)):
            with contextlib.suppress(ImageError):
                decode(seed[:end], target_side=64)
