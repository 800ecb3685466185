"""All the context tags of real photo files, and what the package exposes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import photo_tagger.context as context
from photo_tagger.context import GUESS_SCORE, Gazetteer, context_tags, read_capture
from tests.context.conftest import LISBON, NEW_YORK, SAMPLES, SYDNEY, exif_block, jpeg_with_exif

MTIME = 1_718_000_000.0


def tags_of(path: Path, gazetteer: Gazetteer) -> dict[str, float]:
    facts = read_capture(path.read_bytes(), os.stat(path).st_mtime)
    place = gazetteer.place(*facts.position) if facts.position else None
    return context_tags(facts, place)


def test_lisbon_2024_sunset_without_typing(tmp_path: Path, gazetteer: Gazetteer) -> None:
    block = exif_block(taken="2024:06:12 20:45:00", offset="+01:00", position=LISBON)
    assert tags_of(jpeg_with_exif(tmp_path, block), gazetteer) == {
        "Places/Portugal": 1.0,
        "Places/Portugal/Lisbon": 1.0,
        "Dates/2024": 1.0,
        "Dates/2024/2024-06": 1.0,
        "Time of day/Evening": 1.0,
        "Seasons/Summer": 1.0,
    }


def test_new_york_and_sydney_in_the_same_june(tmp_path: Path, gazetteer: Gazetteer) -> None:
    new_york = jpeg_with_exif(
        tmp_path,
        exif_block(taken="2024:06:12 09:15:00", offset="-04:00", position=NEW_YORK),
        SAMPLES[1],
    )
    sydney = jpeg_with_exif(
        tmp_path,
        exif_block(taken="2024:06:12 13:15:00", offset="+10:00", position=SYDNEY),
        SAMPLES[2],
    )
    ny_tags, sydney_tags = tags_of(new_york, gazetteer), tags_of(sydney, gazetteer)
    assert "Places/United States/New York/New York City" in ny_tags
    assert {"Time of day/Morning", "Seasons/Summer"} <= set(ny_tags)
    assert "Places/Australia/New South Wales/Sydney" in sydney_tags
    assert {"Time of day/Afternoon", "Seasons/Winter"} <= set(sydney_tags)  # June, down under


def test_a_photo_without_gps_gets_no_place(tmp_path: Path, gazetteer: Gazetteer) -> None:
    block = exif_block(taken="2024:06:12 20:45:00", make="Canon")
    tags = tags_of(jpeg_with_exif(tmp_path, block), gazetteer)
    assert set(tags) == {"Dates/2024", "Dates/2024/2024-06", "Time of day/Evening"}


def test_a_photo_with_nothing_gets_a_guessed_date_only(
    tmp_path: Path, gazetteer: Gazetteer
) -> None:
    photo = tmp_path / "plain.jpg"
    photo.write_bytes(SAMPLES[3].read_bytes())
    os.utime(photo, (MTIME, MTIME))
    assert tags_of(photo, gazetteer) == {
        "Dates/2024": GUESS_SCORE,
        "Dates/2024/2024-06": GUESS_SCORE,
    }


def test_exports_are_what_the_docstring_describes() -> None:
    for name in context.__all__:
        assert getattr(context, name) is not None
    assert context.__doc__ is not None
    for name in ("read_capture", "Gazetteer", "context_tags", "group_events", "inherit_positions"):
        assert name in context.__all__ and name in context.__doc__


def test_importing_the_package_loads_no_table_no_ui_and_no_store() -> None:
    probe = (
        "import sys, photo_tagger.context as c; c.Gazetteer(); "
        "print(sorted(m for m in ('scipy', 'PySide6', 'pycrdt', 'photo_tagger.store', "
        "'reverse_geocode', 'pillow_heif') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
