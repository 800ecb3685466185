"""The catalogue: every photo with a file on this computer, newest first, read from the index.

One row per photo, (content id, path, file mtime in ns, thumbnail, when taken): what the window's
grid shows and filters. "Newest" is when the photo was taken, on its own clock: the capture time
a scan read (or guessed from the file's time), else, for a photo no scan has read yet, the file's
time as a scan would guess it. That is the order of a timeline (gui/timeline.py).

Each read goes through a connection of its own, read-only, so that it can run off the thread that
writes to the index (SQLite's WAL lets readers and a writer work at once), and before the shared
document is loaded (nothing here imports pycrdt). No document: a 100,000-photo library reads in
about 0.4 s, its first screen in 0.02 s.
"""

from __future__ import annotations

import bisect
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, Final

from photo_tagger.errors import LibraryError
from photo_tagger.store.sqlite import connect_readonly
from photo_tagger.words import reason

# (content id, path, file mtime in ns, thumbnail path relative to the thumbnail folder or None,
#  when taken: "YYYY-MM-DDTHH:MM:SS" on the photo's own wall clock, which sorts as time does)
Row = tuple[str, str, int, str | None, str]

CID: Final = 0
PATH: Final = 1
MTIME: Final = 2
THUMB: Final = 3
TAKEN: Final = 4

_TAKEN_SQL = "substr(c.taken, 1, 19)"  # the ISO time a scan stored, without fraction and offset


@dataclass(frozen=True)
class Catalog:
    """The catalogue as read at once: its rows, in order."""

    rows: list[Row]

    def __len__(self) -> int:
        return len(self.rows)


def _connect(index_file: Path) -> sqlite3.Connection:
    return connect_readonly(index_file, "library index")


def read_first_rows(index_file: Path, count: int) -> list[Row]:
    """The first `count` rows of the catalogue, in its order: enough for a first screen, read
    without building every row (the files are scanned once in SQLite; only these are joined)."""
    conn = _connect(index_file)
    try:
        # the newest photos, off the index of capture times; copies of a photo are one row:
        # read a few more than needed
        files = conn.execute(
            f"SELECT c.content_id, f.path, f.mtime_ns, {_TAKEN_SQL} FROM captures c "
            "JOIN files f ON f.content_id = c.content_id ORDER BY c.taken DESC LIMIT ?",
            (count * 2,),
        ).fetchall()
        if len(files) < count * 2:  # all of them: add photos no scan has read yet, by file
            known = {f[0] for f in files}
            files += [
                (c, p, m, None)
                for c, p, m in conn.execute(
                    "SELECT content_id, path, mtime_ns FROM files ORDER BY mtime_ns DESC LIMIT ?",
                    (count * 2,),
                )
                if c not in known
            ]
        rows = _sorted(_with_taken(files))
        seen: set[str] = set()
        firsts = [f for f in rows if not (f[0] in seen or seen.add(f[0]))][:count]  # type: ignore[func-returns-value]
        thumbs = dict(
            conn.execute(
                f"SELECT content_id, thumbnail FROM photos WHERE content_id IN "
                f"({','.join('?' * len(firsts))})",
                [f[0] for f in firsts],
            ).fetchall()
        )
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot read the library index {index_file}: {reason(exc)}.") from exc
    finally:
        conn.close()
    return _text_paths([(c, p, m, thumbs[c], t) for c, p, m, t in firsts if c in thumbs])


def read_catalog(index_file: Path) -> Catalog:
    """One row per photo (its newest file when it has several), newest first."""
    conn = _connect(index_file)
    try:
        files = conn.execute(
            "SELECT f.content_id, f.path, f.mtime_ns, p.thumbnail "
            "FROM files f JOIN photos p ON p.content_id = f.content_id"
        ).fetchall()
        # a scan of the index of capture times, not a join: that costs twice the whole read
        taken = dict(conn.execute(f"SELECT content_id, {_TAKEN_SQL} FROM captures c"))
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot read the library index {index_file}: {reason(exc)}.") from exc
    finally:
        conn.close()
    get = taken.get
    rows = _sorted(_text_paths(_with_taken([(c, p, m, t, get(c)) for c, p, m, t in files])))
    seen: set[str] = set()
    unique = [r for r in rows if not (r[CID] in seen or seen.add(r[CID]))]  # type: ignore[func-returns-value]
    return Catalog(unique)


