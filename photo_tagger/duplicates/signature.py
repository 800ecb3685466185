"""A photo's duplicate signature: computed once from the decoded buffer, stored as bytes.

Version 2 holds, in 1,045 bytes (version 1 hashed the thumbnail's pixels, not their DCT):
- `phash`: the 64-bit DCT perceptual hash (the 8 x 8 lowest frequencies of a 32 x 32 grey image,
  each bit "above their median"), as pHash and `imagehash.phash` compute it. Measured on the
  sample photos: resized (to 25 %), re-encoded (quality 40) and exposure-edited copies move it
  0-8 bits, ten different photos are 22+ bits apart; but a 10 % crop moves it 2-24 bits and a
  20 % crop 10-38, as far as another photo.
- `thumb`: that 32 x 32 grey image itself (the photo squeezed to a square) and `aspect`, the
  photo's width / height, so that pairs the hash cannot vouch for are compared on pixels,
  crops allowed (`compare.py`).
- `contrast`: the standard deviation of `thumb`; under 2 grey levels a photo is "flat" (a black
  frame, a lens cap) and neither its hash nor its pixels say which photo it is: never grouped.
- `sharpness`: the variance of the Laplacian over the variance of the image, at a fixed size
  (256 px on the long side), so that `best_of` can prefer the sharp frame of a burst. Dividing by
  the variance keeps a contrast edit from looking sharper. It compares frames of one size: a
  downscaled copy can look sharper than its original, which is why `best_of` weighs pixels first.

A few lines of OpenCV rather than `imagehash`: that would bring SciPy and PyWavelets for one DCT,
and the thumbnail is needed anyway. The signature reads only the small buffer every photo is
decoded to once, in about 0.45 ms (benchmarks/bench_duplicates.py).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import cv2
import numpy as np

SIGNATURE_VERSION = 2
THUMB_SIDE = 32
SHARPNESS_SIDE = 256
FLAT_CONTRAST = 2.0
_HEADER = struct.Struct("<BQfff")  # version, phash, aspect, contrast, sharpness
_SIZE = _HEADER.size + THUMB_SIDE * THUMB_SIDE

# The orthonormal DCT-II matrix C (row k = the k-th cosine), so that cv2.dct(X) == C @ X @ C.T;
# DCT_ROWS transforms each row of the identity, which gives C transposed.
_DCT_LOW = np.ascontiguousarray(
    cv2.dct(np.eye(THUMB_SIDE, dtype=np.float32), flags=cv2.DCT_ROWS).T[:8]
)


@dataclass(frozen=True, eq=False)
class Signature:
    phash: int  # 64-bit perceptual hash of the whole frame
    aspect: float  # width / height of the upright photo
    contrast: float  # standard deviation of `thumb`
    sharpness: float  # variance of the Laplacian / variance of the image, at 256 px
    # THUMB_SIDE x THUMB_SIDE uint8 grey: the whole frame squeezed to a square
    thumb: np.ndarray = field(repr=False)

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
    grey = _fixed_size(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    # two halvings first: INTER_AREA straight from 256 px costs three times as much
    thumb = cv2.resize(
        cv2.pyrDown(cv2.pyrDown(grey)), (THUMB_SIDE, THUMB_SIDE), interpolation=cv2.INTER_AREA
    )
    grey_std = cv2.meanStdDev(grey)[1][0, 0]
    lap_std = cv2.meanStdDev(cv2.Laplacian(grey, cv2.CV_16S))[1][0, 0]
    return Signature(
        phash=phash(thumb),
        aspect=w / h,
        contrast=float(cv2.meanStdDev(thumb)[1][0, 0]),
        sharpness=float(lap_std**2 / (grey_std**2 + 1.0)),
        thumb=thumb,
    )


def phash(thumb: np.ndarray) -> int:
    """The 64-bit pHash of a THUMB_SIDE x THUMB_SIDE grey image (lowest frequency: top bit)."""
    return int(phashes(thumb[None])[0])


def phashes(thumbs: np.ndarray) -> np.ndarray:
    """`phash` of each of N thumbnails (N x THUMB_SIDE x THUMB_SIDE), as N uint64."""
    low = (_DCT_LOW @ thumbs.astype(np.float32) @ _DCT_LOW.T).reshape(len(thumbs), 64)
    bits = low > np.median(low, axis=1, keepdims=True)
    return np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)


def _fixed_size(grey: np.ndarray) -> np.ndarray:
    """`grey` with its long side SHARPNESS_SIDE. Halving first (Gaussian pyramid) keeps the fast
    bilinear resize from aliasing; INTER_AREA would cost 0.5 ms at these sizes."""
    while max(grey.shape) >= 2 * SHARPNESS_SIDE:
        grey = cv2.pyrDown(grey)
    h, w = grey.shape
    f = SHARPNESS_SIDE / max(h, w)
    return cv2.resize(grey, (max(1, round(w * f)), max(1, round(h * f))))
