"""A photo's duplicate signature: computed once from the decoded buffer, stored as bytes.

Version 1 holds, in 1,045 bytes:
- `phash`: the 64-bit DCT perceptual hash (8 x 8 lowest frequencies of a 32 x 32 grey image,
  each bit "above the median"), as in pHash and `imagehash.phash`. Resizing, re-encoding,
  exposure and colour edits move it by a few bits; so does a crop of a few percent.
- `thumb`: that 32 x 32 grey image itself (the photo squeezed to a square) and `aspect`, the
  photo's width / height. Crops, straightening and camera shake move the pHash by half its bits
  (measured: 14 to 47 of 64 for a 10-20 % crop), so pairs it cannot vouch for are compared on
  these pixels instead (`compare.py`).
- `contrast`: the standard deviation of `thumb`; under 2 grey levels a photo is "flat" (a black
  frame, a lens cap) and neither its hash nor its pixels say which photo it is: never grouped.
- `sharpness`: the variance of the Laplacian over the variance of the image, at a fixed size
  (256 px on the long side), so that `best_of` can prefer the sharp frame of a burst. Dividing by
  the variance keeps a contrast edit from looking sharper; the fixed size makes a small copy
  (upscaled to it) look as soft as it is.

The signature reads only the small buffer every photo is decoded to once (~0.3 ms per photo).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import cv2
import numpy as np

SIGNATURE_VERSION = 1
THUMB_SIDE = 32
SHARPNESS_SIDE = 256
FLAT_CONTRAST = 2.0
_HEADER = struct.Struct("<BQfff")  # version, phash, aspect, contrast, sharpness
_SIZE = _HEADER.size + THUMB_SIDE * THUMB_SIDE

# cv2.dct of the identity gives the DCT-II basis as rows: dct(X) = D @ X @ D.T.
_DCT_LOW = cv2.dct(np.eye(THUMB_SIDE, dtype=np.float32))[:8]


@dataclass(frozen=True, eq=False)
class Signature:
    phash: int  # 64-bit perceptual hash of the whole frame
    aspect: float  # width / height of the upright photo
    contrast: float  # standard deviation of `thumb`
    sharpness: float  # variance of the Laplacian / variance of the image, at 256 px
    thumb: np.ndarray  # THUMB_SIDE x THUMB_SIDE uint8 grey, the whole frame squeezed to a square

    @property
    def flat(self) -> bool:
        """Almost one uniform tone: never grouped."""
        return self.contrast < FLAT_CONTRAST

    def to_bytes(self) -> bytes:
        header = _HEADER.pack(
            SIGNATURE_VERSION, self.phash, self.aspect, self.contrast, self.sharpness
        )
        return header + np.ascontiguousarray(self.thumb, dtype=np.uint8).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Raises ValueError for another version (recompute it from the photo) or damaged bytes."""
        if not data or data[0] != SIGNATURE_VERSION:
            found = data[0] if data else "none"
            raise ValueError(f"duplicate signature version {found}, expected {SIGNATURE_VERSION}")
        if len(data) != _SIZE:
            raise ValueError(f"duplicate signature of {len(data)} bytes, expected {_SIZE}")
        _, phash, aspect, contrast, sharpness = _HEADER.unpack_from(data)
        thumb = np.frombuffer(data, np.uint8, offset=_HEADER.size).reshape(THUMB_SIDE, THUMB_SIDE)
        return cls(phash, aspect, contrast, sharpness, thumb)


def signature(rgb: np.ndarray) -> Signature:
    """The signature of an upright H x W x 3 uint8 RGB photo (any size; ~500 px is what the scan
    decodes to)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or rgb.size == 0:
        raise ValueError(f"expected an HxWx3 uint8 RGB image, got {rgb.shape} {rgb.dtype}")
    h, w = rgb.shape[:2]
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    thumb = cv2.resize(grey, (THUMB_SIDE, THUMB_SIDE), interpolation=cv2.INTER_AREA)
    return Signature(
        phash=phash(thumb),
        aspect=w / h,
        contrast=float(thumb.std()),
        sharpness=_sharpness(grey),
        thumb=thumb,
    )


def phash(thumb: np.ndarray) -> int:
    """The 64-bit pHash of a THUMB_SIDE x THUMB_SIDE grey image, first coefficient in the top bit."""
    low = _DCT_LOW @ thumb.astype(np.float32) @ _DCT_LOW.T
    bits = (low > np.median(low)).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def _sharpness(grey: np.ndarray) -> float:
    h, w = grey.shape
    f = SHARPNESS_SIDE / max(h, w)
    size = (max(3, round(w * f)), max(3, round(h * f)))
    interpolation = cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR
    g = cv2.resize(grey, size, interpolation=interpolation).astype(np.float32)
    lap = cv2.Laplacian(g, cv2.CV_32F)
    return float(lap.var() / (g.var() + 1.0))
