"""Grouping faces into people: every face without a person is suggested one, known or new.

What the library says is read a slice at a time on its thread (who each face is: one lookup per
face, which is no slower than reading them all at once), the faces are placed on the calling
thread (photo_tagger.people), and the suggestions are written back a slice at a time. The user
may confirm or reject a face in between: `suggest_person` never overrides what the user said.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from photo_tagger.app.calls import LibraryCaller, call_here, slices
from photo_tagger.people.cluster import Assignment, FaceKey, Placement, place_new_faces
from photo_tagger.store import rules
from photo_tagger.store.library import Library

LOOKUP_SLICE = 512  # faces looked up per call to the library's thread: a few milliseconds
WRITE_SLICE = 256  # suggestions per library transaction


@dataclass(frozen=True)
class _FacesSnapshot:
    keys: list[FaceKey]
    embeddings: np.ndarray
    rejected: dict[FaceKey, set[str]]
    merged_into: dict[str, str | None]


def group_people(
    library: Library,
    threshold: float,
    on_library: LibraryCaller = call_here,
    on_stored: Callable[[list[str]], None] | None = None,
) -> int:
    """Suggest a person for every face that has none; returns how many new people appeared.

    `threshold` is the embedder's same-person distance; `on_stored` hears which photos each slice
    changed, on the library's thread.
    """
    snap = on_library(partial(_snapshot, library))
    if snap is None:
        return 0
    assigned = _assignments(library, snap.keys, on_library)
    merged_into = snap.merged_into

    def resolve(person: str) -> str:
        return rules.resolve_person(person, merged_into.get)

    placements = place_new_faces(
        snap.keys, snap.embeddings, assigned, snap.rejected, resolve, threshold
    )
    new_people: dict[int, str] = {}
    for part in slices(placements, WRITE_SLICE):
        on_library(partial(_write, library, part, new_people, on_stored))
    return len(new_people)


def _snapshot(library: Library) -> _FacesSnapshot | None:
    keys, embeddings = library.index.face_embeddings()
    if not keys:
        return None
    doc = library.document
    merged_into = {p["id"]: p["merged_into"] for p in doc.people()}
    return _FacesSnapshot(keys, embeddings, doc.rejections(), merged_into)


def _assignments(
    library: Library, keys: Sequence[FaceKey], on_library: LibraryCaller
) -> dict[FaceKey, Assignment]:
    def who(part: Sequence[FaceKey]) -> list[tuple[FaceKey, tuple[str, bool] | None]]:
        return [(key, library.document.face_person(*key)) for key in part]

    assigned: dict[FaceKey, Assignment] = {}
    for part in slices(keys, LOOKUP_SLICE):
        for key, fp in on_library(partial(who, part)):
            if fp is not None:
                assigned[key] = Assignment(*fp)
    return assigned


def _write(
    library: Library,
    part: Sequence[Placement],
    new_people: dict[int, str],
    on_stored: Callable[[list[str]], None] | None,
) -> None:
    doc = library.document
    with doc.batch():
        for p in part:
            person = p.person
            if person is None:
                assert p.new_group is not None
                if p.new_group not in new_people:
                    new_people[p.new_group] = doc.new_person()
                person = new_people[p.new_group]
            doc.suggest_person(p.face[0], p.face[1], person)
    if on_stored is not None:
        on_stored(sorted({p.face[0] for p in part}))
