"""What ratings, favourites and rejects cost in the shared document.

    .venv/bin/python benchmarks/bench_marks.py [--photos 100000] [--rated 0.05]

In a document of --photos photos (the model's tags each, as a scan writes them), with a share
--rated of them rated (and a fifth of those favourites), then with every photo rated and flagged:
1. bytes on the wire for one rating edit (what a sync sends for it);
2. how much a first sync grows, and opening the document (its update applied to a fresh one);
3. the marks of every photo read one at a time (what the window's facts read), then all at once
   (`all_marks`, what a search with `rating:` reads; each photo's marks are kept once read).
"""

from __future__ import annotations

import argparse
import time

from photo_tagger.store.document import LibraryDocument


def build(ids: list[str], rated: float) -> LibraryDocument:
    doc = LibraryDocument()
    every = max(1, round(1 / rated)) if rated > 0 else 0
    with doc.batch():
        for i, pid in enumerate(ids):
            doc.set_auto_tags(pid, {"Animals/Cat": 0.9}, "local", "tagger@1")
            if every and i % every == 0:
                doc.set_marks([pid], rating=1 + i % 5, favourite=(i % (5 * every) == 0))
    return doc


def measure(ids: list[str], rated: float, base: int) -> None:
    doc = build(ids, rated)
    state = doc.state_vector()
    doc.set_marks([ids[1]], rating=4)
    edit = len(doc.encode_state_as_update(state))
    update = doc.encode_state_as_update()
    start = time.perf_counter()
    fresh = LibraryDocument()
    fresh.apply_update(update)
    opened = time.perf_counter() - start
    start = time.perf_counter()
    for pid in ids:
        fresh.marks(pid)
    one_by_one = time.perf_counter() - start
    start = time.perf_counter()
    marked = len(fresh.all_marks())
    at_once = time.perf_counter() - start
    print(
        f"{marked:,} of {len(ids):,} photos rated: one rating edit {edit} bytes on the wire; "
        f"first sync +{(len(update) - base) / 1e6:.1f} MB; opening {opened:.2f} s; marks of "
        f"every photo {one_by_one:.2f} s ({one_by_one / len(ids) * 1e6:.1f} us a photo); "
        f"all_marks {at_once:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--rated", type=float, default=0.05)
    args = parser.parse_args()
    ids = [f"{i:032x}" for i in range(args.photos)]
    base = build(ids, 0.0)
    size = len(base.encode_state_as_update())
    LibraryDocument().apply_update(base.encode_state_as_update())  # warm up
    start = time.perf_counter()
    LibraryDocument().apply_update(base.encode_state_as_update())
    print(f"no photo rated: opening {time.perf_counter() - start:.2f} s")
    measure(ids, args.rated, size)
    measure(ids, 1.0, size)


if __name__ == "__main__":
    main()
