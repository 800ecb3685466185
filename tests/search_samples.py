"""A library to search: real sample photos with the EXIF a camera writes (dates, GPS), scanned by
the real models, with tags the user added and a named person.

    chelsea.jpg        a cat; Lisbon, 2024-06-12 evening; the user's tag "Pets/Guinea Pig"
    coffee.jpg         a coffee; New York, 2023-12-24 morning; the user's "Projects/Concatenate"
    obama.jpg          a face, "Anna Conceição"; Lisbon, 2024-06-12 evening (chelsea's event)
    obama2.jpg         the same face; São Paulo, 2023-08-01; the user's "Férias/Algarve"
    IMG_1234.jpg       a motorcycle, nothing carried
    scatter-plot.png   a rocket, as a PNG
    b"Caf\\xe9 9876.jpg"  a rocket under a name that is not UTF-8 (Latin-1)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2

from photo_tagger.app.scan import Importer
from photo_tagger.store.library import Library
from photo_tagger.vision.pipeline import Models
from tests.context.conftest import LISBON, NEW_YORK, PHOTOS, exif_block, jpeg_with_exif

SAO_PAULO = (-23.5505, -46.6333)
PERSON = "Anna Conceição"
NOT_UTF8 = os.fsdecode(b"Caf\xe9 9876.jpg")


def build(root: Path, models: Models) -> Path:
    """The library (in root/library; its photos in root/photos)."""
    photos = root / "photos"
    photos.mkdir(parents=True)
    for sample, when, where in (
        ("chelsea", "2024:06:12 19:05:00", LISBON),
        ("coffee", "2023:12:24 10:00:00", NEW_YORK),
        ("obama", "2024:06:12 19:20:00", LISBON),
        ("obama2", "2023:08:01 12:00:00", SAO_PAULO),
    ):
        exif = exif_block(taken=when, position=where, make="Canon", model="EOS R6")
        jpeg_with_exif(photos, exif, PHOTOS / f"{sample}.jpg")
    shutil.copy(PHOTOS / "motorcycle.jpg", photos / "IMG_1234.jpg")
    cv2.imwrite(str(photos / "scatter-plot.png"), cv2.imread(str(PHOTOS / "rocket.jpg")))
    shutil.copy(PHOTOS / "rocket.jpg", photos / NOT_UTF8)
    # a copy of the rocket would be the same photo: make it another
    with open(photos / NOT_UTF8, "ab") as handle:
        handle.write(b"\0")
    with Library.open(root / "library") as library:
        report = Importer(library, models, workers=2).scan([photos])
        assert report.analysed == 7 and not report.skipped, report
        ids = photo_ids(library)
        doc = library.document
        doc.set_user_tag(ids["chelsea.jpg"], "Pets/Guinea Pig", True)
        doc.set_user_tag(ids["coffee.jpg"], "Projects/Concatenate", True)
        doc.set_user_tag(ids["obama2.jpg"], "Férias/Algarve", True)
        face = doc.face_person(ids["obama.jpg"], 0)
        assert face is not None
        doc.set_person_name(doc.resolve_person(face[0]), PERSON)
    return root / "library"


def photo_ids(library: Library) -> dict[str, str]:
    """File name -> content id, for the library's photos."""
    out = {}
    for cid in library.document.photo_ids():
        for path in library.index.paths_for(cid):
            out[os.path.basename(path)] = cid
    return out
