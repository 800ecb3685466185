"""Trying new models on the library before the user decides: what it costs, and whether the window
keeps answering while it runs.

    .venv/bin/python benchmarks/bench_shadow.py [--corpus benchmarks/corpus] [--sample 200]

The benchmark corpus (12 MP JPEGs made by bench_pipeline.py) is scanned into a new library with
the shipped models. The candidate is the shipped models with a stricter vocabulary (the cat, tie
and suit thresholds changed), put where `photo-tagger models update` leaves a downloaded release.
(a) The trial as `photo-tagger models update` runs it: seconds for the sample, photos per second,
    beside the scan's own rate on the same photos.
(b) The same trial in the window (Help › Check for Model Updates runs it as a background job): a
    5 ms timer records the gaps between its ticks; the worst gap is how long the window could not
    answer (target: under 50 ms), beside the same timer while idle.
The offscreen platform is used unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def stricter_models(folder: Path) -> Path:
    from photo_tagger.vision.model import default_models_dir

    shutil.copytree(default_models_dir(), folder, ignore=shutil.ignore_patterns("fp32", "work"))
    vocabulary = json.loads((folder / "tagger_vocabulary.json").read_text())
    vocabulary["version"] = "3"
    for tag, threshold in {"Animals/Cat": 0.99, "Clothing/Tie": 0.6, "Clothing/Suit": 0.25}.items():
        vocabulary["tags"][tag]["threshold"] = threshold
    (folder / "tagger_vocabulary.json").write_text(json.dumps(vocabulary))
    return folder


def leave_candidate(library: Path, models: Path) -> None:
    """`models` where an update leaves a downloaded release waiting for the user."""
    shutil.copytree(models, library / "models" / "candidate")
    state = {"current": None, "previous": None, "candidate": 2}
    (library / "models" / "state.json").write_text(json.dumps(state))


def in_cli(library: Path, sample: int) -> dict[str, float]:
    from photo_tagger.app.model_updates import try_candidate
    from photo_tagger.store.library import Library

    with Library.open(library) as lib:
        started = time.perf_counter()
        report = try_candidate(lib, sample=sample)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "compared": report.compared, "changed": len(report.changed)}


def in_window(library: Path, settings: Path) -> dict[str, float]:
    from PySide6.QtCore import QTimer

    from photo_tagger.app.shadow_store import forget_report
    from photo_tagger.gui.app import application, build_services
    from photo_tagger.gui.settings import Settings
    from photo_tagger.gui.window import MainWindow

    app = application()
    services, pools = build_services(Settings.at(settings))
    window = MainWindow(services)
    window.resize(1280, 800)
    window.open_library(library)
    window.show()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    def run_while(busy: object, at_least: float = 0.0) -> None:
        end = time.perf_counter() + at_least
        while busy() or time.perf_counter() < end:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.001)

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    run_while(lambda: window.jobs.busy or window.session is None, 1.0)  # opened, settled
    last[0] = time.perf_counter()
    timer.start()
    run_while(lambda: False, 2.0)
    idle = list(gaps)
    gaps.clear()
    button = window.links.new_models.button  # showing what (a) found
    button.setVisible(False)
    forget_report(library)  # tried again, in the window
    started = time.perf_counter()
    window.links.new_models.try_candidate()
    run_while(lambda: window.jobs.busy or not button.isVisible())
    seconds = time.perf_counter() - started
    timer.stop()
    text = button.text()
    window.close()
    for pool in pools:
        pool.waitForDone(10_000)
    during = sorted(gaps)
    return {
        "seconds": seconds,
        "idle_max_ms": max(idle) * 1000,
        "max_ms": during[-1] * 1000,
        "over_50ms": sum(1 for g in during if g > 0.05),
        "ticks": len(during),
        "button": text,  # type: ignore[dict-item]
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "corpus")
    ap.add_argument("--sample", type=int, default=200)
    args = ap.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus in {args.corpus}: run benchmarks/bench_pipeline.py first")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from photo_tagger.app.scan import Importer
    from photo_tagger.store.library import Library
    from photo_tagger.vision.model import default_models_dir
    from photo_tagger.vision.pipeline import Models

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        library = work / "library"
        with Library.open(library) as lib:
            started = time.perf_counter()
            scanned = Importer(lib, Models.load(default_models_dir())).scan([args.corpus])
            scan_seconds = time.perf_counter() - started
        leave_candidate(library, stricter_models(work / "candidate"))
        cli = in_cli(library, args.sample)
        window = in_window(library, work / "settings.ini")
    n = cli["compared"]
    print(
        f"(a) trying new models on {n:.0f} of {scanned.analysed} photos (12 MP): "
        f"{cli['seconds']:.2f} s, {n / cli['seconds']:.1f} photos/s "
        f"(the scan of the same photos: {scanned.analysed / scan_seconds:.1f} photos/s); "
        f"{cli['changed']:.0f} would change"
    )
    print(
        f"(b) the same in the window: {window['seconds']:.2f} s; worst event-loop gap "
        f"{window['max_ms']:.0f} ms ({window['over_50ms']:.0f} of {window['ticks']:.0f} gaps "
        f"over 50 ms); idle baseline {window['idle_max_ms']:.0f} ms; "
        f"status bar: {window['button']}"
    )


if __name__ == "__main__":
    main()
