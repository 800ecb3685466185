"""Borrowing a place from the same camera's photos a few minutes away."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from photo_tagger.context import (
    INHERITED_SCORE,
    Gazetteer,
    context_tags,
    inherit_positions,
    read_capture,
)
from tests.context.conftest import LISBON, SAMPLES, SYDNEY, exif_block, jpeg_with_exif

T0 = datetime(2024, 6, 12, 20, 0)
CAMERA = "Canon|Canon EOS R5|0123"
OTHER = "Canon|Canon EOS R5|9999"  # the same model, another body


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_photo_without_gps_borrows_from_the_nearest_in_time() -> None:
    shots = [
        ("before", at(-4), CAMERA, LISBON),
        ("lost", at(0), CAMERA, None),
        ("after", at(1), CAMERA, SYDNEY),  # nearer in time, so it wins
    ]
    inherited = inherit_positions(shots)
    assert set(inherited) == {"lost"}
    assert inherited["lost"].source_id == "after"
    assert inherited["lost"].position == SYDNEY
    assert inherited["lost"].seconds_apart == pytest.approx(60.0)


def test_nothing_beyond_the_window() -> None:
    shots = [("gps", at(0), CAMERA, LISBON), ("lost", at(5.5), CAMERA, None)]
    assert inherit_positions(shots) == {}
    assert inherit_positions(shots, window=timedelta(minutes=6))["lost"].source_id == "gps"


def test_another_camera_or_an_unknown_one_gives_nothing() -> None:
    shots = [
        ("gps", at(0), CAMERA, LISBON),
        ("other body", at(1), OTHER, None),
        ("no camera", at(1), None, None),
        ("no time", None, CAMERA, None),
    ]
    assert inherit_positions(shots) == {}


def test_a_tie_goes_to_the_earlier_photo_and_order_does_not_matter() -> None:
    shots = [
        ("after", at(2), CAMERA, SYDNEY),
        ("lost", at(0), CAMERA, None),
        ("before", at(-2), CAMERA, LISBON),
    ]
    assert inherit_positions(shots)["lost"].source_id == "before"
    assert inherit_positions(list(reversed(shots)))["lost"].source_id == "before"


def test_a_hundred_thousand_photos_in_any_order() -> None:
    # four cameras in turn, 30 s apart; each camera's every third photo has GPS
    shots = [
        (
            f"p{i}",
            T0 + timedelta(seconds=30 * i),
            f"cam{i % 4}",
            LISBON if i // 4 % 3 == 0 else None,
        )
        for i in range(100_000)
    ]
    inherited = inherit_positions(shots)
    assert len(inherited) == sum(position is None for *_, position in shots) == 66_664
    assert {borrowed.seconds_apart for borrowed in inherited.values()} == {120.0}
    assert inherit_positions(reversed(shots)) == inherited  # the order they come in is no matter
    # (its speed at this size: benchmarks/bench_context.py)


def test_real_files_from_one_camera_share_a_place(tmp_path: Path, gazetteer: Gazetteer) -> None:
    body = {"make": "Canon", "model": "Canon EOS R5", "serial": "0123"}
    files = {
        "located": exif_block(taken="2024:06:12 20:45:00", position=LISBON, **body),
        "lost": exif_block(taken="2024:06:12 20:48:00", **body),
        "stranger": exif_block(
            taken="2024:06:12 20:46:00", make="Canon", model="Canon EOS R5", serial="9999"
        ),
    }
    facts = {}
    for (name, block), sample in zip(files.items(), SAMPLES, strict=False):
        photo = jpeg_with_exif(tmp_path, block, sample, name=f"{name}.jpg")
        facts[name] = read_capture(photo.read_bytes(), os.stat(photo).st_mtime)
    shots = [
        (name, f.taken, f.camera.key if f.camera else None, f.position) for name, f in facts.items()
    ]
    inherited = inherit_positions(shots)
    assert set(inherited) == {"lost"}
    assert inherited["lost"].source_id == "located"

    borrowed = inherited["lost"]
    tags = context_tags(
        facts["lost"],
        None,
        inherited=borrowed,
        inherited_place=gazetteer.place(*borrowed.position),
    )
    assert tags["Places/Portugal/Lisbon"] == INHERITED_SCORE
    assert tags["Seasons/Summer"] == INHERITED_SCORE  # the hemisphere is borrowed too
    assert tags["Dates/2024/2024-06"] == 1.0
    assert not any(tag.startswith("Places/") for tag in context_tags(facts["stranger"]))
