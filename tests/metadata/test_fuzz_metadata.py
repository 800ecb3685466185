"""Whatever bytes a photo or its sidecar holds, reading its metadata gives what could be read and
the rest as problems in words: it never raises."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photo_tagger.metadata import ImportedMetadata, read_photo_metadata
from tests.imaging.mutants import photo_bytes, seeds, xmp_bytes

SUFFIXES = (".jpg", ".png", ".webp", ".tif", ".heic", ".dng", ".nef", ".txt")
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzzed")


def read(photo: Path, data: bytes, sidecar: bytes | None, with_data: bool) -> ImportedMetadata:
    for old in photo.parent.iterdir():  # what the example before left
        old.unlink()
    photo.write_bytes(data)
    if sidecar is not None:
        photo.with_name(photo.name + ".xmp").write_bytes(sidecar)
    found = read_photo_metadata(photo, data if with_data else None)
    assert all(isinstance(p, str) and p for p in found.problems)
    for tag in found.tags:  # what goes into the library, and later back into sidecars
        assert tag.strip() and len(tag) <= 200 and not any(c < " " for c in tag)
    for face in found.faces:  # a place on the photo, with some area
        x0, y0, x1, y1 = face.area
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, face
        assert face.name.strip() and not any(c < " " for c in face.name)
    return found


@FUZZ
@given(photo_bytes(), st.sampled_from(SUFFIXES), st.booleans())
def test_a_damaged_photo_gives_its_metadata_or_problems(
    folder: Path, data: bytes, suffix: str, with_data: bool
) -> None:
    read(folder / f"photo{suffix}", data, None, with_data)


@FUZZ
@given(xmp_bytes(), st.sampled_from(seeds()), st.sampled_from(SUFFIXES))
def test_a_damaged_sidecar_gives_its_metadata_or_problems(
    folder: Path, sidecar: bytes, data: bytes, suffix: str
) -> None:
    read(folder / f"photo{suffix}", data, sidecar, True)
