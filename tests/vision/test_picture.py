"""Pictures that are no camera photos are recognised before the classifier is asked: a chart or
a silhouette gets the Graphics tag and none of the things the classifier would see in it; no
camera photo is taken for one, however small, dark or recompressed (real pictures and models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.picture import GRAPHICS_TAG, drawn_score
from photo_tagger.vision.pipeline import Analyzer, Models

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO / "tests" / "data" / "photos"
PICTURES = REPO / "benchmarks" / "accuracy" / "photos"
DRAWN = ("chart_bars.png", "chart_scatter.png", "horse_silhouette.png", "chessboard.png")
CAMERA = (*sorted(p.name for p in PHOTOS.glob("*.jpg")), "clock_motion.jpg", "moon.jpg")


def rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def darker(a: np.ndarray) -> np.ndarray:
    return (a.astype(np.float32) * 0.5 + 0.5).astype(np.uint8)


@pytest.mark.parametrize("name", DRAWN)
def test_charts_and_silhouettes_look_drawn(name: str) -> None:
    assert drawn_score(rgb(PICTURES / name)) >= 0.65
    assert drawn_score(darker(rgb(PICTURES / name))) >= 0.65


@pytest.mark.parametrize("name", CAMERA)
def test_camera_photos_never_look_drawn(name: str) -> None:
    folder = PHOTOS if (PHOTOS / name).exists() else PICTURES
    photo = rgb(folder / name)
    assert drawn_score(photo) == 0.0
    assert drawn_score(darker(photo)) == 0.0


def test_a_silhouette_gets_graphics_and_no_animal() -> None:
    analyzer = Analyzer(Models.load(default_models_dir()))
    horse = rgb(PICTURES / "horse_silhouette.png")
    tags = analyzer.analyze(horse, horse.shape[1], horse.shape[0]).tags
    assert set(tags) == {GRAPHICS_TAG}, tags  # the classifier alone says "Animals/Dog" 0.9
    cat = rgb(PHOTOS / "chelsea.jpg")
    assert "Animals/Cat" in analyzer.analyze(cat, cat.shape[1], cat.shape[0]).tags
