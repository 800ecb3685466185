"""Tags from what photos carry: what they add to a scan, per photo and across a large library.

    .venv/bin/python benchmarks/bench_context.py [--photos 100000]

1. Per photo, on the sample photos with a capture time, a camera and GPS written in (as a camera
   would): reading the capture facts from the bytes, naming the place (the gazetteer loaded
   beforehand, as the scan's first photo with GPS does), and the near-duplicate signature of the
   decoded buffer. Baseline: the same photos' decode and analysis by the models, in the same
   run, so the ratio is what these add to a scan.
2. Across a library of --photos photos (index rows as a scan writes them: trips through a few
   cities, phones without GPS, photos without a date): `update_context` the first time (every
   photo's tags worked out and stored), then after a scan that added one photo (events and
   borrowed places are worked out again across the library; only changed tags are stored), and
   the check a scan that changed nothing makes instead.
3. The library-wide steps on their own, over --photos photos (four cameras in turn, 30 s apart,
   every third photo of each with GPS): borrowing places (`inherit_positions`) and grouping into
   events (`group_events`); baseline: sorting the same photos by time, in the same run, the least
   any of them does. Then naming the places of 10,000 positions in one batch
   (`Gazetteer.places`), per position, against reading one photo's capture facts (as (a1) does).
   Targets: each step well under a second at 100,000 photos.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CITIES = [(38.7139, -9.1394), (41.1496, -8.611), (48.8566, 2.3522), (40.758, -73.9855)]


def with_exif(data: bytes, taken: str, where: tuple[float, float]) -> bytes:
    from PIL import Image

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        minutes = (value - int(value)) * 60
        return (int(value), int(minutes), round((minutes - int(minutes)) * 60, 2))

    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        exif[0x010F], exif[0x0110] = "Canon", "EOS R6"
        exif.get_ifd(0x8769)[0x9003] = taken
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if where[0] >= 0 else "S"), dms(where[0])
        gps[3], gps[4] = ("E" if where[1] >= 0 else "W"), dms(where[1])
        out = io.BytesIO()
        img.save(out, format="JPEG", exif=exif, quality=92)
        return out.getvalue()


def per_photo(rounds: int) -> None:
    from photo_tagger.app.context import shared_gazetteer
    from photo_tagger.context import read_capture
    from photo_tagger.duplicates import signature
    from photo_tagger.imaging import decode
    from photo_tagger.vision.model import default_models_dir
    from photo_tagger.vision.pipeline import Analyzer, Models

    samples = sorted((ROOT / "resources" / "samples").glob("*.jpg"))
    photos = [
        with_exif(p.read_bytes(), "2024:06:12 19:05:00", CITIES[i % len(CITIES)])
        for i, p in enumerate(samples)
    ]
    gazetteer = shared_gazetteer()
    t = time.perf_counter()
    gazetteer.load()
    load = time.perf_counter() - t
    analyzer = Analyzer(Models.load(default_models_dir()))
    decoded = [decode(d) for d in photos]
    for img in decoded[:2]:  # the models' first runs are not what is measured
        analyzer.analyze(img.rgb, img.width, img.height)

    def best_ms(fn) -> float:  # type: ignore[no-untyped-def]
        runs = []
        for _ in range(rounds):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        return 1000 * min(runs) / len(photos)

    def facts() -> None:
        for d in photos:
            read_capture(d, 0.0)

    def facts_and_place() -> None:
        for d in photos:
            facts = read_capture(d, 0.0)
            assert facts.position is not None
            gazetteer.place(*facts.position)

    def signatures() -> None:
        for img in decoded:
            signature(img.rgb)

    def analysis() -> None:
        for d in photos:
            img = decode(d)
            analyzer.analyze(img.rgb, img.width, img.height)

    facts_ms, sig_ms, base_ms = best_ms(facts_and_place), best_ms(signatures), best_ms(analysis)
    read_ms = best_ms(facts)
    print(f"gazetteer loaded once in {load:.2f} s")
    print(f"(a) capture facts + place per photo: {facts_ms:.2f} ms")
    print(
        f"(a1) of which the capture facts alone: {read_ms:.3f} ms "
        f"((a1)/(c) = {read_ms / base_ms:.4f})"
    )
    print(f"(b) near-duplicate signature per photo: {sig_ms:.2f} ms")
    print(f"(c) baseline, decode + models per photo: {base_ms:.1f} ms")
    print(f"((a)+(b))/(c) = {(facts_ms + sig_ms) / base_ms:.3f} of a scan's time per photo")


def build(path: Path, photos: int, seed: int = 7) -> None:
    from photo_tagger.store.library import Library

    rng = random.Random(seed)
    start = datetime(2019, 1, 1, 9, 0)
    with Library.open(path) as lib:
        index = lib.index
        clock = start
        for first in range(0, photos, 2000):
            with index.batch():
                for k in range(first, min(photos, first + 2000)):
                    # a trip day now and then; within one, shots minutes apart
                    if rng.random() < 0.02:
                        clock += timedelta(days=rng.randint(1, 20))
                    clock += timedelta(seconds=rng.randint(5, 900))
                    city = CITIES[(k // 500) % len(CITIES)]
                    kind = rng.random()
                    cid = f"{rng.getrandbits(128):032x}"
                    index.upsert_file(f"/photos/{k // 500:04d}/IMG_{k:06d}.JPG", 1, 1, cid)
                    if kind < 0.1:  # no date at all: the file's time, a guess
                        index.set_capture(cid, clock.isoformat(), True, None, None, None, None)
                        continue
                    gps = kind < 0.7
                    where = (city[0] + rng.gauss(0, 0.01), city[1] + rng.gauss(0, 0.01))
                    place = '["Portugal", "Lisbon", "Lisbon", "PT"]' if gps else None
                    camera = "Canon|EOS R6|0421" if kind < 0.85 else "Apple|iPhone 15|"
                    index.set_capture(
                        cid, clock.isoformat(), False, where if gps else None, camera, place, None
                    )


def library_wide(photos: int, rounds: int) -> None:
    from photo_tagger.app.context import update_context
    from photo_tagger.store.library import Library

    tmp = Path(tempfile.mkdtemp(prefix="bench_context_"))
    try:
        t = time.perf_counter()
        build(tmp / "lib", photos)
        print(f"library of {photos} photos built in {time.perf_counter() - t:.1f} s")
        with Library.open(tmp / "lib") as lib:
            t = time.perf_counter()
            first = update_context(lib)
            first_s = time.perf_counter() - t
            again = []
            for k in range(rounds):  # a scan that added one photo to the library
                cid = f"{k:032x}"
                lib.index.upsert_file(f"/photos/new/{k}.jpg", 1, 1, cid)
                lib.index.set_capture(cid, "2024-06-12T19:05:00", False, None, None, None, None)
                t = time.perf_counter()
                report = update_context(lib)
                again.append(time.perf_counter() - t)
                assert report.updated >= 1
            t = time.perf_counter()
            pending = lib.index.context_pending()
            check_ms = 1000 * (time.perf_counter() - t)
            assert not pending
        print(
            f"(d) first update: {first.updated} photos' tags stored, {first.events} events, "
            f"{first.borrowed_places} places borrowed, in {first_s:.2f} s"
        )
        print(
            f"(e) after a scan that added a photo: {statistics.median(again):.2f} s median of "
            f"{rounds} ((e)/(d) = {statistics.median(again) / first_s:.2f}); after a scan that "
            f"changed nothing, only the check: {check_ms:.1f} ms"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def best_s(rounds: int, fn) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return min(runs)


def steps_at_scale(photos: int, rounds: int) -> None:
    from photo_tagger.app.context import shared_gazetteer
    from photo_tagger.context import group_events, inherit_positions, read_capture

    t0 = datetime(2024, 6, 12, 20, 0)
    shots = [
        (f"p{i}", t0 + timedelta(seconds=30 * i), f"cam{i % 4}", CITIES[0] if i // 4 % 3 else None)
        for i in range(photos)
    ]
    shots.reverse()  # as a library lists them: not in time order
    sort_s = best_s(rounds, lambda: sorted(shots, key=lambda s: s[1]))
    inherit_s = best_s(rounds, lambda: inherit_positions(shots))
    events_s = best_s(rounds, lambda: group_events([(i, t, p) for i, t, _, p in shots]))
    print(
        f"(f) {photos} photos: borrowing places {inherit_s:.3f} s, grouping events "
        f"{events_s:.3f} s; baseline, sorting them by time: {sort_s:.3f} s (ratios "
        f"{inherit_s / sort_s:.1f} and {events_s / sort_s:.1f})"
    )
    rng = random.Random(7)
    coords = [(rng.uniform(-60, 70), rng.uniform(-180, 180)) for _ in range(10_000)]
    gazetteer = shared_gazetteer()
    gazetteer.load()
    places_s = best_s(rounds, lambda: gazetteer.places(coords))
    sample = (ROOT / "resources" / "samples" / "coffee.jpg").read_bytes()
    data = with_exif(sample, "2024:06:12 19:05:00", CITIES[0])
    read_s = best_s(rounds, lambda: [read_capture(data, 0.0) for _ in range(100)]) / 100
    per_position = places_s / len(coords)
    print(
        f"(g) places of {len(coords)} positions in one batch: {places_s:.3f} s, "
        f"{1e6 * per_position:.1f} us each; baseline, one photo's capture facts read: "
        f"{1e6 * read_s:.1f} us (ratio {per_position / read_s:.2f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    per_photo(args.rounds)
    library_wide(args.photos, args.rounds)
    steps_at_scale(args.photos, args.rounds)


if __name__ == "__main__":
    main()
