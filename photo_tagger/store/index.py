"""The local index: facts about this computer's copy of the library, in SQLite.

Paths, sizes and mtimes, thumbnails, face embeddings and skipped files differ from one computer to
the next (or are too big to sync), so they live here and never in the shared document. The grid
and search read this index, not the document.

It is a separate database file from the document log (`index.sqlite3` beside `document.sqlite3`):
it is a cache that a rescan rebuilds, so it commits with synchronous=NORMAL (a killed process
loses nothing; a power cut may lose the last commits, which the next scan redoes), while the
document log commits every edit with FULL. Deleting this file costs a rescan, never a user edit.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from photo_tagger.store import index_schema, sqlite
from photo_tagger.store.index_objects import IndexObjects

EMBEDDING_DIM = 128

FaceKey = tuple[str, int]  # (content id, face index in the photo)


def _path_in(path: str) -> str | bytes:
    """A path as stored: text, or (a name that is not UTF-8, which a POSIX file system allows)
    its bytes as a BLOB. Python holds such a name as text with surrogate escapes (os.fsdecode),
    which SQLite cannot take as text; rows written before are text and stay as they are."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def _path_out(value: str | bytes) -> str:
    """A stored path as Python names it (see _path_in)."""
    return value if isinstance(value, str) else os.fsdecode(value)


@dataclass(frozen=True)
class Capture:
    """A photo's row of `captures`: `taken` is ISO 8601 as the camera's clock said (with its
    offset when known), `camera` a key naming one camera body."""

    content_id: str
    taken: str | None
    taken_guessed: bool
    position: tuple[float, float] | None
    camera: str | None
    place: str | None  # JSON text of the place the position names
    signature: bytes | None
    duplicate_of: str | None
    context: str | None


