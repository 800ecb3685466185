"""Writes real DNG files (Adobe's raw format, a TIFF) from an ordinary photo, for tests.

No package we use ships a raw photo, so tests make one: the photo's pixels are turned back into
what a sensor would have recorded (linear light, divided by the white balance, 12-bit values
over a black level) and sampled through an RGGB Bayer colour filter. The layout is a camera's:
IFD0 holds the embedded JPEG preview and the colour metadata, a SubIFD holds the mosaic. Without
a preview, IFD0 is the mosaic itself. LibRaw reads both.

    data = write_dng(rgb)                                # H x W x 3 uint8 sRGB -> DNG bytes
    data = write_dng(rgb, orientation=6, preview=small)  # rotated, with a JPEG preview
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

BLACK = 256
WHITE = 4095
AS_SHOT_WB = (2.0, 1.0, 1.6)  # red and blue gains the camera would apply (green is 1)
# XYZ (D65) -> linear sRGB: with this as ColorMatrix1 the "camera" sees linear sRGB.
XYZ_TO_SRGB = (
    (3.2406, -1.5372, -0.4986),
    (-0.9689, 1.8758, 0.0415),
    (0.0557, -0.2040, 1.0570),
)

_BYTE, _ASCII, _SHORT, _LONG, _RATIONAL, _SRATIONAL = 1, 2, 3, 4, 5, 10
_FORMATS = {_BYTE: "B", _ASCII: "B", _SHORT: "H", _LONG: "I"}

Entry = tuple[int, int, "list[int] | list[float] | bytes | Blob | Ifd"]


def write_dng(
    rgb: np.ndarray,
    *,
    orientation: int = 1,
    preview: np.ndarray | bytes | None = None,
    preview_jpeg: bool = True,
    make: str = "Test",
    model: str = "Mosaic One",
) -> bytes:
    """A DNG whose mosaic is `rgb` (H x W x 3 uint8 sRGB, even sizes) as a sensor would see it.

    `orientation` is the TIFF/EXIF orientation (1-8) of the whole file. `preview` is an RGB image
    stored as the embedded preview, unrotated like the mosaic as cameras store it: a JPEG (or
    uncompressed RGB with `preview_jpeg=False`), or JPEG bytes stored as they are.
    """
    h, w = rgb.shape[:2]
    if h % 2 or w % 2:
        raise ValueError("the mosaic needs even sizes")
    blobs = [_mosaic(rgb).astype("<u2").tobytes()]
    raw_entries: list[Entry] = [
        (254, _LONG, [0]),  # NewSubfileType: the main image
        (256, _LONG, [w]),
        (257, _LONG, [h]),
        (258, _SHORT, [16]),
        (259, _SHORT, [1]),  # no compression
        (262, _SHORT, [32803]),  # PhotometricInterpretation: CFA
        (273, _LONG, Blob(0)),  # StripOffsets
        (277, _SHORT, [1]),
        (278, _LONG, [h]),
        (279, _LONG, [len(blobs[0])]),
        (284, _SHORT, [1]),
        (33421, _SHORT, [2, 2]),  # CFARepeatPatternDim
        (33422, _BYTE, [0, 1, 1, 2]),  # CFAPattern: R G / G B
        (50710, _BYTE, [0, 1, 2]),  # CFAPlaneColor
        (50711, _SHORT, [1]),  # CFALayout: rectangular
        (50714, _LONG, [BLACK]),  # BlackLevel
        (50717, _LONG, [WHITE]),  # WhiteLevel
    ]
    camera_entries: list[Entry] = [
        (271, _ASCII, make.encode() + b"\0"),
        (272, _ASCII, model.encode() + b"\0"),
        (274, _SHORT, [orientation]),
        (50706, _BYTE, [1, 4, 0, 0]),  # DNGVersion
        (50707, _BYTE, [1, 1, 0, 0]),  # DNGBackwardVersion
        (50708, _ASCII, f"{make} {model}".encode() + b"\0"),  # UniqueCameraModel
        (50721, _SRATIONAL, [v for row in XYZ_TO_SRGB for v in row]),  # ColorMatrix1
        (50728, _RATIONAL, [1 / g for g in AS_SHOT_WB]),  # AsShotNeutral
        (50778, _SHORT, [21]),  # CalibrationIlluminant1: D65
    ]
    if preview is None:
        return _tiff([raw_entries + camera_entries], blobs)
    if isinstance(preview, bytes):
        blobs.append(preview)
        with Image.open(io.BytesIO(preview)) as im:
            pw, ph = im.size
    elif preview_jpeg:
        ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(preview, cv2.COLOR_RGB2BGR))
        assert ok
        blobs.append(jpeg.tobytes())
        ph, pw = preview.shape[:2]
    else:
        blobs.append(np.ascontiguousarray(preview, np.uint8).tobytes())
        ph, pw = preview.shape[:2]
    compressed = isinstance(preview, bytes) or preview_jpeg
    preview_entries: list[Entry] = [
        (254, _LONG, [1]),  # NewSubfileType: a reduced-resolution preview
        (256, _LONG, [pw]),
        (257, _LONG, [ph]),
        (258, _SHORT, [8, 8, 8]),
        (259, _SHORT, [7 if compressed else 1]),  # JPEG, or none
        (262, _SHORT, [6 if compressed else 2]),  # YCbCr, or RGB
        (273, _LONG, Blob(1)),
        (277, _SHORT, [3]),
        (278, _LONG, [ph]),
        (279, _LONG, [len(blobs[1])]),
        (284, _SHORT, [1]),
        (330, _LONG, Ifd(1)),  # SubIFDs: the mosaic
    ]
    return _tiff([preview_entries + camera_entries, raw_entries], blobs)


def _mosaic(rgb: np.ndarray) -> np.ndarray:
    """The 12-bit RGGB values a sensor would have recorded for this sRGB photo."""
    s = rgb.astype(np.float64) / 255.0
    linear = np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)
    sensor = linear / np.array(AS_SHOT_WB)  # the white balance undone
    values = BLACK + sensor * (WHITE - BLACK)
    out = np.empty(rgb.shape[:2], np.float64)
    out[0::2, 0::2] = values[0::2, 0::2, 0]  # R
    out[0::2, 1::2] = values[0::2, 1::2, 1]  # G
    out[1::2, 0::2] = values[1::2, 0::2, 1]  # G
    out[1::2, 1::2] = values[1::2, 1::2, 2]  # B
    return np.clip(np.rint(out), 0, WHITE).astype(np.uint16)


@dataclass(frozen=True)
class Blob:
    """The offset of blobs[index], known once the file is laid out."""

    index: int


@dataclass(frozen=True)
class Ifd:
    """The offset of ifds[index]."""

    index: int


def _tiff(ifds: list[list[Entry]], blobs: list[bytes]) -> bytes:
    """A little-endian TIFF laid out as cameras write it: header, IFD0, further IFDs (each with
    its out-of-line values), then the image data, so that a cut file loses pixels, not tags."""
    ifds = [sorted(entries, key=lambda e: e[0]) for entries in ifds]
    sizes = [len(_ifd(entries, 0, {}, {})) for entries in ifds]
    ifd_offsets = {}
    offset = 8
    for i, size in enumerate(sizes):
        ifd_offsets[i] = offset
        offset += size + size % 2
    blob_offsets = {}
    for i, blob in enumerate(blobs):
        blob_offsets[i] = offset
        offset += len(blob) + len(blob) % 2
    out = bytearray(b"II*\0" + struct.pack("<I", 8))
    for i, entries in enumerate(ifds):
        out += _ifd(entries, ifd_offsets[i], ifd_offsets, blob_offsets)
        out += b"\0" * (len(out) % 2)
    for blob in blobs:
        out += blob + b"\0" * (len(blob) % 2)
    return bytes(out)


def _ifd(
    entries: list[Entry], at: int, ifd_offsets: dict[int, int], blob_offsets: dict[int, int]
) -> bytes:
    """One IFD written at offset `at`, its values longer than 4 bytes right after it."""
    head = struct.pack("<H", len(entries))
    tail = bytearray()
    values_at = at + 2 + 12 * len(entries) + 4
    for tag, kind, values in entries:
        if isinstance(values, Blob):
            values = [blob_offsets.get(values.index, 0)]
        elif isinstance(values, Ifd):
            values = [ifd_offsets.get(values.index, 0)]
        payload, count = _pack(kind, values)
        if len(payload) <= 4:
            head += struct.pack("<HHI", tag, kind, count) + payload.ljust(4, b"\0")
        else:
            head += struct.pack("<HHII", tag, kind, count, values_at + len(tail))
            tail += payload + b"\0" * (len(payload) % 2)
    return head + struct.pack("<I", 0) + tail


def _pack(kind: int, values: list[int] | list[float] | bytes) -> tuple[bytes, int]:
    if isinstance(values, bytes):
        return values, len(values)
    if kind in (_RATIONAL, _SRATIONAL):
        code = "i" if kind == _SRATIONAL else "I"
        parts = [struct.pack(f"<{code}{code}", round(v * 10_000), 10_000) for v in values]
        return b"".join(parts), len(values)
    return struct.pack(f"<{len(values)}{_FORMATS[kind]}", *values), len(values)
