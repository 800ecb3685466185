"""The plain functions at the centre: orientation, keyword mapping, packets read and written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from photo_tagger.errors import SidecarFormatError
from photo_tagger.metadata.keywords import combine_keywords, keyword_fields
from photo_tagger.metadata.merge import merge, wanted
from photo_tagger.metadata.model import NamedFace, PhotoMetadata
from photo_tagger.metadata.packet import parse, serialize
from photo_tagger.metadata.regions import stored_area, upright_area

unit = st.floats(min_value=0.0, max_value=1.0)


@given(st.integers(1, 8), st.tuples(unit, unit, unit, unit))
def test_orientation_there_and_back(orientation: int, corners: tuple[float, ...]) -> None:
    a, b, c, d = corners
    box = (min(a, c), min(b, d), max(a, c), max(b, d))
    there = stored_area(box, orientation)
    assert upright_area(there, orientation) == pytest.approx(box)
    assert there[2] - there[0] == pytest.approx(
        box[3] - box[1] if orientation >= 5 else box[2] - box[0]
    )


def test_keyword_fields_and_back() -> None:
    fields = keyword_fields(["Animals/Cat", " Holidays / Lisbon ", "Cat", "Animals/Cat"])
    assert fields.subject == ["Cat", "Lisbon"]
    assert fields.hierarchical == ["Animals|Cat", "Holidays|Lisbon", "Cat"]
    assert fields.tags_list == ["Animals/Cat", "Holidays/Lisbon", "Cat"]
    # parents and the leaves' echoes in dc:subject are not tags of their own
    paths = ["Animals", "Animals/Cat", "Holidays/Lisbon"]
    assert combine_keywords(paths, ["Animals", "Cat", "Lisbon", "Sunset"]) == [
        "Animals/Cat",
        "Holidays/Lisbon",
        "Sunset",
    ]


LIGHTROOM = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0">
 <!-- written by hand -->
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
    xmp:Rating="3"
    darktable:history_end="4">
   <darktable:history>
    <rdf:Seq>
     <rdf:li darktable:operation="exposure" darktable:params="0000&amp;"/>
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def test_merging_keeps_prefixes_comments_and_attributes() -> None:
    packet = parse(LIGHTROOM, "test")
    assert serialize(parse(serialize(packet), "again")) == serialize(packet)
    meta = PhotoMetadata(tags=("Animals/Cat",), faces=(NamedFace("Ana", (10, 10, 20, 20)),))
    merge(packet, wanted(meta, orientation=1))  # no size: keywords only
    text = serialize(packet).decode()
    assert text.startswith('<x:xmpmeta xmlns:x="adobe:ns:meta/"')
    assert "<!-- written by hand -->" in text
    assert 'darktable:history_end="4"' in text and 'darktable:params="0000&amp;"' in text
    assert "<rdf:li>Animals|Cat</rdf:li>" in text and "<rdf:li>People|Ana</rdf:li>" in text
    assert "mwg-rs:Regions" not in text
    assert text.endswith("</x:xmpmeta>\n")


def test_a_doctype_is_refused() -> None:
    evil = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&a;</x:xmpmeta>'
    with pytest.raises(SidecarFormatError, match="DOCTYPE"):
        parse(evil, "evil.xmp")
