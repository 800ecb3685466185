"""Photos per second of the scan pipeline on camera-sized JPEGs, against baselines in the same run.

    .venv/bin/python benchmarks/bench_pipeline.py [--photos 48] [--workers N] [--rounds 3]

(a) reduced-scale decoding alone on every core: the floor a scan cannot beat;
(b) the whole pipeline: read, hash, decode, faces, embeddings, tags, thumbnails, store, people;
(c) the same scan done naively: full-size decode, fp32 models, one thread;
(d) `photo-tagger scan` of the same photos in a new process: what a user waits for from the
    command line, start-up (loading the models) included, with the app's bytecode compiled as
    an installed app's is;
(e) after (b), the closer look for objects on the photos the scan analysed (app/closer_look.py,
    which says why a scan leaves the object detector to it): what the window then does in the
    background, or `photo-tagger look-closer`.
Targets: (b) at least 0.6 of (a) with the object detector in the pipeline (2/3 before it), and
at least 5x (c); (d) at least half of (a). (a), (b) and (d) are measured in turn, `--rounds`
times; each ratio is the median of the rounds' ratios.

The corpus is made once in benchmarks/corpus/: the real photos of tests/data/photos resized to
12 MP (4000x3000) with camera-like noise, saved as JPEG quality 90 (~3 MB, so decoding costs what
a real photo costs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.app.closer_look import look_closer  # noqa: E402
from photo_tagger.app.scan import Importer  # noqa: E402
from photo_tagger.imaging import decode  # noqa: E402
from photo_tagger.imaging.decode import DEFAULT_TARGET_SIDE  # noqa: E402
from photo_tagger.store.library import Library  # noqa: E402
from photo_tagger.vision.model import default_models_dir  # noqa: E402
from photo_tagger.vision.pipeline import Models  # noqa: E402
from photo_tagger.vision.workers import default_workers, map_in_threads  # noqa: E402

SOURCES = ROOT / "tests" / "data" / "photos"
CORPUS = Path(__file__).resolve().parent / "corpus"
SIZE = (4000, 3000)


def make_corpus(count: int) -> list[Path]:
    CORPUS.mkdir(exist_ok=True)
    sources = sorted(SOURCES.glob("*.jpg"))
    rng = np.random.default_rng(12)
    paths = []
    for i in range(count):
        path = CORPUS / f"photo_{i:04d}.jpg"
        paths.append(path)
        if path.exists():
            continue
        src = cv2.imread(str(sources[i % len(sources)]))
        h, w = src.shape[:2]
        portrait = h > w
        size = (SIZE[1], SIZE[0]) if portrait else SIZE
        big = cv2.resize(src, size, interpolation=cv2.INTER_CUBIC)
        noise = rng.normal(0, 5 + (i % 3), big.shape).astype(np.float32)
        big = np.clip(big.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        ok, buf = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok
        path.write_bytes(buf.tobytes())
    return paths


def rate(count: int, seconds: float) -> float:
    return count / seconds


def bench_decode(paths: list[Path], workers: int) -> float:
    def work(p: Path) -> tuple[int, ...]:
        return decode(p.read_bytes()).rgb.shape

    t = time.perf_counter()
    for outcome in map_in_threads(work, paths, workers):
        assert outcome.error is None, outcome.error
    return rate(len(paths), time.perf_counter() - t)


def bench_scan(
    paths: list[Path],
    models: Models,
    workers: int,
    target_side: int = DEFAULT_TARGET_SIDE,
    closer_look: bool = False,
) -> tuple[float, int, tuple[float, int]]:
    """A real scan of `paths` into a new library: what a user waits for. With `closer_look`,
    then the closer look for objects on the photos the scan left (photos/s, how many)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        for p in paths:
            os.link(p, folder / p.name)
        looked = (0.0, 0)
        with Library.open(Path(tmp) / "lib") as library:
            importer = Importer(library, models, workers, target_side)
            t = time.perf_counter()
            report = importer.scan([folder])
            seconds = time.perf_counter() - t
            if closer_look:
                t = time.perf_counter()
                closer = look_closer(importer)
                looked = (rate(closer.looked, time.perf_counter() - t), closer.looked)
        assert report.analysed == len(paths), report
    return rate(len(paths), seconds), report.faces, looked


