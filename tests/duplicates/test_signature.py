"""Signatures: what they hold, how they are stored, and that they see what they should."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from photo_tagger.duplicates import SIGNATURE_VERSION, Signature, signature, similarity
from photo_tagger.duplicates.signature import THUMB_SIDE, phash
from tests.duplicates.samples import Photo


def by_id(library: list[Photo]) -> dict[str, Photo]:
    return {p.id: p for p in library}


def distance(a: Signature, b: Signature) -> int:
    return (a.phash ^ b.phash).bit_count()


def test_bytes_round_trip(library: list[Photo]) -> None:
    sig = library[0].sig
    blob = sig.to_bytes()
    assert blob[0] == SIGNATURE_VERSION
    back = Signature.from_bytes(blob)
    assert (back.phash, back.aspect, back.contrast, back.sharpness) == pytest.approx(
        (sig.phash, sig.aspect, sig.contrast, sig.sharpness), rel=1e-6
    )
    assert np.array_equal(back.thumb, sig.thumb)
    assert back.to_bytes() == blob


def test_other_versions_and_damaged_bytes_are_refused(library: list[Photo]) -> None:
    blob = library[0].sig.to_bytes()
    other = SIGNATURE_VERSION - 1
    with pytest.raises(ValueError, match=f"version {other}, expected {SIGNATURE_VERSION}"):
        Signature.from_bytes(bytes([other]) + blob[1:])
    with pytest.raises(ValueError, match="bytes"):
        Signature.from_bytes(blob[:-1])
    with pytest.raises(ValueError, match="version"):
        Signature.from_bytes(b"")


def test_phash_is_the_dct_hash() -> None:
    """The 8 x 8 lowest DCT-II frequencies against the median, the DCT written out longhand."""
    rng = np.random.default_rng(3)
    n = THUMB_SIDE
    k, x = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    cosines = np.cos(np.pi * (2 * x + 1) * k / (2 * n))  # row k: the k-th cosine
    for _ in range(5):
        thumb = cv2.GaussianBlur(rng.integers(0, 256, (n, n)).astype(np.uint8), (0, 0), 2)
        low = (cosines @ thumb.astype(np.float64) @ cosines.T)[:8, :8]
        low[0, :] /= np.sqrt(2)  # the orthonormal scaling of the first row and column
        low[:, 0] /= np.sqrt(2)
        bits = (low > np.median(low)).ravel()
        expected = int("".join("1" if b else "0" for b in bits), 2)
        assert phash(thumb) == expected


def test_hash_survives_copies_and_tells_photos_apart(library: list[Photo]) -> None:
    photos = by_id(library)
    originals = [p for p in library if p.kind == "original"]
    for p in originals:
        for kind in ("r50", "r25", "q40", "bright", "dark"):
            assert distance(p.sig, photos[f"{p.source}/{kind}"].sig) <= 8, (p.source, kind)
    apart = [distance(a.sig, b.sig) for a in originals for b in originals if a is not b]
    assert min(apart) >= 16


def test_aspect_and_thumbnail(library: list[Photo]) -> None:
    for p in library:
        h, w = p.image.rgb.shape[:2]
        assert p.sig.aspect == pytest.approx(w / h)
        assert p.sig.thumb.shape == (THUMB_SIDE, THUMB_SIDE)
        assert p.sig.thumb.dtype == np.uint8
        assert not p.sig.flat


def test_sharpness_prefers_the_sharp_frame(library: list[Photo]) -> None:
    photos = by_id(library)
    for p in library:
        if p.kind != "original":
            continue
        blurred = signature(cv2.GaussianBlur(p.image.rgb, (0, 0), 2.0))
        assert blurred.sharpness < 0.7 * p.sig.sharpness, p.source
        # a contrast edit does not make a photo look sharper
        edited = photos[f"{p.source}/bright"].sig.sharpness
        assert edited == pytest.approx(p.sig.sharpness, rel=0.2), p.source


def test_a_uniform_photo_is_flat_and_like_nothing(library: list[Photo]) -> None:
    black = signature(np.zeros((300, 400, 3), np.uint8))
    grey = signature(np.full((300, 400, 3), 128, np.uint8))
    assert black.flat and grey.flat
    assert similarity(black, grey) == -1.0
    assert similarity(black, library[0].sig) == -1.0


def test_only_rgb_is_accepted() -> None:
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        signature(np.zeros((10, 10), np.uint8))
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        signature(np.zeros((10, 10, 3), np.float32))
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        signature(np.zeros((0, 10, 3), np.uint8))
