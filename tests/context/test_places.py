"""Offline reverse geocoding: the real GeoNames table on known places, and each rule of the city
choice on small tables written for the test."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from photo_tagger.context import Gazetteer, Place, distance_km, place_tags
from tests.context.conftest import LISBON, NEW_YORK, SYDNEY, write_table


@pytest.mark.parametrize(
    ("position", "country", "region", "city"),
    [
        ((38.72, -9.14), "Portugal", "Lisbon", "Lisbon"),  # nearest entry: "Intendente"
        ((38.6979, -9.2064), "Portugal", "Lisbon", "Lisbon"),  # Belém, a parish of Lisbon
        ((41.1496, -8.6109), "Portugal", "Porto", "Porto"),
        ((39.3606, -9.1571), "Portugal", "Leiria", "Óbidos"),  # a small town
        ((38.8029, -9.3817), "Portugal", "Lisbon", "Sintra"),  # its own town, 24 km out
        ((48.8606, 2.3376), "France", "Île-de-France", "Paris"),  # the Louvre
        ((48.8397, 2.2399), "France", "Île-de-France", "Boulogne-Billancourt"),
        (NEW_YORK, "United States", "New York", "New York City"),  # Times Square
        ((40.7440, -74.0324), "United States", "New Jersey", "Hoboken"),  # across the Hudson
        (SYDNEY, "Australia", "New South Wales", "Sydney"),
        ((35.6812, 139.7671), "Japan", "Tokyo", "Tokyo"),  # the station, 7 km from "Tokyo"
        ((37.5665, 126.9780), "South Korea", "Seoul", "Seoul"),
    ],
)
def test_known_places(
    gazetteer: Gazetteer,
    position: tuple[float, float],
    country: str,
    region: str,
    city: str,
) -> None:
    place = gazetteer.place(*position)
    assert place is not None
    assert (place.country, place.region, place.city) == (country, region, city)


@pytest.mark.parametrize(
    "position",
    [(30.0, -40.0), (0.0, 0.0), (-50.0, -120.0), (-89.9, 10.0)],  # open sea, Null Island, ice
)
def test_far_from_any_place_there_is_no_place(
    gazetteer: Gazetteer, position: tuple[float, float]
) -> None:
    assert gazetteer.place(*position) is None


def test_batches_keep_order_and_skip_missing_or_invalid_positions(gazetteer: Gazetteer) -> None:
    coords: list[Any] = [LISBON, None, (float("nan"), 1.0), (91.0, 0.0), (0.0, 200.0), SYDNEY]
    places = gazetteer.places(coords)
    assert [p.city if p else None for p in places] == ["Lisbon", None, None, None, None, "Sydney"]
    assert gazetteer.places([]) == []


def test_ten_thousand_positions_at_once_are_each_placed_as_alone(gazetteer: Gazetteer) -> None:
    rng = np.random.default_rng(7)
    near_cities = [
        (lat + dy, lon + dx)
        for lat, lon in (LISBON, NEW_YORK, SYDNEY)
        for dy, dx in rng.normal(0.0, 0.2, size=(3000, 2)).tolist()
    ]
    anywhere = [(float(lat), float(lon)) for lat, lon in rng.uniform(-1, 1, (1000, 2)) * (70, 180)]
    coords = near_cities + anywhere
    places = gazetteer.places(coords)
    assert len(places) == 10_000
    assert sum(p is not None for p in places[:9000]) > 8000  # land and coast around three cities
    # the batch gives each position the place it gets on its own (a sample: one in ten)
    assert places[::10] == [gazetteer.place(*c) for c in coords[::10]]
    # (its speed at this size: benchmarks/bench_context.py)


def test_the_gazetteer_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the gazetteer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(AssertionError):
        socket.create_connection(("127.0.0.1", 9))

    fresh = Gazetteer()  # loads its table here, under the patch
    places = fresh.places([LISBON, NEW_YORK, SYDNEY])
    assert [p.city if p else None for p in places] == ["Lisbon", "New York City", "Sydney"]


# --- the rules, on tables written for the test -------------------------------------------------

SEAT = (38.71667, -9.13333)


def table_place(city: str, at: tuple[float, float], population: int, **more: str) -> dict[str, Any]:
    return {
        "country_code": more.pop("country_code", "PT"),
        "city": city,
        "latitude": at[0],
        "longitude": at[1],
        "population": population,
        **more,
    }


def offset(at: tuple[float, float], north_km: float = 0.0, east_km: float = 0.0) -> tuple:
    lat = at[0] + north_km / 111.195
    return (lat, at[1] + east_km / (111.195 * np.cos(np.radians(lat))))


def small_gazetteer(tmp_path: Path, places: list[dict[str, Any]], **kwargs: float) -> Gazetteer:
    countries = {"PT": "Portugal", "KR": "Korea, Republic of", "FJ": "Fiji"}
    return Gazetteer(write_table(tmp_path / "table", places, countries), **kwargs)


def test_a_parish_named_after_its_municipality_gives_the_city(tmp_path: Path) -> None:
    parish = offset(SEAT, east_km=-5.0)  # beyond the city's 2.8 km cover, within 2.5 times it
    with_county = [
        table_place("Lisbon", SEAT, 500_000, state="Lisbon"),
        table_place("Ajuda", parish, 14_000, state="Lisbon", county="Lisbon"),
    ]
    assert small_gazetteer(tmp_path / "a", with_county).place(*parish) == Place(
        "Portugal", "Lisbon", "Lisbon", "PT"
    )
    without_county = [dict(with_county[0]), table_place("Ajuda", parish, 14_000, state="Lisbon")]
    place = small_gazetteer(tmp_path / "b", without_county).place(*parish)
    assert place is not None and place.city == "Ajuda"


def test_a_seat_too_far_away_does_not_swallow_a_town(tmp_path: Path) -> None:
    town = offset(SEAT, north_km=12.0)  # beyond 2.5 times the cover of a 500,000 city
    places = [
        table_place("Lisbon", SEAT, 500_000, state="Lisbon"),
        table_place("Loures", town, 27_000, state="Lisbon", county="Lisbon"),
    ]
    place = small_gazetteer(tmp_path, places).place(*town)
    assert place is not None and place.city == "Loures"


def test_a_big_city_beats_its_nearer_neighbourhood(tmp_path: Path) -> None:
    photo = offset(SEAT, north_km=1.5)
    places = [
        table_place("Lisbon", SEAT, 500_000, state="Lisbon"),
        table_place("Arroios", offset(SEAT, north_km=1.6), 20_000, state="Lisbon"),
    ]
    place = small_gazetteer(tmp_path, places).place(*photo)
    assert place is not None and place.city == "Lisbon"


def test_a_suburb_keeps_its_own_name_outside_the_city_cover(tmp_path: Path) -> None:
    suburb = offset(SEAT, east_km=8.0)
    places = [
        table_place("Lisbon", SEAT, 2_000_000, state="Lisbon"),  # covers 5.7 km
        table_place("Oeiras", suburb, 30_000, state="Lisbon"),
    ]
    gazetteer = small_gazetteer(tmp_path, places)
    assert gazetteer.places([suburb, offset(SEAT, east_km=4.0)]) == [
        Place("Portugal", "Lisbon", "Oeiras", "PT"),
        Place("Portugal", "Lisbon", "Lisbon", "PT"),
    ]


def test_a_big_city_in_another_region_does_not_take_over(tmp_path: Path) -> None:
    across = offset(SEAT, north_km=-3.0)
    places = [
        table_place("Lisbon", SEAT, 2_000_000, state="Lisbon"),
        table_place("Almada", offset(across, north_km=-0.5), 100_000, state="Setúbal"),
    ]
    place = small_gazetteer(tmp_path, places).place(*across)
    assert place == Place("Portugal", "Setúbal", "Almada", "PT")


def test_remote_positions_get_a_region_then_nothing(tmp_path: Path) -> None:
    places = [table_place("Mértola", SEAT, 7_000, state="Beja")]
    gazetteer = small_gazetteer(tmp_path, places, city_km=15.0, region_km=50.0)
    near, remote, nowhere = (offset(SEAT, north_km=km) for km in (10.0, 30.0, 70.0))
    assert gazetteer.places([near, remote, nowhere]) == [
        Place("Portugal", "Beja", "Mértola", "PT"),
        Place("Portugal", "Beja", None, "PT"),
        None,
    ]


def test_neighbours_across_the_antimeridian_are_found(tmp_path: Path) -> None:
    town = (-16.8, 179.97)
    photo = (-16.8, -179.97)  # 6 km east of it, on the other side of the date line
    assert distance_km(town, photo) == pytest.approx(6.4, abs=0.1)
    places = [table_place("Waiyevo", town, 2_000, country_code="FJ", state="Northern")]
    assert small_gazetteer(tmp_path, places).place(*photo) == Place(
        "Fiji", "Northern", "Waiyevo", "FJ"
    )


def test_everyday_country_names_and_missing_regions(tmp_path: Path) -> None:
    places = [
        table_place("Seoul", (37.5665, 126.978), 10_000_000, country_code="KR", state="Seoul"),
        table_place("Vila", SEAT, 2_000),
        table_place("Somewhere", (10.0, 10.0), 2_000, country_code="XX"),
    ]
    gazetteer = small_gazetteer(tmp_path, places)
    assert gazetteer.places([(37.5665, 126.978), SEAT, (10.0, 10.0)]) == [
        Place("South Korea", "Seoul", "Seoul", "KR"),
        Place("Portugal", None, "Vila", "PT"),
        Place("XX", None, "Somewhere", "XX"),
    ]


def test_a_gazetteer_loads_nothing_until_asked(tmp_path: Path) -> None:
    missing = Gazetteer(tmp_path / "no such table")  # building it reads no file
    with pytest.raises(FileNotFoundError):
        missing.place(*LISBON)


# --- tags -------------------------------------------------------------------------------------


def test_place_tags_nest_country_region_city() -> None:
    assert place_tags(Place("Australia", "New South Wales", "Sydney", "AU")) == [
        "Places/Australia",
        "Places/Australia/New South Wales",
        "Places/Australia/New South Wales/Sydney",
    ]


def test_a_region_named_like_its_city_or_missing_is_left_out() -> None:
    assert place_tags(Place("Portugal", "Lisbon", "Lisbon", "PT")) == [
        "Places/Portugal",
        "Places/Portugal/Lisbon",
    ]
    assert place_tags(Place("Portugal", None, "Vila", "PT")) == [
        "Places/Portugal",
        "Places/Portugal/Vila",
    ]
    assert place_tags(Place("Portugal", "Beja", None, "PT")) == [
        "Places/Portugal",
        "Places/Portugal/Beja",
    ]


def test_slashes_inside_names_do_not_make_levels() -> None:
    tags = place_tags(Place("Austria", "Carinthia", "Bleiburg/Pliberk", "AT"))
    assert tags[-1] == "Places/Austria/Carinthia/Bleiburg-Pliberk"
    tags = place_tags(Place("Switzerland", "Zurich", "Zürich (Kreis 7) / Witikon", "CH"))
    assert tags[-1] == "Places/Switzerland/Zurich/Zürich (Kreis 7) - Witikon"
    assert all(tag.count("/") <= 3 for tag in tags)
