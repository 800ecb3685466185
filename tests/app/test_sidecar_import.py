"""A scan brings in what other apps wrote: keywords as user tags, named faces as people."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from photo_tagger.cli.main import main
from tests.metadata.conftest import exiftool

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def export(capsys: pytest.CaptureFixture[str], library: Path) -> dict:
    assert main(["export", "--library", str(library)]) == 0
    return json.loads(capsys.readouterr().out)


def test_scan_imports_keywords_and_named_faces_from_another_apps_sidecar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(PHOTOS / "obama.jpg", folder / "obama.jpg")
    shutil.copy(PHOTOS / "obama2.jpg", folder / "obama2.jpg")
    # where our detector finds the face, to place the other app's region on it
    main(["scan", str(folder), "--library", str(tmp_path / "probe"), "--quiet"])
    capsys.readouterr()
    probe = export(capsys, tmp_path / "probe")
    photo = next(p for p in probe["photos"] if p["paths"][0].endswith("/obama.jpg"))
    (x0, y0, x1, y1), w, h = photo["faces"][0]["box"], photo["width"], photo["height"]
    cx, cy, bw, bh = (x0 + x1) / 2 / w, (y0 + y1) / 2 / h, (x1 - x0) / w, (y1 - y0) / h
    region = (
        f"{{AppliedToDimensions={{W={w},H={h},Unit=pixel}},RegionList=[{{Area={{X={cx},Y={cy},"
        f"W={bw},H={bh},Unit=normalized}},Name=Barack Obama,Type=Face}}]}}"
    )
    exiftool(
        "-q", "-o", folder / "obama.jpg.xmp", "-XMP-dc:Subject=Speech",
        "-XMP-lr:HierarchicalSubject=Events|Speech", f"-XMP-mwg-rs:RegionInfo={region}",
        folder / "obama.jpg",
    )  # fmt: skip

    library = tmp_path / "lib"
    assert main(["scan", str(folder), "--library", str(library)]) == 0
    out = capsys.readouterr().out
    assert "1 tags, 1 named faces" in out, out  # "Speech" is the leaf of Events|Speech
    data = export(capsys, library)
    photos = {Path(p["paths"][0]).name: p for p in data["photos"]}
    assert photos["obama.jpg"]["user"] == {"Events/Speech": True}
    person = photos["obama.jpg"]["faces"][0]["person"]
    names = {p["id"]: p["name"] for p in data["people"]}
    assert names[person] == "Barack Obama"
    # grouping then finds the same man in the photo nobody named
    assert photos["obama2.jpg"]["faces"][0]["person"] == person

    # a tag the user removes is not brought back by the sidecar at the next scan
    main(["tag", "remove", "--library", str(library), str(folder / "obama.jpg"), "Events/Speech"])
    (folder / "obama.jpg").touch()
    main(["scan", str(folder), "--library", str(library), "--quiet"])
    capsys.readouterr()
    photos = {Path(p["paths"][0]).name: p for p in export(capsys, library)["photos"]}
    assert photos["obama.jpg"]["user"] == {"Events/Speech": False}


def test_scan_imports_another_apps_rating_and_pick_flag_never_over_the_users(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    photo = folder / "coffee.jpg"
    shutil.copy(PHOTOS / "coffee.jpg", photo)
    # as Lightroom (stars) and digiKam (its "Accepted" pick label) write them
    exiftool(
        "-q", "-o", folder / "coffee.xmp", "-XMP-xmp:Rating=3", "-XMP-digiKam:PickLabel=3", photo
    )
    library = tmp_path / "lib"
    assert main(["scan", str(folder), "--library", str(library), "--quiet"]) == 0
    capsys.readouterr()
    (record,) = export(capsys, library)["photos"]
    assert record["marks"] == {"rating": 3, "favourite": True}

    assert main(["rate", "--library", str(library), str(photo), "5", "--no-favourite"]) == 0
    (folder / "coffee.xmp").unlink()
    exiftool("-q", "-o", folder / "coffee.xmp", "-XMP-xmp:Rating=-1", photo)  # rejected elsewhere
    os.utime(photo, (1, 1))
    main(["scan", str(folder), "--library", str(library), "--quiet"])
    capsys.readouterr()
    (record,) = export(capsys, library)["photos"]
    # the user's stars and favourite stay; the reject, which the user never set, comes in
    assert record["marks"] == {"rating": 5, "favourite": False, "rejected": True}
