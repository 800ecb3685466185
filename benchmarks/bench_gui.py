"""The window: launch to a painted grid of a 100,000-photo library; the event loop during a scan.

    .venv/bin/python benchmarks/bench_gui.py [--photos 100000] [--scan-photos 48] [--runs 3]
        [--keep DIR] [--scan-only]

1. Launch: a library of --photos photos is built once (index rows and document records as a scan
   writes them, places, dates and events included; the thumbnails are a few shared files).
   Then, each in a fresh process (3 runs, median), measured from before the process starts:
   (a) baseline: import the store and open the library, without a window;
   (b) the app: open the library, build the window, and paint the grid's first screen.
   Target: (b) under 1 s. Then, in the window's process: scrolling to the middle of the grid and
   repainting, which must not wait for any decoding.
2. Responsiveness during a scan of the benchmark corpus (benchmarks/corpus, 12 MP JPEGs made by
   bench_pipeline.py), in the window as the app runs it (scan and decoding on thread pools): a
   5 ms timer records the gaps between its ticks; the worst gap is how long the UI could not
   answer. Baseline: the same timer in the same window while idle. Target: under 50 ms. Run on an
   empty library and on the 100,000-photo one (where every batch also updates a 100k-row grid).
   The scan rate (found to finished, library-wide work included; the closer look for objects the
   window then runs in the background is not part of the scan, but its gaps are counted) against
   the same scan into a copy of the same library without a window, in a process of its own:
   target ratio >= 0.8. The two take turns (--runs of each), so that both meet the same load of a
   shared machine.
   --scan-only skips part 1.
The offscreen platform is used unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TAGS = ["Animals/Cat", "Animals/Dog", "Food/Coffee", "Vehicles/Car", "Nature/Tree", "Sky", "Beach"]


# --- building the big library --------------------------------------------------------------------


def build_library(path: Path, photos: int, seed: int = 1) -> float:
    """`photos` photos as a scan would have stored them; returns seconds taken."""
    import cv2

    from photo_tagger.app.context import update_context
    from photo_tagger.imaging.thumbnails import make_thumbnail
    from photo_tagger.store.library import Library

    rng = random.Random(seed)
    started = time.perf_counter()
    with Library.open(path) as lib:
        shared = []
        for i, name in enumerate(["chelsea", "coffee", "rocket", "motorcycle", "astronaut"]):
            bgr = cv2.imread(str(ROOT / "resources" / "samples" / f"{name}.jpg"))
            rel = f"bench/{i}.jpg"
            (lib.thumbs_dir / "bench").mkdir(parents=True, exist_ok=True)
            (lib.thumbs_dir / rel).write_bytes(make_thumbnail(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
            shared.append(rel)
        doc, index = lib.document, lib.index
        people = [doc.new_person() for _ in range(max(1, photos // 100))]
        batch = 1000
        for start in range(0, photos, batch):
            with index.batch(), doc.batch():
                for k in range(start, min(photos, start + batch)):
                    cid = f"{rng.getrandbits(128):032x}"
                    tags = {t: round(rng.uniform(0.3, 1.0), 3) for t in rng.sample(TAGS, 3)}
                    doc.set_auto_tags(cid, tags, "local", "bench@1")
                    if k % 3 == 0:
                        box = [100.0, 100.0, 300.0, 300.0]
                        eyes = [[160.0, 180.0], [240.0, 180.0]]
                        doc.set_faces(cid, "bench@1", [{"box": box, "score": 0.9, "eyes": eyes}])
                        doc.suggest_person(cid, 0, rng.choice(people))
                    mtime = (1_500_000_000 + k * 600) * 1_000_000_000
                    index.upsert_file(f"/photos/{k // 500:04d}/IMG_{k:06d}.JPG", 1, mtime, cid)
                    index.set_photo(cid, 4000, 3000, shared[k % len(shared)], "bench")
                    # what the photo carries: a capture time, GPS on most, a camera
                    taken = datetime.fromtimestamp(mtime // 1_000_000_000).isoformat()
                    where = (38.71 + rng.gauss(0, 0.01), -9.14 + rng.gauss(0, 0.01))
                    gps = k % 5 != 0
                    place = '["Portugal", "Lisbon", "Lisbon", "PT"]' if gps else None
                    index.set_capture(
                        cid, taken, False, where if gps else None, "Canon|R6|1", place, None
                    )
        update_context(lib)  # the places, dates and events a scan would have stored
        lib.log.compact()
    return time.perf_counter() - started


# --- children (each in a fresh process) ---------------------------------------------------------


def child_open(library: Path, t0: float) -> dict[str, float]:
    from photo_tagger.store.library import Library

    lib = Library.open(library)
    n = lib.index.photo_count()
    ready = time.time() - t0
    lib.close(compact=False)
    return {"seconds": ready, "photos": n}


def child_window(library: Path, t0: float, settings: Path) -> dict[str, float]:
    from PySide6.QtCore import QEvent, QObject, QTimer

    from photo_tagger.gui.app import application, build_services
    from photo_tagger.gui.settings import Settings
    from photo_tagger.gui.window import MainWindow

    imported = time.time() - t0
    app = application()
    services, _pools = build_services(Settings.at(settings))
    window = MainWindow(services)
    window.resize(1280, 800)
    window.open_library(library, paint_first=True)  # as the app starts
    out: dict[str, float] = {"imports": imported}

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            model = window.grid_model
            if (
                event.type() == QEvent.Type.Paint
                and obj is window.grid.viewport()
                and "seconds" not in out
                and model is not None
                and model.rowCount() > 0
            ):
                out["seconds"] = time.time() - t0
                out["rows"] = model.rowCount()
                QTimer.singleShot(0, when_open)
            return False

    def when_open() -> None:
        deadline = time.perf_counter() + 30
        while window.session is None and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.001)
        out["open_seconds"] = time.time() - t0
        session = window.session
        assert session is not None
        total = session.index.photo_count()
        while len(session.catalog) < total and time.perf_counter() < deadline:
            app.processEvents()  # the rest of the catalogue is read in the background
            time.sleep(0.001)  # (an idle event loop waits without holding the interpreter)
        out["catalog_seconds"] = time.time() - t0
        bar = window.grid.verticalScrollBar()
        deadline = time.perf_counter() + 5
        while bar.maximum() < 1000 and time.perf_counter() < deadline:
            app.processEvents()  # the batched layout goes on while the window answers
            time.sleep(0.001)
        t = time.perf_counter()
        bar.setValue(bar.maximum() // 2)
        window.grid.viewport().repaint()
        out["scroll_repaint_ms"] = (time.perf_counter() - t) * 1000
        app.quit()

    spy = FirstPaint()
    window.grid.viewport().installEventFilter(spy)
    window.show()
    app.exec()
    return out


def child_stall(library: Path, corpus: Path, settings: Path, scan_photos: int) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, QTimer

    from photo_tagger.gui.app import application, build_services
    from photo_tagger.gui.closer_look_job import CloserLookJob
    from photo_tagger.gui.settings import Settings
    from photo_tagger.gui.window import MainWindow

    app = application()
    services, pools = build_services(Settings.at(settings))
    window = MainWindow(services)
    window.resize(1280, 800)
    window.open_library(library)
    window.show()
    warm_up(
        services.models(services.models_dir(library)), corpus
    )  # the models' first runs are not what is measured
    gaps: list[float] = []
    ends: list[float] = []  # when each gap ended
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        ends.append(now)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)

    def run_for(seconds: float) -> None:  # the event loop as the app runs it
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    for _ in range(50):
        app.processEvents()
    last[0] = time.perf_counter()
    timer.start()
    run_for(2.0)
    idle = list(gaps)
    gaps.clear()
    ends.clear()
    done = QEventLoop()
    analysed = [0.0]

    def on_progress(p) -> None:  # type: ignore[no-untyped-def]
        if p.total and p.done == p.total and not analysed[0]:
            analysed[0] = time.perf_counter()

    scanned = [0.0]

    def on_finished(title: str, summary: str) -> None:  # the scan, not the closer look after it
        if title != CloserLookJob.title and not scanned[0]:
            scanned[0] = time.perf_counter()

    window.jobs.progress.connect(on_progress)
    window.jobs.finished.connect(on_finished)
    window.jobs.idle.connect(done.quit)  # the gaps are counted through the closer look too
    started = time.perf_counter()
    window.add_paths([str(corpus)], watch=False)
    done.exec()
    scan_seconds = scanned[0] - started
    run_for(0.5)  # the grid catching up after the last batch
    timer.stop()
    rows = window.grid_model.rowCount() if window.grid_model else 0
    window.close()
    for pool in pools:
        pool.waitForDone(10_000)
    during = sorted(gaps)
    finishing = [g for g, t in zip(gaps, ends, strict=True) if t > analysed[0] and g > 0.05]
    return {
        "over_50ms_finishing": len(finishing),
        "idle_max_ms": max(idle) * 1000,
        "max_ms": during[-1] * 1000,
        "p99_ms": during[int(0.99 * (len(during) - 1))] * 1000,
        "over_50ms": sum(1 for g in during if g > 0.05),
        "ticks": len(during),
        "photos_per_s": scan_photos / scan_seconds,
        "analysed_s": analysed[0] - started,
        "seconds": scan_seconds,
        "rows": rows,
    }


def warm_up(models, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    from photo_tagger.app.scan import Importer
    from photo_tagger.store.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        for p in sorted(corpus.iterdir())[:2]:
            os.link(p, folder / p.name)
        with Library.open(Path(tmp) / "lib") as lib:
            Importer(lib, models).scan([folder])


def run_child(*args: str) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.time()
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", __file__, "--child", *args, "--t0", repr(t0)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"child {args[0]} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def child_cli(library: Path, corpus: Path) -> dict[str, float]:
    """Baseline for the scan rate: the same scan into the same library without a window, as the
    command line runs it."""
    from photo_tagger.app.scan import Importer
    from photo_tagger.store.library import Library
    from photo_tagger.vision.model import default_models_dir
    from photo_tagger.vision.pipeline import Models

    models = Models.load(default_models_dir())
    warm_up(models, corpus)
    analysed = [0.0]

    def on_progress(p) -> None:  # type: ignore[no-untyped-def]
        if p.done == p.total and not analysed[0]:
            analysed[0] = time.perf_counter()

    with Library.open(library) as lib:
        t = time.perf_counter()
        report = Importer(lib, models).scan([corpus], on_progress=on_progress)
        seconds = time.perf_counter() - t
    return {
        "photos_per_s": report.analysed / seconds,
        "analysed_s": analysed[0] - t,
        "seconds": seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--scan-photos", type=int, default=48)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the big library here once and reuse it")
    ap.add_argument("--scan-only", action="store_true", help="skip the launch (part 1)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--t0", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "open":
            result = child_open(Path(rest[0]), args.t0)
        elif kind == "window":
            result = child_window(Path(rest[0]), args.t0, Path(rest[1]))
        elif kind == "cli":
            result = child_cli(Path(rest[0]), Path(rest[1]))
        else:
            result = child_stall(Path(rest[0]), Path(rest[1]), Path(rest[2]), int(rest[3]))
        print(json.dumps(result), flush=True)
        os._exit(0)  # skip tearing the window down: not part of what is measured

    tmp = Path(tempfile.mkdtemp(prefix="bench_gui_"))
    try:
        big = args.keep or tmp / "big"
        if not (big / "index.sqlite3").exists():
            print(f"building a library of {args.photos} photos…", flush=True)
            print(f"  built in {build_library(big, args.photos):.1f} s")
        settings = tmp / "settings.ini"
        if not args.scan_only:
            launch(big, settings, args.runs)
        scan_rates(tmp, big, settings, args.scan_photos, args.photos, args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def launch(big: Path, settings: Path, runs: int) -> None:
    """Part 1: process start to a painted grid, against opening the library alone."""
    opened = [run_child("open", str(big)) for _ in range(runs)]
    launched = [run_child("window", str(big), str(settings)) for _ in range(runs)]
    a, b = median(opened, "seconds"), median(launched, "seconds")
    print(f"library: {int(opened[0]['photos'])} photos")
    print(f"(a) baseline, process start to library open (no window): {a:.2f} s")
    print(f"(b) process start to a painted grid: {b:.2f} s")
    print(
        f"    imports {median(launched, 'imports'):.2f} s; then the library open (tags, "
        f"people, editing) at {median(launched, 'open_seconds'):.2f} s, all "
        f"{int(opened[0]['photos'])} rows in the grid at "
        f"{median(launched, 'catalog_seconds'):.2f} s"
    )
    print(f"(b)/(a) = {b / a:.2f}; target (b) < 1 s")
    print(f"scroll to the middle and repaint: {median(launched, 'scroll_repaint_ms'):.1f} ms")


def scan_rates(
    tmp: Path, big: Path, settings: Path, scan_photos: int, photos: int, runs: int
) -> None:
    """Part 2: the window's scan into each library against the same scan without a window, in
    turns (`runs` of each), so that both meet the same load of the machine."""
    from bench_pipeline import make_corpus

    paths = make_corpus(scan_photos)
    corpus = tmp / "corpus"
    corpus.mkdir()
    for p in paths:
        os.link(p, corpus / p.name)
    n = str(len(paths))
    for label, library in (("empty library", None), (f"{photos}-photo library", big)):
        rates: dict[str, list[dict[str, float]]] = {"cli": [], "stall": []}
        for _ in range(runs):
            for kind in ("cli", "stall"):  # each on a copy of its own: the scan changes it
                copy = tmp / f"{kind}-library"
                shutil.rmtree(copy, ignore_errors=True)
                if library is not None:
                    shutil.copytree(library, copy)
                args = [str(copy), str(corpus)] + ([str(settings), n] if kind == "stall" else [])
                rates[kind].append(run_child(kind, *args))
        window, cli = rates["stall"], rates["cli"]
        rate, cli_rate = median(window, "photos_per_s"), median(cli, "photos_per_s")
        print(
            f"scan of {len(paths)} 12 MP photos into the {label} ({runs} runs): worst event-loop "
            f"gap {max(r['max_ms'] for r in window):.0f} ms (p99 {median(window, 'p99_ms'):.0f} "
            f"ms, {sum(int(r['over_50ms']) for r in window)} of "
            f"{sum(int(r['ticks']) for r in window)} gaps over 50 ms, "
            f"{sum(int(r['over_50ms_finishing']) for r in window)} of them once all were "
            "analysed); idle baseline "
            f"{max(r['idle_max_ms'] for r in window):.0f} ms"
        )
        each = [w["photos_per_s"] / c["photos_per_s"] for w, c in zip(window, cli, strict=True)]
        print(
            f"    {rate:.1f} photos/s, without a window {cli_rate:.1f}: ratio "
            f"{rate / cli_rate:.2f} (target 0.8; each run's {', '.join(f'{x:.2f}' for x in each)})"
        )
        print(
            f"    all analysed at {median(window, 'analysed_s'):.1f} s, finished at "
            f"{median(window, 'seconds'):.1f} s (without a window "
            f"{median(cli, 'analysed_s'):.1f} s, {median(cli, 'seconds'):.1f} s)"
        )


if __name__ == "__main__":
    main()
