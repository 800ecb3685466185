"""What the map draws: the world's outline shipped with the app, and the photos' places grouped
into clusters.

The outline is resources/map/world.npz (Natural Earth's 1:50m countries, public domain; made by
tools/build_world_map.py, notice beside it): read once, from the app's own files, never from the
network. Coordinates are degrees in an equirectangular projection: x is the longitude, y the
latitude turned downwards (-lat), so that one transform scales and moves it to the screen.

Clusters are the photos that fall in one square of a grid laid over the world, whose squares are
about CELL_PX pixels at the current zoom (a power of two of degrees, so that they stay put while
the map is panned, and change only when the zoom crosses a step): numpy, one sort of the squares'
keys, a few milliseconds for 100,000 photos.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath, QPolygonF

from photo_tagger import shipped

CELL_PX = 56  # a cluster's square on screen, about


def world_file() -> Path:
    return shipped("resources") / "map" / "world.npz"


@dataclass(frozen=True)
class World:
    land: QPainterPath  # filled (winding: lakes, drawn the other way round, are holes)
    lines: QPainterPath  # coasts and borders, stroked


def load_world(path: Path) -> World | None:
    """The outline in `path`; None when it cannot be read (a broken install): the map then shows
    the photos on an empty sea and says so."""
    try:
        with np.load(path, allow_pickle=False) as data:
            scale, translate = data["scale"], data["translate"]
            land = _lines(data["land_points"], data["land_starts"], scale, translate)
            lines = _lines(data["line_points"], data["line_starts"], scale, translate)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    land_path, lines_path = QPainterPath(), QPainterPath()
    land_path.setFillRule(land_path.fillRule().WindingFill)
    for ring in land:
        for copy in _across_the_antimeridian(ring):
            land_path.addPolygon(_polygon(copy))
            land_path.closeSubpath()
    for line in lines:
        for part in _off_the_poles(line):
            for copy in _across_the_antimeridian(part):
                lines_path.addPolygon(_polygon(copy))
    return World(land_path, lines_path)


def _off_the_poles(points: np.ndarray) -> list[np.ndarray]:
    """A line without its steps along the map's top and bottom edges (Antarctica's outline
    closes along the pole): no coast or border runs there."""
    polar = np.abs(points[:, 1]) > 85.0
    along = polar[:-1] & polar[1:]
    if not along.any():
        return [points]
    cuts = np.flatnonzero(along) + 1
    return [p for p in np.split(points, cuts) if len(p) > 1 and not np.all(np.abs(p[:, 1]) > 85)]


def _across_the_antimeridian(points: np.ndarray) -> list[np.ndarray]:
    """The outline drawn whole: Natural Earth's Russia and Fiji step from 180° to -180° (a line
    across the whole map, as drawn); such an outline is made continuous and drawn twice, once
    from each side. Antarctica's coast goes round the pole: it is closed along the map's bottom
    edge instead."""
    lon, y = points[:, 0], points[:, 1]  # y is the latitude turned downwards
    step = np.diff(lon)
    jumps = np.abs(step) > 180.0
    if not jumps.any():
        return [points]
    if y.max() > 60.0:
        i = int(np.flatnonzero(jumps)[0])
        pole = np.array([[lon[i], 90.0], [lon[i + 1], 90.0]])
        return [np.concatenate([points[: i + 1], pole, points[i + 1 :]])]
    whole = points.copy()
    whole[1:, 0] -= 360.0 * np.cumsum(np.where(jumps, np.round(step / 360.0), 0.0))
    shift = 360.0 if whole[:, 0].min() < -180.0 else -360.0
    other = whole.copy()
    other[:, 0] += shift
    return [whole, other]


def _lines(
    steps: np.ndarray, starts: np.ndarray, scale: np.ndarray, translate: np.ndarray
) -> list[np.ndarray]:
    points = np.cumsum(steps.astype(np.int64), axis=0) * scale + translate
    points[:, 1] = -points[:, 1]  # screen y grows downwards
    return np.split(points, starts[1:])


def _polygon(points: np.ndarray) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in points.tolist()])


@dataclass(frozen=True)
class Places:
    """Every photo with a place: ids and positions in the same order."""

    ids: np.ndarray  # str
    lon: np.ndarray
    lat: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple[str, float, float]]) -> Places:
        ids = np.array([r[0] for r in rows], dtype=object)
        lat = np.array([r[1] for r in rows], dtype=np.float64)
        lon = np.array([r[2] for r in rows], dtype=np.float64)
        return cls(ids, lon, lat)

    def __len__(self) -> int:
        return len(self.ids)

    def inside(self, west: float, north: float, east: float, south: float) -> list[str]:
        """The photos in this rectangle of degrees."""
        mask = (self.lon >= west) & (self.lon <= east) & (self.lat <= north) & (self.lat >= south)
        return [str(i) for i in self.ids[mask]]


@dataclass(frozen=True)
class Clusters:
    lon: np.ndarray  # each cluster's centre: the mean of its photos' positions
    lat: np.ndarray
    counts: np.ndarray
    member: np.ndarray  # photo i is in cluster member[i]

    def photos(self, places: Places, cluster: int) -> list[str]:
        return [str(i) for i in places.ids[self.member == cluster]]


def cell_degrees(pixels_per_degree: float) -> float:
    """The size of a cluster's square at this zoom: a power of two of degrees near CELL_PX."""
    return float(2.0 ** math.floor(math.log2(CELL_PX / max(pixels_per_degree, 1e-9))))


def cluster(places: Places, cell: float) -> Clusters:
    gx = np.floor((places.lon + 180.0) / cell).astype(np.int64)
    gy = np.floor((90.0 - places.lat) / cell).astype(np.int64)
    keys = gx * (1 << 31) + gy
    _, member, counts = np.unique(keys, return_inverse=True, return_counts=True)
    member = member.reshape(-1)
    lon = np.bincount(member, weights=places.lon) / counts
    lat = np.bincount(member, weights=places.lat) / counts
    return Clusters(lon, lat, counts, member)
