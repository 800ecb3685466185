"""What a search costs on a 100,000-photo library: `photo-tagger search` and the window's field.

    .venv/bin/python benchmarks/bench_search.py [--photos 100000] [--keep DIR] [--runs 3]

Builds the library as bench_store.py does (~5 model tags and a face a photo, 10% with user tags,
a suggested person for every face), then gives every photo what a scan works out from its EXIF
(a date, a time of day, a place for most, in the index) and names 50 people. Then, per query:
(a) the command end to end, in a fresh process (start, open the library, search, print), the
median of --runs; (b) the search alone in a process that has the library open (app/
search_library.find); (c) the window's matcher (gui/facts.apply_filter) over every photo's facts
as the window holds them once read (what each keystroke costs, a moment after the last one).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_store import build  # noqa: E402

from photo_tagger.store.library import Library  # noqa: E402

QUERIES = ["cat", "dog beach 2024", "anna lisbon", "img_012345", "2023-06", "unicorn"]
PLACES = [
    ["Places/Portugal", "Places/Portugal/Lisbon"],
    ["Places/Brazil", "Places/Brazil/São Paulo", "Places/Brazil/São Paulo/São Paulo"],
    ["Places/Germany", "Places/Germany/Bavaria", "Places/Germany/Bavaria/Munich"],
    [],
]
NAMES = ["Anna", "José", "Maria", "Chen Wei", "Sam", "Priya", "Ole", "Fatima", "Luca", "Zoé"]


def give_context(path: Path, seed: int = 2) -> None:
    """Dates, times of day and places for every photo; names for 50 people."""
    rng = random.Random(seed)
    with Library.open(path) as lib:
        index, doc = lib.index, lib.document
        ids = doc.photo_ids()
        with index.batch():
            for cid in ids:
                year, month = rng.choice([2021, 2022, 2023, 2024]), rng.randint(1, 12)
                tags = {f"Dates/{year}": 1.0, f"Dates/{year}/{year}-{month:02d}": 1.0}
                tags[f"Time of day/{rng.choice(['Morning', 'Afternoon', 'Evening'])}"] = 1.0
                tags.update(dict.fromkeys(rng.choice(PLACES), 1.0))
                index.set_capture(
                    cid, f"{year}-{month:02d}-01T12:00:00", False, None, None, None, None
                )
                index.set_context(cid, json.dumps(tags, sort_keys=True))
        people = [p["id"] for p in doc.people()][:50]
        with doc.batch():
            for i, pid in enumerate(people):
                doc.set_person_name(pid, f"{NAMES[i % len(NAMES)]} {i}")


def child_cli(library: Path, query: str) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of the command in a fresh process."""
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "photo_tagger.cli",
            "search",
            *query.split(),
            "--library",
            str(library),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime


def in_process(library: Path, runs: int) -> dict[str, tuple[int, float, float, float]]:
    """query -> (photos found, find() seconds, its CPU seconds, window matcher seconds), best
    of `runs`."""
    from photo_tagger.app.search import parse
    from photo_tagger.app.search_library import find
    from photo_tagger.app.thresholds import models_threshold
    from photo_tagger.gui.facts import FactsIndex, Filter, apply_filter, read_facts
    from photo_tagger.store.catalog import read_catalog
    from photo_tagger.vision.model import default_models_dir

    threshold = models_threshold(default_models_dir())
    out = {}
    with Library.open(library) as lib:
        rows = read_catalog(lib.path / "index.sqlite3").rows
        facts = FactsIndex()
        t0 = time.perf_counter()
        for row in rows:
            facts.put(row[0], read_facts(lib, row[0], threshold))
        print(
            f"  (the window's facts of {len(rows)} photos read in {time.perf_counter() - t0:.1f} s)"
        )
        doc = lib.document
        names = {p["id"]: p["name"] for p in doc.people() if p["name"]}
        for query in QUERIES:
            cli, cpu, window = [], [], []
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                found = find(lib, parse(query), threshold)
                cli.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                t0 = time.perf_counter()
                shown = apply_filter(
                    rows, Filter(text=query), facts, doc.resolve_person, names, 0.5
                )
                window.append(time.perf_counter() - t0)
            assert {r[0] for r in shown} >= {r[0] for r in found}, query
            out[query] = (len(found), min(cli), min(cpu), min(window))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the library here once and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "library"
        if not (path / "index.sqlite3").exists():
            print(f"building {args.photos} photos in {path} ...")
            build(path, args.photos, 1000)
            give_context(path)
        elif args.keep and not (path / ".search-context").exists():
            give_context(path)
        if args.keep:
            (path / ".search-context").touch()
        figures = in_process(path, args.runs)
        print("query: photos found; command (CPU); search alone (CPU); the window's matcher")
        for query in QUERIES:
            runs = [child_cli(path, query) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            found, alone, alone_cpu, window = figures[query]
            print(
                f"{query!r:>18}: {found:6d}; {wall * 1000:5.0f} ms ({cpu * 1000:5.0f}); "
                f"{alone * 1000:5.0f} ms ({alone_cpu * 1000:5.0f}); {window * 1000:4.0f} ms"
            )


if __name__ == "__main__":
    main()
