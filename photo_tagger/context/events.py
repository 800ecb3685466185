"""Events: runs of photos taken close together in time and place.

Photos are sorted by their wall clock (see `timeline`) and cut into runs. A new run starts when
more than `gap` (2 hours) passes without a photo, or when a photo with GPS lies more than `jump_km`
(20 km) from the run's last photo with GPS: a drive to the next town is a new event even when the
camera kept shooting. A run of fewer than `min_photos` (3) is not an event: two snapshots are not
an occasion.

An event's id is its earliest photo's id, so photos added later in the event leave it alone. A
photo added before the earliest one, or one that bridges two events (they merge under the earlier
event's id), gives the event its new earliest photo's id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from photo_tagger.context.places import Place, distance_km
from photo_tagger.context.timeline import Taken, wall_datetime, wall_seconds

DEFAULT_GAP = timedelta(hours=2)
DEFAULT_JUMP_KM = 20.0
MIN_PHOTOS = 3
EVENT_ID_PREFIX = "event:"


@dataclass(frozen=True)
class Event:
    id: str  # EVENT_ID_PREFIX + the earliest photo's id
    photo_ids: tuple[str, ...]  # in time order
    start: datetime  # naive, on the photos' wall clock
    end: datetime
    label: str  # "2024-06-12 Lisbon", "2024-06-12 – 2024-06-14 Porto", "2024-06-12"


def group_events(
    shots: Iterable[tuple[str, Taken | None, tuple[float, float] | None]],
    places: Mapping[str, Place | None] | None = None,
    *,
    gap: timedelta = DEFAULT_GAP,
    jump_km: float = DEFAULT_JUMP_KM,
    min_photos: int = MIN_PHOTOS,
) -> list[Event]:
    """Events among (photo id, taken, (lat, lon) or None) shots, earliest first.

    Photos without a time are left out. `places` (photo id -> Place) names the events after the
    place most of their photos were taken in.
    """
    timed = []
    for photo_id, taken, position in shots:
        seconds = wall_seconds(taken)
        if seconds is not None:
            timed.append((seconds, photo_id, position))
    # by time, then id (ids are unique): plain tuple order, which a thread sorts without
    # holding the interpreter long (a key function makes it hold it for ~70 ms per 100,000)
    timed.sort()

    gap_seconds = gap.total_seconds()
    events: list[Event] = []
    run: list[tuple[float, str, tuple[float, float] | None]] = []
    last_position: tuple[float, float] | None = None
    for shot in timed:
        seconds, _, position = shot
        if run and (
            seconds - run[-1][0] > gap_seconds
            or (
                position is not None
                and last_position is not None
                and distance_km(position, last_position) > jump_km
            )
        ):
            _close(run, min_photos, places, events)
            run, last_position = [], None
        run.append(shot)
        if position is not None:
            last_position = position
    _close(run, min_photos, places, events)
    return events


def _close(
    run: list[tuple[float, str, tuple[float, float] | None]],
    min_photos: int,
    places: Mapping[str, Place | None] | None,
    events: list[Event],
) -> None:
    if len(run) < max(min_photos, 1):
        return
    photo_ids = tuple(photo_id for _, photo_id, _ in run)
    start, end = wall_datetime(run[0][0]), wall_datetime(run[-1][0])
    events.append(
        Event(
            id=EVENT_ID_PREFIX + photo_ids[0],
            photo_ids=photo_ids,
            start=start,
            end=end,
            label=_label(start, end, photo_ids, places),
        )
    )


def _label(
    start: datetime,
    end: datetime,
    photo_ids: tuple[str, ...],
    places: Mapping[str, Place | None] | None,
) -> str:
    label = start.date().isoformat()
    if end.date() != start.date():
        label += f" – {end.date().isoformat()}"
    if places:
        # Counter keeps first-seen order, so a tie goes to the place of the earlier photo
        names = Counter(
            place.city or place.region or place.country
            for place in (places.get(photo_id) for photo_id in photo_ids)
            if place is not None
        )
        if names:
            label += f" {names.most_common(1)[0][0]}"
    return label
