"""Whatever a tag or a name holds, a written sidecar is well-formed XMP every application reads."""

from __future__ import annotations

from pathlib import Path

from photo_tagger.metadata import (
    NamedFace,
    PhotoMetadata,
    read_photo_metadata,
    sidecar_path,
    write_sidecar,
)
from tests.metadata.conftest import exiftool


def test_characters_xml_cannot_hold_are_left_out_of_a_sidecar(photo: Path) -> None:
    face = NamedFace("Ana\x00Maria", (100.0, 200.0, 300.0, 450.0))
    tags = ("Animals/Cat\x01", "Sun\x1fset", "Places/Lis\x0bboa")
    write_sidecar(photo, PhotoMetadata(tags=tags, faces=(face,), width=910, height=1137))
    exiftool("-q", "-validate", "-error", sidecar_path(photo))  # ExifTool reads it
    data = read_photo_metadata(photo)
    assert data.problems == ()
    assert set(data.tags) == {"Animals/Cat", "Sunset", "Places/Lisboa"}
    assert [f.name for f in data.faces] == ["AnaMaria"]
