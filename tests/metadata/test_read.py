"""Reading what another application wrote (ExifTool writes the fixtures, as Lightroom or digiKam
would): keywords and named faces from sidecars and from metadata embedded in the photo."""

from __future__ import annotations

from pathlib import Path

import pytest

from photo_tagger.metadata import (
    NamedFace,
    PhotoMetadata,
    read_photo_metadata,
    sidecar_path,
    write_sidecar,
)
from tests.metadata.conftest import exiftool

W, H = 910, 1137


def test_keywords_and_faces_from_a_lightroom_style_sidecar(photo: Path) -> None:
    exiftool(
        "-q",
        "-o",
        photo.with_name("IMG_0001.xmp"),  # Lightroom's naming
        # Lightroom puts the leaf and its parents in dc:subject, the path in hierarchicalSubject
        "-XMP-dc:Subject=Animals",
        "-XMP-dc:Subject=Cat",
        "-XMP-dc:Subject=Sunset",
        "-XMP-dc:Subject=Bob",
        "-XMP-lr:HierarchicalSubject=Animals|Cat",
        "-XMP-lr:HierarchicalSubject=People|Bob",
        "-RegionInfo={AppliedToDimensions={W=910,H=1137,Unit=pixel},RegionList=["
        "{Area={X=0.5,Y=0.25,W=0.2,H=0.1,Unit=normalized},Name=Bob,Type=Face},"
        "{Area={X=0.5,Y=0.5,W=0.2,H=0.2,Unit=normalized},Type=Focus},"
        "{Area={X=0.2,Y=0.7,W=0.1,H=0.1,Unit=normalized},Type=Face}]}",
    )
    data = read_photo_metadata(photo)
    assert data.tags == ("Animals/Cat", "Sunset")  # People/Bob is Bob's face, not a tag
    (bob,) = data.faces  # the focus area and the unnamed face are not people
    assert bob.name == "Bob"
    assert bob.area == pytest.approx((0.4, 0.2, 0.6, 0.3))
    assert bob.box == pytest.approx((0.4 * W, 0.2 * H, 0.6 * W, 0.3 * H))
    assert not bob.ours and data.own_tags == ()
    assert (data.width, data.height) == (W, H)
    assert data.sources == (str(photo.with_name("IMG_0001.xmp")),)
    assert data.problems == ()


def test_keywords_and_faces_embedded_in_a_rotated_jpeg(photo: Path) -> None:
    exiftool(
        "-q",
        "-overwrite_original",
        "-Orientation#=6",  # stored 910 x 1137, shown 1137 x 910
        "-XMP-digiKam:TagsList=Places/Lisboa",
        "-IPTC:CodedCharacterSet=UTF8",
        "-IPTC:Keywords=Café",
        "-IPTC:Keywords=Lisboa",
        "-RegionInfo={AppliedToDimensions={W=910,H=1137,Unit=pixel},RegionList=["
        "{Area={X=0.25,Y=0.4,W=0.1,H=0.2,Unit=normalized},Name=Carla,Type=Face}]}",
        "-RegionInfoMP={Regions=[{PersonDisplayName=Carla,Rectangle=0.2|, 0.3|, 0.1|, 0.2}]}",
        photo,
    )
    data = read_photo_metadata(photo, photo.read_bytes())
    assert data.tags == ("Places/Lisboa", "Café")
    (carla,) = data.faces  # one face, though both schemas hold it
    assert carla.source == "embedded XMP (MWG)"
    # stored x 0.2..0.3, y 0.3..0.5; turned 90 degrees clockwise: x = 1 - y, y = x
    assert carla.area == pytest.approx((0.5, 0.2, 0.7, 0.3))
    assert carla.box == pytest.approx((0.5 * H, 0.2 * W, 0.7 * H, 0.3 * W))
    assert (data.width, data.height) == (H, W)
    assert data.sources == ("embedded XMP", "embedded IPTC")


def test_what_we_export_reads_back(photo: Path) -> None:
    face = NamedFace("Ana", (100.0, 200.0, 300.0, 450.0))
    write_sidecar(photo, PhotoMetadata(tags=("Animals/Cat",), faces=(face,), width=W, height=H))
    exiftool("-q", "-overwrite_original", "-XMP-lr:HierarchicalSubject=Places|Home", photo)
    data = read_photo_metadata(photo)
    assert data.tags == ("Animals/Cat", "Places/Home")
    assert data.own_tags == ("Animals/Cat",)  # a scan can tell our own echo from news
    assert [(f.name, f.ours) for f in data.faces] == [("Ana", True)]
    assert data.faces[0].box == pytest.approx(face.box, abs=0.01)


def test_a_broken_sidecar_is_reported_and_the_rest_still_read(photo: Path) -> None:
    exiftool("-q", "-overwrite_original", "-XMP-lr:HierarchicalSubject=Animals|Cat", photo)
    sidecar_path(photo).write_text("this is not XMP")
    data = read_photo_metadata(photo)
    assert data.tags == ("Animals/Cat",)
    (problem,) = data.problems
    assert str(sidecar_path(photo)) in problem and "not well-formed XMP" in problem


def test_plain_jpegs_skip_the_full_reader_and_tagged_ones_do_not(tmp_path: Path) -> None:
    import io

    from PIL import Image

    from photo_tagger.metadata.reader import nothing_embedded

    plain = io.BytesIO()
    Image.new("RGB", (8, 8)).save(plain, "JPEG")
    data = plain.getvalue()
    assert nothing_embedded(data)
    with_xmp = io.BytesIO()
    Image.new("RGB", (8, 8)).save(with_xmp, "JPEG", xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    assert not nothing_embedded(with_xmp.getvalue())
    app13 = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x00"
    segment = b"\xff\xed" + (len(app13) + 2).to_bytes(2, "big") + app13
    assert not nothing_embedded(data[:2] + segment + data[2:])
    assert not nothing_embedded(b"\x89PNG\r\n\x1a\n")  # other formats: always the full reader
