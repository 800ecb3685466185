"""Decoding photos (reduced scale, EXIF-oriented, bomb-guarded) and their thumbnails: the format
registry (formats: which names and first bytes are which photo format, and which decoder reads
each), the decoders of ordinary photos (decode) and of camera RAW files (raw), the thumbnail
cache (thumbnails), and the shrinking of a decoded photo for the models and thumbnails
(resize)."""

from photo_tagger.imaging.decode import DecodedImage
from photo_tagger.imaging.formats import (
    ImageFormat,
    claimed_pixels,
    decode,
    decode_photo,
    format_of_path,
    formats,
    is_raw,
    sniff,
    sniff_format,
)
from photo_tagger.imaging.raw import decode_raw
from photo_tagger.imaging.thumbnails import ThumbnailCache, make_thumbnail

__all__ = [
    "claimed_pixels",
    "DecodedImage",
    "ImageFormat",
    "ThumbnailCache",
    "decode",
    "decode_photo",
    "decode_raw",
    "format_of_path",
    "formats",
    "is_raw",
    "make_thumbnail",
    "sniff",
    "sniff_format",
]
