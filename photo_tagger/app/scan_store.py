"""A scan's commit: a batch of photos stored in one transaction of the library, durable before the
scan moves on. Local facts (paths, size, thumbnail, face embeddings, capture facts) go to the
index; what the models said and what other apps wrote for the photo go to the shared document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from photo_tagger.app.scan_photo import Analysed, Known
from photo_tagger.app.sidecar_import import apply_imported, people_by_name
from photo_tagger.store import rules
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models

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
    analysed it, so that a change of any redoes it."""
    counts = StoredCounts()
    index, doc = library.index, library.document
    named: dict[str, str] | None = None  # people by name, read once per batch if needed
    with index.batch(), doc.batch():
        for r in batch:
            index.upsert_file(r.stat.path, r.stat.size, r.stat.mtime_ns, r.content_id)
            if isinstance(r, Known):
                counts.known_content += 1
                photo = index.photo(r.content_id)
                size = (photo["width"], photo["height"]) if photo else None
            else:
                _store_analysis(library, models, analysis, r)
                size = (r.analysis.width, r.analysis.height)
                counts.analysed += 1
                counts.faces += len(r.analysis.faces)
            counts.problems.extend(r.imported.problems)
            if size and (r.imported.tags or r.imported.faces):
                if named is None:
                    named = people_by_name(doc)
                imported = apply_imported(doc, r.content_id, r.imported, *size, named)
                counts.imported_tags += imported.tags
                counts.imported_faces += imported.faces
    return counts


def _store_analysis(library: Library, models: Models, analysis: str, r: Analysed) -> None:
    """What the models said about one photo: local facts to the index, the rest shared."""
    index, doc = library.index, library.document
    cid, a, c = r.content_id, r.analysis, r.capture
    index.set_photo(cid, a.width, a.height, r.thumbnail, analysis)
    embeddings = (
        np.stack([f.embedding for f in a.faces])
        if a.faces
        else np.zeros((0, EMBEDDING_SIZE), np.float32)
    )
    index.set_face_embeddings(cid, embeddings)
    index.set_capture(cid, c.taken, c.taken_guessed, c.position, c.camera, c.place, c.signature)
    doc.set_auto_tags(cid, a.tags, rules.LOCAL, models.tagger_id)
    faces = [
        {"box": list(f.box), "score": f.score, "eyes": [list(f.eyes[0]), list(f.eyes[1])]}
        for f in a.faces
    ]
    doc.set_faces(cid, models.ids["face_detector"], faces)
