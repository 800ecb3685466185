"""Fixtures for the vision tests: the shipped models (as the app loads them) and the real photos.

Models come from the repo's `models/` through `Manifest` and `OnnxModel`, so every test also runs
the sha256 check the app runs. Imports happen inside the fixtures: a test that needs one model does
not depend on another model's code being importable.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image, ImageOps

from photo_tagger.vision.model import Manifest, OnnxModel

if TYPE_CHECKING:
    from photo_tagger.vision.detector import FaceDetector
    from photo_tagger.vision.tagger import Tagger

REPO = Path(__file__).resolve().parents[2]
MODELS_DIR = REPO / "models"
PHOTOS_DIR = REPO / "tests" / "data" / "photos"
GOLDEN_DIR = REPO / "tests" / "data" / "golden"


@pytest.fixture(scope="session")
def manifest() -> Manifest:
    return Manifest(MODELS_DIR)


@pytest.fixture(scope="session")
def face_detector(manifest: Manifest) -> FaceDetector:
    from photo_tagger.vision.detector import FaceDetector

    return FaceDetector(OnnxModel(manifest.entry("face_detector"), threads=1))


@pytest.fixture(scope="session")
def tagger(manifest: Manifest) -> Tagger:
    from photo_tagger.vision.tagger import Tagger

    return Tagger(OnnxModel(manifest.entry("tagger"), threads=1))


@pytest.fixture(scope="session")
def photo() -> Callable[[str], np.ndarray]:
    """`photo("group.jpg")` -> HxWx3 uint8 RGB, EXIF-oriented, decoded once per session."""

    @cache
    def load(name: str) -> np.ndarray:
        with Image.open(PHOTOS_DIR / name) as im:
            rgb = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
        rgb.setflags(write=False)  # shared between tests: nobody may change it
        return rgb

    return load
