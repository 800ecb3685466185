"""Decoding photos (reduced scale, EXIF-oriented, bomb-guarded) and their thumbnails."""

from photo_tagger.imaging.decode import DecodedImage, decode, sniff_format
from photo_tagger.imaging.thumbnails import ThumbnailCache, make_thumbnail

__all__ = ["DecodedImage", "ThumbnailCache", "decode", "make_thumbnail", "sniff_format"]
