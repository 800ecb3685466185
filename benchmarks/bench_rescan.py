"""What a rescan that finds nothing changed costs, and the share of it spent asking the shared
document whether it lost any photo's analysis (so that a wipe from another device is restored).

    .venv/bin/python benchmarks/bench_rescan.py [--photos 20000]

Builds a library of N photos whose files are on disk (small placeholder files: an unchanged file
is never read) with the index rows and document records a scan writes (~5 model tags and one
face each). Then plans a rescan of the folder (`Scan.plan`: walk, index lookups, what models
analysed each photo, what the document holds), best of 3, and times the document's check alone
(`lacking_analysis` over every photo) in the same run. Then removes every record as another
device would, and plans again: every photo is listed to be analysed again.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.app.scan import Importer, Scan, ScanHooks  # noqa: E402
from photo_tagger.store.library import Library  # noqa: E402
from photo_tagger.vision.model import default_models_dir  # noqa: E402
from photo_tagger.vision.pipeline import Models  # noqa: E402
from tests.store.hostile import remove_everything, write_as_peer  # noqa: E402

VOCABULARY = [f"{g}/{n}" for g in ("Animals", "Food", "Things") for n in ("Cat", "Dog", "Cup")]
PER_FOLDER = 1000


def build(lib: Library, folder: Path, analysis: str, photos: int) -> None:
    rng = random.Random(1)
    doc, index = lib.document, lib.index
    for start in range(0, photos, 64):
        with index.batch(), doc.batch():
            for k in range(start, min(start + 64, photos)):
                cid = f"{rng.getrandbits(128):032x}"
                sub = folder / f"{k // PER_FOLDER:03d}"
                sub.mkdir(exist_ok=True)
                path = sub / f"IMG_{k:06d}.jpg"
                path.write_bytes(b"x")
                st = path.stat()
                index.upsert_file(str(path), st.st_size, st.st_mtime_ns, cid)
                index.set_photo(cid, 4000, 3000, None, analysis)
                tags = {t: round(rng.random(), 3) for t in rng.sample(VOCABULARY, 5)}
                doc.set_auto_tags(cid, tags, "local", "tagger@1")
                face = {"box": [1.0, 2.0, 30.0, 40.0], "score": 0.9, "eyes": [[9, 9], [20, 9]]}
                doc.set_faces(cid, "detector@1", [face])


def plan(importer: Importer, folder: Path) -> tuple[float, Scan]:
    scan = Scan(importer, [folder], ScanHooks())
    t0 = time.perf_counter()
    scan.plan()
    return time.perf_counter() - t0, scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20000)
    args = parser.parse_args()
    models = Models.load(default_models_dir())
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "lib") as lib:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        importer = Importer(lib, models, workers=1)
        build(lib, folder, importer.analysis, args.photos)
        runs = [plan(importer, folder) for _ in range(3)]
        best, scan = min(runs, key=lambda r: r[0])
        assert scan.report.unchanged == args.photos and not scan.todo, "nothing changed"
        ids = lib.document.photo_ids()
        t0 = time.perf_counter()
        assert lib.document.lacking_analysis(ids) == []
        check = time.perf_counter() - t0
        write_as_peer(lib, remove_everything)
        wiped, scan = plan(importer, folder)
        assert len(scan.todo) == args.photos and len(scan.lost) == args.photos
    n = args.photos
    per = best / n * 1e6
    print(f"plan of a rescan of {n} unchanged photos: {best:.2f} s ({per:.0f} us a photo)")
    print(
        f"  of which the document's check for lost analyses: {check:.2f} s "
        f"({check / n * 1e6:.0f} us a photo, {check / best:.2f} of the plan)"
    )
    print(f"after a wipe from another device: {wiped:.2f} s, all {n} photos listed to restore")


if __name__ == "__main__":
    main()
