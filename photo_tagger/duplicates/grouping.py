"""Grouping a library's photos into near-duplicates without comparing every pair.

Two ways a pair becomes a candidate, then one check:
1. Library-wide, by perceptual hash: pairs within MAX_HASH_DISTANCE bits (of 64) are found by
   bit-sampling locality-sensitive hashing: HASH_TABLES tables, each keyed by 16 of the 64 bits,
   each one stable sort, pairs taken from runs of equal keys. A pair 4 bits apart shares some
   table's key with probability 0.999, 6 bits 0.97, 8 bits 0.83, 10 bits 0.59; two unrelated
   photos (about 32 bits apart) practically never. Resized, re-encoded and exposure-edited
   copies are 0-8 bits from their original.
2. By capture time, when the caller knows it: photos of the same camera taken within
   `burst_seconds` of each other (a burst, or an edited copy, which keeps its capture time).
   This is how crops are found: a 10-20 % crop moves the hash 2-38 bits, as far as another
   photo. Hashing crops of each photo does not rescue it: the hash of a window 5 % off moves
   7 bits on average (up to 16), so crops of up to 20 % on any sides would need some 200 windows
   per photo, and an index of 20 million hashes.
Every candidate is checked on pixels (`compare.similarity`, crop-aware) against
`min_similarity`; the hash alone never groups (in a large library some different photos are
close in it). Pairs are checked in order of hash distance and skipped when both photos are
already in one group, so a burst of n frames costs about n checks, not n squared.

Not found: a crop of a photo whose copy lost its capture time (a screenshot of a crop, a crop
sent through a messenger). That needs a crop-invariant descriptor of the whole library, such as
a CNN embedding; the tagger's 1,000 class probabilities were measured and are not one (two
different men in suits score 0.93 Bhattacharyya, a 20 % corner crop of one photo 0.58).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from photo_tagger.duplicates.compare import MIN_SCALE, Comparer
from photo_tagger.duplicates.signature import Signature

K = TypeVar("K", bound=Hashable)

MAX_HASH_DISTANCE = 10  # pHash bits: beyond this the hash proposes no pair
HASH_MIN_SCALE = 0.85  # pairs proposed by the hash alone are searched for crops of up to 15 %
HASH_TABLES = 20
KEY_BITS = 16
RUN_WINDOW = 24  # in a run of equal keys, pair each photo with this many neighbours at most
TIME_NEIGHBOURS = 12  # in a burst, pair each photo with this many next photos at most
DEFAULT_BURST_SECONDS = 5.0
DEFAULT_MIN_SIMILARITY = 0.77
_SEED = 20240601  # the tables' bit choice: fixed, so that a grouping is reproducible


def group_near_duplicates(
    ids: Sequence[K],
    signatures: Sequence[Signature],
    taken_times: Sequence[float | None] | None = None,
    cameras: Sequence[str | None] | None = None,
    *,
    burst_seconds: float = DEFAULT_BURST_SECONDS,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
) -> list[list[K]]:
    """Groups of two or more ids whose photos are near-duplicates of each other (transitively).

    `taken_times` (seconds, any epoch; None when unknown) and `cameras` (make and model; None
    when unknown, which matches any camera) let bursts and edited crops group. Groups keep the
    order of `ids`, and come in the order of their first member.
    """
    n = len(ids)
    if len(signatures) != n:
        raise ValueError(f"{n} ids but {len(signatures)} signatures")
    if taken_times is not None and len(taken_times) != n:
        raise ValueError(f"{n} ids but {len(taken_times)} capture times")
    if cameras is not None and len(cameras) != n:
        raise ValueError(f"{n} ids but {len(cameras)} cameras")
    usable = np.array([not s.flat for s in signatures], dtype=bool)
    hashes = np.array([s.phash for s in signatures], dtype=np.uint64)

    by_hash = hash_candidates(hashes, usable)
    by_time = np.empty((0, 2), np.int64)
    if taken_times is not None:
        by_time = _time_candidates(taken_times, cameras, usable, burst_seconds)
    left, right = _unique_pairs(np.concatenate([by_hash, by_time]), n)
    time_left, time_right = _unique_pairs(by_time, n)
    timed = np.isin(left * n + right, time_left * n + time_right)
    distance = np.bitwise_count(hashes[left] ^ hashes[right])
    order = np.argsort(distance, kind="stable")

    groups = _UnionFind()
    comparer = Comparer()
    for i, j, near_in_time in zip(
        left[order].tolist(), right[order].tolist(), timed[order].tolist(), strict=True
    ):
        if groups.find(i) == groups.find(j):
            continue
        # the hash only vouches for nearly the same framing; a capture time, for any crop
        min_scale = MIN_SCALE if near_in_time else HASH_MIN_SCALE
        score = comparer.similarity(signatures[i], signatures[j], min_similarity, min_scale)
        if score >= min_similarity:
            groups.union(i, j)
    return [[ids[i] for i in members] for members in groups.groups()]


def hash_candidates(hashes: np.ndarray, usable: np.ndarray | None = None) -> np.ndarray:
    """(M, 2) index pairs whose 64-bit hashes are at most MAX_HASH_DISTANCE bits apart, found by
    bit-sampling LSH (most pairs within 8 bits; see the module docstring)."""
    n = len(hashes)
    index = np.arange(n) if usable is None else np.flatnonzero(usable)
    if len(index) < 2:
        return np.empty((0, 2), np.int64)
    h = hashes[index]
    # Sorting by the whole hash first puts near hashes side by side within a run of equal keys,
    # so that the RUN_WINDOW cap (for degenerate runs) drops the least likely pairs.
    h_order = np.argsort(h, kind="stable")
    h, index = h[h_order], index[h_order]
    bits = np.unpackbits(h.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)
    rng = np.random.default_rng(_SEED)
    weights = (1 << np.arange(KEY_BITS, dtype=np.uint32)).astype(np.uint32)
    found: list[np.ndarray] = []
    for _ in range(HASH_TABLES):
        positions = rng.choice(64, KEY_BITS, replace=False)
        keys = (bits[:, positions].astype(np.uint32) @ weights).astype(np.uint16)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        for step in range(1, RUN_WINDOW + 1):
            same = sorted_keys[:-step] == sorted_keys[step:]
            if not same.any():
                break
            found.append(np.stack([order[:-step][same], order[step:][same]], axis=1))
    if not found:
        return np.empty((0, 2), np.int64)
    local = np.concatenate(found)
    close = np.bitwise_count(h[local[:, 0]] ^ h[local[:, 1]]) <= MAX_HASH_DISTANCE
    return np.asarray(index[local[close]], dtype=np.int64)


def _time_candidates(
    taken_times: Sequence[float | None],
    cameras: Sequence[str | None] | None,
    usable: np.ndarray,
    burst_seconds: float,
) -> np.ndarray:
    times = np.array([np.nan if t is None else float(t) for t in taken_times], dtype=np.float64)
    index = np.flatnonzero(usable & np.isfinite(times))
    if len(index) < 2:
        return np.empty((0, 2), np.int64)
    index = index[np.argsort(times[index], kind="stable")]
    t = times[index]
    camera_codes: np.ndarray | None = None
    if cameras is not None:
        names: dict[str, int] = {}
        camera_codes = np.array(
            [
                -1 if cameras[i] is None else names.setdefault(str(cameras[i]), len(names))
                for i in index.tolist()
            ],
            dtype=np.int64,
        )
    found: list[np.ndarray] = []
    for step in range(1, min(TIME_NEIGHBOURS, len(index) - 1) + 1):
        near = t[step:] - t[:-step] <= burst_seconds
        if not near.any():
            break
        if camera_codes is not None:
            a, b = camera_codes[:-step], camera_codes[step:]
            near &= (a == b) | (a < 0) | (b < 0)
        found.append(np.stack([index[:-step][near], index[step:][near]], axis=1))
    if not found:
        return np.empty((0, 2), np.int64)
    return np.concatenate(found)


def _unique_pairs(pairs: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    if len(pairs) == 0:
        empty = np.empty(0, np.int64)
        return empty, empty
    low = np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.int64)
    high = np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.int64)
    codes = np.unique(low * n + high)
    return codes // n, codes % n


class _UnionFind:
    """Union-find over the photos that were ever joined (a dict: most photos never are)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent.get(root, root) != root:
            root = parent[root]
        while i != root:
            parent[i], i = root, parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)  # the root is the group's first member
            self.parent.setdefault(min(a, b), min(a, b))

    def groups(self) -> list[list[int]]:
        members: dict[int, list[int]] = {}
        for i in sorted(self.parent):
            members.setdefault(self.find(i), []).append(i)
        return [g for _, g in sorted(members.items()) if len(g) > 1]


