"""Date, time-of-day and season tags from a photo's own clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from photo_tagger.context import GUESS_SCORE, CaptureFacts, when_tags
from photo_tagger.context.when import date_tags, season, time_of_day

LISBON_SUMMER = timezone(timedelta(hours=1))


def test_a_camera_date_gives_year_month_time_of_day_and_season() -> None:
    facts = CaptureFacts(
        taken=datetime(2024, 6, 12, 20, 45, tzinfo=LISBON_SUMMER),
        taken_from="DateTimeOriginal",
        position=(38.72, -9.14),
    )
    assert when_tags(facts) == {
        "Dates/2024": 1.0,
        "Dates/2024/2024-06": 1.0,
        "Time of day/Evening": 1.0,
        "Seasons/Summer": 1.0,
    }


def test_the_wall_clock_decides_not_utc() -> None:
    # 23:30 on New Year's Eve in New York is already the next year, and night, in UTC
    taken = datetime(2023, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    tags = when_tags(CaptureFacts(taken=taken))
    assert set(tags) == {"Dates/2023", "Dates/2023/2023-12", "Time of day/Night"}


def test_a_guessed_date_is_a_weaker_tag_without_time_of_day() -> None:
    facts = CaptureFacts(
        taken=datetime(2024, 1, 5, 14, 0), taken_guessed=True, taken_from="file", position=None
    )
    assert when_tags(facts) == {"Dates/2024": GUESS_SCORE, "Dates/2024/2024-01": GUESS_SCORE}
    with_gps = CaptureFacts(
        taken=datetime(2024, 1, 5, 14, 0), taken_guessed=True, position=(-33.86, 151.21)
    )
    assert when_tags(with_gps)["Seasons/Summer"] == GUESS_SCORE
    assert GUESS_SCORE < 1.0


def test_no_date_no_tags() -> None:
    assert when_tags(CaptureFacts(position=(38.72, -9.14))) == {}


def test_no_season_without_a_hemisphere() -> None:
    tags = when_tags(CaptureFacts(taken=datetime(2024, 6, 12, 9, 0)))
    assert not any(tag.startswith("Seasons/") for tag in tags)
    assert when_tags(CaptureFacts(taken=datetime(2024, 6, 12, 9, 0)), latitude=-33.9)[
        "Seasons/Winter"
    ] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("hour", "part"),
    [
        (0, "Night"),
        (4, "Night"),
        (5, "Morning"),
        (11, "Morning"),
        (12, "Afternoon"),
        (16, "Afternoon"),
        (17, "Evening"),
        (20, "Evening"),
        (21, "Night"),
        (23, "Night"),
    ],
)
def test_parts_of_the_day(hour: int, part: str) -> None:
    assert time_of_day(hour) == part


@pytest.mark.parametrize(
    ("month", "north", "south"),
    [
        (1, "Winter", "Summer"),
        (3, "Spring", "Autumn"),
        (5, "Spring", "Autumn"),
        (6, "Summer", "Winter"),
        (8, "Summer", "Winter"),
        (9, "Autumn", "Spring"),
        (11, "Autumn", "Spring"),
        (12, "Winter", "Summer"),
    ],
)
def test_seasons_flip_south_of_the_equator(month: int, north: str, south: str) -> None:
    assert season(month, 38.7) == north
    assert season(month, -33.9) == south


def test_no_four_seasons_in_the_tropics() -> None:
    assert season(6, 1.35) is None  # Singapore
    assert season(6, -22.9) is None  # Rio de Janeiro
    assert season(6, None) is None


def test_date_tags_are_zero_padded() -> None:
    assert date_tags(datetime(987, 3, 1)) == ["Dates/0987", "Dates/0987/0987-03"]
