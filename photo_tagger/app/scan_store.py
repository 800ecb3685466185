"""A scan's commit: a batch of photos stored in one transaction of the library, durable before the
scan moves on. Local facts (paths, size, thumbnail, face embeddings, objects found, capture
facts) go to the index; what the models said and what other apps wrote for the photo go to the
shared document.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from photo_tagger.app.scan_photo import Analysed, Known
from photo_tagger.app.sidecar_import import apply_imported, people_by_name
from photo_tagger.errors import LibraryError
from photo_tagger.store import rules
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models
from photo_tagger.words import reason

EMBEDDING_SIZE = 128


@dataclass
class StoredCounts:
    """What one batch added to the library."""

    analysed: int = 0
    faces: int = 0
    known_content: int = 0  # moved, renamed or copied photos recognised by their content
    imported_tags: int = 0
    imported_faces: int = 0
    problems: list[str] = field(default_factory=list)  # sidecars that could not be read


def store_batch(
    library: Library, models: Models, analysis: str, batch: Sequence[Analysed | Known]
) -> StoredCounts:
    """Store `batch` (on the library's thread); `analysis` names the models and rules that
    analysed it, so that a change of any redoes it.

    The index is written first, in one transaction, then the document: a failed index write
    (a full disk) leaves neither holding anything of the batch, and a failed document write has
    the batch's files read again by the next scan. Either raises LibraryError saying what to do.
    """
    counts = StoredCounts()
    index = library.index
    try:
        with index.batch():
            sizes = [_store_local(library, analysis, r) for r in batch]
    except (sqlite3.Error, LibraryError) as exc:
        raise _store_error(library, exc) from exc
    try:
        _store_shared(library, models, batch, sizes, counts)
    except (sqlite3.Error, LibraryError) as exc:
        _read_again(library, batch)
        raise _store_error(library, exc) from exc
    return counts


def _store_local(library: Library, analysis: str, r: Analysed | Known) -> tuple[int, int] | None:
    """The index's part of one photo; returns its size in pixels, when known."""
    index = library.index
    index.upsert_file(r.stat.path, r.stat.size, r.stat.mtime_ns, r.content_id)
    if isinstance(r, Known):
        photo = index.photo(r.content_id)
        return (photo["width"], photo["height"]) if photo else None
    a, c = r.analysis, r.capture
    index.set_photo(r.content_id, a.width, a.height, r.thumbnail, analysis)
    embeddings = (
        np.stack([f.embedding for f in a.faces])
        if a.faces
        else np.zeros((0, EMBEDDING_SIZE), np.float32)
    )
    index.set_face_embeddings(r.content_id, embeddings)
    index.set_objects(r.content_id, ((o.label, o.score, o.box) for o in a.objects))
    index.set_objects_looked(r.content_id, None if a.objects_later else analysis)
    index.set_capture(
        r.content_id, c.taken, c.taken_guessed, c.position, c.camera, c.place, c.signature
    )
    return (a.width, a.height)


def _store_shared(
    library: Library,
    models: Models,
    batch: Sequence[Analysed | Known],
    sizes: Sequence[tuple[int, int] | None],
    counts: StoredCounts,
) -> None:
    """The document's part of the batch: what the models said, what other apps wrote."""
    doc = library.document
    named: dict[str, str] | None = None  # people by name, read once per batch if needed
    with doc.batch():
        for r, size in zip(batch, sizes, strict=True):
            if isinstance(r, Known):
                counts.known_content += 1
            else:
                _share_analysis(library, models, r)
                counts.analysed += 1
                counts.faces += len(r.analysis.faces)
            counts.problems.extend(r.imported.problems)
            if size and (r.imported.tags or r.imported.faces or not r.imported.marks.empty):
                if named is None:
                    named = people_by_name(doc)
                imported = apply_imported(doc, r.content_id, r.imported, *size, named)
                counts.imported_tags += imported.tags
                counts.imported_faces += imported.faces


def _share_analysis(library: Library, models: Models, r: Analysed) -> None:
    """What the models said about one photo, for every computer of the library."""
    doc, a = library.document, r.analysis
    doc.set_auto_tags(r.content_id, a.tags, rules.LOCAL, models.tagger_id)
    faces = [
        {"box": list(f.box), "score": f.score, "eyes": [list(f.eyes[0]), list(f.eyes[1])]}
        for f in a.faces
    ]
    doc.set_faces(r.content_id, models.ids["face_detector"], faces)


def _read_again(library: Library, batch: Sequence[Analysed | Known]) -> None:
    """Have the next scan read the batch's files again (their document part was not stored):
    a size no file has marks each as changed. Best effort: the disk may be full."""
    index = library.index
    try:
        with index.batch():
            for r in batch:
                index.upsert_file(r.stat.path, -1, -1, r.content_id)
    except (sqlite3.Error, LibraryError):
        pass


def _store_error(library: Library, exc: BaseException) -> LibraryError:
    return LibraryError(
        f"Cannot store the scanned photos in the library {library.path} ({reason(exc)}). If "
        "the disk is full, free some space and scan again: the photos stored before are kept, "
        "and the scan goes on from there."
    )
