"""Face regions with no area on the photo (what fuzzing found) are reported, not imported."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from photo_tagger.metadata import read_photo_metadata
from photo_tagger.metadata.regions import applied_dimensions
from tests.metadata.test_read_bounds import sidecar

MWG = "http://www.metadataworkinggroup.com/schemas/regions/"
AREA = "http://ns.adobe.com/xmp/sType/Area#"


def regions(*areas: tuple[str, str, str, str]) -> str:
    items = "".join(
        f'<rdf:li rdf:parseType="Resource"><mwg-rs:Type>Face</mwg-rs:Type>'
        f"<mwg-rs:Name>Person {i}</mwg-rs:Name><mwg-rs:Area "
        f'stArea:x="{x}" stArea:y="{y}" stArea:w="{w}" stArea:h="{h}" stArea:unit="normalized"/>'
        "</rdf:li>"
        for i, (x, y, w, h) in enumerate(areas)
    )
    return (
        f'<mwg-rs:Regions rdf:parseType="Resource" xmlns:mwg-rs="{MWG}" xmlns:stArea="{AREA}">'
        f"<mwg-rs:RegionList><rdf:Bag>{items}</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>"
    )


def test_faces_with_no_area_on_the_photo_are_reported(photo: Path) -> None:
    areas = [
        ("0.5", "0.5", "0.2", "0.2"),  # a face
        ("nan", "nan", "nan", "nan"),  # not a number: no region at all
        ("0.5", "0.5", "0", "0.2"),  # no width
        ("3", "3", "0.2", "0.2"),  # off the photo
        ("inf", "0.5", "inf", "0.1"),  # not a number: no region at all
    ]
    sidecar(photo, ["Tag"], regions(*areas))
    data = read_photo_metadata(photo)
    assert [f.name for f in data.faces] == ["Person 0"]
    (problem,) = data.problems
    assert "2 named faces not imported: their areas are empty" in problem


@pytest.mark.parametrize("size", ["1e999", "nan", "-inf", "x"])
def test_dimensions_that_are_no_number_are_none(size: str) -> None:
    prop = ET.fromstring(
        f'<r xmlns:m="{MWG}" xmlns:d="http://ns.adobe.com/xap/1.0/sType/Dimensions#">'
        f'<m:AppliedToDimensions d:w="{size}" d:h="100"/></r>'
    )
    assert applied_dimensions(prop) is None
