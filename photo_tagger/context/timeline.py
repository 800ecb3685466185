"""One timeline for photos from different cameras: seconds on the photos' own wall clocks.

Most cameras record local time without a zone; phones add the offset. Comparing wall clocks puts
a camera's 14:00 next to a phone's 14:00+01:00 taken at the same moment, which is what grouping
photos of one trip needs. Epoch numbers are taken as seconds on that same clock.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

_EPOCH = datetime(1970, 1, 1)

Taken = datetime | float | int


def wall_seconds(taken: Taken | None) -> float | None:
    """Seconds since 1970-01-01 00:00 on the photo's own clock; None for None or NaN."""
    if taken is None:
        return None
    if isinstance(taken, datetime):
        return (taken.replace(tzinfo=None) - _EPOCH).total_seconds()
    seconds = float(taken)
    return seconds if math.isfinite(seconds) else None


def wall_datetime(seconds: float) -> datetime:
    """The naive wall-clock datetime of `wall_seconds`."""
    return _EPOCH + timedelta(seconds=seconds)
