"""Near-duplicate grouping scales with the library, not with its pairs.

    .venv/bin/python benchmarks/bench_duplicates.py [--photos 100000] [--planted 2000]

Times `signature()` on the sample photos' decoded buffers, then groups a library of synthetic
signatures (random smooth 32 x 32 images, their pHash computed the real way) with planted
near-duplicates: re-encoded copies (noise), crops (85 % windows, same capture time) and bursts
(shifted frames one second apart). Grouping runs without capture times, then with them, and is
compared in the same run with the naive baselines on a subset, extrapolated to the library:
all-pairs pHash distances (numpy, blocked) and all-pairs crop-aware similarity.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.duplicates import Signature, group_near_duplicates, signature  # noqa: E402
from photo_tagger.duplicates.compare import Comparer  # noqa: E402
from photo_tagger.duplicates.grouping import MAX_HASH_DISTANCE  # noqa: E402
from photo_tagger.duplicates.signature import THUMB_SIDE, phashes  # noqa: E402
from photo_tagger.imaging import decode  # noqa: E402

SAMPLES = ROOT / "resources" / "samples"
YEAR = 365 * 24 * 3600.0


def signature_cost(repeats: int) -> float:
    """Milliseconds per signature() on the decoded (~500 px) buffers of the sample photos."""
    buffers = [decode(p.read_bytes()).rgb for p in sorted(SAMPLES.glob("*.jpg"))]
    t = time.perf_counter()
    for _ in range(repeats):
        for rgb in buffers:
            signature(rgb)
    return (time.perf_counter() - t) / (repeats * len(buffers)) * 1e3


def smooth_images(count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` random 32 x 32 uint8 images, their DCT falling off with frequency as photos' do."""
    side = THUMB_SIDE
    basis = cv2.dct(np.eye(side, dtype=np.float32), flags=cv2.DCT_ROWS).T  # row k: k-th cosine
    freq = np.add.outer(np.arange(side), np.arange(side)).astype(np.float32)
    falloff = (1.0 + freq) ** -1.5
    out = np.empty((count, side, side), np.uint8)
    for start in range(0, count, 4096):
        n = min(4096, count - start)
        coef = rng.normal(0, 1, (n, side, side)).astype(np.float32) * falloff
        img = basis.T @ coef @ basis
        img = 128 + 45 * (img - img.mean(axis=(1, 2), keepdims=True)) / img.std(
            axis=(1, 2), keepdims=True
        )
        out[start : start + n] = np.clip(img, 0, 255).astype(np.uint8)
    return out


def make_signatures(thumbs: np.ndarray, aspect: float = 1.5) -> list[Signature]:
    hashes = phashes(thumbs).tolist()
    contrast = thumbs.reshape(len(thumbs), -1).std(axis=1).tolist()
    return [
        Signature(h, aspect, c, 1.0, t) for h, c, t in zip(hashes, contrast, thumbs, strict=True)
    ]


def crop(thumb: np.ndarray, x: float, y: float, keep: float) -> np.ndarray:
    s = THUMB_SIDE
    x0, y0, size = round(x * s), round(y * s), round(keep * s)
    window = thumb[y0 : y0 + size, x0 : x0 + size]
    return cv2.resize(window, (s, s), interpolation=cv2.INTER_LINEAR)


def build_library(
    photos: int, planted: int, rng: np.random.Generator
) -> tuple[list[Signature], list[float], list[int]]:
    """Signatures, capture times and the planted truth: `source[i]` is the photo i copies, or i."""
    thumbs = smooth_images(photos, rng)
    times = np.sort(rng.uniform(0, 5 * YEAR, photos))
    source = np.arange(photos)
    noise = rng.normal(0, 1, (planted, THUMB_SIDE, THUMB_SIDE))
    targets = rng.choice(photos, planted * 2, replace=False)
    originals, copies = targets[:planted], targets[planted:]
    for k, (orig, copy) in enumerate(zip(originals.tolist(), copies.tolist(), strict=True)):
        base = thumbs[orig].astype(np.float32)
        kind = k % 3
        if kind == 0:  # re-encoded or resized copy: same frame, some noise
            img = base + noise[k]
        elif kind == 1:  # a crop that kept its capture time
            img = crop(thumbs[orig], *rng.uniform(0, 0.15, 2), keep=0.85).astype(np.float32)
            times[copy] = times[orig]
        else:  # the next frame of a burst: the camera moved a little
            img = crop(thumbs[orig], *rng.uniform(0, 0.06, 2), keep=0.94) + noise[k]
            times[copy] = times[orig] + 1.0
        thumbs[copy] = np.clip(img, 0, 255).astype(np.uint8)
        source[copy] = orig
    return make_signatures(thumbs), times.tolist(), source.tolist()


