"""The face benchmark's photos: labelled originals and the variants made from them, with boxes.

`benchmarks/data/faces/labels.json` lists every source photo (the shipped samples in
resources/samples and the extra photos beside the labels), its licence, its split ("tune": used
to choose thresholds; "held_out": never looked at while choosing) and its faces (box, eyes),
labelled once on the full-size originals (benchmarks/label_faces.py). `variants()` makes the
benchmark's images from them, the same ones on every run (every random choice is seeded by the
photo's name), and moves each box with its image:

- faces: the photo as it is; scaled down whole (long side 800, 500, 320); close-up crops in which
  the face fills 55-95% of the frame; rotated by -15, +15 and 90 degrees; darker, brighter, gamma
  0.5 and 2.2, washed out, recompressed as JPEG quality 20; scaled down and brightened together;
  and each face pasted into a face-free photo at heights from 12 to 220 pixels.
- face-free photos: as they are, two crops, rotated, the same exposure changes, recompressed, and
  scaled down: anything found on them is a false face.

Faces under 12 pixels high, or cut by the frame, are "ignored": finding them is not counted as a
false face, missing them is not counted as a miss.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "faces"
LABELS = DATA / "labels.json"
DIRS = {"samples": ROOT / "resources" / "samples", "faces": DATA / "photos"}
MIN_FACE = 12.0
PASTE_HEIGHTS = (12, 14, 16, 19, 22, 26, 32, 40, 52, 70, 100, 150, 220)

Box = tuple[float, float, float, float]


@dataclass
class Sample:
    name: str  # source photo / variant
    split: str
    rgb: np.ndarray
    faces: list[Box] = field(default_factory=list)  # counted: must be found
    ignored: list[Box] = field(default_factory=list)  # neither a miss nor a false face
    face_free: bool = False


def load_labels() -> dict[str, dict]:
    return json.loads(LABELS.read_text())["photos"]


def load_photo(entry: dict, name: str) -> np.ndarray:
    with Image.open(DIRS[entry["dir"]] / name) as im:
        return np.ascontiguousarray(ImageOps.exif_transpose(im).convert("RGB"))


def rng_for(*parts: object) -> np.random.Generator:
    seed = hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8]
    return np.random.default_rng(int.from_bytes(seed, "little"))


def warp(rgb: np.ndarray, m: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.warpAffine(rgb, m, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT_101)


def move(box: Box, m: np.ndarray, scale: float, quarter_turn: bool = False) -> Box:
    """A face box under the affine `m`: its centre moves, its size scales (axes swap at 90°)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    nx, ny = m @ np.array([cx, cy, 1.0])
    w, h = (box[2] - box[0]) * scale, (box[3] - box[1]) * scale
    if quarter_turn:
        w, h = h, w
    return (nx - w / 2, ny - h / 2, nx + w / 2, ny + h / 2)


def place(sample: Sample, boxes: list[Box]) -> Sample:
    """Sort moved boxes into counted and ignored by size and by how much of them is in frame."""
    h, w = sample.rgb.shape[:2]
    for b in boxes:
        area = (b[2] - b[0]) * (b[3] - b[1])
        iw = max(0.0, min(b[2], w) - max(b[0], 0))
        ih = max(0.0, min(b[3], h) - max(b[1], 0))
        inside = iw * ih / area
        if inside < 0.3:
            continue
        small = b[3] - b[1] < MIN_FACE
        (sample.ignored if small or inside < 0.9 else sample.faces).append(b)
    return sample


def affine(
    name: str,
    split: str,
    rgb: np.ndarray,
    boxes: list[Box],
    m: np.ndarray,
    size,
    scale,
    quarter=False,
) -> Sample:
    out = Sample(name, split, warp(rgb, m, size))
    return place(out, [move(b, m, scale, quarter) for b in boxes])


def scaled(rgb: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    h, w = rgb.shape[:2]
    k = long_side / max(h, w)
    m = np.array([[k, 0, 0], [0, k, 0]], np.float64)
    return m, k


def geometric(name: str, split: str, rgb: np.ndarray, boxes: list[Box]) -> Iterator[Sample]:
    h, w = rgb.shape[:2]
    for side in (800, 500, 320):
        if side < max(h, w):
            m, k = scaled(rgb, side)
            yield affine(
                f"{name}/long{side}", split, rgb, boxes, m, (round(w * k), round(h * k)), k
            )
    for angle in (-15, 15):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        yield affine(f"{name}/rot{angle:+d}", split, rgb, boxes, m, (w, h), 1.0)
    m = np.array([[0, 1, 0], [-1, 0, w - 1]], np.float64)  # 90° counter-clockwise
    yield affine(f"{name}/rot90", split, rgb, boxes, m, (h, w), 1.0, quarter=True)


def exposure(rgb: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    f = rgb.astype(np.float32) / 255.0
    yield "darker", np.clip(f * 0.35 * 255, 0, 255).astype(np.uint8)
    yield "brighter", np.clip(f * 1.8 * 255, 0, 255).astype(np.uint8)
    yield "gamma0.5", (np.power(f, 0.5) * 255).astype(np.uint8)
    yield "gamma2.2", (np.power(f, 2.2) * 255).astype(np.uint8)
    yield "washed", (f * 0.5 * 255 + 110).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 20])
    assert ok
    yield "jpeg20", np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1])


