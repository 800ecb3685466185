"""Ratings and flags in XMP: what we write, read by ExifTool and exiv2 (digiKam's library) in the
fields Lightroom and digiKam use; what they write, read back; nobody else's values clobbered."""

from __future__ import annotations

from pathlib import Path

import pyexiv2

from photo_tagger.metadata import FileMarks, PhotoMetadata, read_photo_metadata, write_sidecar
from tests.metadata.conftest import dump, exiftool


def sidecar(photo: Path) -> Path:
    return photo.with_name(photo.name + ".xmp")


def test_exiftool_and_exiv2_read_stars_and_a_favourite(photo: Path) -> None:
    assert write_sidecar(photo, PhotoMetadata(marks=FileMarks(rating=4, favourite=True)))
    (entry,) = dump(sidecar(photo))
    assert entry["XMP-xmp:Rating"] == 4
    assert entry["XMP-digiKam:PickLabel"] == 3  # digiKam's "Accepted"
    image = pyexiv2.Image(str(sidecar(photo)))
    try:
        xmp = image.read_xmp()
    finally:
        image.close()
    assert xmp["Xmp.xmp.Rating"] == "4" and xmp["Xmp.digiKam.PickLabel"] == "3"


def test_a_rejected_photo_is_rated_minus_one_and_picked_rejected(photo: Path) -> None:
    write_sidecar(photo, PhotoMetadata(marks=FileMarks(rating=3, rejected=True)))
    (entry,) = dump(sidecar(photo))
    assert entry["XMP-xmp:Rating"] == -1 and entry["XMP-digiKam:PickLabel"] == 1


def test_what_we_write_reads_back(photo: Path) -> None:
    for marks in (
        FileMarks(rating=5),
        FileMarks(rating=2, favourite=True),
        FileMarks(rejected=True),
    ):
        write_sidecar(photo, PhotoMetadata(marks=marks))
        assert read_photo_metadata(photo).marks == marks
    assert write_sidecar(photo, PhotoMetadata(marks=FileMarks(rejected=True))) is False


def test_ratings_lightroom_and_digikam_wrote_are_read(photo: Path) -> None:
    exiftool("-q", "-o", photo.with_name("IMG_0001.xmp"), "-XMP-xmp:Rating=3", photo)
    assert read_photo_metadata(photo).marks == FileMarks(rating=3)
    photo.with_name("IMG_0001.xmp").unlink()
    exiftool("-q", "-o", sidecar(photo), "-XMP-xmp:Rating=-1", photo)
    assert read_photo_metadata(photo).marks == FileMarks(rejected=True)
    sidecar(photo).unlink()
    exiftool("-q", "-o", sidecar(photo), "-XMP-digiKam:PickLabel=3", "-XMP-xmp:Rating=0", photo)
    assert read_photo_metadata(photo).marks == FileMarks(favourite=True)  # 0 stars: unrated


def test_a_rating_that_is_not_one_is_reported_and_not_imported(photo: Path) -> None:
    for bad in ("7", "high", "2.5", "NaN", "9" * 400):
        sidecar(photo).write_text(
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
            f'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="{bad}" '
            'xmlns:digiKam="http://www.digikam.org/ns/1.0/" digiKam:PickLabel="-4"/>'
            "</rdf:RDF></x:xmpmeta>"
        )
        data = read_photo_metadata(photo)
        assert data.marks == FileMarks(), bad
        assert "is not -1 to 5 stars; it was not imported" in data.problems[0], data.problems
        assert "the pick label '-4' is not 0 to 3" in data.problems[1], data.problems


def test_another_apps_values_stay_unless_the_user_set_that_field(photo: Path) -> None:
    exiftool(
        "-q", "-o", sidecar(photo), "-XMP-xmp:Rating=2", "-XMP-digiKam:PickLabel=2",
        "-XMP-dc:Title=Kept", "-XMP-xmp:Label=Red", photo,
    )  # fmt: skip
    # tags only: the rating and digiKam's "Pending" stay as the other app wrote them
    write_sidecar(photo, PhotoMetadata(tags=("Animals/Cat",)))
    (entry,) = dump(sidecar(photo))
    assert entry["XMP-xmp:Rating"] == 2 and entry["XMP-digiKam:PickLabel"] == 2
    # the user rated it and said it is not a favourite: their word, the rest kept
    write_sidecar(photo, PhotoMetadata(marks=FileMarks(rating=5, favourite=False)))
    (entry,) = dump(sidecar(photo))
    assert entry["XMP-xmp:Rating"] == 5 and entry["XMP-digiKam:PickLabel"] == 2
    assert entry["XMP-dc:Title"] == "Kept" and entry["XMP-xmp:Label"] == "Red"
    # a favourite no more: our Accepted label goes; rejected no more: -1 goes
    write_sidecar(photo, PhotoMetadata(marks=FileMarks(favourite=True, rejected=True)))
    write_sidecar(photo, PhotoMetadata(marks=FileMarks(favourite=False, rejected=False)))
    (entry,) = dump(sidecar(photo))
    assert entry["XMP-xmp:Rating"] == 0 and "XMP-digiKam:PickLabel" not in entry
