"""The sample photos and their copies, each one decoded the way a scan decodes it.

Every copy is written as a JPEG file's bytes and read back through `imaging.decode`, so that the
signatures see what a scan would: resized, re-encoded, exposure-edited, cropped and straightened
copies of ten different photos.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageEnhance

from photo_tagger.duplicates import Signature, signature
from photo_tagger.imaging import DecodedImage, decode

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"

# A copy with the same content (no crop): found without capture times.
SAME_FRAME = ("r50", "r25", "q40", "bright", "dark")
# Crops (fractions cut from the left, top, right, bottom) and a straightened copy.
CROPS = {
    "c10_centre": (0.05, 0.05, 0.05, 0.05),
    "c10_right": (0.0, 0.0, 0.1, 0.0),
    "c10_top": (0.0, 0.1, 0.0, 0.0),
    "c10_corner": (0.0, 0.0, 0.1, 0.1),
    "c20_centre": (0.1, 0.1, 0.1, 0.1),
    "c20_left": (0.2, 0.0, 0.0, 0.0),
    "c20_bottom": (0.0, 0.0, 0.0, 0.2),
    "c20_corner": (0.2, 0.2, 0.0, 0.0),
    "c20_mixed": (0.15, 0.05, 0.05, 0.1),
}
EDITS = (*CROPS, "rot3")


@dataclass(frozen=True)
class Photo:
    source: str  # the sample it was made from
    kind: str  # "original", or how the copy was made
    data: bytes
    image: DecodedImage
    sig: Signature

    @property
    def id(self) -> str:
        return f"{self.source}/{self.kind}"


def jpeg(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def cut(im: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = im.size
    return im.crop(
        (round(w * left), round(h * top), round(w * (1 - right)), round(h * (1 - bottom)))
    )


def copies(im: Image.Image) -> dict[str, bytes]:
    w, h = im.size
    made: dict[str, Callable[[], bytes]] = {
        "r50": lambda: jpeg(im.resize((w // 2, h // 2), Image.Resampling.LANCZOS)),
        "r25": lambda: jpeg(im.resize((w // 4, h // 4), Image.Resampling.LANCZOS)),
        "q40": lambda: jpeg(im, 40),
        "bright": lambda: jpeg(
            ImageEnhance.Contrast(ImageEnhance.Brightness(im).enhance(1.2)).enhance(1.15)
        ),
        "dark": lambda: jpeg(ImageEnhance.Brightness(im).enhance(0.8)),
        # straightened by 3 degrees, then cut to hide the corners, as photo editors do
        "rot3": lambda: jpeg(
            cut(im.rotate(3, resample=Image.Resampling.BICUBIC), 0.06, 0.06, 0.06, 0.06)
        ),
    }
    for name, sides in CROPS.items():
        made[name] = lambda sides=sides: jpeg(cut(im, *sides))
    return {name: make() for name, make in made.items()}


def load(source: str, kind: str, data: bytes) -> Photo:
    image = decode(data)
    return Photo(source, kind, data, image, signature(image.rgb))


def sample_library() -> list[Photo]:
    """Ten originals, each followed by its 15 copies (160 photos)."""
    photos = []
    for path in sorted(PHOTOS.glob("*.jpg")):
        data = path.read_bytes()
        photos.append(load(path.stem, "original", data))
        im = Image.open(io.BytesIO(data)).convert("RGB")
        photos += [load(path.stem, kind, copy) for kind, copy in copies(im).items()]
    return photos
