"""Camera RAW files (CR2, CR3, NEF, ARW, DNG, RAF, ORF, RW2, PEF, SRW, ...), read with LibRaw.

    decode_raw(data, target_side, max_pixels) -> DecodedImage   # format "RAW"

A RAW is decoded from its embedded JPEG preview when the camera stored one at least `target_side`
pixels on its long side (most store a full-size one): one reduced-scale JPEG decode (a 6 MP DNG:
15 ms, against 50 ms to develop its sensor data at half size; developing grows with the sensor, and
compressed formats cost more). The preview is decoded by `decode_jpeg()`, the same path as any
JPEG; its pixels are stored the way the sensor recorded them, so the RAW's orientation (LibRaw's
`flip`) is what turns them upright, whatever the preview's own EXIF says. A preview whose shape
does not match the sensor's (stored rotated, or letterboxed) is not trusted. Otherwise the sensor
data is developed at half size (each 2 x 2 Bayer block becomes one pixel, no demosaicing) with the
camera's white balance, then shrunk.

Width and height are always those of the RAW developed at full size, upright.

Limits: LibRaw reads the file from memory (no temporary file). A file cut short fails with
CorruptImageError when its sensor data is needed; one whose preview is whole is shown from the
preview (checking the sensor data would cost what the preview saves).

Which names are RAW files is the format registry's (photo_tagger.imaging.formats); which RAW and
JPEG are one shot, photo_tagger.files.formats'.
"""

from __future__ import annotations

import io

import numpy as np
import rawpy
from PIL import Image

from photo_tagger.errors import (
    CorruptImageError,
    ImageError,
    ImageTooLargeError,
    UnsupportedImageError,
)
from photo_tagger.imaging.decode import (
    DEFAULT_MAX_PIXELS,
    DEFAULT_TARGET_SIDE,
    JPEG_SIGNATURE,
    DecodedImage,
    allow_pillow,
    apply_orientation,
    check_size,
    decode_jpeg,
    shrink,
)

# LibRaw's flip (dcraw's bits: 1 mirror left-right, 2 mirror top-bottom, 4 transpose) as the
# EXIF orientation that does the same; measured on DNGs written with each orientation.
_FLIP_TO_ORIENTATION = {0: 1, 1: 2, 2: 4, 3: 3, 4: 5, 5: 8, 6: 6, 7: 7}
_UNDO_ORIENTATION = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}
_EXIF_ORIENTATION = 0x0112
_ASPECT_TOLERANCE = 0.05
_TAIL = 64  # bytes of a preview's end looked for in the file

_TOO_LARGE = (
    rawpy.LibRawTooBigError,
    rawpy.LibRawMemPoolOverflowError,
    rawpy.LibRawUnsufficientMemoryError,
)


def decode_raw(
    data: bytes,
    target_side: int = DEFAULT_TARGET_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DecodedImage:
    """Decode a RAW file upright, its long side about `target_side` pixels (see module doc).

    Raises UnsupportedImageError (not a RAW LibRaw reads), CorruptImageError (damaged or cut
    short) or ImageTooLargeError (more than `max_pixels`).
    """
    if not data:
        raise CorruptImageError("empty file (0 bytes)")
    allow_pillow(max_pixels)  # the embedded preview is opened by Pillow
    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            sizes = raw.sizes
            if sizes.width <= 0 or sizes.height <= 0:
                raise CorruptImageError("RAW image has no pixels")
            check_size(sizes.raw_width, sizes.raw_height, max_pixels)
            orientation = _FLIP_TO_ORIENTATION.get(sizes.flip, 1)
            width, height = sizes.width, sizes.height
            rgb = _from_preview(raw, data, (width, height), orientation, target_side, max_pixels)
            if rgb is None:
                developed = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8)
                rgb = shrink(_three_channels(developed), target_side)  # LibRaw turned it
    except rawpy.LibRawFileUnsupportedError:
        raise UnsupportedImageError("not a RAW format LibRaw can read") from None
    except _TOO_LARGE as exc:
        raise ImageTooLargeError(f"RAW too large to develop ({_message(exc)})") from None
    except rawpy.LibRawIOError:
        raise CorruptImageError("truncated RAW (the file ends before its image data)") from None
    except rawpy.LibRawError as exc:
        raise CorruptImageError(f"damaged RAW data ({_message(exc)})") from None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return DecodedImage(rgb=rgb, width=width, height=height, format="RAW")


def _from_preview(
    raw: rawpy.RawPy,
    data: bytes,
    size: tuple[int, int],
    orientation: int,
    target_side: int,
    max_pixels: int,
) -> np.ndarray | None:
    """The embedded preview, upright, when it is whole, large enough and shaped like the sensor
    (`size`, the RAW's width and height as stored)."""
    width, height = size
    try:
        thumb = raw.extract_thumb()
    except rawpy.LibRawError:  # none, or one LibRaw cannot extract: develop the sensor data
        return None
    if (
        thumb.format == rawpy.ThumbFormat.JPEG
        and isinstance(thumb.data, bytes)
        and thumb.data.startswith(JPEG_SIGNATURE)  # what LibRaw calls a JPEG really is one
        # and the file holds all of it: LibRaw fills what a file cut short lacks with whatever
        # its memory held before (often a JPEG's end), which no check of the JPEG itself can see
        and thumb.data[-_TAIL:] in data
    ):
        try:
            with Image.open(io.BytesIO(thumb.data)) as header:
                stored = header.size
                own = int(header.getexif().get(_EXIF_ORIENTATION, 1))
        except Exception:  # a preview Pillow cannot even open is not worth a failed scan
            return None
        if not _fits(stored, width, height, target_side):
            return None
        try:
            rgb = decode_jpeg(thumb.data, target_side, max_pixels).rgb
        except ImageError:
            return None
        if own != orientation:
            # decode_jpeg() turned it by the preview's own tag; the RAW's orientation is the truth
            rgb = apply_orientation(rgb, _UNDO_ORIENTATION.get(own, 1))
            rgb = apply_orientation(rgb, orientation)
        return rgb
    if thumb.format == rawpy.ThumbFormat.BITMAP:
        bitmap = _three_channels(np.asarray(thumb.data))
        if bitmap.dtype != np.uint8:
            return None
        if not _fits((bitmap.shape[1], bitmap.shape[0]), width, height, target_side):
            return None
        return apply_orientation(shrink(bitmap, target_side), orientation)
    return None


def _fits(stored: tuple[int, int], width: int, height: int, target_side: int) -> bool:
    pw, ph = stored
    if pw <= 0 or ph <= 0 or max(pw, ph) < target_side:
        return False
    return abs((pw / ph) / (width / height) - 1) <= _ASPECT_TOLERANCE


def _three_channels(rgb: np.ndarray) -> np.ndarray:
    if rgb.ndim == 2:
        rgb = rgb[:, :, None]
    if rgb.shape[2] == 1:  # a monochrome sensor
        rgb = np.repeat(rgb, 3, axis=2)
    return np.ascontiguousarray(rgb[:, :, :3])


def _message(exc: Exception) -> str:
    text = exc.args[0] if exc.args else exc
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)
