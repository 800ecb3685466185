"""Pictures that are not camera photos: charts, diagrams, silhouettes, drawn graphics.

An ImageNet classifier reads every picture as a photo of one of its 1000 things: a bar chart
becomes an "envelope", a horse's silhouette a dog (0.9). Such pictures are recognised before the
classifier is asked, from what a camera never makes: most neighbouring pixels exactly equal, in
few colours, with sharp edges between them. Blurred or dark photos are flat too, but soft; a
photo on a white backdrop still has the noise and the colours of a photo. Measured on the
accuracy benchmark's pictures in five copies each (benchmarks/bench_accuracy.py): every chart,
silhouette and synthetic image is caught, no camera photo is (the flattest, a motion-blurred
clock recompressed at JPEG quality 25, has 0.72 of its pixels flat but no sharp edge).
"""

from __future__ import annotations

import cv2
import numpy as np

GRAPHICS_TAG = "Graphics"
RULES_ID = "drawn@1"  # names these rules in a model signature: a change re-analyses photos

SIDE = 128  # the picture is judged at this size
MIN_FLAT = 0.65  # share of neighbouring pixels exactly equal
MIN_SHARP = 0.005  # share of neighbours more than a quarter of the range apart
MAX_COLOURS = 100  # colours, at 16 levels a channel


def drawn_score(rgb: np.ndarray) -> float:
    """How flat the picture is (0-1) when it looks drawn rather than photographed, else 0.0."""
    small = cv2.resize(rgb, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.int16)
    step = np.abs(np.diff(grey, axis=1))
    flat = float((step == 0).mean())
    if flat < MIN_FLAT or float((step > 64).mean()) < MIN_SHARP:
        return 0.0
    q = (small // 16).reshape(-1, 3).astype(np.int32)
    colours = len(np.unique(q[:, 0] * 256 + q[:, 1] * 16 + q[:, 2]))
    return round(flat, 3) if colours <= MAX_COLOURS else 0.0
