"""Decode a photo once, small, upright: the one buffer every model and the thumbnail are fed from.

Entropy decoding is the floor of the whole pipeline (MODELS.md: a 12 MP JPEG costs ~26 ms even at
1/8 scale), so JPEGs are decoded by libjpeg at the coarsest DCT scale that still gives
`target_side` pixels on the long side, and nothing decodes a photo twice.

    decode_jpeg(data, target_side, max_pixels) -> DecodedImage   # libjpeg, at reduced scale
    decode_with_pillow(data, fmt, target_side, max_pixels)       # PNG, WebP, TIFF
    decode_heif(data, target_side, max_pixels)                   # HEIC, AVIF (libheif)

Which of them reads a file is decided by the format registry, photo_tagger.imaging.formats.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from photo_tagger.errors import CorruptImageError, ImageTooLargeError
from photo_tagger.words import details, reason

log = logging.getLogger(__name__)

# 250 MP: well above today's largest stills (medium-format sensors of 100-102 MP, their 16-bit
# TIFF exports), far below what it takes a crafted file to exhaust memory (a 30 kB PNG can claim
# 65,535 x 65,535 = 4,295 MP). Checked by us against the header's size before any pixel is decoded.
DEFAULT_MAX_PIXELS = 250_000_000
DEFAULT_TARGET_SIDE = 500

_EXIF_ORIENTATION = 0x0112
JPEG_SIGNATURE = b"\xff\xd8\xff"  # start-of-image marker, then the first segment's marker


@dataclass(frozen=True)
class DecodedImage:
    rgb: np.ndarray  # H x W x 3 uint8, upright, at reduced scale
    width: int  # of the upright photo at full size
    height: int
    format: str  # the name of its ImageFormat: "JPEG", "PNG", "WEBP", "TIFF", "HEIF" or "RAW"

    @property
    def scale(self) -> float:
        """Pixels of `rgb` per pixel of the full-size photo."""
        return self.rgb.shape[1] / self.width


def decode_jpeg(
    data: bytes,
    target_side: int = DEFAULT_TARGET_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DecodedImage:
    """A JPEG's bytes upright, decoded by libjpeg at the coarsest DCT scale that still gives
    `target_side` pixels on the long side."""
    width, height, orientation = _header(data, max_pixels)
    rgb = _decode_jpeg(data, width, height, target_side)
    return _upright(rgb, width, height, orientation, "JPEG")


def decode_with_pillow(
    data: bytes,
    fmt: str,
    target_side: int = DEFAULT_TARGET_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DecodedImage:
    """A PNG's, WebP's or TIFF's bytes upright, decoded by Pillow, then shrunk; `fmt` names it."""
    width, height, orientation = _header(data, max_pixels)
    rgb = _decode_with_pillow(data, target_side)
    return _upright(rgb, width, height, orientation, fmt)


def _upright(rgb: np.ndarray, width: int, height: int, orientation: int, fmt: str) -> DecodedImage:
    rgb = apply_orientation(rgb, orientation)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return DecodedImage(rgb=rgb, width=width, height=height, format=fmt)


def _header(data: bytes, max_pixels: int) -> tuple[int, int, int]:
    """Size and EXIF orientation from the header alone (no pixel is decoded)."""
    allow_pillow(max_pixels)
    try:
        im = Image.open(io.BytesIO(data))
        width, height = im.size
        try:
            orientation = int(im.getexif().get(_EXIF_ORIENTATION, 1))
        except Exception:  # a damaged EXIF block should not cost the user the photo
            orientation = 1
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow saw a size above its own limit, which allow_pillow() keeps at or above ours
        raise ImageTooLargeError(
            f"claims more than the limit of {megapixels(max_pixels)} (decompression bomb?)"
        ) from None
    except UnidentifiedImageError:
        raise CorruptImageError("damaged image header") from None
    except Exception as exc:  # Pillow's plugins raise a zoo of types on damaged headers
        raise CorruptImageError(f"damaged image header ({_reason(exc)})") from None
    if width <= 0 or height <= 0:
        raise CorruptImageError("image has no pixels")
    check_size(width, height, max_pixels)
    return width, height, orientation if 1 <= orientation <= 8 else 1


def check_size(width: int, height: int, max_pixels: int) -> None:
    """ImageTooLargeError, naming the limit, when a photo claims more than `max_pixels`."""
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{width}x{height} ({megapixels(width * height)}) is more than the "
            f"limit of {megapixels(max_pixels)} (decompression bomb?)"
        )


def megapixels(pixels: int) -> str:
    """`pixels` in words: "102 megapixels", "0.3 megapixels"."""
    return f"{pixels / 1_000_000:,.1f}".removesuffix(".0") + " megapixels"


def allow_pillow(max_pixels: int) -> None:
    """Let Pillow open what our own limit allows.

    Pillow's bomb limit is a single global (Image.MAX_IMAGE_PIXELS, 89.5 MP by default: it warns
    above it and refuses twice it), with no limit per call, and it is smaller than a 102 MP
    medium-format photo. Our own check of the header's size against the caller's `max_pixels`
    is what refuses a photo; Pillow's limit is only raised to it here, at every entry that opens a
    photo with Pillow, and never lowered, so that a decode with a larger limit running in another
    thread is never refused by Pillow first and Pillow stays a second net above ours.
    """
    if max_pixels <= 0:
        raise ValueError(f"max_pixels must be positive, not {max_pixels}")
    current = Image.MAX_IMAGE_PIXELS
    if current is not None and current < max_pixels:
        Image.MAX_IMAGE_PIXELS = max_pixels


