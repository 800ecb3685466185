"""How alike two photos look, allowing one to be a crop of the other: `similarity(a, b)` in [-1, 1].

The smaller frame is searched for inside the larger one: for each scale from 100 % down to 70 %
of the larger frame's width or height (the aspect ratios fix the other side), the smaller
thumbnail is resized and slid over the larger with normalised cross-correlation
(`cv2.matchTemplate`, TM_CCOEFF_NORMED). The images compared are the grey thumbnails, slightly
blurred, plus half their horizontal and vertical gradients: on grey alone two different men in
dark suits before curtains (biden.jpg and obama3.jpg in the samples) score 0.88, more than some
real crops; with the gradients they score 0.71-0.77, while crops of up to 20 % on any sides,
resized, re-encoded, brightened copies and a 3-degree straighten-and-crop score 0.83-1.0.
NCC ignores brightness and contrast (a gain and an offset), so exposure edits cost nothing.

The search runs coarse to fine: every scale (5 % steps) on 16 px images, then the two best
placements again on the 32 px thumbnails, at their scale and 2.5 % either side. A pair whose
coarse score is COARSE_MARGIN under what the caller needs is rejected there (measured on the
samples: copies score 0.78+ at 16 px, 99 % of different photos under 0.70), and the search
stops as soon as a placement is good enough, so most pairs cost a few tenths of a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from photo_tagger.duplicates.signature import THUMB_SIDE, Signature

MIN_SCALE = 0.7  # a crop that keeps less than 70 % of the width or height is another photo
MIN_AREA = 0.45  # ... or less than 45 % of the frame
COARSE_SIDE = 16
COARSE_STEP = 0.05
FINE_STEP = 0.025
COARSE_MARGIN = 0.2
BLUR_SIGMA = 0.7
GRADIENT_WEIGHT = 0.5

_SCALES = tuple(round(1.0 - i * COARSE_STEP, 4) for i in range(7))  # 1.0 ... 0.7


def similarity(a: Signature, b: Signature, enough: float | None = None) -> float:
    """The best NCC of one photo (or a crop of it) inside the other.

    With `enough`, the search may stop early: a result >= `enough` means "at least that", one
    below means "below `enough`" (not necessarily the best placement there is).
    """
    return Comparer().similarity(a, b, enough)


@dataclass
class _Images:
    sig: Signature  # kept so that its id() is not reused while cached
    grey: np.ndarray  # 32 x 32 float32
    coarse_grey: np.ndarray  # 16 x 16 float32
    fine: np.ndarray  # feature images: 32 x 32 x 3 ...
    coarse: np.ndarray  # ... and 16 x 16 x 3


@dataclass
class Comparer:
    """`similarity` with each photo's images computed once (a grouping compares a photo with
    several others)."""

    _cache: dict[int, _Images] = field(default_factory=dict)

    def similarity(self, a: Signature, b: Signature, enough: float | None = None) -> float:
        if a.flat or b.flat:
            return -1.0  # OpenCV scores a uniform template 1.0 anywhere
        ia, ib = self._images(a), self._images(b)
        placements: list[tuple[float, float, _Images, _Images]] = []
        for small, large in ((ia, ib), (ib, ia)):
            ratio = small.sig.aspect / large.sig.aspect
            for scale in _SCALES:
                score = _match(small.coarse_grey, large.coarse, scale, ratio, COARSE_SIDE)
                placements.append((score, scale, small, large))
        placements.sort(key=lambda p: p[0], reverse=True)
        best_coarse = placements[0][0]
        if enough is not None and best_coarse < enough - COARSE_MARGIN:
            return best_coarse
        best = -1.0
        for _, top, small, large in placements[:2]:
            ratio = small.sig.aspect / large.sig.aspect
            for scale in (top, top - FINE_STEP, top + FINE_STEP):
                if MIN_SCALE - 1e-6 <= scale <= 1.0 + 1e-6:
                    best = max(best, _match(small.grey, large.fine, scale, ratio, THUMB_SIDE))
                    if enough is not None and best >= enough:
                        return best
        return best

    def _images(self, sig: Signature) -> _Images:
        images = self._cache.get(id(sig))
        if images is None:
            grey = sig.thumb.astype(np.float32)
            coarse_grey = cv2.resize(grey, (COARSE_SIDE, COARSE_SIDE), interpolation=cv2.INTER_AREA)
            images = _Images(
                sig, grey, coarse_grey, _feature_image(grey), _feature_image(coarse_grey)
            )
            self._cache[id(sig)] = images
        return images


def _feature_image(grey: np.ndarray) -> np.ndarray:
    g = cv2.GaussianBlur(grey, (0, 0), BLUR_SIGMA)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0) * GRADIENT_WEIGHT
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1) * GRADIENT_WEIGHT
    return np.dstack([g, gx, gy])


def _match(grey: np.ndarray, target: np.ndarray, scale: float, ratio: float, side: int) -> float:
    """NCC of `grey` shrunk to `scale` of the target's larger side (the other side follows from
    the aspect `ratio`, small / large), at its best position; -1 when it does not fit."""
    fx, fy = (scale, scale / ratio) if ratio >= 1 else (scale * ratio, scale)
    if fx > 1.0 + 1e-6 or fy > 1.0 + 1e-6 or fx * fy < MIN_AREA:
        return -1.0
    size = (min(side, max(4, round(side * fx))), min(side, max(4, round(side * fy))))
    template = _feature_image(cv2.resize(grey, size, interpolation=cv2.INTER_AREA))
    return float(cv2.minMaxLoc(cv2.matchTemplate(target, template, cv2.TM_CCOEFF_NORMED))[1])
