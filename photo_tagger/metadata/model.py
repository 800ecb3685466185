"""The plain data going into a sidecar and coming out of a photo's metadata.

Tags are paths separated by '/', as in the library ("Animals/Cat"). Face boxes are (x0, y0, x1, y1)
in pixels of the upright photo at full size, as the library keeps them; areas are the same box
divided by the upright width and height.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# "jpg.xmp": IMG_0001.jpg.xmp (digiKam, darktable, ExifTool's default); "xmp": IMG_0001.xmp
# (Lightroom, Capture One).
SidecarNaming = Literal["jpg.xmp", "xmp"]
NAMINGS: tuple[SidecarNaming, ...] = ("jpg.xmp", "xmp")

PEOPLE_BRANCH = "People"  # person names go out as keywords under this branch: People/Ana

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class NamedFace:
    name: str
    box: Box  # pixels of the upright photo


@dataclass(frozen=True)
class FileMarks:
    """A photo's marks as a sidecar says them (None: it says nothing of that)."""

    rating: int | None = None
    favourite: bool | None = None
    rejected: bool | None = None

    @property
    def empty(self) -> bool:
        return self.rating is None and self.favourite is None and self.rejected is None


@dataclass(frozen=True)
class PhotoMetadata:
    """What photo-tagger writes into one photo's sidecar."""

    tags: tuple[str, ...] = ()
    faces: tuple[NamedFace, ...] = ()
    width: int | None = None  # of the upright photo; faces need it
    height: int | None = None
    orientation: int | None = None  # the photo's EXIF orientation; None: read it from the photo
    marks: FileMarks = FileMarks()  # the rating and flags the user set


@dataclass(frozen=True)
class ImportedFace:
    name: str
    area: Box  # normalised (0..1) to the upright photo
    box: Box | None  # pixels of the upright photo, when its size is known
    source: str  # which file and schema it came from, e.g. "IMG_1.jpg.xmp (MWG)"
    ours: bool = False  # photo-tagger wrote it (an export of this or another library)


@dataclass(frozen=True)
class ImportedMetadata:
    """What another application (or a person) put in a photo's sidecars and embedded metadata."""

    tags: tuple[str, ...] = ()
    faces: tuple[ImportedFace, ...] = ()
    width: int | None = None  # of the upright photo, when the photo could be read
    height: int | None = None
    # Tags photo-tagger itself wrote (a subset of `tags`): a scan may skip them, as the library they
    # came from already has them, or restore them into a new library.
    own_tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # what was read: sidecar paths, "embedded XMP", "embedded IPTC"
    problems: tuple[str, ...] = ()  # what could not be read, and why
    marks: FileMarks = FileMarks()  # the rating and flags another application set

    def to_json(self) -> dict[str, Any]:
        return {
            "tags": list(self.tags),
            "faces": [
                {
                    "name": f.name,
                    "box": None if f.box is None else [round(v, 1) for v in f.box],
                    "area": [round(v, 6) for v in f.area],
                    "source": f.source,
                    "ours": f.ours,
                }
                for f in self.faces
            ],
            "own_tags": list(self.own_tags),
            "width": self.width,
            "height": self.height,
            "sources": list(self.sources),
            "problems": list(self.problems),
            "marks": {k: v for k, v in vars(self.marks).items() if v is not None},
        }


@dataclass(frozen=True)
class ExportOptions:
    naming: SidecarNaming = "jpg.xmp"
    # False: only what a person said (tags the user added, named people). True: also the model's
    # tags over their threshold.
    include_model_tags: bool = False


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)  # sidecar paths
    unchanged: list[str] = field(default_factory=list)  # photo paths whose sidecar was up to date
    failed: list[tuple[str, str]] = field(default_factory=list)  # (photo path, reason)

    def summary(self) -> str:
        return (
            f"{len(self.written)} sidecars written, {len(self.unchanged)} already up to date, "
            f"{len(self.failed)} failed."
        )