class LocalIndex(IndexObjects):
    """Build with `LocalIndex.open(path)`. Each write commits on its own unless inside `batch()`."""

    WHAT = "local index"
    SYNCHRONOUS = "NORMAL"
    MIGRATIONS = index_schema.MIGRATIONS

    @classmethod
    def open_reader(cls, path: Path) -> LocalIndex:
        """The index read-only, on a connection of the calling thread's own (a background task
        reads while the library's thread writes: WAL lets both go on)."""
        return cls(sqlite.connect_readonly(path, "library index"), path)

    # --- files -------------------------------------------------------------------------------

    def lookup(self, path: str) -> tuple[int, int, str] | None:
        """(size, mtime_ns, content id) of an indexed file."""
        row = self._conn.execute(
            "SELECT size, mtime_ns, content_id FROM files WHERE path = ?", (_path_in(path),)
        ).fetchone()
        return (int(row[0]), int(row[1]), str(row[2])) if row else None

    def upsert_file(self, path: str, size: int, mtime_ns: int, content_id: str) -> None:
        self._conn.execute(
            "INSERT INTO files (path, size, mtime_ns, content_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET size = excluded.size, "
            "mtime_ns = excluded.mtime_ns, content_id = excluded.content_id",
            (_path_in(path), size, mtime_ns, content_id),
        )

    def paths_for(self, content_id: str) -> list[str]:
        return [
            _path_out(r[0])
            for r in self._conn.execute(
                "SELECT path FROM files WHERE content_id = ? ORDER BY path", (content_id,)
            )
        ]

    def remove_paths(self, paths: Iterable[str]) -> None:
        """Forget files gone from disk. Their photos stay: a moved file is known by its content."""
        with self.batch():
            self._conn.executemany(
                "DELETE FROM files WHERE path = ?", ((_path_in(p),) for p in paths)
            )

    def all_paths_under(self, root: str) -> list[str]:
        """Indexed paths equal to `root` or inside the folder `root` (not '/photos2' for
        '/photos'), read as two ranges of the primary key: the paths stored as text, and those
        stored as bytes (SQLite sorts every BLOB after every text)."""
        root = root.rstrip(os.sep) or os.sep
        prefix = root if root.endswith(os.sep) else root + os.sep
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        prefix_b = os.fsencode(prefix)
        upper_b = prefix_b[:-1] + bytes([prefix_b[-1] + 1])
        return [
            _path_out(r[0])
            for r in self._conn.execute(
                "SELECT path FROM files WHERE path IN (?, ?) OR (path >= ? AND path < ?) "
                "OR (path >= ? AND path < ?) ORDER BY path",
                (
                    _path_in(root),
                    os.fsencode(root),
                    _path_in(prefix),
                    _path_in(upper),
                    prefix_b,
                    upper_b,
                ),
            )
        ]

    # --- photos ------------------------------------------------------------------------------

    def set_photo(
        self,
        content_id: str,
        width: int | None,
        height: int | None,
        thumbnail: str | os.PathLike[str] | None,
        processed_by: str | None,
    ) -> None:
        """Record a photo's local facts. `thumbnail` is relative to the library folder;
        `processed_by` names the models that analysed it (the scan redoes it when they change).
        The time it was first added is kept."""
        self._conn.execute(
            "INSERT INTO photos (content_id, width, height, thumbnail, processed_by, added) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (content_id) DO UPDATE SET "
            "width = excluded.width, height = excluded.height, thumbnail = excluded.thumbnail, "
            "processed_by = excluded.processed_by",
            (
                content_id,
                width,
                height,
                None if thumbnail is None else os.fspath(thumbnail),
                processed_by,
                time.time(),
            ),
        )

    def photo(self, content_id: str) -> dict[str, Any] | None:
        """{"content_id", "width", "height", "thumbnail", "processed_by", "added"} or None."""
        row = self._conn.execute(
            "SELECT content_id, width, height, thumbnail, processed_by, added FROM photos "
            "WHERE content_id = ?",
            (content_id,),
        ).fetchone()
        if row is None:
            return None
        keys = ("content_id", "width", "height", "thumbnail", "processed_by", "added")
        return dict(zip(keys, row, strict=True))

    def content_ids_processed_by(self, processed_by: str) -> set[str]:
        """Photos analysed by exactly these models (a copy found elsewhere is not redone)."""
        return {
            r[0]
            for r in self._conn.execute(
                "SELECT content_id FROM photos WHERE processed_by = ?", (processed_by,)
            )
        }

    def paths_processed_by_others(self, processed_by: str) -> list[str]:
        """One path of every photo that other models analysed (to analyse again after an update)."""
        return [
            _path_out(r[0])
            for r in self._conn.execute(
                "SELECT MIN(f.path) FROM files f JOIN photos p ON p.content_id = f.content_id "
                "WHERE p.processed_by IS NOT ? GROUP BY f.content_id ORDER BY 1",
                (processed_by,),
            )
        ]

    def photo_files(self) -> list[tuple[str, str]]:
        """(content id, first path) of every photo with a file on this computer, by path."""
        sql = "SELECT content_id, MIN(path) FROM files GROUP BY content_id ORDER BY 2"
        return [(str(r[0]), _path_out(r[1])) for r in self._conn.execute(sql)]

    def photo_count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM photos").fetchone()[0])

    # --- face embeddings ---------------------------------------------------------------------

    def set_face_embeddings(self, content_id: str, embeddings: np.ndarray) -> None:
        """Replace a photo's face embeddings; row i is face i of the photo's faces."""
        arr = np.asarray(embeddings, dtype=np.float32)
        if arr.ndim != 2 or arr.shape[1] != EMBEDDING_DIM:
            if arr.size == 0:
                arr = arr.reshape(0, EMBEDDING_DIM)
            else:
                raise ValueError(f"embeddings must be (N, {EMBEDDING_DIM}), not {arr.shape}")
        with self.batch():
            self._conn.execute("DELETE FROM faces WHERE content_id = ?", (content_id,))
            self._conn.executemany(
                "INSERT INTO faces (content_id, face_index, embedding) VALUES (?, ?, ?)",
                ((content_id, i, np.ascontiguousarray(row).tobytes()) for i, row in enumerate(arr)),
            )

    def face_embeddings(self) -> tuple[list[FaceKey], np.ndarray]:
        """Every face of the library: keys[i] is (content id, face index) of row i of the
        (M, 128) float32 array. One query; the array is read-only (it views the fetched bytes)."""
        rows = self._conn.execute(
            "SELECT content_id, face_index, embedding FROM faces ORDER BY content_id, face_index"
        ).fetchall()
        keys = [(r[0], int(r[1])) for r in rows]
        data = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32)
        return keys, data.reshape(len(rows), EMBEDDING_DIM)

    # --- the closer look for objects (the objects themselves: index_objects.py) ---------------

    def awaiting_closer_look(
        self, processed_by: str, after: str = "", limit: int = 512
    ) -> list[tuple[str, list[str]]]:
        """(content id, its paths) of up to `limit` photos, by content id from after `after`,
        that the models `processed_by` analysed and whose objects they have not looked for
        (a photo no file holds any more has no paths)."""
        ids = [
            str(r[0])
            for r in self._conn.execute(
                "SELECT content_id FROM photos WHERE objects_by IS NOT processed_by "
                "AND processed_by = ? AND content_id > ? ORDER BY content_id LIMIT ?",
                (processed_by, after, limit),
            )
        ]
        paths: dict[str, list[str]] = {cid: [] for cid in ids}
        marks = ",".join("?" * len(ids))
        for cid, path in self._conn.execute(
            f"SELECT content_id, path FROM files WHERE content_id IN ({marks}) ORDER BY path", ids
        ):
            paths[str(cid)].append(_path_out(path))
        return list(paths.items())

    # --- skipped files -----------------------------------------------------------------------

    def record_skipped(self, path: str, reason: str) -> None:
        self._conn.execute(
            "INSERT INTO skipped (path, reason, time) VALUES (?, ?, ?) ON CONFLICT (path) "
            "DO UPDATE SET reason = excluded.reason, time = excluded.time",
            (_path_in(path), reason, time.time()),
        )

    def clear_skipped(self, paths: Iterable[str]) -> None:
        with self.batch():
            self._conn.executemany(
                "DELETE FROM skipped WHERE path = ?", ((_path_in(p),) for p in paths)
            )

    def skipped(self) -> list[tuple[str, str, float]]:
        """(path, reason, time) of every file the last scans could not read, by path."""
        return [
            (_path_out(r[0]), r[1], float(r[2]))
            for r in self._conn.execute("SELECT path, reason, time FROM skipped ORDER BY path")
        ]

    # --- what photos carry: capture time, place, camera, near-duplicate signature -------------

    def set_capture(
        self,
        content_id: str,
        taken: str | None,
        taken_guessed: bool,
        position: tuple[float, float] | None,
        camera: str | None,
        place: str | None,
        signature: bytes | None,
    ) -> None:
        lat, lon = position if position is not None else (None, None)
        self._conn.execute(
            "INSERT INTO captures (content_id, taken, taken_guessed, lat, lon, camera, place, "
            "signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_id) DO UPDATE SET "
            "taken = excluded.taken, taken_guessed = excluded.taken_guessed, lat = excluded.lat, "
            "lon = excluded.lon, camera = excluded.camera, place = excluded.place, "
            "signature = excluded.signature, context = NULL",
            (content_id, taken, int(taken_guessed), lat, lon, camera, place, signature),
        )

    def set_duplicates(self, keep: dict[str, str | None]) -> None:
        """photo -> the photo to keep of its near-duplicate group (None: in no group)."""
        with self.batch():
            self._conn.executemany(
                "UPDATE captures SET duplicate_of = ? WHERE content_id = ?",
                ((k, cid) for cid, k in keep.items()),
            )

    def photo_sizes(self) -> dict[str, tuple[int, int, int]]:
        """Photo -> (width, height, bytes of its largest file), of photos with a file on disk."""
        return {
            r[0]: (int(r[1] or 0), int(r[2] or 0), int(r[3]))
            for r in self._conn.execute(
                "SELECT p.content_id, p.width, p.height, MAX(f.size) FROM photos p "
                "JOIN files f ON f.content_id = p.content_id GROUP BY p.content_id"
            )
        }

    def duplicates(self) -> dict[str, str]:
        """Photo -> the photo to keep of its near-duplicate group, for the photos in one."""
        return dict(
            self._conn.execute(
                "SELECT content_id, duplicate_of FROM captures WHERE duplicate_of IS NOT NULL"
            ).fetchall()
        )

    def context_pending(self) -> bool:
        """A photo's capture facts were read since its context tags were last worked out."""
        row = self._conn.execute("SELECT 1 FROM captures WHERE context IS NULL LIMIT 1")
        return row.fetchone() is not None

    def context(self, content_id: str) -> str | None:
        """The photo's context tags as JSON text (see set_context), or None."""
        row = self._conn.execute(
            "SELECT context FROM captures WHERE content_id = ?", (content_id,)
        ).fetchone()
        return row[0] if row else None

    def contexts(self) -> dict[str, str]:
        """Every photo's context tags as JSON text (context()), read at once."""
        sql = "SELECT content_id, context FROM captures WHERE context IS NOT NULL"
        return dict(self._conn.execute(sql).fetchall())

    def set_context(self, content_id: str, context: str) -> None:
        """Store the photo's context tags, as JSON text of {tag: score}."""
        self._conn.execute(
            "UPDATE captures SET context = ? WHERE content_id = ?", (context, content_id)
        )

    def captures(self, on_disk: bool = True, signatures: bool = True) -> list[Capture]:
        """Every photo's capture row (of photos with a file on disk unless `on_disk` is False),
        in one query; without their signatures (~1 KB each) unless `signatures`."""
        columns = _CAPTURE_COLUMNS if signatures else _CAPTURE_COLUMNS.replace("signature", "NULL")
        sql = f"SELECT {columns} FROM captures c"
        if on_disk:
            sql += " WHERE EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.content_id)"
        return [_capture(r) for r in self._conn.execute(sql)]

    def capture(self, content_id: str) -> Capture | None:
        row = self._conn.execute(
            f"SELECT {_CAPTURE_COLUMNS} FROM captures c WHERE content_id = ?", (content_id,)
        ).fetchone()
        return None if row is None else _capture(row)


_CAPTURE_COLUMNS = (
    "content_id, taken, taken_guessed, lat, lon, camera, place, signature, duplicate_of, context"
)


def _capture(r: tuple[Any, ...]) -> Capture:
    position = (float(r[3]), float(r[4])) if r[3] is not None and r[4] is not None else None
    return Capture(r[0], r[1], bool(r[2]), position, r[5], r[6], r[7], r[8], r[9])
