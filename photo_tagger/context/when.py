"""Tags for when a photo was taken: year and month, time of day, season.

All of them read the photo's own wall clock (the local time its camera showed), never UTC: a
sunset in Lisbon is "Evening" whatever zone the library is browsed from.
"""

from __future__ import annotations

from datetime import datetime

from photo_tagger.context.exif import CaptureFacts

FACT_SCORE = 1.0
GUESS_SCORE = 0.5  # a date taken from the file's modification time, not from the camera

DATES_ROOT = "Dates"
TIME_OF_DAY_ROOT = "Time of day"
SEASONS_ROOT = "Seasons"

# [start hour, end hour) of each part of the day; Night wraps past midnight.
MORNING = (5, 12)
AFTERNOON = (12, 17)
EVENING = (17, 21)

# Inside the tropics the year has wet and dry seasons, not four: no season tag there.
TROPIC_LATITUDE = 23.44

_NORTHERN_SEASONS = (
    "Winter",  # December, January, February: meteorological seasons, by whole month
    "Spring",
    "Summer",
    "Autumn",
)


def when_tags(facts: CaptureFacts, latitude: float | None = None) -> dict[str, float]:
    """Date, time-of-day and season tags, each with its score.

    Scores are FACT_SCORE for a camera date, GUESS_SCORE for a date guessed from the file. A
    guessed date gives no time of day (the file's clock is not the camera's). The season needs a
    `latitude` (default: the photo's own GPS) to know the hemisphere.
    """
    if facts.taken is None:
        return {}
    if latitude is None and facts.position is not None:
        latitude = facts.position[0]
    score = GUESS_SCORE if facts.taken_guessed else FACT_SCORE
    tags = dict.fromkeys(date_tags(facts.taken), score)
    if not facts.taken_guessed:
        tags[f"{TIME_OF_DAY_ROOT}/{time_of_day(facts.taken.hour)}"] = score
    name = season(facts.taken.month, latitude)
    if name is not None:
        tags[f"{SEASONS_ROOT}/{name}"] = score
    return tags


def date_tags(taken: datetime) -> list[str]:
    """`Dates/2024` and `Dates/2024/2024-06`, from the photo's wall clock."""
    year = f"{taken.year:04d}"
    return [f"{DATES_ROOT}/{year}", f"{DATES_ROOT}/{year}/{year}-{taken.month:02d}"]


def time_of_day(hour: int) -> str:
    """Morning 05-12, Afternoon 12-17, Evening 17-21, Night 21-05."""
    if MORNING[0] <= hour < MORNING[1]:
        return "Morning"
    if AFTERNOON[0] <= hour < AFTERNOON[1]:
        return "Afternoon"
    if EVENING[0] <= hour < EVENING[1]:
        return "Evening"
    return "Night"


def season(month: int, latitude: float | None) -> str | None:
    """The meteorological season (Mar-May spring in the north), flipped south of the tropics;
    None without a latitude or inside the tropics."""
    if latitude is None or abs(latitude) < TROPIC_LATITUDE:
        return None
    quarter = (month % 12) // 3  # December joins January and February
    if latitude < 0:
        quarter = (quarter + 2) % 4
    return _NORTHERN_SEASONS[quarter]