_JPEG_REDUCTIONS = (
    (8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2),
    (1, cv2.IMREAD_COLOR),
)


def jpeg_reduction(width: int, height: int, target_side: int) -> int:
    """The coarsest DCT scale (8, 4, 2 or 1) that keeps the long side at least `target_side`."""
    long_side = max(width, height)
    for factor, _ in _JPEG_REDUCTIONS:
        if long_side // factor >= target_side:
            return factor
    return 1


def _decode_jpeg(data: bytes, width: int, height: int, target_side: int) -> np.ndarray:
    # libjpeg decodes a truncated file into a grey bottom half without complaint; the last scan
    # of a whole JPEG is followed by an end-of-image marker, which entropy-coded data never holds.
    # So a start-of-scan after the last end-of-image (or with none) means a truncated file. The
    # end-of-image is sought from the end, then a start-of-scan only after it: one short search.
    end = data.rfind(b"\xff\xd9")
    if data.find(b"\xff\xda", max(end, 0)) >= 0:
        raise CorruptImageError("truncated JPEG (the file ends before the image does)")
    factor = jpeg_reduction(width, height, target_side)
    flag = dict(_JPEG_REDUCTIONS)[factor] | cv2.IMREAD_IGNORE_ORIENTATION
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if bgr is None:
        raise CorruptImageError("damaged JPEG data")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _decode_with_pillow(data: bytes, target_side: int) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            im = _reduced(opened, target_side)
            im = im if im.mode in ("RGB", "L") else _flatten(im)
            rgb = np.asarray(im.convert("RGB"))
    except Image.DecompressionBombError:
        raise ImageTooLargeError("larger than its header said (decompression bomb?)") from None
    except Exception as exc:  # EOFError, IndexError, struct.error... on damaged data
        raise CorruptImageError(f"damaged image data ({_reason(exc)})") from None
    return shrink(rgb, target_side)


# Modes Image.reduce() averages correctly (a palette's indices or 16-bit words would not be).
_REDUCIBLE_MODES = ("L", "LA", "RGB", "RGBA")


def _reduced(im: Image.Image, target_side: int) -> Image.Image:
    """`im` shrunk by the largest whole factor that keeps its long side at least `target_side`,
    before it is converted or flattened: a 102 MP photo is never copied at full size."""
    factor = max(im.size) // max(1, target_side)
    if factor < 2 or im.mode not in _REDUCIBLE_MODES:
        return im
    return im.reduce(factor)


def _flatten(im: Image.Image) -> Image.Image:
    """RGB on white for images with transparency, 16-bit or palette modes."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float32)
        top = float(arr.max()) or 1.0
        return Image.fromarray((arr * (255.0 / top)).astype(np.uint8))
    if "A" in im.getbands() or im.mode == "P":
        rgba = im.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    return im


def decode_heif(
    data: bytes,
    target_side: int = DEFAULT_TARGET_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DecodedImage:
    """A HEIF's (HEIC's or AVIF's) bytes upright, decoded by libheif, then shrunk."""
    import pillow_heif  # only when a HEIF photo turns up: it loads libheif

    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        width, height = heif.size
        check_size(width, height, max_pixels)
        im = heif.to_pillow()  # libheif applies the container's rotation and mirroring
        rgb = np.asarray(_flatten(im).convert("RGB"))
    except ImageTooLargeError:
        raise
    except Exception as exc:  # libheif's binding raises IndexError, SyntaxError... on damage
        raise CorruptImageError(f"damaged HEIF data ({_reason(exc)})") from None
    return DecodedImage(
        rgb=shrink(rgb, target_side), width=rgb.shape[1], height=rgb.shape[0], format="HEIF"
    )


def _reason(exc: Exception) -> str:
    """What went wrong with the file, in words for a scan's report; the decoder's own text goes
    to the log."""
    log.info("decoder: %s", details(exc))
    if isinstance(exc, OSError) and exc.errno is not None:
        return reason(exc)  # the disk, not the data
    if isinstance(exc, EOFError) or "truncated" in str(exc):
        return "the file is cut short"
    return "its data does not decode"


def shrink(rgb: np.ndarray, target_side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    long_side = max(h, w)
    if long_side <= target_side * 1.5:
        return np.ascontiguousarray(rgb)
    f = target_side / long_side
    size = (max(1, round(w * f)), max(1, round(h * f)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def apply_orientation(rgb: np.ndarray, orientation: int) -> np.ndarray:
    """Turn a buffer stored with EXIF orientation 1-8 upright."""
    if orientation == 2:
        rgb = rgb[:, ::-1]
    elif orientation == 3:
        rgb = rgb[::-1, ::-1]
    elif orientation == 4:
        rgb = rgb[::-1]
    elif orientation == 5:
        rgb = rgb.transpose(1, 0, 2)
    elif orientation == 6:
        rgb = np.rot90(rgb, -1)
    elif orientation == 7:
        rgb = rgb[::-1, ::-1].transpose(1, 0, 2)
    elif orientation == 8:
        rgb = np.rot90(rgb, 1)
    return np.ascontiguousarray(rgb)
