"""How alike two photos look, allowing one to be a crop of the other: `similarity(a, b)` in [-1, 1].

The smaller frame is searched for inside the larger one: for each scale from 100 % down to 70 %
of the larger frame's width or height (the aspect ratios fix the other side), the smaller
thumbnail is resized and slid over the larger with normalised cross-correlation
(`cv2.matchTemplate`, TM_CCOEFF_NORMED), then tried again with the larger one tilted by 3 degrees
either way (a straightened photo). NCC ignores brightness and contrast (a gain and an offset),
so exposure edits cost nothing. The images compared are the grey thumbnails, lightly blurred,
with their horizontal and vertical gradients as two more channels: on grey alone two different
men in dark suits before curtains (biden.jpg and obama3.jpg in the samples) score 0.88, more
than some real crops. Measured on the samples with the gradients: every pair of photos made
from two different samples scores 0.73 or less (those two again); resized, re-encoded and
brightened copies score 0.97+, crops of 10-20 % from any sides 0.82+, a 3-degree
straighten-and-crop 0.83+. Hence DEFAULT_MIN_SIMILARITY = 0.77 in `grouping.py`.

The search runs coarse to fine: every scale (5 % steps) on 16 px images, then the two best
placements on the 32 px thumbnails at their scale and 2.5 % either side. A pair whose coarse
score is COARSE_MARGIN under what the caller needs is rejected there (copies score 0.78+ at
16 px, 99 % of pairs of different photos under 0.67), a whole-frame copy is accepted by its first
match, and a crop as soon as one scale matches: most pairs cost well under a millisecond.
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
COARSE_MARGIN = 0.1
BLUR_SIGMA = 0.5
GRADIENT_WEIGHT = 1.0
TILT_DEGREES = 3.0

_SCALES = tuple(round(1.0 - i * COARSE_STEP, 4) for i in range(7))  # 1.0 ... 0.7


def similarity(
    a: Signature, b: Signature, enough: float | None = None, min_scale: float = MIN_SCALE
) -> float:
    """The best NCC of one photo, or a crop of it keeping at least `min_scale` of the width or
    height, inside the other.

    With `enough`, the search may stop early: a result >= `enough` means "at least that", one
    below means "below `enough`" (not necessarily the best placement there is).
    """
    return Comparer().similarity(a, b, enough, min_scale)


@dataclass
class _Images:
    sig: Signature  # kept so that its id() is not reused while cached
    grey: np.ndarray  # 32 x 32 float32
    coarse_grey: np.ndarray  # 16 x 16 float32
    fine: np.ndarray  # feature images: 32 x 32 x 3 ...
    coarse: np.ndarray  # ... and 16 x 16 x 3
    tilted: dict[float, np.ndarray] = field(default_factory=dict)  # fine, rotated by degrees


@dataclass
class Comparer:
    """`similarity` with each photo's images computed once (a grouping compares a photo with
    several others)."""

    _cache: dict[int, _Images] = field(default_factory=dict)

    def similarity(
        self,
        a: Signature,
        b: Signature,
        enough: float | None = None,
        min_scale: float = MIN_SCALE,
    ) -> float:
        if a.flat or b.flat:
            return -1.0  # OpenCV scores a uniform template 1.0 anywhere
        ia, ib = self._images(a), self._images(b)
        done = _Search(enough)
        # A copy of the whole frame (most pairs a grouping asks about) matches at once.
        if abs(a.aspect / b.aspect - 1.0) < 0.02 and done.add(_match(ia.grey, ib.fine, 1.0, 1.0)):
            return done.best
        coarse: list[tuple[float, float, _Images, _Images]] = []
        for small, large in ((ia, ib), (ib, ia)):
            ratio = small.sig.aspect / large.sig.aspect
            for scale in _SCALES:
                if scale >= min_scale - 1e-6:
                    score = _match(small.coarse_grey, large.coarse, scale, ratio, COARSE_SIDE)
                    coarse.append((score, scale, small, large))
                    # a crop found at once need not wait for the other scales
                    if (
                        enough is not None
                        and score >= enough
                        and done.add(_match(small.grey, large.fine, scale, ratio))
                    ):
                        return done.best
        coarse.sort(key=lambda c: c[0], reverse=True)
        if enough is not None and coarse[0][0] < enough - COARSE_MARGIN:
            return max(done.best, coarse[0][0])
        where = coarse[0][1:]
        for _, top, small, large in coarse[:2]:
            ratio = small.sig.aspect / large.sig.aspect
            for scale in _around(top, min_scale):
                score = _match(small.grey, large.fine, scale, ratio)
                if score > done.best:
                    where = (scale, small, large)
                if done.add(score):
                    return done.best
        # A straightened photo: the other one, tilted by as much, holds it upright.
        found, small, large = where
        ratio = small.sig.aspect / large.sig.aspect
        for angle in (-TILT_DEGREES, TILT_DEGREES):
            tilted = self._tilted(large, angle)
            for scale in _around(found, min_scale):
                if done.add(_match(small.grey, tilted, scale, ratio)):
                    return done.best
        return done.best

    def _tilted(self, images: _Images, degrees: float) -> np.ndarray:
        tilted = images.tilted.get(degrees)
        if tilted is None:
            tilted = _feature_image(_rotate(images.grey, degrees, images.sig.aspect))
            images.tilted[degrees] = tilted
        return tilted

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


@dataclass
class _Search:
    enough: float | None
    best: float = -1.0

    def add(self, score: float) -> bool:
        """Keep `score`; True when the search can stop."""
        self.best = max(self.best, score)
        return self.enough is not None and self.best >= self.enough


def _around(scale: float, min_scale: float) -> list[float]:
    candidates = (scale, scale - FINE_STEP, scale + FINE_STEP)
    return [s for s in candidates if min_scale - 1e-6 <= s <= 1.0 + 1e-6]


def _feature_image(grey: np.ndarray) -> np.ndarray:
    g = cv2.GaussianBlur(grey, (3, 3), BLUR_SIGMA)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, scale=GRADIENT_WEIGHT)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, scale=GRADIENT_WEIGHT)
    return cv2.merge([g, gx, gy])


def _rotate(grey: np.ndarray, degrees: float, aspect: float) -> np.ndarray:
    """`grey`, a photo of width / height `aspect` squeezed to a square, turned by `degrees` about
    its centre as the photo itself would turn (in the squeezed frame that is S R S^-1)."""
    side = grey.shape[0]
    t = np.radians(degrees)
    rotation = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    squeeze = np.diag([1.0 / aspect, 1.0])
    m = squeeze @ rotation @ np.diag([aspect, 1.0])
    centre = np.full(2, (side - 1) / 2)
    affine = np.hstack([m, (centre - m @ centre)[:, None]]).astype(np.float32)
    return cv2.warpAffine(grey, affine, (side, side), borderMode=cv2.BORDER_REPLICATE)


def _match(
    grey: np.ndarray, target: np.ndarray, scale: float, ratio: float, side: int = THUMB_SIDE
) -> float:
    """NCC of `grey` shrunk to `scale` of the target's larger side (the other side follows from
    the aspect `ratio`, small / large), at its best position; -1 when it does not fit."""
    fx, fy = (scale, scale / ratio) if ratio >= 1 else (scale * ratio, scale)
    if fx > 1.0 + 1e-6 or fy > 1.0 + 1e-6 or fx * fy < MIN_AREA:
        return -1.0
    size = (min(side, max(4, round(side * fx))), min(side, max(4, round(side * fy))))
    template = _feature_image(cv2.resize(grey, size, interpolation=cv2.INTER_AREA))
    return float(cv2.minMaxLoc(cv2.matchTemplate(target, template, cv2.TM_CCOEFF_NORMED))[1])
