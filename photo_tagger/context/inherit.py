"""A place for photos without GPS, borrowed from the same camera's photos a few minutes away.

A camera that lost its fix, or a phone's GPS switched off indoors, still shot where its neighbours
in time were shot. Only the same camera body qualifies: its clock is the one the gap is measured
on, and another person's phone may be somewhere else entirely. The result is a suggestion
(INHERITED_SCORE), never a fact.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from photo_tagger.context.timeline import Taken, wall_seconds

INHERITED_SCORE = 0.6
DEFAULT_WINDOW = timedelta(minutes=5)


_Located = tuple[float, str, tuple[float, float]]


@dataclass(frozen=True)
class Inheritance:
    position: tuple[float, float]  # (latitude, longitude) of the source photo
    source_id: str  # the photo it comes from
    seconds_apart: float


def inherit_positions(
    shots: Iterable[tuple[str, Taken | None, Hashable | None, tuple[float, float] | None]],
    window: timedelta = DEFAULT_WINDOW,
) -> dict[str, Inheritance]:
    """For each (photo id, taken, camera, position) without a position: the position of the same
    camera's photo nearest in time, at most `window` away.

    `camera` is any hashable identity (an exif.Camera, or its key); None matches nothing. Pass the
    camera's own times only: a time guessed from the file says nothing about where the camera was.
    On a tie the earlier photo wins.
    """
    # per camera: (seconds, id, position) of located photos, (seconds, id) of the others
    by_camera: dict[Hashable, tuple[list[_Located], list[tuple[float, str]]]] = {}
    for photo_id, taken, camera, position in shots:
        seconds = wall_seconds(taken)
        if camera is None or seconds is None:
            continue
        located, lost = by_camera.setdefault(camera, ([], []))
        if position is None:
            lost.append((seconds, photo_id))
        else:
            located.append((seconds, photo_id, position))

    limit = window.total_seconds()
    inherited: dict[str, Inheritance] = {}
    for located, lost in by_camera.values():
        if not located or not lost:
            continue
        # by time, then id (ids are unique): plain tuple order, which a thread sorts without
        # holding the interpreter long (a key function makes it hold it for ~70 ms per 100,000)
        located.sort()
        times = [seconds for seconds, _, _ in located]
        last = len(times) - 1
        for seconds, photo_id in lost:
            at = bisect.bisect_left(times, seconds)
            # times[at] is the first at or after the photo; on a tie the earlier one wins
            if at > last or (at > 0 and seconds - times[at - 1] <= times[at] - seconds):
                at -= 1
            apart = abs(times[at] - seconds)
            if apart <= limit:
                _, source_id, position = located[at]
                inherited[photo_id] = Inheritance(position, source_id, apart)
    return inherited
