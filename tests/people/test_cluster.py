"""Grouping faces into people: new faces, existing people, confirmations and rejections."""

from __future__ import annotations

import numpy as np

from photo_tagger.people.cluster import Assignment, pairwise_distances, place_new_faces


def around(
    center: np.ndarray, n: int, rng: np.random.Generator, spread: float = 0.05
) -> np.ndarray:
    return center + rng.normal(0, spread / np.sqrt(center.size), (n, center.size))


def test_pairwise_distances() -> None:
    a = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert np.allclose(pairwise_distances(a, a), [[0, 5], [5, 0]], atol=1e-3)


def test_new_faces_form_groups_by_person() -> None:
    rng = np.random.default_rng(1)
    alice, bob = rng.normal(0, 1, 128), rng.normal(0, 1, 128)
    alice, bob = alice / np.linalg.norm(alice), bob / np.linalg.norm(bob)
    emb = np.vstack([around(alice, 3, rng), around(bob, 2, rng)]).astype(np.float32)
    keys = [(f"photo{i}", 0) for i in range(5)]
    placements = place_new_faces(keys, emb, {}, {}, lambda p: p, threshold=0.5)
    groups = [p.new_group for p in placements]
    assert groups[:3] == [groups[0]] * 3
    assert groups[3:] == [groups[3]] * 2
    assert groups[0] != groups[3]
    assert all(p.person is None for p in placements)


def test_two_faces_of_one_photo_are_never_one_new_person() -> None:
    rng = np.random.default_rng(2)
    twin = rng.normal(0, 1, 128)
    twin /= np.linalg.norm(twin)
    emb = around(twin, 2, rng).astype(np.float32)
    placements = place_new_faces([("p", 0), ("p", 1)], emb, {}, {}, lambda p: p, 0.5)
    assert placements[0].new_group != placements[1].new_group


def test_new_face_joins_existing_person_unless_rejected() -> None:
    rng = np.random.default_rng(3)
    alice = rng.normal(0, 1, 128)
    alice /= np.linalg.norm(alice)
    emb = around(alice, 3, rng).astype(np.float32)
    keys = [("a", 0), ("b", 0), ("c", 0)]
    assigned = {("a", 0): Assignment("alice", True), ("b", 0): Assignment("alice2", False)}
    resolve = {"alice2": "alice"}.get  # alice2 was merged into alice

    placements = place_new_faces(keys, emb, assigned, {}, lambda p: resolve(p) or p, 0.5)
    assert [(p.face, p.person) for p in placements] == [(("c", 0), "alice")]

    rejected = {("c", 0): {"alice2"}}  # rejected under the old id: still alice after the merge
    placements = place_new_faces(keys, emb, assigned, rejected, lambda p: resolve(p) or p, 0.5)
    assert placements[0].person is None and placements[0].new_group == 0


def test_only_unassigned_faces_are_placed() -> None:
    rng = np.random.default_rng(4)
    emb = rng.normal(0, 1, (4, 128)).astype(np.float32)
    keys = [(str(i), 0) for i in range(4)]
    assigned = {k: Assignment(f"p{i}", False) for i, k in enumerate(keys[:3])}
    placements = place_new_faces(keys, emb, assigned, {}, lambda p: p, 0.5)
    assert [p.face for p in placements] == [("3", 0)]


def test_group_faces_in_chunks_matches_people() -> None:
    """More faces than one chunk: groups still follow people, and a photo never repeats in one."""
    from photo_tagger.people.cluster import CHUNK, group_faces

    rng = np.random.default_rng(5)
    centres = rng.normal(0, 1, (40, 128))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    who = rng.integers(0, 40, CHUNK * 3)
    emb = (centres[who] + rng.normal(0, 0.02, (len(who), 128))).astype(np.float32)
    photos = [f"p{i // 2}" for i in range(len(who))]  # two faces per photo
    groups = [g for g, _ in group_faces(emb, photos, 0.5)]
    same_person = {(int(w), int(g)) for w, g in zip(who, groups, strict=True)}
    people_of_group: dict[int, set[int]] = {}
    for w, g in same_person:
        people_of_group.setdefault(g, set()).add(w)
    assert all(len(ws) == 1 for ws in people_of_group.values())  # no group mixes people
    for i in range(0, len(who), 2):
        assert groups[i] != groups[i + 1]  # the two faces of a photo are two people
