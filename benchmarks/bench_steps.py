"""Where a scan's time goes: each step of analysing one photo, in CPU milliseconds on one core.

    .venv/bin/python benchmarks/bench_steps.py [--photos 100] [--rounds 2]

The steps of app/scan_photo.py's PhotoReader.read_group and vision/pipeline.py's
Analyzer.analyze_group, run as the scan runs them (each step on a group of photos in turn) on one
thread over the 12 MP corpus of bench_pipeline.py (made on first use): read, hash, decode, faces,
face crops, embeddings, drawn-picture check, tagger, vocabulary, thumbnail, XMP check, capture
facts, near-duplicate signature; and, apart, the object detector that the closer look after a scan
runs (app/closer_look.py). CPU time (time.process_time), so another program on the machine moves it
less than the wall clock; what is not a step here (storing, threads) is bench_pipeline.py's (b)
minus these.
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
from photo_tagger.vision.pipeline import Models  # noqa: E402
from photo_tagger.vision.workers import GROUP  # noqa: E402


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

    def each(step: str, fn: Callable[..., Any], *columns: list[Any]) -> list[Any]:
        """`fn` on each photo of a group in turn, as the scan's analyze_group runs a step."""
        t = time.process_time()
        out = [fn(*row) for row in zip(*columns, strict=True)]
        spent[step] += time.process_time() - t
        return out

    photos = 0
    kept: list[np.ndarray] = []  # for the closer look's detector, timed apart
    for _ in range(args.rounds):
        for i in range(0, len(paths), GROUP):
            group = list(map(str, paths[i : i + GROUP]))
            datas = each("read", read_photo_file, group)
            each("hash (SHA-256)", content_id, datas)
            each("XMP check", read_photo_metadata, [Path(p) for p in group], datas)
            rgbs = [
                d.rgb for d in each("decode", decode_photo, datas, group, [DEFAULT_TARGET_SIDE] * 4)
            ]
            each("capture facts", read_capture, datas, [0.0] * len(datas))
            faces = each("faces", models.detector.detect, rgbs)
            with_faces = [(r, f) for r, f in zip(rgbs, faces, strict=True) if f]
            crops = (
                each("face crops", face_crops, *zip(*with_faces, strict=True)) if with_faces else []
            )
            each("embeddings", models.embedder.embed, crops)
            each("drawn-picture check", drawn_score, rgbs)
            probs = each("tagger (crop + model)", models.tagger.classify, rgbs)
            each("vocabulary", models.vocabulary.scores, probs)
            kept += rgbs[: max(0, 16 - len(kept))]
            each("thumbnail", make_thumbnail, rgbs)
            each("near-duplicate signature", signature_bytes, rgbs)
            photos += len(group)
    total = sum(spent.values())
    print(f"{len(paths)} photos x {args.rounds} rounds, CPU ms a photo on one core:")
    for step, seconds in spent.items():
        print(f"  {step:36} {seconds / photos * 1000:6.2f}")
    decode = spent["decode"]
    print(f"  {'all':36} {total / photos * 1000:6.2f}")
    print(f"  {'all but decoding':36} {(total - decode) / photos * 1000:6.2f}")
    if models.objects is not None:
        t = time.process_time()
        for rgb in kept:
            models.objects.detect(rgb)
        ms = (time.process_time() - t) / len(kept) * 1000
        print(f"then, in the closer look after the scan: the object detector {ms:.2f}")


if __name__ == "__main__":
    main()
