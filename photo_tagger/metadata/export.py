"""Exporting photos: a sidecar next to every path of every photo of a record.

The record is the library as `photo-tagger export` prints it (photo_tagger.app.export builds it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from photo_tagger.errors import MetadataError
from photo_tagger.metadata.model import (
    ExportOptions,
    ExportReport,
    FileMarks,
    NamedFace,
    PhotoMetadata,
)
from photo_tagger.metadata.sidecar import sidecar_path, write_sidecar
from photo_tagger.store import rules

Progress = Callable[[int, int], None]  # (photos done, photos in all)


def export_photos(
    data: Mapping[str, Any],
    options: ExportOptions | None = None,
    on_progress: Progress | None = None,
) -> ExportReport:
    """Write (merge) the sidecar of every path of every photo in `data`, the library as
    `photo-tagger export` prints it."""
    options = options or ExportOptions()
    report = ExportReport()
    people = {p["id"]: p for p in data["people"]}
    owner: dict[Path, str] = {}  # sidecar -> the photo id it belongs to in this export
    photos = data["photos"]
    for done, photo in enumerate(photos, 1):
        metadata = photo_metadata(photo, people, options)
        for path in photo["paths"]:
            try:
                target = sidecar_path(Path(path), options.naming)
                other = owner.setdefault(target, photo["id"])
                if other != photo["id"]:
                    raise MetadataError(
                        f"{target} would also be the sidecar of another photo with the same name; "
                        "export with the naming 'jpg.xmp' (IMG_0001.jpg.xmp) to keep them apart."
                    )
                if write_sidecar(Path(path), metadata, options.naming):
                    report.written.append(str(target))
                else:
                    report.unchanged.append(path)
            except MetadataError as exc:
                report.failed.append((path, str(exc)))
        if on_progress is not None:
            on_progress(done, len(photos))
    return report


def photo_metadata(
    photo: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]], options: ExportOptions
) -> PhotoMetadata:
    """What goes out for one photo: tags a person added (and, if asked, the model's tags over
    their threshold and what the photo carries, its place and date, but not what is only a guess
    or a suggestion), the faces of named, visible people, and the rating and flags the user set."""
    if options.include_model_tags:
        auto = photo.get("auto", {})
        user = photo["user"]

        tags = [t for t in photo["tags"] if not rules.is_guess(auto.get(t), user.get(t))]
    else:
        tags = [t for t, present in photo["user"].items() if present]
    faces = []
    for face in photo["faces"]:
        person = people.get(face["person"]) if face["person"] else None
        if person and person.get("name") and not person.get("hidden"):
            x0, y0, x1, y1 = (float(v) for v in face["box"])
            faces.append(NamedFace(str(person["name"]), (x0, y0, x1, y1)))
    marks = photo.get("marks") or {}
    return PhotoMetadata(
        tags=tuple(sorted(tags)),
        faces=tuple(faces),
        width=photo.get("width"),
        height=photo.get("height"),
        marks=FileMarks(marks.get("rating"), marks.get("favourite"), marks.get("rejected")),
    )
