"""Whatever bytes a photo holds, reading when, where and with what it was taken never raises."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings

from photo_tagger.context import read_capture
from tests.imaging.mutants import photo_bytes


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(photo_bytes())
def test_capture_facts_of_any_bytes(data: bytes) -> None:
    facts = read_capture(data, 1_718_000_000.0)
    assert facts.taken is not None  # the file's time at worst
    if facts.position is not None:
        lat, lon = facts.position
        assert math.isfinite(lat) and math.isfinite(lon)
        assert -90 <= lat <= 90 and -180 <= lon <= 180
