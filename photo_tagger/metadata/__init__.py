"""XMP sidecars in and out: tags, named faces, ratings and flags in the fields digiKam,
Lightroom, Immich and Windows read, merged into what is already there, and read back from sidecars
and embedded metadata.

Plain data in and out (no store, no Qt): the scan and the export wire it to the library.
"""

from photo_tagger.metadata.export import export_photos, photo_metadata
from photo_tagger.metadata.model import (
    NAMINGS,
    ExportOptions,
    ExportReport,
    FileMarks,
    ImportedFace,
    ImportedMetadata,
    NamedFace,
    PhotoMetadata,
    SidecarNaming,
)
from photo_tagger.metadata.reader import read_photo_metadata
from photo_tagger.metadata.sidecar import sidecar_candidates, sidecar_path, write_sidecar

__all__ = [
    "NAMINGS",
    "ExportOptions",
    "ExportReport",
    "FileMarks",
    "ImportedFace",
    "ImportedMetadata",
    "NamedFace",
    "PhotoMetadata",
    "SidecarNaming",
    "export_photos",
    "photo_metadata",
    "read_photo_metadata",
    "sidecar_candidates",
    "sidecar_path",
    "write_sidecar",
]
