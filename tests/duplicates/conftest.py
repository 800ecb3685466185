"""The sample photos and their copies (see samples.py), made once per test session."""

from __future__ import annotations

import pytest

from tests.duplicates.samples import Photo, sample_library


@pytest.fixture(scope="session")
def library() -> list[Photo]:
    photos = sample_library()
    assert len(photos) == 160
    return photos
