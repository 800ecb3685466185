"""The map and the timeline on a 100,000-photo library: how long each holds the UI thread.

    .venv/bin/python benchmarks/bench_map.py [--photos 100000] [--keep DIR]

The library is bench_gui.py's (80% of its photos with GPS). In a window (offscreen unless
QT_QPA_PLATFORM says otherwise): the grid's catalogue read, then the timeline's pass over the
rows; View › Map shown (its places read on a thread, then grouped and painted on the UI thread),
zoomed in and out and painted again; a cluster picked for the grid. Each figure is the longest
single step on the UI thread, in ms (the event loop's worst gap while it happened).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def timed(label: str, step) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    step()
    print(f"{label}: {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)


def worst_gap(app, until, seconds: float = 30.0) -> float:  # type: ignore[no-untyped-def]
    """Run the event loop until `until()`; the longest the UI thread was held, in ms."""
    worst, last = 0.0, time.perf_counter()
    deadline = last + seconds
    while not until() and time.perf_counter() < deadline:
        app.processEvents()
        now = time.perf_counter()
        worst, last = max(worst, now - last), now
        time.sleep(0.002)
        last = time.perf_counter()
    return worst * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="build the library here once and reuse it")
    args = ap.parse_args()
    from bench_gui import build_library

    big = args.keep or Path(tempfile.mkdtemp(prefix="bench_map_")) / "big"
    if not (big / "index.sqlite3").exists():
        print(f"building a library of {args.photos} photos…", flush=True)
        build_library(big, args.photos)

    from PySide6.QtCore import QThreadPool

    from photo_tagger.gui.app import application
    from photo_tagger.gui.map_page import MapPage
    from photo_tagger.gui.runner import InlineRunner, ThreadPoolRunner
    from photo_tagger.gui.services import Services
    from photo_tagger.gui.settings import Settings
    from photo_tagger.gui.timeline import Timeline
    from photo_tagger.gui.window import MainWindow
    from photo_tagger.vision.model import default_models_dir
    from photo_tagger.vision.pipeline import Models

    app = application()
    runner = InlineRunner()
    services = Services(
        settings=Settings.at(big.parent / "settings.ini"),
        models=lambda folder: Models.load(default_models_dir()),
        models_dir=lambda library: default_models_dir(),
        jobs_runner=runner,
        images_runner=ThreadPoolRunner(QThreadPool.globalInstance()),
    )
    window = MainWindow(services)
    window.resize(1600, 1000)
    window.show()
    window.open_library(big)
    worst_gap(app, lambda: window.grid_model.rowCount() == args.photos)
    bar = window.findChild(Timeline)
    assert isinstance(bar, Timeline)
    timed(f"timeline: the months of {window.grid_model.rowCount():,} rows", bar.refresh)
    print(f"  {len(bar.months)} months, shown: {bar.isVisible()}")
    page = window.findChild(MapPage)
    assert isinstance(page, MapPage)
    end = time.perf_counter() + 3
    idle = worst_gap(app, lambda: time.perf_counter() > end)
    print(f"window idle for 3 s (the library's facts read in slices): worst gap {idle:.0f} ms")
    timed("map: View › Map, the page shown", window.commands.map.trigger)
    gap = worst_gap(app, lambda: len(page.view.places) > 0 and page.view.world is not None)
    print(f"  then its outline and places read on a thread: worst event-loop gap {gap:.0f} ms")
    print(f"  {len(page.view.places):,} photos with a place")
    view = page.view
    timed("map: the whole world painted", lambda: (view.fit_world(), view.grab()))
    timed("map: zoomed in, clusters grouped again and painted", lambda: (
        view.zoom(16.0), view.grab()))  # fmt: skip
    timed("map: moved, painted", lambda: (view.pan(120, 40), view.grab()))
    timed("map: a repaint (the pointer moved)", view.grab)
    found = view.clusters()
    best = int(found.counts.argmax())
    timed(f"map: a cluster of {int(found.counts[best]):,} photos picked, shown in the grid",
          lambda: (view.picked.emit(view.clusters().photos(view.places, best), "cluster"),
                   app.processEvents()))  # fmt: skip
    print(f"  grid: {window.grid_model.rowCount():,} photos ({window.content.filter.kind})")
    from photo_tagger.gui.facts import TAG, Filter

    window.content.set_filter(Filter())
    session = window.session
    session.finish_reading_facts()
    timed("for comparison, the filter Places/Portugal picked (as many photos)",
          lambda: (window.content.set_filter(Filter(TAG, "Places/Portugal")),
                   app.processEvents()))  # fmt: skip
    print(f"  grid: {window.grid_model.rowCount():,} photos")


if __name__ == "__main__":
    main()
