"""Merge, never clobber: a sidecar another application wrote keeps everything that is not ours."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from photo_tagger.metadata import NamedFace, PhotoMetadata, sidecar_path, write_sidecar
from tests.metadata.conftest import as_list, dump, exiftool, regions

W, H = 910, 1137
ANA = NamedFace("Ana", (100.0, 200.0, 300.0, 450.0))


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A sidecar as Lightroom / digiKam would leave it: develop settings, captions, rating, place,
    keywords, a named face (in both region schemas) and a focus region."""
    sidecar = tmp_path_factory.mktemp("foreign") / "IMG_0001.jpg.xmp"
    exiftool(
        "-q",
        "-o",
        sidecar,
        "-XMP-dc:Title=Sunday",
        "-XMP-dc:Creator=Bea",
        "-XMP-dc:Description-de=Am Strand",
        "-XMP-xmp:Rating=4",
        "-XMP-xmp:Label=Red",
        "-XMP-photoshop:City=Lisboa",
        "-XMP-crs:Exposure2012=+0.50",
        "-XMP-iptcExt:PersonInImage=Bob",
        "-XMP-dc:Subject=Holiday",
        "-XMP-dc:Subject=Beach",
        "-XMP-lr:HierarchicalSubject=Places|Beach",
        "-XMP-digiKam:TagsList=Places/Beach",
        "-RegionInfo={AppliedToDimensions={W=910,H=1137,Unit=pixel},RegionList=["
        "{Area={X=0.6,Y=0.3,W=0.1,H=0.1,Unit=normalized},Name=Bob,Type=Face},"
        "{Area={X=0.5,Y=0.5,W=0.2,H=0.2,Unit=normalized},Type=Focus}]}",
        "-RegionInfoMP={Regions=[{PersonDisplayName=Bob,Rectangle=0.55|, 0.25|, 0.1|, 0.1}]}",
    )
    return sidecar.read_bytes()


def foreign_sidecar(photo: Path, foreign: bytes) -> Path:
    sidecar = sidecar_path(photo)
    sidecar.write_bytes(foreign)
    return sidecar


def without_ours(entry: dict[str, Any], added: dict[str, list[str]]) -> dict[str, Any]:
    """ExifTool's reading with the values we added taken out again."""
    out = copy.deepcopy(entry)
    for key, values in added.items():
        kept = [v for v in as_list(out.pop(key, [])) if v not in values]
        if kept:
            out[key] = kept  # ExifTool gives list tags as lists, one item or many
    for key in [k for k in out if k.startswith("XMP-phototagger:")]:
        del out[key]
    info = out.get("XMP-mwg-rs:RegionInfo")
    if info:
        info["RegionList"] = [r for r in info["RegionList"] if r.get("Name") != "Ana"]
    mp = out.get("XMP-MP:RegionInfoMP")
    if mp:
        mp["Regions"] = [r for r in mp["Regions"] if r.get("PersonDisplayName") != "Ana"]
    return out


def test_export_keeps_every_foreign_field(photo: Path, foreign: bytes) -> None:
    sidecar = foreign_sidecar(photo, foreign)
    (before,) = dump(sidecar)
    meta = PhotoMetadata(tags=("Animals/Cat", "Places/Beach"), faces=(ANA,), width=W, height=H)
    assert write_sidecar(photo, meta) is True

    (after,) = dump(sidecar)
    assert as_list(after["XMP-dc:Subject"]) == ["Holiday", "Beach", "Cat", "Ana"]
    assert as_list(after["XMP-lr:HierarchicalSubject"]) == [
        "Places|Beach",
        "Animals|Cat",
        "People|Ana",
    ]
    assert [r.get("Name") for r in regions(after)] == ["Bob", None, "Ana"]
    added = {
        "XMP-dc:Subject": ["Cat", "Ana"],
        "XMP-lr:HierarchicalSubject": ["Animals|Cat", "People|Ana"],
        "XMP-digiKam:TagsList": ["Animals/Cat", "People/Ana"],
    }
    assert without_ours(after, added) == before

    # Taking everything of ours back out leaves exactly what the other application wrote,
    # including 'Beach', which it had before we wanted it too.
    assert write_sidecar(photo, PhotoMetadata()) is True
    assert dump(sidecar) == [before]


def test_removed_tags_and_renamed_people_leave_the_sidecar(photo: Path, foreign: bytes) -> None:
    sidecar = foreign_sidecar(photo, foreign)
    first = PhotoMetadata(tags=("Animals/Cat", "Food/Coffee"), faces=(ANA,), width=W, height=H)
    write_sidecar(photo, first)
    renamed = NamedFace("Ana Lima", ANA.box)
    write_sidecar(photo, PhotoMetadata(tags=("Animals/Cat",), faces=(renamed,), width=W, height=H))
    (entry,) = dump(sidecar)
    assert as_list(entry["XMP-dc:Subject"]) == ["Holiday", "Beach", "Cat", "Ana Lima"]
    assert as_list(entry["XMP-digiKam:TagsList"]) == [
        "Places/Beach",
        "Animals/Cat",
        "People/Ana Lima",
    ]
    assert [r.get("Name") for r in regions(entry)] == ["Bob", None, "Ana Lima"]
    mp = [r["PersonDisplayName"] for r in entry["XMP-MP:RegionInfoMP"]["Regions"]]
    assert mp == ["Bob", "Ana Lima"]


def test_a_face_another_app_named_is_not_written_twice(photo: Path, foreign: bytes) -> None:
    sidecar = foreign_sidecar(photo, foreign)  # Bob: centre (0.6, 0.3), 0.1 x 0.1
    bob = NamedFace("Bob", (0.552 * W, 0.252 * H, 0.652 * W, 0.352 * H))  # nearly the same box
    assert write_sidecar(photo, PhotoMetadata(faces=(bob,), width=W, height=H)) is True
    (entry,) = dump(sidecar)
    assert [r.get("Name") for r in regions(entry)] == ["Bob", None]
    assert [r["PersonDisplayName"] for r in entry["XMP-MP:RegionInfoMP"]["Regions"]] == ["Bob"]
    assert "People|Bob" in as_list(entry["XMP-lr:HierarchicalSubject"])