def bench_cli_scan(paths: list[Path]) -> float:
    """`photo-tagger scan` of `paths` into a new library, in a new process, start-up included.

    Python's modules are compiled to bytecode once first (a scan of an empty folder), as an
    installed app's are: pip and the installers compile them at install time. Without that, a
    shell with PYTHONDONTWRITEBYTECODE set compiles the whole app on every start.
    """
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        for p in paths:
            os.link(p, folder / p.name)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(Path(tmp) / "bytecode")}

        def scan(what: Path) -> None:
            argv = [sys.executable, "-m", "photo_tagger.cli", "scan", str(what)]
            argv += ["--library", str(Path(tmp) / what.name), "--quiet"]
            subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)

        (Path(tmp) / "nothing").mkdir()
        scan(Path(tmp) / "nothing")
        t = time.perf_counter()
        scan(folder)
        return rate(len(paths), time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=48)
    ap.add_argument("--naive-photos", type=int, default=16, help="the naive run is slow")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--rounds", type=int, default=3, help="of (a), (b) and (d); medians shown")
    args = ap.parse_args()

    paths = make_corpus(args.photos)
    for extra in sorted(CORPUS.glob("photo_*.jpg"))[args.photos :]:
        extra.unlink()
    mb = sum(p.stat().st_size for p in paths) / len(paths) / 1e6
    print(
        f"corpus: {len(paths)} JPEGs, {SIZE[0]}x{SIZE[1]}, {mb:.1f} MB each; "
        f"{args.workers} workers on {os.cpu_count()} cores"
    )
    models_dir = default_models_dir()
    models = Models.load(models_dir)

    bench_decode(paths[:4], args.workers)  # warm the page cache and the libraries
    # (a), (b) and (d) in turn, each round: a ratio of two measurements a few seconds apart
    # moves less with what else the machine does than one of runs a minute apart
    rounds = []
    closer: list[tuple[float, int]] = []
    for r in range(args.rounds):
        a = bench_decode(paths, args.workers)
        b, faces, looked = bench_scan(paths, models, args.workers, closer_look=r == 0)
        closer.append(looked)
        rounds.append((a, b, bench_cli_scan(paths)))
    e, looked = closer[0]
    # the same scan done naively: every pixel decoded, fp32 models, one thread
    naive_models = Models.load(models_dir, variant="fp32", threads=1)
    c, _, _ = bench_scan(paths[: args.naive_photos], naive_models, 1, target_side=1 << 30)
    a, b, d = (statistics.median(r[i] for r in rounds) for i in range(3))
    b_a = [rb / ra for ra, rb, _ in rounds]
    d_a = [rd / ra for ra, _, rd in rounds]
    print(f"(a) reduced-scale decode alone : {a:6.1f} photos/s")
    print(f"(b) whole pipeline             : {b:6.1f} photos/s  ({faces} faces)")
    print(f"(c) naive (full decode, fp32, 1 thread): {c:6.1f} photos/s")
    print(f"(d) photo-tagger scan, start-up included: {d:6.1f} photos/s")
    print(f"(e) then the closer look for objects: {e:6.1f} photos/s ({looked} photos)")
    print(f"(b)/(a) = {statistics.median(b_a):.2f}  (target >= 0.6; objects in (e))")
    print(f"(b)/(c) = {b / c:.1f}x (target >= 5x)")
    print(f"(d)/(a) = {statistics.median(d_a):.2f}  (target >= 0.5)")
    if len(rounds) > 1:
        print(
            f"rounds: (b)/(a) {' '.join(f'{x:.2f}' for x in b_a)}; "
            f"(d)/(a) {' '.join(f'{x:.2f}' for x in d_a)} (the medians above)"
        )


if __name__ == "__main__":
    main()
