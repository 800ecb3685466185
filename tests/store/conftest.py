"""One temporary library (or bare document) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.library import Library

PHOTO = "0123456789abcdef0123456789abcdef"  # content ids are 32 hex characters
OTHER = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with Library.open(tmp_path / "library") as lib:
        yield lib


@pytest.fixture
def doc() -> Iterator[LibraryDocument]:
    document = LibraryDocument()
    yield document
    document.close()


def face(x0: float, y0: float, x1: float, y1: float, score: float = 0.9) -> dict[str, object]:
    w = x1 - x0
    return {
        "box": [x0, y0, x1, y1],
        "score": score,
        "eyes": [[x0 + 0.3 * w, y0 + 0.4 * w], [x0 + 0.7 * w, y0 + 0.4 * w]],
    }
