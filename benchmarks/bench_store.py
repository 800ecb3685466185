"""How fast a big library opens, and what the store costs on disk and on the wire.

    .venv/bin/python benchmarks/bench_store.py [--photos 100000] [--batch 64] [--keep DIR]

Builds a library of N photos the way a scan does (batches of --batch photos, one transaction
each): per photo ~5 auto tags, 1 face (document) with its embedding, file row and photo row
(index); 10% of photos get 1-2 user tags, and every face a suggested person (as grouping does).
Then, each in a fresh process so nothing is warm but the OS page cache:
- open: Library.open (document loaded, index open) + the photo count; target under 1 s;
- the same with a log tail of 1,000 single edits not yet compacted;
and the bytes one user tag edit adds to the log (what it costs on the wire), the database sizes,
the compaction time and reading every face embedding.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.store.library import DOCUMENT_FILE, INDEX_FILE, Library  # noqa: E402

GROUPS = ["Animals", "Food", "Places", "Things", "Nature", "People", "Events", "Vehicles"]
NAMES = ["Cat", "Dog", "Coffee", "Beach", "Car", "Tree", "Sky", "Portrait", "Bicycle", "Mountain"]
VOCABULARY = [f"{g}/{n}" for g in GROUPS for n in NAMES]
TAGGER = "mobilenet_v2@1+vocabulary@1"
DETECTOR = "face_detector@1"


def build(path: Path, photos: int, batch: int, seed: int = 1) -> dict[str, float]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    started = time.perf_counter()
    with Library.open(path) as lib:
        doc, index = lib.document, lib.index
        people = [doc.new_person() for _ in range(max(1, photos // 50))]
        for start in range(0, photos, batch):
            ids = [f"{rng.getrandbits(128):032x}" for _ in range(min(batch, photos - start))]
            embeddings = nrng.standard_normal((len(ids), 128)).astype(np.float32)
            with index.batch(), doc.batch():
                for k, cid in enumerate(ids):
                    tags = {t: round(rng.random(), 3) for t in rng.sample(VOCABULARY, 5)}
                    x, y = rng.uniform(0, 3500), rng.uniform(0, 2500)
                    s = rng.uniform(80, 400)
                    box = [round(x, 1), round(y, 1), round(x + s, 1), round(y + s, 1)]
                    eyes = [[round(x + 0.3 * s, 1), round(y + 0.4 * s, 1)]]
                    eyes.append([round(x + 0.7 * s, 1), round(y + 0.4 * s, 1)])
                    doc.set_auto_tags(cid, tags, "local", TAGGER)
                    doc.set_faces(cid, DETECTOR, [{"box": box, "score": 0.87, "eyes": eyes}])
                    doc.suggest_person(cid, 0, rng.choice(people))
                    if rng.random() < 0.1:
                        for tag in rng.sample(VOCABULARY + ["Family", "Holidays/2024"], 2):
                            doc.set_user_tag(cid, tag, rng.random() < 0.7)
                    path_ = f"/home/user/Pictures/{start // 1000:04d}/IMG_{start + k:06d}.JPG"
                    index.upsert_file(path_, 3_000_000, 1_700_000_000_000_000_000, cid)
                    index.set_photo(cid, 4000, 3000, f"thumbs/{cid[:2]}/{cid}.webp", TAGGER)
                    index.set_face_embeddings(cid, embeddings[k : k + 1])
        built = time.perf_counter() - started
        t0 = time.perf_counter()
        lib.log.compact()
        compact = time.perf_counter() - t0
    return {"build_s": built, "compact_s": compact}


def measure_open(path: Path) -> dict[str, float]:
    """Run in a fresh process: open, count, and a few figures from inside."""
    t0 = time.perf_counter()
    lib = Library.open(path)
    opened = time.perf_counter()
    count = lib.document.photo_count()
    counted = time.perf_counter()
    figures = {
        "open_s": opened - t0,
        "open_and_count_s": counted - t0,
        "log_load_s": lib.load_report.seconds,
        "photos": count,
        "index_photos": lib.index.photo_count(),
        "log_rows": lib.log.stats()["rows"],
        "snapshot_mb": lib.log.stats()["snapshot_bytes"] / 1e6,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    lib.close(compact=False)  # measuring must not change what the next run opens
    return figures


def open_in_fresh_process(path: Path, runs: int) -> dict[str, float]:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--measure-open", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(out))
    best = min(results, key=lambda r: r["open_and_count_s"])
    best["median_open_and_count_s"] = statistics.median(r["open_and_count_s"] for r in results)
    return best


def edit_figures(path: Path) -> dict[str, float]:
    with Library.open(path) as lib:
        cid = lib.document.photo_ids()[0]
        before = lib.log.last_row_id()
        t0 = time.perf_counter()
        lib.document.set_user_tag(cid, "Holidays/Lisbon 2024", True)
        edit_s = time.perf_counter() - t0
        rows = lib.log.updates_since(before)
        t0 = time.perf_counter()
        keys, emb = lib.index.face_embeddings()
        embeddings_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for pid in lib.document.photo_ids()[:1000]:
            lib.document.effective_tags(pid, lambda t: 0.5)
        read_s = (time.perf_counter() - t0) / 1000
    return {
        "edit_update_bytes": sum(len(u) for _, u in rows),
        "edit_rows": len(rows),
        "edit_durable_ms": edit_s * 1000,
        "face_embeddings_s": embeddings_s,
        "faces": len(keys),
        "effective_tags_us": read_s * 1e6,
    }


def add_tail(path: Path, edits: int) -> None:
    with Library.open(path) as lib:
        ids = lib.document.photo_ids()[:edits]
        for i, cid in enumerate(ids):
            lib.document.set_user_tag(cid, f"Tail/{i}", True)
        lib.close(compact=False)  # leave the tail for the next open to replay


def size_mb(path: Path, name: str) -> float:
    files = [path / name, path / f"{name}-wal"]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=64, help="photos per transaction")
    parser.add_argument("--runs", type=int, default=5, help="fresh-process opens to time")
    parser.add_argument("--keep", type=Path, help="build the library here and keep it")
    parser.add_argument("--measure-open", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_open:
        print(json.dumps(measure_open(args.measure_open)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "library"
        print(f"building {args.photos} photos in batches of {args.batch} in {path} ...")
        built = build(path, args.photos, args.batch)
        print(f"  built in {built['build_s']:.1f} s; compaction {built['compact_s']:.2f} s")
        opened = open_in_fresh_process(path, args.runs)
        print(
            f"open + count ({opened['photos']} photos): best {opened['open_and_count_s']:.3f} s, "
            f"median {opened['median_open_and_count_s']:.3f} s of {args.runs} "
            f"(document log {opened['log_load_s']:.3f} s, snapshot {opened['snapshot_mb']:.1f} MB,"
            f" {opened['log_rows']} rows; max RSS {opened['max_rss_mb']:.0f} MB)  target < 1 s"
        )
        edits = edit_figures(path)
        print(
            f"one user tag edit: {edits['edit_update_bytes']} bytes in {edits['edit_rows']} row, "
            f"durable in {edits['edit_durable_ms']:.1f} ms"
        )
        print(
            f"face_embeddings(): {edits['faces']} faces in {edits['face_embeddings_s']:.3f} s; "
            f"effective_tags(): {edits['effective_tags_us']:.0f} us per photo"
        )
        print(
            f"database sizes: {DOCUMENT_FILE} {size_mb(path, DOCUMENT_FILE):.1f} MB, "
            f"{INDEX_FILE} {size_mb(path, INDEX_FILE):.1f} MB"
        )
        add_tail(path, 999)
        tail = open_in_fresh_process(path, args.runs)
        print(
            f"open + count with 1,000 edits not yet compacted: "
            f"best {tail['open_and_count_s']:.3f} s, "
            f"median {tail['median_open_and_count_s']:.3f} s ({tail['log_rows']} rows)"
        )


if __name__ == "__main__":
    main()
