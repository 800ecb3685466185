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

    # Faces that match nobody are grouped among themselves: each joins the nearest group formed so
    # far in this pass, or starts one. Two faces of one photo are never the same person.
    groups: list[list[int]] = []
    group_sums: list[np.ndarray] = []
    for row in leftover:
        i = new_idx[row]
        best, best_d = -1, threshold
        if groups:
            cents = np.stack([s / len(g) for s, g in zip(group_sums, groups, strict=True)])
            d = pairwise_distances(new_emb[row : row + 1], cents)[0]
            for g in np.argsort(d):
                if d[g] >= threshold:
                    break
                if all(keys[new_idx[r]][0] != keys[i][0] for r in groups[g]):
                    best, best_d = int(g), float(d[g])
                    break
        if best < 0:
            groups.append([row])
            group_sums.append(new_emb[row].astype(np.float64).copy())
            placements.append(Placement(keys[i], None, len(groups) - 1, 0.0))
        else:
            groups[best].append(row)
            group_sums[best] += new_emb[row]
            placements.append(Placement(keys[i], None, best, best_d))
    return placements
