"""A library of photos as a scan stores them in the index (files, photos, capture time and GPS),
without pixels: for the views that read when and where photos were taken (the timeline, the map).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from photo_tagger.store.library import Library

Shot = tuple[str, str, tuple[float, float] | None]  # (file name, taken, (lat, lon) or None)


def dated_library(path: Path, shots: Iterable[Shot]) -> Path:
    """A library at `path` holding `shots`; each photo's id is its file name's stem."""
    with Library.open(path) as library:
        index = library.index
        with index.batch():
            for k, (name, taken, where) in enumerate(shots):
                cid = Path(name).stem
                index.set_photo(cid, 400, 300, None, "models@1")
                # files copied in another order than taken: their times say nothing
                mtime = 1_700_000_000_000_000_000 + (k * 7919) % 100_003
                index.upsert_file(f"/photos/{name}", 1, mtime, cid)
                index.set_capture(cid, taken, False, where, "Canon|R6|1", None, None)
    return path


def months(first_year: int, count: int, per_month: int) -> list[Shot]:
    """`per_month` photos in each of `count` months from January of `first_year`."""
    shots: list[Shot] = []
    for m in range(count):
        year, month = first_year + m // 12, m % 12 + 1
        for d in range(per_month):
            taken = f"{year:04d}-{month:02d}-{d % 28 + 1:02d}T12:{d % 60:02d}:00"
            shots.append((f"IMG_{year}{month:02d}_{d:03d}.jpg", taken, None))
    return shots
