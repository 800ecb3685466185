"""Where a scan's time goes: each step of analysing one photo, in CPU milliseconds on one core.

    .venv/bin/python benchmarks/bench_steps.py [--photos 100] [--rounds 2]

The steps of app/scan_photo.py's PhotoReader.read and vision/pipeline.py's Analyzer.analyze, run
one after another on one thread over the 12 MP corpus of bench_pipeline.py (made on first use):
read, hash, decode, faces, face crops, embeddings, drawn-picture check, tagger, vocabulary,
objects (where the scan runs the detector), thumbnail, XMP check, capture facts, near-duplicate
signature. CPU time (time.process_time), so another program on the machine moves it less than the
wall clock; what is not a step here (storing, threads) is bench_pipeline.py's (b) minus these.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_pipeline import make_corpus  # noqa: E402

from photo_tagger.context import read_capture  # noqa: E402
from photo_tagger.duplicates import signature  # noqa: E402
from photo_tagger.files.discovery import content_id, read_photo_file  # noqa: E402
from photo_tagger.imaging import decode_photo, make_thumbnail  # noqa: E402
from photo_tagger.imaging.decode import DEFAULT_TARGET_SIDE  # noqa: E402
from photo_tagger.metadata import read_photo_metadata  # noqa: E402
from photo_tagger.vision.detector import Face  # noqa: E402
from photo_tagger.vision.embedder import align_face  # noqa: E402
from photo_tagger.vision.model import default_models_dir  # noqa: E402
from photo_tagger.vision.picture import drawn_score  # noqa: E402
from photo_tagger.vision.pipeline import Models, objects_add_something  # noqa: E402


def face_crops(rgb: np.ndarray, faces: list[Face]) -> np.ndarray:
    return np.stack([align_face(rgb, f.left_eye, f.right_eye) for f in faces])


def signature_bytes(rgb: np.ndarray) -> bytes:
    return signature(rgb).to_bytes()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    paths = make_corpus(args.photos)
    models = Models.load(default_models_dir())
    spent: dict[str, float] = defaultdict(float)

    def timed(step: str, fn: Callable[..., Any], *a: Any) -> Any:
        t = time.process_time()
        out = fn(*a)
        spent[step] += time.process_time() - t
        return out

    photos = objects_run = 0
    for _ in range(args.rounds):
        for path in map(str, paths):
            data = timed("read", read_photo_file, path)
            timed("hash (SHA-256)", content_id, data)
            rgb = timed("decode", decode_photo, data, path, DEFAULT_TARGET_SIDE).rgb
            faces = timed("faces", models.detector.detect, rgb)
            if faces:
                crops = timed("face crops", face_crops, rgb, faces)
                timed("embeddings", models.embedder.embed, crops)
            timed("drawn-picture check", drawn_score, rgb)
            probs = timed("tagger (crop + model)", models.tagger.classify, rgb)
            tags = timed("vocabulary", models.vocabulary.scores, probs)
            if models.objects is not None and objects_add_something(faces, tags):
                objects_run += 1
                timed("objects, where the scan runs them", models.objects.detect, rgb)
            timed("thumbnail", make_thumbnail, rgb)
            timed("XMP check", read_photo_metadata, Path(path), data)
            timed("capture facts", read_capture, data, 0.0)
            timed("near-duplicate signature", signature_bytes, rgb)
            photos += 1
    total = sum(spent.values())
    print(f"{len(paths)} photos x {args.rounds} rounds, CPU ms a photo on one core:")
    for step, seconds in spent.items():
        print(f"  {step:36} {seconds / photos * 1000:6.2f}")
    decode = spent["decode"]
    print(f"  {'all':36} {total / photos * 1000:6.2f}")
    print(f"  {'all but decoding':36} {(total - decode) / photos * 1000:6.2f}")
    print(f"objects: the scan ran the detector on {objects_run / photos:.0%} of the photos")


if __name__ == "__main__":
    main()
