"""`photo-tagger scan` says how many photos wait for a closer look for objects;
`photo-tagger look-closer` and `scan --closer-look` look (real photos, models, library)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from photo_tagger.cli.main import main

PHOTOS = Path(__file__).resolve().parent / "data" / "photos"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("biden.jpg", "coffee.jpg", "rocket.jpg"):
        shutil.copy(PHOTOS / name, photos / name)
    return photos


def test_a_scan_says_what_waits_and_look_closer_finds_the_objects(
    tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = str(tmp_path / "lib")
    code, out = run(capsys, "scan", str(folder), "--library", library, "--quiet")
    assert code == 0
    assert "3 photos wait for a closer look for objects" in out
    assert "photo-tagger look-closer" in out
    code, out = run(capsys, "search", "tie", "--library", library)
    assert "biden.jpg" not in out

    code, out = run(capsys, "look-closer", "--library", library, "--quiet")
    assert code == 0
    assert "Looked closer at 3 photos:" in out and "0 skipped" in out
    code, out = run(capsys, "search", "tie", "--library", library)
    assert "biden.jpg" in out  # the detector's tie, found by a search

    code, out = run(capsys, "look-closer", "--library", library, "--quiet")
    assert "Looked closer at 0 photos" in out


def test_scan_with_closer_look_leaves_nothing_waiting(
    tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = str(tmp_path / "lib")
    code, out = run(capsys, "scan", str(folder), "--library", library, "--closer-look", "--quiet")
    assert code == 0
    assert "Looked closer at 3 photos:" in out and "wait for a closer look" not in out
    code, out = run(capsys, "scan", str(folder), "--library", library, "--quiet")
    assert "wait for a closer look" not in out
