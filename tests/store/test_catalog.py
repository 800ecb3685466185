"""The catalogue: every photo on disk, newest file first, read from a real library's index."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from photo_tagger.store.catalog import (
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
    assert catalog.rows == [
        ("b", "/q/b.jpg", 40, "thumbs/b.jpg"),
        ("a", "/p/a.jpg", 30, "thumbs/a.jpg"),
        ("c", "/p/c.jpg", 10, None),
    ]
    assert len(catalog) == 3
    assert read_first_rows(index_file, 2) == catalog.rows[:2]
    assert sorted(read_rows_for(index_file, ["b", "d"])) == [
        ("b", "/p/b.jpg", 20, "thumbs/b.jpg"),
        ("b", "/q/b.jpg", 40, "thumbs/b.jpg"),
    ]


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
        ("a", "/p/a.jpg", 30, "t"),
        ("b", "/p/b.jpg", 20, "t"),
        ("c", "/p/c.jpg", 10, "t"),
    ]
    fetched: list[Row] = [
        ("n", "/p/n.jpg", 25, "t"),  # a new photo, between a and b
        ("b", "/p/b.jpg", 20, "t"),  # b, now with a newer copy elsewhere: that one stands for it
        ("b", "/q/b.jpg", 35, "t"),
    ]
    merged = merge_rows(rows, ["n", "b"], fetched)
    assert merged is not None
    assert [(r[0], r[1]) for r in merged] == [
        ("b", "/q/b.jpg"),
        ("a", "/p/a.jpg"),
        ("n", "/p/n.jpg"),
        ("c", "/p/c.jpg"),
    ]
    # a file rewritten into another photo: that one may live on under another path
    assert merge_rows(rows, ["x"], [("x", "/p/c.jpg", 40, "t")]) is None
