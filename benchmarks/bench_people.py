"""Grouping faces into people is incremental: new photos cost what they add, not the library.

    .venv/bin/python benchmarks/bench_people.py [--faces 100000] [--people 10000] [--new 100]

Builds a library whose faces (one per photo, synthetic 128-D embeddings around one centre per
person) are already grouped, then times grouping `--new` new faces into it, against the baseline
of grouping the whole library from scratch, in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.app.people import group_people  # noqa: E402
from photo_tagger.people.cluster import place_new_faces  # noqa: E402
from photo_tagger.store.library import Library  # noqa: E402

THRESHOLD = 0.5


def synthetic_faces(faces: int, people: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.normal(0, 1, (people, 128))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    who = rng.integers(0, people, faces)
    noise = rng.normal(0, 0.2 / np.sqrt(128), (faces, 128))  # same person ~0.2-0.3 apart
    return (centres[who] + noise).astype(np.float32)


def add_faces(library: Library, embeddings: np.ndarray, start: int) -> None:
    index = library.index
    with index.batch():
        for i, emb in enumerate(embeddings, start):
            cid = f"{i:032x}"
            index.upsert_file(f"/photos/{cid}.jpg", 1, 1, cid)
            index.set_photo(cid, 4000, 3000, "", "bench")
            index.set_face_embeddings(cid, emb[None, :])
    doc = library.document
    with doc.batch():
        for i in range(start, start + len(embeddings)):
            doc.set_faces(
                f"{i:032x}",
                "bench",
                [{"box": [1, 1, 100, 100], "score": 0.9, "eyes": [[30, 40], [70, 40]]}],
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faces", type=int, default=100_000)
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--new", type=int, default=100)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    emb = synthetic_faces(args.faces + args.new, args.people, rng)
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "lib") as library:
        t = time.perf_counter()
        add_faces(library, emb[: args.faces], 0)
        built = time.perf_counter() - t
        t = time.perf_counter()
        created = group_people(library, THRESHOLD)
        first = time.perf_counter() - t
        print(
            f"library: {args.faces} faces of {args.people} people (built in {built:.1f} s); "
            f"first grouping {first:.1f} s -> {created} people"
        )
        add_faces(library, emb[args.faces :], args.faces)
        t = time.perf_counter()
        group_people(library, THRESHOLD)
        incremental = time.perf_counter() - t

    keys = [(f"{i:032x}", 0) for i in range(len(emb))]
    t = time.perf_counter()
    place_new_faces(keys, emb, {}, {}, lambda p: p, THRESHOLD)
    scratch = time.perf_counter() - t
    print(f"group {args.new} new faces into the library (read, place, write): {incremental:.2f} s")
    print(f"baseline, group all {len(emb)} faces from scratch (placement only): {scratch:.2f} s")
    print(f"incremental / from scratch = {incremental / scratch:.3f}")


if __name__ == "__main__":
    main()
