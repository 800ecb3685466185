"""Label the face benchmark's source photos once: the consensus of three detectors, then a look.

    .venv/bin/python benchmarks/label_faces.py [--sheet faces_sheet.png]

Runs BlazeFace (the shipped int8 model), YuNet and RetinaFace (fp32 builds, from models/ or
models/work/cand/) at a low threshold (0.3) on each full-size original. A face is labelled when at
least two of the three find it (box IoU >= 0.4 between them); its box and eyes are the mean of
YuNet's and RetinaFace's (their boxes take in the forehead, as most face labels do), or of what
found it. Writes benchmarks/data/faces/labels.json, keeping each photo's split and licence from
PHOTOS below, and a contact sheet of every labelled face (and every face only one detector saw)
to check by eye before trusting the labels.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from face_models import RetinaFace, YuNet  # noqa: E402
from face_set import LABELS, load_photo  # noqa: E402

from photo_tagger.vision.detector import Face, FaceDetector  # noqa: E402
from photo_tagger.vision.model import Manifest, OnnxModel  # noqa: E402

SAMPLES = "resources/samples: see its SOURCES.md"
SKIMAGE = "scikit-image==0.26.0, skimage.data"
# name -> (folder, split, where it comes from and its licence)
PHOTOS = {
    "astronaut.jpg": ("samples", "tune", f"{SAMPLES}; NASA, public domain"),
    "obama.jpg": ("samples", "tune", f"{SAMPLES}; US government photo, public domain"),
    "obama3.jpg": ("samples", "tune", f"{SAMPLES}; US government photo, public domain"),
    "group.jpg": ("samples", "tune", f"{SAMPLES}; insightface==2.1 t1.jpg, licence not stated"),
    "obama2.jpg": ("samples", "held_out", f"{SAMPLES}; US government photo, public domain"),
    "biden.jpg": ("samples", "held_out", f"{SAMPLES}; US government photo, public domain"),
    "camera.jpg": ("faces", "held_out", f"{SKIMAGE}.camera(); CC0 (Lav Varshney)"),
    "chelsea.jpg": ("samples", "tune", f"{SAMPLES}; CC0"),
    "coffee.jpg": ("samples", "tune", f"{SAMPLES}; CC0"),
    "rocket.jpg": ("samples", "tune", f"{SAMPLES}; SpaceX, public domain"),
    "motorcycle.jpg": ("samples", "tune", f"{SAMPLES}; Middlebury stereo data"),
    "hubble_deep_field.jpg": (
        "faces",
        "tune",
        f"{SKIMAGE}.hubble_deep_field(); NASA, public domain",
    ),
    "brick.jpg": ("faces", "tune", f"{SKIMAGE}.brick(); CC0 (CC0Textures)"),
    "grass.jpg": ("faces", "tune", f"{SKIMAGE}.grass(); CC0 (CC0Textures)"),
    "coins.jpg": ("faces", "tune", f"{SKIMAGE}.coins(); no known copyright restrictions"),
    "cat.jpg": ("faces", "held_out", f"{SKIMAGE}.cat(); CC0 (Stefan van der Walt)"),
    "immunohistochemistry.jpg": (
        "faces",
        "held_out",
        f"{SKIMAGE}.immunohistochemistry(); no known copyright restrictions",
    ),
    "retina.jpg": ("faces", "held_out", f"{SKIMAGE}.retina(); CC0"),
    "gravel.jpg": ("faces", "held_out", f"{SKIMAGE}.gravel(); CC0 (CC0Textures)"),
    "clock.jpg": ("faces", "held_out", f"{SKIMAGE}.clock(); public domain (Stefan van der Walt)"),
    "text.jpg": ("faces", "held_out", f"{SKIMAGE}.text(); public domain"),
    "cell.jpg": ("faces", "held_out", f"{SKIMAGE}.cell(); CC0"),
}
# The photos with people in them; every other one has none (checked by eye).
PEOPLE = {
    "astronaut.jpg",
    "obama.jpg",
    "obama2.jpg",
    "obama3.jpg",
    "biden.jpg",
    "group.jpg",
    "camera.jpg",
}
LOW = 0.3
AGREE_IOU = 0.4


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def model_file(stem: str) -> Path:
    built = ROOT / "models" / "fp32" / f"{stem}.onnx"
    return built if built.exists() else ROOT / "models" / "work" / "cand" / f"{stem}.fp32.onnx"


def consensus(found: dict[str, list[Face]]) -> tuple[list[dict], list[tuple[str, Face]]]:
    """Faces at least two detectors agree on, and those only one saw."""
    groups: list[dict[str, Face]] = []
    for name, faces in found.items():
        for f in faces:
            best = max(
                groups, key=lambda g: max(box_iou(f.box, x.box) for x in g.values()), default=None
            )
            if (
                best is not None
                and name not in best
                and max(box_iou(f.box, x.box) for x in best.values()) >= AGREE_IOU
            ):
                best[name] = f
            else:
                groups.append({name: f})
    labelled, lone = [], []
    for g in groups:
        if len(g) < 2:
            lone += list(g.items())
            continue
        use = [g[k] for k in ("yunet", "retinaface") if k in g] or list(g.values())
        box = np.mean([f.box for f in use], axis=0)
        eyes = np.mean([[f.left_eye, f.right_eye] for f in use], axis=0)
        labelled.append(
            {
                "box": [round(float(v), 1) for v in box],
                "eyes": [[round(float(v), 1) for v in p] for p in eyes],
                "found_by": sorted(g),
                "scores": {k: round(f.score, 3) for k, f in sorted(g.items())},
            }
        )
    labelled.sort(key=lambda f: (f["box"][0], f["box"][1]))
    return labelled, lone


def tile(rgb: np.ndarray, box: tuple[float, ...], caption: str, colour: tuple[int, int, int]):
    x0, y0, x1, y1 = box
    m = 0.4 * (x1 - x0)
    h, w = rgb.shape[:2]
    cx0, cy0 = int(max(0, x0 - m)), int(max(0, y0 - m))
    cx1, cy1 = int(min(w, x1 + m)), int(min(h, y1 + m))
    crop = np.array(rgb[cy0:cy1, cx0:cx1])
    cv2.rectangle(crop, (int(x0 - cx0), int(y0 - cy0)), (int(x1 - cx0), int(y1 - cy0)), colour, 2)
    crop = cv2.resize(crop, (160, 160))
    cv2.putText(crop, caption[:22], (3, 154), cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1)
    return crop


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheet", type=Path, default=ROOT / "models" / "work" / "faces_sheet.png")
    args = ap.parse_args()
    manifest = Manifest(ROOT / "models")
    blaze = FaceDetector(OnnxModel(manifest.entry("face_detector"), threads=1), min_score=LOW)
    detectors = {
        "blazeface": blaze,
        "yunet": YuNet(model_file("yunet"), LOW),
        "retinaface": RetinaFace(model_file("retinaface"), LOW),
    }
    photos, tiles = {}, []
    for name, (folder, split, source) in PHOTOS.items():
        rgb = load_photo({"dir": folder}, name)
        found = {k: d.detect(rgb) for k, d in detectors.items()}
        faces, lone = consensus(found)
        if name not in PEOPLE:  # looked at: no person in it, whatever the detectors say
            lone += [("+".join(f["found_by"]), Face(tuple(f["box"]), 0.0, ())) for f in faces]
            faces = []
        photos[name] = {"dir": folder, "split": split, "source": source, "faces": faces}
        print(
            name,
            len(faces),
            "faces;",
            "seen by one detector only:",
            [(k, round(f.score, 2)) for k, f in lone],
        )
        for f in faces:
            tiles.append(tile(rgb, f["box"], f"{name} ok", (0, 255, 0)))
        for k, f in lone:
            tiles.append(tile(rgb, f.box, f"{name} {k} {f.score:.2f}", (255, 0, 0)))
    LABELS.write_text(json.dumps({"_": __doc__.split("\n")[0], "photos": photos}, indent=1) + "\n")
    cols = 8
    while len(tiles) % cols:
        tiles.append(np.zeros_like(tiles[0]))
    sheet = np.vstack([np.hstack(tiles[i : i + cols]) for i in range(0, len(tiles), cols)])
    cv2.imwrite(str(args.sheet), sheet[..., ::-1])
    print("wrote", LABELS, "and", args.sheet)


if __name__ == "__main__":
    main()
