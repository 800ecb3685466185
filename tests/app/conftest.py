"""Fixtures for the application layer's tests: the shipped models, loaded once."""

from __future__ import annotations

import pytest

from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models


@pytest.fixture(scope="session")
def models() -> Models:
    return Models.load(default_models_dir())