def score(groups: list[list[int]], source: list[int]) -> tuple[int, int, int]:
    """(planted pairs found, planted pairs, photos grouped with a photo they do not copy)."""
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    planted = [(i, s) for i, s in enumerate(source) if s != i]
    found = sum(1 for i, s in planted if i in group_of and group_of[i] == group_of.get(s))
    wrong = sum(1 for members in groups for i in members if len({source[m] for m in members}) > 1)
    return found, len(planted), wrong


def naive_hash_pairs(hashes: np.ndarray) -> int:
    """All pairs' pHash distances, 1,000 rows at a time: the cheapest exhaustive scan."""
    close = 0
    for start in range(0, len(hashes), 1000):
        d = np.bitwise_count(hashes[start : start + 1000, None] ^ hashes[None, :])
        close += int((d <= MAX_HASH_DISTANCE).sum())
    return close


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--planted", type=int, default=2_000)
    ap.add_argument("--hash-subset", type=int, default=5_000)
    ap.add_argument("--pixel-subset", type=int, default=150)
    args = ap.parse_args()
    rng = np.random.default_rng(11)

    print(f"signature(): {signature_cost(20):.3f} ms per photo (decoded sample photos)")

    t = time.perf_counter()
    sigs, times, source = build_library(args.photos, args.planted, rng)
    print(
        f"library: {args.photos} synthetic signatures, {args.planted} planted copies "
        f"(built in {time.perf_counter() - t:.1f} s)"
    )
    ids = list(range(args.photos))

    t = time.perf_counter()
    groups = group_near_duplicates(ids, sigs)
    no_times = time.perf_counter() - t
    found, total, wrong = score(groups, source)
    print(
        f"group without capture times: {no_times:.2f} s, {len(groups)} groups, "
        f"planted pairs found {found}/{total}, photos in a wrong group {wrong}"
    )

    t = time.perf_counter()
    groups = group_near_duplicates(ids, sigs, times)
    with_times = time.perf_counter() - t
    found, total, wrong = score(groups, source)
    print(
        f"group with capture times: {with_times:.2f} s, {len(groups)} groups, "
        f"planted pairs found {found}/{total}, photos in a wrong group {wrong}"
    )

    hashes = np.array([s.phash for s in sigs], dtype=np.uint64)
    m = args.hash_subset
    t = time.perf_counter()
    naive_hash_pairs(hashes[:m])
    hash_all_pairs = (time.perf_counter() - t) * (args.photos / m) ** 2
    print(
        f"baseline, all-pairs pHash distances: {hash_all_pairs:.1f} s "
        f"(measured on {m}, extrapolated)"
    )

    m = args.pixel_subset
    comparer = Comparer()
    t = time.perf_counter()
    for i in range(m):
        for j in range(i + 1, m):
            comparer.similarity(sigs[i], sigs[j], 0.8)
    pixel_all_pairs = (time.perf_counter() - t) * (args.photos / m) ** 2
    print(
        f"baseline, all-pairs crop-aware similarity: {pixel_all_pairs / 3600:.1f} h "
        f"(measured on {m}, extrapolated)"
    )
    print(f"grouping without times / all-pairs pHash = {no_times / hash_all_pairs:.4f}")
    print(f"grouping with times / all-pairs similarity = {with_times / pixel_all_pairs:.1e}")


if __name__ == "__main__":
    main()
