"""Grouping faces into people: "group first, name later", incremental, and respectful of the user.

Plain functions over embeddings and assignments; the caller reads them from the library and writes
the suggestions back. Nothing here knows where faces come from.

The rules:
- A face the user confirmed stays with its person; a face never goes to a person the user rejected
  for it.
- A new face joins the nearest existing person (the mean of that person's faces) when it is closer
  than `threshold`; otherwise new faces are grouped among themselves, greedily, and each group
  becomes a new, unnamed person.
- Only new (unassigned) faces are placed: adding 100 photos to a library of 100,000 compares about
  100 faces with the people there are, it does not redo the library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

FaceKey = tuple[str, int]  # (photo content id, face index in that photo)


@dataclass(frozen=True)
class Assignment:
    person: str
    confirmed: bool


@dataclass(frozen=True)
class Placement:
    """What the clustering suggests for one face; `new_group` numbers new people in this pass."""

    face: FaceKey
    person: str | None  # an existing person
    new_group: int | None  # or a new person, shared by faces with the same number
    distance: float


def person_centroids(
    keys: Sequence[FaceKey],
    embeddings: np.ndarray,
    assigned: dict[FaceKey, Assignment],
    resolve: Callable[[str], str],
) -> tuple[list[str], np.ndarray]:
    """Mean embedding of each person's faces (suggested and confirmed), people merged resolved."""
    rows: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        a = assigned.get(key)
        if a is not None:
            rows.setdefault(resolve(a.person), []).append(i)
    people = sorted(rows)
    if not people:
        return [], np.zeros((0, embeddings.shape[1] if embeddings.ndim == 2 else 0), np.float32)
    centroids = np.stack([embeddings[rows[p]].mean(axis=0) for p in people]).astype(np.float32)
    return people, centroids


def pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of a (M x D) and b (N x D), as dlib measures faces."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    return np.sqrt(np.maximum(sq, 0.0)).astype(np.float32)


def place_new_faces(
    keys: Sequence[FaceKey],
    embeddings: np.ndarray,
    assigned: dict[FaceKey, Assignment],
    rejected: dict[FaceKey, set[str]],
    resolve: Callable[[str], str],
    threshold: float,
) -> list[Placement]:
    """Suggest a person for every face that has none yet.

    `keys[i]` names the face whose embedding is `embeddings[i]`. `rejected[face]` holds the people
    the user said this face is not (resolved through merges here).
    """
    people, centroids = person_centroids(keys, embeddings, assigned, resolve)
    new_idx = [i for i, k in enumerate(keys) if k not in assigned]
    if not new_idx:
        return []
    new_emb = embeddings[new_idx]
    dist = pairwise_distances(new_emb, centroids)
    for row, i in enumerate(new_idx):  # a rejected person is never suggested again
        banned = {resolve(p) for p in rejected.get(keys[i], ())}
        for col, person in enumerate(people):
            if person in banned:
                dist[row, col] = np.inf

    placements: list[Placement] = []
    leftover: list[int] = []
    for row, i in enumerate(new_idx):
        if dist.shape[1] and float(dist[row].min()) < threshold:
            col = int(dist[row].argmin())
            placements.append(Placement(keys[i], people[col], None, float(dist[row, col])))
        else:
            leftover.append(row)

    groups = group_faces(new_emb[leftover], [keys[new_idx[r]][0] for r in leftover], threshold)
    for row, (group, distance) in zip(leftover, groups, strict=True):
        placements.append(Placement(keys[new_idx[row]], None, group, distance))
    return placements


CHUNK = 256  # faces compared with the groups at once: one matrix product instead of a loop


def group_faces(
    embeddings: np.ndarray, photos: Sequence[str], threshold: float
) -> list[tuple[int, float]]:
    """Greedy grouping: each face joins the nearest group closer than `threshold`, or starts one.

    Returns (group number, distance to its centre when it joined) per face. Two faces of one photo
    (`photos[i]`) never share a group. Faces are taken a chunk at a time: the chunk is compared with
    every group in one matrix product, and only with the groups the chunk itself starts one by
    one, so a first import of 100,000 faces costs BLAS time, not Python time.
    """
    n, dim = embeddings.shape if embeddings.ndim == 2 else (0, 0)
    sums = np.zeros((n, dim), np.float64)
    counts = np.zeros(n, np.int64)
    members: list[set[str]] = []  # the photos each group already has a face in
    out: list[tuple[int, float]] = []

    def nearest_allowed(dist: np.ndarray, offset: int, photo: str) -> tuple[int, float]:
        candidates = np.flatnonzero(dist < threshold)
        for g in candidates[np.argsort(dist[candidates])]:
            if photo not in members[offset + g]:
                return offset + int(g), float(dist[g])
        return -1, 0.0

    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        before = len(members)  # groups that existed when the chunk started
        to_old = np.zeros((stop - start, 0), np.float32)
        if before:
            centres = (sums[:before] / counts[:before, None]).astype(np.float32)
            to_old = pairwise_distances(embeddings[start:stop], centres)
        for row in range(start, stop):
            photo = photos[row]
            group, distance = nearest_allowed(to_old[row - start], 0, photo)
            if group < 0 and len(members) > before:
                fresh = sums[before : len(members)] / counts[before : len(members), None]
                to_new = pairwise_distances(embeddings[row : row + 1], fresh.astype(np.float32))
                group, distance = nearest_allowed(to_new[0], before, photo)
            if group < 0:
                group, distance = len(members), 0.0
                members.append(set())
            sums[group] += embeddings[row]
            counts[group] += 1
            members[group].add(photo)
            out.append((group, distance))
    return out