@dataclass(frozen=True)
class PhotoFacts:
    """What `best_of` weighs: the photo's full size, its file's size, its signature's sharpness."""

    width: int
    height: int
    file_size: int
    sharpness: float


def best_of(group: Sequence[K], facts: Mapping[K, PhotoFacts]) -> K:
    """The photo of a group to keep: the most pixels (within 10 %), then the sharpest (within
    10 %: a burst's frame without motion blur), then the largest file (the least compressed copy).
    Ties go to the earliest in `group`."""
    return best_and_why(group, facts)[0]


def best_and_why(group: Sequence[K], facts: Mapping[K, PhotoFacts]) -> tuple[K, list[str]]:
    """`best_of`, and which of its steps set the photo kept apart from others, in words: "the
    most pixels", "the sharpest", "the largest file", or "the first of equal copies" when none
    did."""
    if not group:
        raise ValueError("best_of needs at least one photo")
    why: list[str] = []
    pixels = {k: facts[k].width * facts[k].height for k in group}
    top = max(pixels.values())
    left = [k for k in group if pixels[k] >= 0.9 * top]
    if len(left) < len(group):
        why.append("the most pixels")
    sharpest = max(facts[k].sharpness for k in left)
    sharp = [k for k in left if facts[k].sharpness >= 0.9 * sharpest]
    if len(sharp) < len(left):
        why.append("the sharpest")
    best = max(sharp, key=lambda k: facts[k].file_size)
    if any(facts[k].file_size < facts[best].file_size for k in sharp):
        why.append("the largest file")
    if not why:
        why.append("the first of equal copies")
    return best, why
