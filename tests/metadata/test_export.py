"""`photo-tagger xmp export` over a really scanned library, checked with ExifTool."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from photo_tagger.app.export import library_record
from photo_tagger.app.thresholds import models_threshold
from photo_tagger.cli.main import main
from photo_tagger.store.library import Library
from photo_tagger.vision.model import default_models_dir
from tests.metadata.conftest import PHOTOS, as_list, dump, exiftool, regions

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """Three photos scanned into a library; the two people named and a tag added, with the CLI.

    turned.jpg is biden.jpg stored sideways with EXIF orientation 6, so it shows upright."""
    folder, library = tmp_path_factory.mktemp("photos"), tmp_path_factory.mktemp("library")
    shutil.copy(PHOTOS / "chelsea.jpg", folder / "chelsea.jpg")
    shutil.copy(PHOTOS / "obama.jpg", folder / "obama.jpg")
    with Image.open(PHOTOS / "biden.jpg") as im:
        im.transpose(Image.Transpose.ROTATE_90).save(folder / "turned.jpg", quality=95)
    exiftool("-q", "-overwrite_original", "-Orientation#=6", folder / "turned.jpg")
    lib = ("--library", str(library))
    assert main(["scan", str(folder), *lib, "--quiet"]) == 0
    assert main(["tag", "add", *lib, str(folder / "chelsea.jpg"), "Pets/Chelsea"]) == 0
    photos = _photos(library)
    assert main(["people", "name", *lib, photos["obama.jpg"]["faces"][0]["person"], "Barack"]) == 0
    assert main(["people", "name", *lib, photos["turned.jpg"]["faces"][0]["person"], "Joe"]) == 0
    return folder, library, _photos(library)


def _photos(library: Path) -> dict[str, Any]:
    """The library as `photo-tagger export` prints it, by file name."""
    with Library.open(library) as lib:
        data = library_record(lib, models_threshold(default_models_dir()))
    return {Path(p["paths"][0]).name: p for p in data["photos"]}


@pytest.fixture
def library(scanned: tuple[Path, Path, dict[str, Any]]) -> tuple[Path, Path, dict[str, Any]]:
    folder = scanned[0]
    for sidecar in folder.glob("*.xmp"):
        sidecar.unlink()
    return scanned


def test_export_writes_what_a_person_said(
    library: tuple[Path, Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, lib, photos = library
    code, out = run(capsys, "xmp", "export", "--library", lib)
    assert code == 0, out
    assert "3 sidecars written, 0 already up to date, 0 failed" in out

    names = ("chelsea.jpg.xmp", "obama.jpg.xmp", "turned.jpg.xmp")
    chelsea, obama, turned = dump(*(folder / n for n in names))
    # by default only what a person said: the tag added, not the model's "Animals/Cat"
    assert as_list(chelsea["XMP-dc:Subject"]) == ["Chelsea"]
    assert as_list(chelsea["XMP-lr:HierarchicalSubject"]) == ["Pets|Chelsea"]
    assert as_list(chelsea["XMP-digiKam:TagsList"]) == ["Pets/Chelsea"]
    assert regions(chelsea) == []

    assert as_list(obama["XMP-lr:HierarchicalSubject"]) == ["People|Barack"]
    (region,) = regions(obama)
    assert (region["Name"], region["Type"]) == ("Barack", "Face")
    x0, y0, x1, y1 = photos["obama.jpg"]["faces"][0]["box"]
    w, h = photos["obama.jpg"]["width"], photos["obama.jpg"]["height"]
    area = region["Area"]
    assert (area["X"], area["Y"]) == pytest.approx(((x0 + x1) / 2 / w, (y0 + y1) / 2 / h), abs=1e-5)
    assert (area["W"], area["H"]) == pytest.approx(((x1 - x0) / w, (y1 - y0) / h), abs=1e-5)
    assert obama["XMP-mwg-rs:RegionInfo"]["AppliedToDimensions"] == {
        "W": w,
        "H": h,
        "Unit": "pixel",
    }

    # turned.jpg: the library's box is upright (563 x 1280); the region is on the stored image
    joe = photos["turned.jpg"]
    assert (joe["width"], joe["height"]) == (563, 1280)
    info = turned["XMP-mwg-rs:RegionInfo"]
    assert info["AppliedToDimensions"] == {"W": 1280, "H": 563, "Unit": "pixel"}
    (region,) = info["RegionList"]
    x0, y0, x1, y1 = joe["faces"][0]["box"]
    # orientation 6 shows the stored image turned clockwise: stored x = upright y,
    # stored y = 1 - upright x
    centre = ((y0 + y1) / 2 / 1280, 1 - (x0 + x1) / 2 / 563)
    assert region["Name"] == "Joe"
    assert (region["Area"]["X"], region["Area"]["Y"]) == pytest.approx(centre, abs=1e-5)
    assert region["Area"]["W"] == pytest.approx((y1 - y0) / 1280, abs=1e-5)

    # nothing changed: nothing is rewritten
    stamps = {n: os.stat(folder / n).st_mtime_ns for n in names}
    code, out = run(capsys, "xmp", "export", "--library", lib)
    assert code == 0 and "0 sidecars written, 3 already up to date" in out
    assert {n: os.stat(folder / n).st_mtime_ns for n in names} == stamps

    # and what a scan would import back is the same people, in the same places
    code, out = run(capsys, "xmp", "read", folder / "turned.jpg")
    assert code == 0, out
    read = json.loads(out)
    assert [f["name"] for f in read["faces"]] == ["Joe"]
    assert read["faces"][0]["box"] == pytest.approx(joe["faces"][0]["box"], abs=0.1)


def test_model_tags_and_lightroom_naming_on_request(
    library: tuple[Path, Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, lib, photos = library
    argv = ("xmp", "export", "--library", lib, "--naming", "xmp", "--include-model-tags")
    code, out = run(capsys, *argv)
    assert code == 0, out
    assert not list(folder.glob("*.jpg.xmp"))
    (chelsea,) = dump(folder / "chelsea.xmp")
    tags = as_list(chelsea["XMP-digiKam:TagsList"])
    assert "Animals/Cat" in tags and "Pets/Chelsea" in tags
    # the photo's tags but its date, which is only a guess (the samples carry none)
    guessed = {
        t
        for t, a in photos["chelsea.jpg"]["auto"].items()
        if a["score"] < 1 and a["source"] == "photo"
    }
    assert guessed and not guessed & set(tags)
    assert sorted(tags) == sorted(set(photos["chelsea.jpg"]["tags"]) - guessed)


def test_a_read_only_folder_is_reported(library: tuple[Path, Path, dict[str, Any]]) -> None:
    folder, lib, _ = library
    cmd = [sys.executable, "-m", "photo_tagger.cli", "xmp", "export", "--library", str(lib)]
    if os.geteuid() == 0:  # root writes anywhere; drop the capabilities that let it
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    os.chmod(folder, 0o555)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    finally:
        os.chmod(folder, 0o755)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "0 sidecars written, 0 already up to date, 3 failed" in proc.stdout
    expected = (
        f"failed: {folder / 'obama.jpg'}: Cannot write {folder / 'obama.jpg.xmp'}: "
        "its folder is read-only (Permission denied)"
    )
    assert expected in proc.stdout
    assert not list(folder.glob("*.xmp")) and not list(folder.glob(".*.tmp"))


def test_what_the_photo_only_suggests_stays_out_of_the_sidecar() -> None:
    """With the model's tags going out too, a place or date that is a fact goes, a guess (a date
    from the file's time) or a suggestion (a neighbour's place) does not, unless the user set it."""
    from photo_tagger.metadata import ExportOptions
    from photo_tagger.metadata.export import photo_metadata

    def auto(score: float, source: str = "photo") -> dict[str, object]:
        return {"score": score, "source": source, "model": "x"}

    photo = {
        "tags": {
            "Places/Portugal": 1.0,
            "Places/Portugal/Lisbon": 0.6,
            "Dates/2026": 0.5,
            "Dates/2019": 0.5,
            "Animals/Cat": 0.4,
        },
        "auto": {
            "Places/Portugal": auto(1.0),
            "Places/Portugal/Lisbon": auto(0.6),
            "Dates/2026": auto(0.5),
            "Dates/2019": auto(0.5),
            "Animals/Cat": auto(0.4, "local"),
        },
        "user": {"Dates/2019": True},
        "faces": [],
    }
    with_models = photo_metadata(photo, {}, ExportOptions(include_model_tags=True))
    assert with_models.tags == ("Animals/Cat", "Dates/2019", "Places/Portugal")
    only_user = photo_metadata(photo, {}, ExportOptions())
    assert only_user.tags == ("Dates/2019",)
