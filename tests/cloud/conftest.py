"""The sample photos scanned into a library (a fresh copy for each test), and a server's folder
with one library."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from photo_tagger.cli.main import main
from photo_tagger.server.storage import Storage
from tests.harness import add_library

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
GPS_PHOTO = "rocket.jpg"  # unsure locally (best tag ~0.5), so it is sent


def with_gps_exif_and_xmp(jpeg: bytes) -> bytes:
    """The same JPEG (same pixels, so the same local scores) with a camera's EXIF, a GPS position
    and an XMP packet spliced in after its start marker."""
    exif = Image.Exif()
    exif[0x010F] = "PrivateCam"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 36.0)}  # GPS IFD
    app1 = exif.tobytes()
    xmp = (
        b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
        b"xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
        b"xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude='52,31.2N'/></rdf:RDF>"
        b"</x:xmpmeta>"
    )

    def segment(payload: bytes) -> bytes:
        return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload

    return jpeg[:2] + segment(app1) + segment(xmp) + jpeg[2:]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample photos (one with GPS in its EXIF and XMP) scanned once into a library."""
    folder = tmp_path_factory.mktemp("photos")
    for p in PHOTOS.glob("*.jpg"):
        data = p.read_bytes()
        (folder / p.name).write_bytes(with_gps_exif_and_xmp(data) if p.name == GPS_PHOTO else data)
    assert Image.open(folder / GPS_PHOTO).getexif().get_ifd(0x8825)  # the GPS is really there
    library = tmp_path_factory.mktemp("scanned") / "library"
    assert main(["scan", str(folder), "--library", str(library)]) == 0
    return library


@pytest.fixture
def library_dir(scanned: Path, tmp_path: Path) -> Path:
    """A fresh copy of the scanned library for each test."""
    return Path(shutil.copytree(scanned, tmp_path / "library"))


@pytest.fixture
def server_data(storage: Storage) -> tuple[Path, str]:
    """The folder of the server (the `server` fixture) with one library; (folder, token)."""
    _, token = add_library(storage, "photos")
    return Path(storage.location).parent, token
