"""Shared helpers: ExifTool (Debian's libimage-exiftool-perl) writes fixtures the way another
application would, and reads back what we wrote."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def exiftool(*args: str | Path) -> str:
    exe = shutil.which("exiftool")
    assert exe, "ExifTool is needed to check sidecars: apt-get install libimage-exiftool-perl"
    proc = subprocess.run(
        [exe, *(str(a) for a in args)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def dump(*paths: Path, structs: bool = True) -> list[dict[str, Any]]:
    """ExifTool's full reading of each file: every tag with its group, structures as JSON."""
    flags = ["-j", "-G1", "-a", "--System:all", "--ExifTool:all", "--File:all"]
    data = json.loads(exiftool(*flags, *(["-struct"] if structs else []), *paths))
    for entry in data:
        entry.pop("SourceFile")
    return data


def regions(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return list(entry.get("XMP-mwg-rs:RegionInfo", {}).get("RegionList", []))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A copy of a real portrait photo (910 x 1137) in its own folder."""
    target = tmp_path / "photos" / "IMG_0001.jpg"
    target.parent.mkdir()
    shutil.copy(PHOTOS / "obama.jpg", target)
    return target
