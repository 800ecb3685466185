"""The orders the grid can show photos in, and putting a catalogue in one of them.

The catalogue comes newest first by capture time, a photo that carries none by its file's time
(store/catalog.py): that is TAKEN_NEWEST, the default, and costs nothing. The others need a key
per photo, read from the local index in one query (capture time from `captures`, the day the
library first saw a photo from `photos`) or taken from the row (the file name, the file's time).
`arrange` sorts in slices of a few thousand rows and merges them, so that no single step holds
Python's lock for long: it runs off the UI thread while the window keeps answering. Photos without
a key (no capture time stored yet) go by their file's date. Ties keep the catalogue's order.

A new order is one entry in ORDERS and its keys: from the index in `sort_keys`, or handed to
`arrange` by the window for what lives in the document (a rating, once photos have one).
"""

from __future__ import annotations

import heapq
import math
import os
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from photo_tagger.errors import LibraryError
from photo_tagger.store.catalog import CID, MTIME, PATH, Row
from photo_tagger.store.sqlite import connect_readonly

FILE_DATE: Final = "file-date"  # newest file first
TAKEN_NEWEST: Final = "taken-newest"  # the catalogue's own order
TAKEN_OLDEST: Final = "taken-oldest"
NAME: Final = "name"
ADDED: Final = "added"  # newest first: what was just added comes first
RATING: Final = "rating"  # most stars first; a rejected photo last (Lightroom's -1)

# key -> what the View › Sort By menu says, in its order
ORDERS: Final = {
    TAKEN_NEWEST: "Capture Time, Newest First",
    TAKEN_OLDEST: "Capture Time, Oldest First",
    FILE_DATE: "File Date, Newest First",
    ADDED: "Date Added, Newest First",
    NAME: "File Name",
    RATING: "Rating, Highest First",  # keys: the photos' stars, handed over by the window
}
CATALOGUE_ORDER: Final = TAKEN_NEWEST  # the order the catalogue's rows come in: no work
DEFAULT: Final = TAKEN_NEWEST
SLICE = 4096  # rows sorted in one step

Keys = dict[str, str] | dict[str, float]  # photo -> its sort key, for orders read from the index
NEWEST_FIRST: Final = (TAKEN_NEWEST, ADDED, FILE_DATE, RATING)  # the highest key first
_WALL_CLOCK = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def sort_keys(index_file: Path, order: str) -> Keys:
    """The keys `order` sorts by, from the index ({} for orders that need none): a capture time
    as the camera's wall clock ("2024-06-12T19:05:00", which sorts as text), the time a photo was
    added as epoch seconds."""
    if order in (TAKEN_NEWEST, TAKEN_OLDEST):
        sql = "SELECT content_id, substr(taken, 1, 19) FROM captures WHERE taken IS NOT NULL"
        valid: Callable[[object], bool] = _wall_clock
    elif order == ADDED:
        sql, valid = "SELECT content_id, added FROM photos", _number
    else:
        return {}
    conn = connect_readonly(index_file, "library index")
    try:
        return {cid: value for cid, value in conn.execute(sql) if valid(value)}
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot read the library index {index_file}: {exc}") from exc
    finally:
        conn.close()


def arrange(rows: list[Row], order: str, keys: Keys) -> list[Row]:
    """`rows` (in the catalogue's order) in `order`; a new list, `rows` itself for TAKEN_NEWEST."""
    if order not in ORDERS or order == TAKEN_NEWEST:
        return rows
    get = keys.get
    decorated: list[tuple[object, int]]
    if order == NAME:
        decorated = [(os.path.basename(r[PATH]).casefold(), i) for i, r in enumerate(rows)]
    elif order == FILE_DATE:
        decorated = [(r[MTIME], i) for i, r in enumerate(rows)]
    elif order == RATING:  # a photo nobody rated has 0 stars
        decorated = [(get(r[CID], 0), i) for i, r in enumerate(rows)]
    else:  # a photo without a key goes by its file's date (for capture times, as a clock)
        fallback = _epoch_seconds if order == ADDED else _local_clock
        decorated = []
        for i, r in enumerate(rows):
            key = get(r[CID])
            decorated.append((fallback(r[MTIME]) if key is None else key, i))
    newest = order in NEWEST_FIRST
    if newest:
        decorated = [(key, -i) for key, i in decorated]
    # ties in the catalogue's order: i ascending, or -i descending for the newest first
    slices = [
        sorted(decorated[s : s + SLICE], reverse=newest) for s in range(0, len(decorated), SLICE)
    ]
    return [rows[abs(i)] for _, i in heapq.merge(*slices, reverse=newest)]


def _epoch_seconds(mtime_ns: int) -> float:
    return mtime_ns / 1e9


def _local_clock(mtime_ns: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(mtime_ns // 1_000_000_000))


def _wall_clock(value: object) -> bool:
    return isinstance(value, str) and _WALL_CLOCK.fullmatch(value) is not None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)
