"""Grouping photos into events, on synthetic timelines and on real files with set times."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from photo_tagger.context import Gazetteer, Place, group_events, read_capture
from tests.context.conftest import LISBON, SAMPLES, exif_block, jpeg_with_exif

T0 = datetime(2024, 6, 12, 18, 0)
PORTO = (41.1496, -8.6109)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_gap_of_more_than_two_hours_starts_a_new_event() -> None:
    shots = [(f"p{i}", at(m), None) for i, m in enumerate([0, 10, 130, 250.1, 260, 270])]
    events = group_events(shots)
    assert [e.photo_ids for e in events] == [("p0", "p1", "p2"), ("p3", "p4", "p5")]
    assert (events[0].start, events[0].end) == (at(0), at(130))


def test_fewer_than_three_photos_are_not_an_event() -> None:
    shots = [("a", at(0), None), ("b", at(5), None), ("c", at(500), None)]
    assert group_events(shots) == []
    assert len(group_events(shots[:2], min_photos=2)) == 1


def test_a_jump_in_place_starts_a_new_event_even_without_a_gap() -> None:
    shots = [
        ("l1", at(0), LISBON),
        ("l2", at(10), None),  # no GPS: stays with the run it is in
        ("l3", at(20), LISBON),
        ("p1", at(40), PORTO),  # 270 km in 20 minutes: not the same occasion
        ("p2", at(50), PORTO),
        ("p3", at(60), None),
    ]
    events = group_events(shots)
    assert [e.photo_ids for e in events] == [("l1", "l2", "l3"), ("p1", "p2", "p3")]
    near = [("a", at(0), LISBON), ("b", at(5), (38.80, -9.38)), ("c", at(9), LISBON)]
    assert group_events(near) == []  # 22 km each way: three runs of one photo...
    assert group_events(near, jump_km=30.0)[0].photo_ids == ("a", "b", "c")  # ...unless allowed


def test_the_event_id_survives_later_photos_and_merges_keep_the_earlier() -> None:
    base = [("first", at(0), None), ("second", at(30), None), ("third", at(60), None)]
    event_id = group_events(base)[0].id
    assert event_id == "event:first"
    grown = group_events([*base, ("later", at(100), None), ("middle", at(45), None)])
    assert [e.id for e in grown] == [event_id]
    assert grown[0].photo_ids == ("first", "second", "middle", "third", "later")

    second_day = [("x", at(400), None), ("y", at(410), None), ("z", at(420), None)]
    assert [e.id for e in group_events(base + second_day)] == ["event:first", "event:x"]
    bridges = [(f"b{i}", at(60 + 100 * i), None) for i in range(1, 4)]
    assert [e.id for e in group_events(base + second_day + bridges)] == ["event:first"]


def test_input_order_and_ties_do_not_matter() -> None:
    shots = [("c", at(0), None), ("a", at(0), None), ("b", at(1), None)]
    assert group_events(shots) == group_events(list(reversed(shots)))
    assert group_events(shots)[0].photo_ids == ("a", "c", "b")


def test_phone_and_camera_times_meet_on_the_wall_clock() -> None:
    # the phone records its offset, the camera does not: both showed 20:00 in Lisbon
    phone = datetime(2024, 6, 12, 20, 0, tzinfo=timezone(timedelta(hours=1)))
    shots = [
        ("phone", phone, LISBON),
        ("camera1", datetime(2024, 6, 12, 20, 1), None),
        ("camera2", datetime(2024, 6, 12, 23, 30), None),
        ("camera3", datetime(2024, 6, 12, 23, 31), None),
        ("camera4", datetime(2024, 6, 12, 23, 32), None),
    ]
    events = group_events(shots, min_photos=2)
    assert [e.photo_ids for e in events] == [
        ("phone", "camera1"),
        ("camera2", "camera3", "camera4"),
    ]


def test_epoch_seconds_and_missing_times() -> None:
    start = 1_718_215_200.0  # 2024-06-12 18:00 on the photos' clock
    shots = [
        ("a", start, None),
        ("b", start + 60, None),
        ("c", start + 120, None),
        ("d", None, None),
    ]
    events = group_events(shots)
    assert events[0].photo_ids == ("a", "b", "c")
    assert events[0].start == datetime(2024, 6, 12, 18, 0)


def test_labels_name_the_day_and_the_most_common_place() -> None:
    lisbon = Place("Portugal", "Lisbon", "Lisbon", "PT")
    sintra = Place("Portugal", "Lisbon", "Sintra", "PT")
    shots = [(f"p{i}", at(20 * i), None) for i in range(4)]
    places = {"p0": sintra, "p1": lisbon, "p2": lisbon, "p3": None}
    assert group_events(shots, places)[0].label == "2024-06-12 Lisbon"
    assert group_events(shots)[0].label == "2024-06-12"
    overnight = [(f"n{i}", at(300 + 60 * i), None) for i in range(3)]  # 23:00 to 01:00
    remote = {"n0": Place("Portugal", "Beja", None, "PT")}
    assert group_events(overnight, remote)[0].label == "2024-06-12 – 2024-06-13 Beja"


def test_a_hundred_thousand_photos_group_in_any_order() -> None:
    shots = []
    for i in range(100_000):
        day, within = divmod(i, 50)  # 50 photos a day, a minute apart, 2,000 days
        taken = datetime(2015, 1, 1, 10, 0) + timedelta(days=day, minutes=within)
        shots.append((f"photo{i:06d}", taken, LISBON if i % 3 == 0 else None))
    events = group_events(shots)
    assert len(events) == 2_000
    assert all(len(e.photo_ids) == 50 for e in events)
    assert events[1].photo_ids == tuple(f"photo{i:06d}" for i in range(50, 100))
    assert group_events(reversed(shots)) == events  # the order they come in is no matter
    # (its speed at this size: benchmarks/bench_context.py)


def test_events_from_real_files(tmp_path: Path, gazetteer: Gazetteer) -> None:
    plan = [  # (minutes after T0, position): an evening in Lisbon, the next morning in Porto
        (0, LISBON),
        (12, LISBON),
        (25, None),
        (41, LISBON),
        (15 * 60, PORTO),
        (15 * 60 + 5, PORTO),
        (15 * 60 + 30, None),
        (15 * 60 + 50, PORTO),
        (40 * 60, None),  # alone two days later
    ]
    facts = {}
    for (minutes, position), sample in zip(plan, SAMPLES, strict=False):
        taken = at(minutes).strftime("%Y:%m:%d %H:%M:%S")
        block = exif_block(taken=taken, offset="+01:00", position=position)
        photo = jpeg_with_exif(tmp_path, block, sample)
        facts[photo.name] = read_capture(photo.read_bytes(), os.stat(photo).st_mtime)
    places = dict(zip(facts, gazetteer.places([f.position for f in facts.values()]), strict=True))
    events = group_events([(pid, f.taken, f.position) for pid, f in facts.items()], places)

    names = list(facts)
    assert [e.photo_ids for e in events] == [tuple(names[:4]), tuple(names[4:8])]
    assert [e.label for e in events] == ["2024-06-12 Lisbon", "2024-06-13 Porto"]
    assert events[1].id == f"event:{names[4]}"


@pytest.mark.parametrize("min_photos", [0, 1])
def test_single_photos_can_be_events_when_asked(min_photos: int) -> None:
    assert len(group_events([("solo", at(0), None)], min_photos=min_photos)) == 1
