"""The local index's objects (store/index.py): what the object detector found in each photo, kept
on this computer like the face embeddings (a rescan rebuilds them), and whose object detector
looked at each photo (the closer look for objects: app/closer_look.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from photo_tagger.store import sqlite

Object = tuple[str, float, tuple[float, float, float, float]]  # class name, score, box


class IndexObjects(sqlite.Database):
    """The `objects` table, and `photos.objects_by`, of the local index."""

    def set_objects(self, content_id: str, objects: Iterable[Object]) -> None:
        """Replace a photo's objects: (class name, score, (x0, y0, x1, y1)) each, best first."""
        with self.batch():
            self._conn.execute("DELETE FROM objects WHERE content_id = ?", (content_id,))
            self._conn.executemany(
                "INSERT INTO objects (content_id, object_index, label, score, x0, y0, x1, y1) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (content_id, i, str(label), float(score), *map(float, box))
                    for i, (label, score, box) in enumerate(objects)
                ),
            )

    def set_objects_looked(self, content_id: str, by: str | None) -> None:
        """Record that the object detector of the models `by` (a `processed_by` signature)
        looked at the photo, or (None) that it waits for a closer look."""
        self._conn.execute(
            "UPDATE photos SET objects_by = ? WHERE content_id = ?", (by, content_id)
        )

    def object_labels(self, content_id: str | None = None) -> dict[str, tuple[str, ...]]:
        """Photo -> the class names of its objects, best first, for one photo or (None) every
        photo that has any: what a search for an object matches."""
        one = content_id is not None
        rows = self._conn.execute(
            "SELECT content_id, label FROM objects"
            + (" WHERE content_id = ?" if one else "")
            + " ORDER BY 1, object_index",
            (content_id,) if one else (),
        )
        out: dict[str, list[str]] = {}
        for cid, label in rows:
            out.setdefault(str(cid), []).append(str(label))
        return {cid: tuple(labels) for cid, labels in out.items()}

    def objects(self, content_id: str) -> list[dict[str, Any]]:
        """The photo's objects as {"label", "score", "box": [x0, y0, x1, y1]}, best first."""
        return [
            {"label": r[0], "score": r[1], "box": [r[2], r[3], r[4], r[5]]}
            for r in self._conn.execute(
                "SELECT label, score, x0, y0, x1, y1 FROM objects WHERE content_id = ? "
                "ORDER BY object_index",
                (content_id,),
            )
        ]
