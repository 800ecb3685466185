"""The catalogue: every photo on disk, newest first, read from a real library's index."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from photo_tagger.store.catalog import (
    TAKEN,
    Row,
    merge_rows,
    read_catalog,
    read_first_rows,
    read_rows_for,
)
from photo_tagger.store.library import Library
from photo_tagger.store.paths import INDEX_FILE


def fill(library: Library) -> None:
    """a: one file; b: two copies (the newer stands for it); c: no thumbnail yet; d: not on disk."""
    index = library.index
    with index.batch():
        for cid, thumb in (("a", "thumbs/a.jpg"), ("b", "thumbs/b.jpg"), ("c", None), ("d", "t")):
            index.set_photo(cid, 10, 10, thumb, "models@1")
        index.upsert_file("/p/a.jpg", 1, 30, "a")
        index.upsert_file("/p/b.jpg", 1, 20, "b")
        index.upsert_file("/q/b.jpg", 1, 40, "b")
        index.upsert_file("/p/c.jpg", 1, 10, "c")


def test_the_catalogue_is_one_row_per_photo_on_disk_newest_first(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib") as library:
        fill(library)
        index_file = library.path / INDEX_FILE
        catalog = read_catalog(index_file)  # its own connection, beside the library's
    assert [r[:4] for r in catalog.rows] == [
        ("b", "/q/b.jpg", 40, "thumbs/b.jpg"),
        ("a", "/p/a.jpg", 30, "thumbs/a.jpg"),
        ("c", "/p/c.jpg", 10, None),
    ]
    assert len(catalog) == 3
    assert read_first_rows(index_file, 2) == catalog.rows[:2]
    assert sorted(r[:4] for r in read_rows_for(index_file, ["b", "d"])) == [
        ("b", "/p/b.jpg", 20, "thumbs/b.jpg"),
        ("b", "/q/b.jpg", 40, "thumbs/b.jpg"),
    ]


def test_the_catalogue_is_in_the_order_photos_were_taken(tmp_path: Path) -> None:
    """A photo copied off a camera last week, taken years ago, goes where it was taken: after
    photos taken since, whatever their files' times; a photo not read yet goes by its file."""
    taken = {"a": "2019-05-01T10:00:00", "b": "2024-06-12T14:00:00+01:00", "c": None}
    with Library.open(tmp_path / "lib") as library:
        fill(library)
        for cid, when in taken.items():
            if when is not None:
                library.index.set_capture(cid, when, False, None, None, None, None)
        index_file = library.path / INDEX_FILE
        catalog = read_catalog(index_file)
    assert [r[0] for r in catalog.rows] == ["b", "a", "c"]  # c: its file is from 1970
    assert [r[TAKEN] for r in catalog.rows[:2]] == ["2024-06-12T14:00:00", "2019-05-01T10:00:00"]
    assert catalog.rows[2][TAKEN].startswith(("1970-01-01", "1969-12-31"))  # this computer's zone
    assert read_first_rows(index_file, 3) == catalog.rows
    assert read_first_rows(index_file, 1) == catalog.rows[:1]
    assert {r[TAKEN] for r in read_rows_for(index_file, ["a"])} == {"2019-05-01T10:00:00"}


def test_the_catalogue_is_read_without_the_shared_document(tmp_path: Path) -> None:
    """The window paints the first screen from the index before the document is loaded."""
    with Library.open(tmp_path / "lib") as library:
        fill(library)
    code = (
        "import sys; from pathlib import Path; "
        "from photo_tagger.store.catalog import read_first_rows; "
        f"rows = read_first_rows(Path({str(tmp_path / 'lib' / INDEX_FILE)!r}), 1); "
        "assert rows[0][0] == 'b', rows; assert 'pycrdt' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_scans_photos_join_the_catalogue_in_order_without_reading_it_all() -> None:
    rows: list[Row] = [
        ("a", "/p/a.jpg", 30, "t", "2024-03-01T00:00:00"),
        ("b", "/p/b.jpg", 20, "t", "2024-02-01T00:00:00"),
        ("c", "/p/c.jpg", 10, "t", "2024-01-01T00:00:00"),
    ]
    fetched: list[Row] = [
        ("n", "/p/n.jpg", 99, "t", "2024-02-15T00:00:00"),  # a new photo taken between a and b
        ("b", "/p/b.jpg", 20, "t", "2024-02-01T00:00:00"),  # b, now with a newer copy elsewhere:
        ("b", "/q/b.jpg", 35, "t", "2024-02-01T00:00:00"),  # that one stands for it
    ]
    merged = merge_rows(rows, ["n", "b"], fetched)
    assert merged is not None
    assert [(r[0], r[1]) for r in merged] == [
        ("a", "/p/a.jpg"),
        ("n", "/p/n.jpg"),
        ("b", "/q/b.jpg"),
        ("c", "/p/c.jpg"),
    ]
    # a file rewritten into another photo: that one may live on under another path
    assert merge_rows(rows, ["x"], [("x", "/p/c.jpg", 40, "t", "2025-01-01T00:00:00")]) is None
