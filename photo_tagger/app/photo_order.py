"""The orders the grid can show photos in, and putting a catalogue in one of them.

The catalogue comes newest file first (store/catalog.py): that is FILE_DATE and costs nothing.
The others need a key per photo, read from the local index in one query (capture time from
`captures`, the day the library first saw a photo from `photos`) or taken from the row (the file
name). `arrange` sorts in slices of a few thousand rows and merges them, so that no single step
holds Python's lock for long: it runs off the UI thread while the window keeps answering.
Photos without a key (no capture time stored yet) go by their file's date. Ties keep the
catalogue's order.

A new order is one entry in ORDERS and one branch in `sort_keys` (photos by rating will be one).
"""

from __future__ import annotations

import heapq
import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Final

from photo_tagger.errors import LibraryError
from photo_tagger.store.catalog import CID, MTIME, PATH, Row
from photo_tagger.store.sqlite import connect_readonly

FILE_DATE: Final = "file-date"  # the catalogue's own order, newest file first
TAKEN_NEWEST: Final = "taken-newest"
TAKEN_OLDEST: Final = "taken-oldest"
NAME: Final = "name"
ADDED: Final = "added"  # newest first: what was just added comes first

# key -> what the View › Sort By menu says, in its order
ORDERS: Final = {
    TAKEN_NEWEST: "Capture Time, Newest First",
    TAKEN_OLDEST: "Capture Time, Oldest First",
    FILE_DATE: "File Date, Newest First",
    ADDED: "Date Added, Newest First",
    NAME: "File Name",
}
DEFAULT: Final = FILE_DATE
SLICE = 4096  # rows sorted in one step

Keys = dict[str, float]  # photo -> its sort key, for the orders read from the index


def sort_keys(index_file: Path, order: str) -> Keys:
    """The keys `order` sorts by, from the index ({} for orders that need none)."""
    if order in (TAKEN_NEWEST, TAKEN_OLDEST):
        sql = "SELECT content_id, taken FROM captures WHERE taken IS NOT NULL"
        convert: Callable[[object], float | None] = _taken_seconds
    elif order == ADDED:
        sql, convert = "SELECT content_id, added FROM photos", _number
    else:
        return {}
    conn = connect_readonly(index_file, "library index")
    try:
        keys: Keys = {}
        for cid, value in conn.execute(sql):
            key = convert(value)
            if key is not None:
                keys[cid] = key
        return keys
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot read the library index {index_file}: {exc}") from exc
    finally:
        conn.close()


def arrange(rows: list[Row], order: str, keys: Keys) -> list[Row]:
    """`rows` (in the catalogue's order) in `order`; a new list, `rows` itself for FILE_DATE."""
    if order not in ORDERS or order == FILE_DATE:
        return rows
    decorated: list[tuple[object, int]]
    if order == NAME:
        decorated = [(os.path.basename(r[PATH]).casefold(), i) for i, r in enumerate(rows)]
    else:
        sign = 1.0 if order == TAKEN_OLDEST else -1.0
        get = keys.get
        decorated = []
        for i, r in enumerate(rows):
            key = get(r[CID])
            decorated.append((sign * (r[MTIME] / 1e9 if key is None else key), i))
    slices = [sorted(decorated[s : s + SLICE]) for s in range(0, len(decorated), SLICE)]
    return [rows[i] for _, i in heapq.merge(*slices)]


def _taken_seconds(value: object) -> float | None:
    from photo_tagger.context.timeline import wall_seconds  # not with the window's first paint

    if not isinstance(value, str):
        return None
    try:
        return wall_seconds(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        return None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
