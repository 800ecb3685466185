"""Whatever bytes a file holds, decoding it gives a photo or one of our ImageErrors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photo_tagger.errors import ImageError
from photo_tagger.imaging import decode, decode_photo, formats
from tests.imaging.mutants import photo_bytes

SUFFIXES = sorted(suffix for fmt in formats() for suffix in fmt.suffixes)
# small enough that no damaged header makes a test allocate much, large enough for every seed
MAX_PIXELS = 1_000_000
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def decodes_or_refuses(data: bytes, name: str | None) -> None:
    try:
        if name is None:
            image = decode(data, target_side=64, max_pixels=MAX_PIXELS)
        else:
            image = decode_photo(data, name, target_side=64, max_pixels=MAX_PIXELS)
    except ImageError as exc:
        assert str(exc)  # a message for the scan's report
        return
    assert image.rgb.ndim == 3 and image.rgb.shape[2] == 3 and image.rgb.size > 0
    assert image.width > 0 and image.height > 0


@FUZZ
@given(photo_bytes())
def test_decode_gives_a_photo_or_an_image_error(data: bytes) -> None:
    decodes_or_refuses(data, None)


@FUZZ
@given(photo_bytes(), st.sampled_from(SUFFIXES))
def test_decode_photo_under_every_name_gives_a_photo_or_an_image_error(
    data: bytes, suffix: str
) -> None:
    decodes_or_refuses(data, "photo" + suffix)