def _with_taken(rows: list[tuple[Any, ...]]) -> list[Any]:
    """Rows whose last value, when taken, is None get their file's time as a scan guesses it
    (context/exif.py: this computer's clock)."""
    if all(r[-1] is not None for r in rows):
        return rows
    return [r if r[-1] is not None else (*r[:-1], _file_time(r[MTIME])) for r in rows]


def _file_time(mtime_ns: int) -> str:
    try:
        return datetime.fromtimestamp(mtime_ns / 1e9).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return "0000-00-00T00:00:00"  # a file time no clock shows: the oldest


def _sorted(rows: list[Any]) -> list[Any]:
    """Newest taken first, then the newest file, then by path: stable sorts in C are faster than
    one sort on a key built per row."""
    rows.sort(key=itemgetter(PATH))
    rows.sort(key=itemgetter(MTIME), reverse=True)
    rows.sort(key=itemgetter(-1), reverse=True)
    return rows


def read_rows_for(index_file: Path, photo_ids: Iterable[str]) -> list[Row]:
    """Every file row of these photos (all their paths)."""
    ids = sorted(set(photo_ids))
    conn = _connect(index_file)
    rows: list[Row] = []
    try:
        for start in range(0, len(ids), 500):  # SQLite limits the parameters of one query
            part = ids[start : start + 500]
            rows += conn.execute(
                f"SELECT f.content_id, f.path, f.mtime_ns, p.thumbnail, {_TAKEN_SQL} "
                "FROM files f JOIN photos p ON p.content_id = f.content_id "
                "LEFT JOIN captures c ON c.content_id = f.content_id "
                f"WHERE f.content_id IN ({','.join('?' * len(part))})",
                part,
            ).fetchall()
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot read the library index {index_file}: {reason(exc)}.") from exc
    finally:
        conn.close()
    return _text_paths(_with_taken(rows))


def _text_paths(rows: list[Row]) -> list[Row]:
    """Paths that are not UTF-8 are kept in the index as their bytes (index.py); the window shows
    them as the file system's own str, as every other path."""
    if not any(type(r[PATH]) is bytes for r in rows):
        return rows
    return [(c, os.fsdecode(p), m, t, k) for c, p, m, t, k in rows]


def _order(row: Row) -> tuple[_Reversed, int, str]:
    return (_Reversed(row[TAKEN]), -row[MTIME], row[PATH])


class _Reversed(str):
    """A string that sorts the other way round (newest taken first, in bisect)."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return str.__gt__(self, other)  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        return str.__lt__(self, other)  # type: ignore[operator]


def merge_rows(rows: list[Row], photo_ids: Iterable[str], fetched: list[Row]) -> list[Row] | None:
    """The catalogue `rows` with the photos `photo_ids` as `fetched` (all their files) says now,
    in catalogue order, without re-reading the rest. None when that cannot be done alone: a
    file of another photo was rewritten into one of these (that photo may live on elsewhere),
    so the whole catalogue must be read again."""
    ids = set(photo_ids)
    paths = {r[PATH] for r in fetched}
    kept: list[Row] = []
    for r in rows:
        if r[CID] in ids:
            continue
        if r[PATH] in paths:
            return None
        kept.append(r)
    seen: set[str] = set()
    for r in sorted(fetched, key=_order):
        if r[CID] not in seen:  # a photo's newest file stands for it
            seen.add(r[CID])
            bisect.insort(kept, r, key=_order)
    return kept


def read_positions(index_file: Path) -> list[tuple[str, float, float]]:
    """(photo, latitude, longitude) of every photo on disk whose own GPS gave its place (not a
    place borrowed from a neighbouring photo), for the window's map. A position outside the
    globe is left out."""
    conn = _connect(index_file)
    try:
        rows = conn.execute(
            "SELECT c.content_id, c.lat, c.lon FROM captures c WHERE c.lat IS NOT NULL "
            "AND c.lon IS NOT NULL AND EXISTS (SELECT 1 FROM files f WHERE f.content_id = "
            "c.content_id)"
        ).fetchall()
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot read the library index {index_file}: {exc}") from exc
    finally:
        conn.close()
    return [
        (c, float(lat), float(lon))
        for c, lat, lon in rows
        if isinstance(lat, float | int)
        and isinstance(lon, float | int)
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
    ]
