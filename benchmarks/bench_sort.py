"""Sorting the grid and picking folders in a 100,000-photo library, while the window answers.

    .venv/bin/python benchmarks/bench_sort.py [--photos 100000] [--keep DIR]

The library is bench_gui.py's (index rows and document records as a scan writes them, capture
times included, 200 folders of 500 photos). In the window as the app runs it (thread pools), a
5 ms timer records the gaps between its ticks while each order of View › Sort By is picked and
worked out, while the Folders tab is built, and while a folder is picked: the worst gap is how
long the window could not answer. Target: under 50 ms. Also printed: how long each order took
to show (the grid keeps what it showed until then).
The offscreen platform is used unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="build the library here once and reuse it")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_sort_"))
    try:
        big = args.keep or tmp / "big"
        if not (big / "index.sqlite3").exists():
            from bench_gui import build_library

            print(f"building a library of {args.photos} photos…", flush=True)
            print(f"  built in {build_library(big, args.photos):.1f} s", flush=True)
        run(big, tmp / "settings.ini")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(library: Path, settings_file: Path) -> None:
    from PySide6.QtCore import QTimer

    from photo_tagger.app.photo_order import CATALOGUE_ORDER, ORDERS
    from photo_tagger.gui.app import application, build_services
    from photo_tagger.gui.facts import FOLDER_TREE
    from photo_tagger.gui.settings import Settings
    from photo_tagger.gui.window import MainWindow

    app = application()
    services, pools = build_services(Settings.at(settings_file))
    window = MainWindow(services)
    window.resize(1280, 800)
    window.open_library(library)
    window.show()
    session = window.session
    assert session is not None

    def until(done: Callable[[], bool], limit: float = 120.0) -> float:
        start = time.perf_counter()
        while not done():
            if time.perf_counter() - start > limit:
                raise SystemExit("the window did not get there in time")
            app.processEvents()
            time.sleep(0.001)
        return time.perf_counter() - start

    until(lambda: window.grid_model is not None and window.grid_model.rowCount() > 1000)
    until(lambda: session.facts_complete)
    for _ in range(50):
        app.processEvents()
    print(f"library: {len(session.catalog)} photos")
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()

    def pause(seconds: float) -> None:
        end = time.perf_counter() + seconds
        until(lambda: time.perf_counter() > end)

    def measured(label: str, act: Callable[[], None], done: Callable[[], bool]) -> None:
        pause(0.3)  # a quiet moment first
        gaps.clear()
        last[0] = time.perf_counter()
        act()
        seconds = until(done)
        pause(0.5)  # the grid catching up
        worst = max(gaps) * 1000 if gaps else 0.0
        print(f"{label}: shown after {seconds:.2f} s; worst event-loop gap {worst:.0f} ms")

    measured("idle (baseline)", lambda: None, lambda: True)
    window.grid.select_ids([session.catalog.rows[len(session.catalog) // 2][0]])  # kept on sorts
    order = window.browsing.order
    for key in [*(k for k in ORDERS if k != CATALOGUE_ORDER), CATALOGUE_ORDER]:
        measured(f"Sort By › {ORDERS[key]}", lambda k=key: order.set_order(k), order.settled)
    folders = window.browsing.folders
    measured(
        "Folders tab (built from the catalogue)",
        lambda: window.browsing.tabs.setCurrentIndex(1),
        lambda: folders.model.rowCount() > 0,
    )
    some = sorted({os.path.dirname(r[1]) for r in session.catalog.rows})[0]
    measured(
        f"pick the folder {some} (subfolders included)",
        lambda: folders.select(some),
        lambda: window.content.filter.kind == FOLDER_TREE,
    )
    timer.stop()
    window.close()
    for pool in pools:
        pool.waitForDone(10_000)


if __name__ == "__main__":
    main()