def closeups(name: str, split: str, rgb: np.ndarray, boxes: list[Box]) -> Iterator[Sample]:
    """Square crops around each face (up to 3 a photo) that it fills 55-95% of, shown at 480."""
    h, w = rgb.shape[:2]
    rng = rng_for(name, "closeup")
    for i, b in enumerate(boxes[:3]):
        for fill in (0.55, 0.75, 0.95):
            side = (b[3] - b[1]) / fill
            cx = (b[0] + b[2]) / 2 + rng.uniform(-0.05, 0.05) * side
            cy = (b[1] + b[3]) / 2 + rng.uniform(-0.05, 0.05) * side
            k = 480 / side
            m = np.array([[k, 0, 240 - cx * k], [0, k, 240 - cy * k]], np.float64)
            yield affine(f"{name}/closeup{i}@{fill}", split, rgb, boxes, m, (480, 480), k)
    del w, h


def pasted(
    name: str, split: str, rgb: np.ndarray, boxes: list[Box], backgrounds: list[np.ndarray]
) -> Iterator[Sample]:
    """Each face with its head and shoulders, pasted (feathered) into a face-free 640x480 photo."""
    for i, b in enumerate(boxes):
        for height in PASTE_HEIGHTS:
            rng = rng_for(name, i, height)
            bg = backgrounds[int(rng.integers(len(backgrounds)))]
            k = height / (b[3] - b[1])
            bw, bh = b[2] - b[0], b[3] - b[1]
            x0, y0 = max(0, int(b[0] - 0.6 * bw)), max(0, int(b[1] - 0.6 * bh))
            x1 = min(rgb.shape[1], int(b[2] + 0.6 * bw))
            y1 = min(rgb.shape[0], int(b[3] + 0.6 * bh))
            cw, ch = max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k))
            if cw >= 600 or ch >= 440:
                continue
            crop = cv2.resize(rgb[y0:y1, x0:x1], (cw, ch), interpolation=cv2.INTER_AREA)
            px, py = int(rng.integers(0, 640 - cw)), int(rng.integers(0, 480 - ch))
            canvas = cv2.resize(bg, (640, 480), interpolation=cv2.INTER_AREA).astype(np.float32)
            ramp = max(1, min(cw, ch) // 8)
            alpha = np.ones((ch, cw), np.float32)
            for j in range(ramp):
                a = (j + 1) / (ramp + 1)
                alpha[j, :] = np.minimum(alpha[j, :], a)
                alpha[-1 - j, :] = np.minimum(alpha[-1 - j, :], a)
                alpha[:, j] = np.minimum(alpha[:, j], a)
                alpha[:, -1 - j] = np.minimum(alpha[:, -1 - j], a)
            region = canvas[py : py + ch, px : px + cw]
            region[:] = region * (1 - alpha[..., None]) + crop * alpha[..., None]
            face = (
                (b[0] - x0) * k + px,
                (b[1] - y0) * k + py,
                (b[2] - x0) * k + px,
                (b[3] - y0) * k + py,
            )
            yield Sample(f"{name}/face{i}@{height}px", split, canvas.astype(np.uint8), [face])


def face_free(name: str, split: str, rgb: np.ndarray) -> Iterator[Sample]:
    h, w = rgb.shape[:2]
    yield Sample(name, split, rgb, face_free=True)
    rng = rng_for(name, "crops")
    for frac in (0.6, 0.4):
        ch, cw = int(h * frac), int(w * frac)
        y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        crop = cv2.resize(rgb[y : y + ch, x : x + cw], (round(cw / frac), round(ch / frac)))
        yield Sample(f"{name}/crop{frac}", split, crop, face_free=True)
    for s in geometric(name, split, rgb, []):
        s.face_free = True
        yield s
    for label, img in exposure(rgb):
        yield Sample(f"{name}/{label}", split, img, face_free=True)


def variants(split: str | None = None) -> Iterator[Sample]:
    """Every benchmark image of `split` ("tune", "held_out" or None for both), in a fixed order."""
    labels = load_labels()
    photos = {n: load_photo(e, n) for n, e in labels.items() if split in (None, e["split"])}
    for name, rgb in photos.items():
        e = labels[name]
        if not e["faces"]:
            yield from face_free(name, e["split"], rgb)
    for name, rgb in photos.items():
        e = labels[name]
        boxes = [tuple(f["box"]) for f in e["faces"]]
        if not boxes:
            continue
        sp = e["split"]
        backgrounds = [
            photos[n]
            for n, x in labels.items()
            if not x["faces"] and n in photos and x["split"] == sp
        ]
        yield place(Sample(name, sp, rgb), boxes)
        yield from geometric(name, sp, rgb, boxes)
        yield from closeups(name, sp, rgb, boxes)
        for label, img in exposure(rgb):
            yield place(Sample(f"{name}/{label}", sp, img), boxes)
        m, k = scaled(rgb, 320)
        small = warp(rgb, m, (round(rgb.shape[1] * k), round(rgb.shape[0] * k)))
        bright = np.clip(small.astype(np.float32) * 1.6, 0, 255).astype(np.uint8)
        yield place(Sample(f"{name}/long320+brighter", sp, bright), [move(b, m, k) for b in boxes])
        yield from pasted(name, sp, rgb, boxes, backgrounds)
