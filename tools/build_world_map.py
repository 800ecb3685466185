"""Build the world outline the window's map draws (resources/map/world.npz) from Natural Earth's
1:50m countries, as the npm package world-atlas@2.0.2 carries them in TopoJSON.

    python tools/build_world_map.py            # needs `npm` and the npm registry, once

The package is fetched with `npm pack` into a temporary folder and checked against its known
sha256 before anything in it is read; the app itself never fetches anything: the file this writes
ships inside the package (setup.py's package data) with its notice (resources/map/NOTICE.md).

What is written (numpy's .npz, compressed), on TopoJSON's own grid of the data (1e5 steps):
  land_points (N, 2) and land_starts: the land's closed outlines, each from its start to the next
      one's (the last to the end), for filling;
  line_points (M, 2) and line_starts: every arc of the countries' outlines (coasts and borders,
      each shared border once), for drawing;
  scale, translate: degrees = cumsum(points) * scale + translate (points are int32 steps from the
      point before them, across outlines: small numbers, which compress well).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "map" / "world.npz"
PACKAGE = "world-atlas@2.0.2"
TARBALL = "world-atlas-2.0.2.tgz"
SHA256 = "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"
MEMBER = "package/countries-50m.json"


def fetch(folder: Path) -> dict[str, Any]:
    """The TopoJSON of the package, checked against its sha256."""
    subprocess.run(["npm", "pack", PACKAGE], cwd=folder, check=True, timeout=300)
    tarball = folder / TARBALL
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{TARBALL} has sha256 {digest}, not {SHA256}: not the known package")
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{MEMBER} is not in {TARBALL}")
        result: dict[str, Any] = json.loads(member.read())
        return result


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Every arc on the data's grid: TopoJSON keeps them delta-encoded."""
    return [np.cumsum(np.array(arc, dtype=np.int64)[:, :2], axis=0) for arc in topology["arcs"]]


def rings(geometry: dict[str, Any], arcs: list[np.ndarray]) -> list[np.ndarray]:
    """The closed outlines of a Polygon or MultiPolygon (holes included: filled even-odd)."""
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for polygon in polygons:
        for ring in polygon:
            parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ring]
            joined = np.concatenate([parts[0], *(p[1:] for p in parts[1:])])
            out.append(joined)
    return out


def pack(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The lines end to end as steps from the point before, and where each starts."""
    starts = np.cumsum([0, *(len(p) for p in lines[:-1])]).astype(np.int32)
    points = np.concatenate(lines)
    steps = np.diff(points, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return steps.astype(np.int32), starts


def build(topology: dict[str, Any], out: Path) -> None:
    arcs = decode_arcs(topology)
    land: list[np.ndarray] = []
    for geometry in topology["objects"]["land"]["geometries"]:
        land += rings(geometry, arcs)
    land_points, land_starts = pack(land)
    line_points, line_starts = pack(arcs)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        land_points=land_points,
        land_starts=land_starts,
        line_points=line_points,
        line_starts=line_starts,
        scale=np.array(topology["transform"]["scale"], dtype=np.float64),
        translate=np.array(topology["transform"]["translate"], dtype=np.float64),
    )
    print(f"{out}: {len(land)} land outlines, {len(arcs)} arcs, {out.stat().st_size:,} bytes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="world-atlas-") as tmp:
        build(fetch(Path(tmp)), args.out)


if __name__ == "__main__":
    main()
