"""What one photo's metadata brings is bounded: a sidecar is anyone's file. Many keywords are read
in time linear in their number and capped; control characters and endless tags stay out."""

from __future__ import annotations

import threading
from pathlib import Path

from photo_tagger.metadata import ImportedMetadata, read_photo_metadata
from tests.metadata.conftest import exiftool

HANG = 120.0  # seconds: only a hang fails; reading 200,000 keywords takes well under one


def sidecar(photo: Path, subjects: list[str], extra: str = "") -> None:
    items = "".join(f"<rdf:li>{s}</rdf:li>" for s in subjects)
    photo.with_name(photo.name + ".xmp").write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:lr="http://ns.adobe.com/lightroom/1.0/">'
        f"<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>{extra}"
        "</rdf:Description></rdf:RDF></x:xmpmeta>",
        encoding="utf-8",
    )


def read_in_time(photo: Path) -> ImportedMetadata:
    found: list[ImportedMetadata] = []
    reader = threading.Thread(target=lambda: found.append(read_photo_metadata(photo)), daemon=True)
    reader.start()
    reader.join(HANG)
    assert not reader.is_alive(), f"reading the sidecar took more than {HANG} s"
    return found[0]


def test_200000_keywords_are_read_and_capped(photo: Path) -> None:
    paths = "".join(f"<rdf:li>Top|Deep{i}</rdf:li>" for i in range(0, 200_000, 100))
    extra = f"<lr:hierarchicalSubject><rdf:Bag>{paths}</rdf:Bag></lr:hierarchicalSubject>"
    sidecar(photo, [f"Keyword {i}" for i in range(200_000)], extra)
    data = read_in_time(photo)
    assert len(data.tags) == 1_000
    assert data.tags[:2] == ("Top/Deep0", "Top/Deep100")
    (problem,) = data.problems
    assert "202000 keywords; only the first 1000 were imported" in problem


def test_keywords_with_control_characters_are_not_imported(photo: Path) -> None:
    sidecar(photo, ["Good", "Tab&#9;bed", "Line&#10;break", "Carriage&#13;return"])
    data = read_photo_metadata(photo)
    assert data.tags == ("Good",)
    (problem,) = data.problems
    assert "3 keywords with control characters were not imported" in problem


def test_iptc_keywords_with_control_characters_are_not_imported(photo: Path) -> None:
    exiftool(
        "-q",
        "-overwrite_original",
        "-E",  # &#x7; is the byte 7 in the file
        "-IPTC:Keywords=Bell&#x7;Tag",
        "-IPTC:Keywords=Nul&#x0;Tag",
        "-IPTC:Keywords=Escape&#x1b;Tag",
        "-IPTC:Keywords=Lisboa",
        photo,
    )
    data = read_photo_metadata(photo, photo.read_bytes())
    assert data.tags == ("Lisboa",)
    assert any("3 keywords with control characters" in p for p in data.problems)


def test_endless_keywords_are_not_imported(photo: Path) -> None:
    sidecar(photo, ["Fine", "x" * 201, "y" * 200])
    data = read_photo_metadata(photo)
    assert data.tags == ("Fine", "y" * 200)
    (problem,) = data.problems
    assert "1 keyword longer than 200 characters was not imported" in problem


def test_thousands_of_named_faces_are_read_and_capped(photo: Path) -> None:
    regions = "".join(
        '<rdf:li rdf:parseType="Resource"><mwg-rs:Type>Face</mwg-rs:Type>'
        f"<mwg-rs:Name>Person {i}</mwg-rs:Name><mwg-rs:Area "
        f'stArea:x="{(i % 100) / 100 + 0.005}" stArea:y="{(i // 100) / 100 + 0.005}" '
        'stArea:w="0.01" stArea:h="0.01" stArea:unit="normalized"/></rdf:li>'
        for i in range(5_000)
    )
    extra = (
        '<mwg-rs:Regions rdf:parseType="Resource" '
        'xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" '
        'xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">'
        f"<mwg-rs:RegionList><rdf:Bag>{regions}</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>"
    )
    sidecar(photo, ["Crowd", "Bell&#9;Tag"], extra)
    data = read_in_time(photo)
    assert len(data.faces) == 1_000
    assert data.tags == ("Crowd",)
    assert any("5000 named face areas; only the first 1000" in p for p in data.problems)
