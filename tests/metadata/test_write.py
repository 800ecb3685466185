"""What we write, read by real third-party readers: ExifTool, and exiv2 (which digiKam uses)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyexiv2
import pytest
from PIL import Image, ImageOps

from photo_tagger.errors import SidecarFormatError, SidecarWriteError
from photo_tagger.metadata import NamedFace, PhotoMetadata, sidecar_path, write_sidecar
from tests.metadata.conftest import as_list, dump, exiftool, regions

W, H = 910, 1137  # obama.jpg
ANA = NamedFace("Ana", (100.0, 200.0, 300.0, 450.0))
BOB = NamedFace("Bob", (500.0, 150.0, 700.0, 400.0))
META = PhotoMetadata(
    tags=("Animals/Cat", "Holidays/Lisbon 2024"), faces=(ANA, BOB), width=W, height=H
)


def test_exiftool_reads_keywords_and_named_faces(photo: Path) -> None:
    assert write_sidecar(photo, META) is True
    sidecar = photo.with_name("IMG_0001.jpg.xmp")
    (entry,) = dump(sidecar)
    assert as_list(entry["XMP-dc:Subject"]) == ["Cat", "Lisbon 2024", "Ana", "Bob"]
    assert as_list(entry["XMP-lr:HierarchicalSubject"]) == [
        "Animals|Cat",
        "Holidays|Lisbon 2024",
        "People|Ana",
        "People|Bob",
    ]
    assert as_list(entry["XMP-digiKam:TagsList"]) == [
        "Animals/Cat",
        "Holidays/Lisbon 2024",
        "People/Ana",
        "People/Bob",
    ]
    info = entry["XMP-mwg-rs:RegionInfo"]
    assert info["AppliedToDimensions"] == {"W": W, "H": H, "Unit": "pixel"}
    found = {r["Name"]: r for r in regions(entry)}
    assert set(found) == {"Ana", "Bob"}
    for face in (ANA, BOB):
        region = found[face.name]
        assert region["Type"] == "Face"
        area = region["Area"]
        x0, y0, x1, y1 = face.box
        assert area["Unit"] == "normalized"
        assert area["X"] == pytest.approx((x0 + x1) / 2 / W, abs=1e-5)  # the centre of the box
        assert area["Y"] == pytest.approx((y0 + y1) / 2 / H, abs=1e-5)
        assert area["W"] == pytest.approx((x1 - x0) / W, abs=1e-5)
        assert area["H"] == pytest.approx((y1 - y0) / H, abs=1e-5)
    mp = {r["PersonDisplayName"]: r["Rectangle"] for r in entry["XMP-MP:RegionInfoMP"]["Regions"]}
    x, y, w, h = (float(v) for v in mp["Ana"].split(","))  # top-left corner, then the size
    assert (x, y, w, h) == pytest.approx((100 / W, 200 / H, 200 / W, 250 / H), abs=1e-5)
    # ExifTool's flat views, the ones most scripts use
    flat = exiftool("-s3", "-RegionName", "-RegionType", "-Keywords", "-Subject", sidecar)
    assert "Ana, Bob" in flat and "Face, Face" in flat


def test_exiv2_reads_the_same(photo: Path) -> None:
    write_sidecar(photo, META)
    image = pyexiv2.Image(str(photo.with_name("IMG_0001.jpg.xmp")))
    try:
        xmp = image.read_xmp()
    finally:
        image.close()
    assert xmp["Xmp.dc.subject"] == ["Cat", "Lisbon 2024", "Ana", "Bob"]
    assert "People|Bob" in xmp["Xmp.lr.hierarchicalSubject"]
    assert xmp["Xmp.digiKam.TagsList"][0] == "Animals/Cat"
    base = "Xmp.mwg-rs.Regions/mwg-rs:RegionList"
    names = [xmp[f"{base}[{i}]/mwg-rs:Name"] for i in (1, 2)]
    assert names == ["Ana", "Bob"]
    assert float(xmp[f"{base}[1]/mwg-rs:Area/stArea:x"]) == pytest.approx(200 / W, abs=1e-5)
    assert xmp["Xmp.mwg-rs.Regions/mwg-rs:AppliedToDimensions/stDim:w"] == str(W)
    assert xmp["Xmp.MP.RegionInfo/MPRI:Regions[2]/MPReg:PersonDisplayName"] == "Bob"


def test_regions_of_a_rotated_photo_point_at_the_face(tmp_path: Path, photo: Path) -> None:
    """MWG areas are relative to the photo as stored; the library's boxes are upright. Check with
    the pixels: the region's centre in the stored image is the box's centre in the upright one."""
    turned = tmp_path / "photos" / "turned.jpg"
    with Image.open(photo) as im:
        im.transpose(Image.Transpose.ROTATE_90).save(turned, quality=95)  # stored sideways
    exiftool("-q", "-overwrite_original", "-Orientation#=6", turned)  # shown upright
    with Image.open(turned) as im:
        stored = im.convert("RGB")
        upright = ImageOps.exif_transpose(im).convert("RGB")
    assert upright.size == (W, H) and stored.size == (H, W)
    box = (600.0, 100.0, 800.0, 300.0)  # upright pixels, off-centre so every mistake shows
    write_sidecar(turned, PhotoMetadata(faces=(NamedFace("Ana", box),), width=W, height=H))

    (entry,) = dump(sidecar_path(turned))
    assert entry["XMP-mwg-rs:RegionInfo"]["AppliedToDimensions"] == {
        "W": H,
        "H": W,
        "Unit": "pixel",
    }
    (region,) = regions(entry)
    area = region["Area"]
    assert area["W"] == pytest.approx(200 / H, abs=1e-5)  # sideways: width and height swap
    x0, x1 = (area["X"] - area["W"] / 2) * H, (area["X"] + area["W"] / 2) * H
    y0, y1 = (area["Y"] - area["H"] / 2) * W, (area["Y"] + area["H"] / 2) * W
    crop = stored.crop((round(x0), round(y0), round(x1), round(y1)))
    face = np.asarray(upright.crop((600, 100, 800, 300)), dtype=float)
    # the stored crop, turned the way orientation 6 turns the photo, is the face
    assert np.abs(np.asarray(crop.transpose(Image.Transpose.ROTATE_270)) - face).mean() < 3
    # and reading the region as if it were upright would land elsewhere
    naive = upright.crop((round(x0), round(y0), round(x1), round(y1))).resize((200, 200))
    assert np.abs(np.asarray(naive, dtype=float) - face).mean() > 20


def test_a_second_export_rewrites_nothing(photo: Path) -> None:
    assert write_sidecar(photo, META) is True
    sidecar = sidecar_path(photo)
    before = os.stat(sidecar)
    assert write_sidecar(photo, META) is False
    after = os.stat(sidecar)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_lightroom_naming(photo: Path) -> None:
    assert sidecar_path(photo, "xmp") == photo.with_name("IMG_0001.xmp")
    write_sidecar(photo, META, naming="xmp")
    assert photo.with_name("IMG_0001.xmp").is_file()
    assert not photo.with_name("IMG_0001.jpg.xmp").exists()


def test_nothing_to_say_writes_no_file(photo: Path) -> None:
    assert write_sidecar(photo, PhotoMetadata()) is False
    assert list(photo.parent.iterdir()) == [photo]


def test_a_sidecar_we_cannot_read_is_never_overwritten(photo: Path) -> None:
    sidecar = sidecar_path(photo)
    garbage = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><unclosed>"
    sidecar.write_bytes(garbage)
    with pytest.raises(SidecarFormatError, match="not well-formed XMP"):
        write_sidecar(photo, META)
    assert sidecar.read_bytes() == garbage
    assert [p.name for p in photo.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_sidecar_that_is_a_link_is_never_written_through(tmp_path: Path, photo: Path) -> None:
    outside = tmp_path / "elsewhere" / "outside.xmp"
    outside.parent.mkdir()
    link = sidecar_path(photo)
    link.symlink_to(outside)  # dangling: writing through it would create a file elsewhere
    with pytest.raises(SidecarWriteError, match="symbolic link"):
        write_sidecar(photo, META)
    assert not outside.exists()
    assert link.is_symlink() and os.readlink(link) == str(outside)
    outside.write_bytes(b"theirs")  # a link to a file: neither is touched
    with pytest.raises(SidecarWriteError, match="symbolic link"):
        write_sidecar(photo, META)
    assert outside.read_bytes() == b"theirs" and link.is_symlink()
