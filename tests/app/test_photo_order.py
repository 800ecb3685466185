"""The grid's orders: by capture time (a photo without one goes by its file's date), by file name,
by the day it was added; ties keep the catalogue's order, and a slice at a time gives the same
result as one sort."""

from __future__ import annotations

import random
from pathlib import Path

from photo_tagger.app import photo_order
from photo_tagger.app.photo_order import (
    ADDED,
    FILE_DATE,
    NAME,
    RATING,
    TAKEN_NEWEST,
    TAKEN_OLDEST,
    arrange,
    sort_keys,
)
from photo_tagger.store.catalog import Row
from photo_tagger.store.index import LocalIndex

S = 1_000_000_000  # a second in nanoseconds


def row(cid: str, path: str, mtime_s: float, taken: str = "1970-01-01T00:00:00") -> Row:
    return (cid, path, int(mtime_s * S), None, taken)


TAKEN = {"a": "2024-06-12T19:05:00", "b": "2023-01-01T10:00:00", "c": "2024-06-12T08:00:00"}
ROWS = [  # the catalogue: newest taken first; d has no capture time: its file's date, in 1970
    row("a", "/p/alpha.jpg", 100, TAKEN["a"]),
    row("c", "/p/charlie.jpg", 300, TAKEN["c"]),
    row("b", "/q/bravo.jpg", 200, TAKEN["b"]),
    row("d", "/p/Delta.jpg", 400),
]


def ids(rows: list[Row]) -> list[str]:
    return [r[0] for r in rows]


def test_each_order() -> None:
    assert arrange(ROWS, TAKEN_NEWEST, TAKEN) is ROWS  # the catalogue's own order: no work
    assert ids(arrange(ROWS, TAKEN_OLDEST, TAKEN)) == ["d", "b", "c", "a"]
    assert ids(arrange(ROWS, FILE_DATE, {})) == ["d", "c", "b", "a"]
    added = {"a": 350.0, "b": 50.0, "c": 250.0}  # d: its file's date, 400
    assert ids(arrange(ROWS, ADDED, added)) == ["d", "a", "c", "b"]
    assert ids(arrange(ROWS, NAME, {})) == ["a", "b", "c", "d"]  # case does not count
    stars = {"b": 4.0, "d": 5.0, "a": -1.0}  # a rejected; c never rated
    assert ids(arrange(ROWS, RATING, stars)) == ["d", "b", "c", "a"]
    assert arrange(ROWS, "by-mood", {}) is ROWS  # an order this version lacks


def test_ties_keep_the_catalogue_order_and_slices_merge_to_one_sort() -> None:
    rng = random.Random(3)
    count = photo_order.SLICE * 3 + 5
    rows = [row(f"{i:05d}", f"/p/{rng.randrange(50)}.jpg", 1e5 - i) for i in range(count)]
    taken = {r[0]: f"2024-01-01T10:00:{rng.randrange(60):02d}" for r in rows}
    added = {r[0]: float(rng.randrange(100)) for r in rows}
    cases = (
        (TAKEN_OLDEST, taken, lambda r: taken[r[0]]),
        (FILE_DATE, {}, lambda r: -r[2]),
        (ADDED, added, lambda r: -added[r[0]]),
        (NAME, {}, lambda r: r[1]),
    )
    for order, keys, key in cases:
        expected = sorted(rows, key=key)  # stable: ties in the catalogue's order
        assert arrange(rows, order, keys) == expected, order


def test_keys_come_from_the_index(tmp_path: Path) -> None:
    index = LocalIndex.open(tmp_path / "index.sqlite")
    for cid in ("a", "b", "c"):
        index.set_photo(cid, 10, 10, None, None)
    index.set_capture("a", "2024-06-12T19:05:00.250000+01:00", False, None, None, None, None)
    index.set_capture("b", "not a date", False, None, None, None, None)
    index.close()
    taken = sort_keys(tmp_path / "index.sqlite", TAKEN_OLDEST)
    assert taken == {"a": "2024-06-12T19:05:00"}  # the camera's own wall clock; b has none
    assert set(sort_keys(tmp_path / "index.sqlite", ADDED)) == {"a", "b", "c"}
    assert sort_keys(tmp_path / "index.sqlite", NAME) == {}
