"""Decoding photos (reduced scale, EXIF-oriented, bomb-guarded) and their thumbnails."""

from photo_tagger.imaging.decode import DecodedImage, decode, sniff_format
from photo_tagger.imaging.raw import decode_photo, decode_raw
from photo_tagger.imaging.thumbnails import ThumbnailCache, make_thumbnail

__all__ = [
    "DecodedImage",
    "ThumbnailCache",
    "decode",
    "decode_photo",
    "decode_raw",
    "make_thumbnail",
    "sniff_format",
]
