"""Images for the views (thumbnails, face crops, the viewer's photo), decoded off the UI thread.

`ImageLoader.image(key, load)` answers at once: the image if it is in the cache, else None (the
view paints a placeholder) while `load` runs through the runner; `loaded(key)` then tells the view
to repaint. The newest requests go first (what is on screen now), old ones are dropped when the
user scrolls past, and the cache keeps the most recently used images within a byte budget.

Loads run on worker threads and hand back plain pixels (`Pixels`, a numpy array decoded by
OpenCV or photo_tagger.imaging); the QImage is made on the UI thread. Qt objects are never made
off the UI thread: that is where PySide is on safe ground (a QImageReader made on a pool thread
while the UI thread painted crashed now and then).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from photo_tagger.errors import ImageError
from photo_tagger.gui.runner import TaskRunner

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Pixels:
    """What a load hands back: HxWx3 uint8 RGB, for a screen of this pixel density."""

    rgb: np.ndarray
    device_pixel_ratio: float = 1.0

    def to_qimage(self) -> QImage:
        """On the UI thread."""
        img = rgb_to_qimage(self.rgb)
        img.setDevicePixelRatio(self.device_pixel_ratio)
        return img


Load = Callable[[], Pixels | None]


class ImageLoader(QObject):
    loaded = Signal(object)  # the key of an image now in the cache

    def __init__(
        self,
        runner: TaskRunner,
        budget_bytes: int = 96 << 20,
        max_in_flight: int = 4,
        max_pending: int = 256,
    ) -> None:
        super().__init__()
        self._runner = runner
        self._budget = budget_bytes
        self._max_in_flight = max_in_flight
        self._max_pending = max_pending
        self._cache: OrderedDict[Hashable, QImage] = OrderedDict()
        self._bytes = 0
        self._pending: OrderedDict[Hashable, Load] = OrderedDict()
        self._in_flight: set[Hashable] = set()
        self._failed: set[Hashable] = set()
        self._generation = 0  # bumped by clear(): results of older requests are dropped

    def image(self, key: Hashable, load: Load) -> QImage | None:
        """The cached image for `key`, or None while `load` runs (or when it found nothing)."""
        img = self._cache.get(key)
        if img is not None:
            self._cache.move_to_end(key)
            return img
        if key in self._failed or key in self._in_flight:
            return None
        self._pending[key] = load
        self._pending.move_to_end(key)
        while len(self._pending) > self._max_pending:
            self._pending.popitem(last=False)  # scrolled past long ago
        self._pump()
        return self._cache.get(key)

    def cached(self, key: Hashable) -> QImage | None:
        return self._cache.get(key)

    def clear(self) -> None:
        """Forget every image and request (the thumbnail size changed, or another library)."""
        self._cache.clear()
        self._pending.clear()
        self._failed.clear()
        self._in_flight.clear()
        self._bytes = 0
        self._generation += 1

    def forget_failures(self) -> None:
        """Try again the keys that found no image (new thumbnails may have been written)."""
        self._failed.clear()

    @property
    def busy(self) -> bool:
        return bool(self._pending or self._in_flight)

    def _pump(self) -> None:
        while self._pending and len(self._in_flight) < self._max_in_flight:
            key, load = self._pending.popitem(last=True)  # the newest request first
            self._in_flight.add(key)
            gen = self._generation
            self._runner.run(
                load, partial(self._done, key, gen), partial(self._failed_load, key, gen)
            )

    def _done(self, key: Hashable, generation: int, pixels: Pixels | None) -> None:
        if generation != self._generation:
            return
        self._in_flight.discard(key)
        img = pixels.to_qimage() if pixels is not None else None
        if img is None or img.isNull():
            self._failed.add(key)
        else:
            self._store(key, img)
            self.loaded.emit(key)
        self._pump()

    def _failed_load(self, key: Hashable, generation: int, error: BaseException) -> None:
        self._done(key, generation, None)

    def _store(self, key: Hashable, img: QImage) -> None:
        old = self._cache.pop(key, None)
        if old is not None:
            self._bytes -= old.sizeInBytes()
        self._cache[key] = img
        self._bytes += img.sizeInBytes()
        while self._bytes > self._budget and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._bytes -= dropped.sizeInBytes()


# --- loads (run off the UI thread) ---------------------------------------------------------------


def read_scaled(
    path: Path, box: QSize, device_pixel_ratio: float = 1.0, turn: int = 0
) -> Pixels | None:
    """An image file (a thumbnail) scaled down to fit `box` (logical pixels) on a screen of
    this density, turned `turn` degrees clockwise. None if it cannot be read."""
    import cv2
    import numpy as np

    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return None
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if bgr is None:
        return None
    if turn % 360:
        bgr = np.ascontiguousarray(np.rot90(bgr, k=-(turn % 360) // 90))
    h, w = bgr.shape[:2]
    k = min(box.width() * device_pixel_ratio / w, box.height() * device_pixel_ratio / h, 1.0)
    if k < 1.0:
        size = (max(1, round(w * k)), max(1, round(h * k)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    return Pixels(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), device_pixel_ratio)


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """An HxWx3 uint8 array as a QImage that owns its pixels."""
    import numpy as np

    h, w = rgb.shape[:2]
    data = np.ascontiguousarray(rgb)
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def read_photo(path: Path, side: int) -> tuple[Pixels, int, int] | None:
    """The photo at `path`, upright, its long side about `side` pixels, with the full-size
    (width, height) that face boxes are measured in. None if it cannot be read."""
    from photo_tagger.imaging import decode_photo

    try:
        data = Path(path).read_bytes()
        image = decode_photo(data, path, side)
    except (OSError, ImageError):
        return None
    return Pixels(image.rgb), image.width, image.height
