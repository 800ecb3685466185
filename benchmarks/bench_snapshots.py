"""What the server's dated snapshots cost, and how long a restore of a wiped library takes.

    .venv/bin/python benchmarks/bench_snapshots.py [--photos 100000]

A library of N photos (~5 auto tags and a face each, a suggested person per face, 10% with a user
tag) is synced to a server database (SQLite, in a temporary folder); then, with the server's clock
moved on a day, one edit is synced (the server keeps the library as it was first: a snapshot),
and another (none due). Reported: the document's size, both syncs' times, how long the database's
write lock is held to insert one snapshot of that size, and the time `server restore` takes to
put every photo record back after a device deleted them all.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from pycrdt import Doc, Map

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.server.replicas import Replicas  # noqa: E402
from photo_tagger.server.restore import restore  # noqa: E402
from photo_tagger.server.snapshots import DAY, SnapshotPolicy  # noqa: E402
from photo_tagger.server.storage import open_storage  # noqa: E402
from photo_tagger.server.tokens import new_token  # noqa: E402
from photo_tagger.store.document import LibraryDocument  # noqa: E402

TAGS = [f"Group {g}/Tag {t}" for g in range(8) for t in range(10)]


def build(photos: int) -> LibraryDocument:
    rng = random.Random(1)
    doc = LibraryDocument()
    people = [doc.new_person(f"Person {i}") for i in range(50)]
    with doc.batch():
        for i in range(photos):
            photo = f"{rng.getrandbits(128):032x}"
            tags = {t: round(rng.random(), 3) for t in rng.sample(TAGS, 5)}
            doc.set_auto_tags(photo, tags, "local", "tagger@1")
            x, y = rng.random() * 500, rng.random() * 500
            box = [x, y, x + 80, y + 80]
            doc.set_faces(photo, "detector@1", [{"box": box, "score": 0.9}])
            doc.suggest_person(photo, 0, people[i % 50])
            if i % 10 == 0:
                doc.set_user_tag(photo, "Holidays/Trip", True)
    return doc


def edit(replicas: Replicas, library_id: str, doc: LibraryDocument, tag: str) -> float:
    state = doc.state_vector()
    doc.set_user_tag(f"{0:032x}", tag, True)
    start = time.perf_counter()
    replicas.sync(library_id, state, [doc.encode_state_as_update(state)])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    args = parser.parse_args()
    doc = build(args.photos)
    whole = doc.encode_state_as_update()
    print(f"{args.photos:,} photos: document {len(whole) / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as folder:
        storage = open_storage(Path(folder), None)
        library_id = storage.add_library("Bench")
        token = new_token()
        storage.add_token(library_id, token.id, token.secret_hash)
        now = [1e9]
        replicas = Replicas(storage, snapshots=SnapshotPolicy(), clock=lambda: now[0])
        replicas.sync(library_id, b"\x00", [whole])
        now[0] += DAY
        taking = edit(replicas, library_id, doc, "First")
        plain = edit(replicas, library_id, doc, "Second")
        print(
            f"sync of one edit: {taking * 1000:.0f} ms keeping a snapshot, "
            f"{plain * 1000:.0f} ms not"
        )

        start = time.perf_counter()
        with storage.writing(library_id) as writer:
            writer.add_snapshot(whole, "scheduled", now[0] + 1)
        print(
            f"write lock held to insert one snapshot: {(time.perf_counter() - start) * 1000:.0f} ms"
        )

        state = doc.state_vector()  # a device that deletes every photo record, and syncs
        wiper: Doc = Doc()
        wiper.apply_update(doc.encode_state_as_update())
        photos_root = wiper.get("photos", type=Map)
        with wiper.transaction():
            for key in list(photos_root.keys()):
                del photos_root[key]
        replicas.sync(library_id, state, [wiper.get_update(state)])
        snapshot = storage.snapshots(library_id)[0]
        start = time.perf_counter()
        done = restore(storage, library_id, snapshot)
        update = done.restoration.update or b""
        print(
            f"restore of {args.photos:,} deleted photo records: "
            f"{time.perf_counter() - start:.1f} s, an edit of {len(update) / 1e6:.1f} MB"
        )
        storage.close()


if __name__ == "__main__":
    main()
