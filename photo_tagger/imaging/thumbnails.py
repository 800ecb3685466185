"""Thumbnails, made from the buffer the pipeline already decoded, cached on disk by content id."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from photo_tagger.imaging.resize import shrink

THUMBNAIL_SIDE = 256


def make_thumbnail(rgb: np.ndarray, side: int = THUMBNAIL_SIDE, quality: int = 85) -> bytes:
    """JPEG bytes of `rgb` scaled so that its long side is at most `side`."""
    h, w = rgb.shape[:2]
    f = min(1.0, side / max(h, w))
    if f < 1.0:
        rgb = shrink(rgb, max(1, round(w * f)), max(1, round(h * f)))
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise ValueError("thumbnail could not be encoded")
    return buf.tobytes()


class ThumbnailCache:
    """`root/ab/abcdef....jpg`: two-level fan-out keeps folders small in a 100k-photo library."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def relative_path(self, content_id: str) -> str:
        return f"{content_id[:2]}/{content_id}.jpg"

    def path(self, content_id: str) -> Path:
        return self.root / self.relative_path(content_id)

    def put(self, content_id: str, jpeg: bytes) -> str:
        """Write atomically (a reader never sees half a file); returns the relative path."""
        rel = self.relative_path(content_id)
        dest = self.root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(jpeg)
        os.replace(tmp, dest)
        return rel

    def get(self, content_id: str) -> bytes | None:
        try:
            return self.path(content_id).read_bytes()
        except FileNotFoundError:
            return None
