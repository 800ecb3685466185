"""What the window's Info panel says about one photo: when, with what camera and lens, how it was
exposed, its size in pixels and bytes, the objects found in it, its files and its place.

Capture time, camera, position, place and objects are what a scan (and the closer look for objects)
stored in the local index (app/context.py, app/closer_look.py);
the lens and the exposure are not stored, so they are read from the first HEAD_BYTES of the photo's
file when asked for (context/exposure.py): the file may have changed, be gone or be anything at
all, and then those lines are left out. Both reads run off the UI thread; `lines` turns what they
found into (label, text) rows.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from photo_tagger.context.exposure import Shot, read_shot
from photo_tagger.errors import ImageError
from photo_tagger.files.discovery import read_photo_head
from photo_tagger.store.index import LocalIndex
from photo_tagger.words import count

HEAD_BYTES = 8 * 1024 * 1024  # JPEG, TIFF and the RAW formats keep their EXIF well inside this


@dataclass(frozen=True)
class FileFacts:
    path: str
    size: int  # bytes, when the scan last saw it
    mtime_ns: int


@dataclass(frozen=True)
class PhotoInfo:
    photo_id: str
    files: list[FileFacts] = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    added: float | None = None  # when the library first saw it (epoch seconds)
    taken: str | None = None  # ISO 8601, the camera's clock
    taken_guessed: bool = False  # from the file's date: the photo says nothing
    camera: str | None = None  # "make|model|serial"
    position: tuple[float, float] | None = None
    place: str | None = None  # JSON text: [country, region, city, code]
    shot: Shot = field(default_factory=Shot)
    objects: tuple[str, ...] = ()  # the classes of the objects found in it, best first


def read_info(index_file: Path, photo_id: str) -> PhotoInfo | None:
    """What the index knows of the photo (None: it has no record); no file is read."""
    reader = LocalIndex.open_reader(index_file)
    try:
        photo = reader.photo(photo_id)
        if photo is None:
            return None
        files = []
        for path in reader.paths_for(photo_id):
            found = reader.lookup(path)
            if found is not None:
                files.append(FileFacts(path, found[0], found[1]))
        capture = reader.capture(photo_id)
        objects = reader.object_labels(photo_id).get(photo_id, ())
    finally:
        reader.close()
    return PhotoInfo(
        photo_id,
        files,
        width=photo["width"] or None,
        height=photo["height"] or None,
        added=photo["added"],
        taken=capture.taken if capture else None,
        taken_guessed=capture.taken_guessed if capture else False,
        camera=capture.camera if capture else None,
        position=capture.position if capture else None,
        place=capture.place if capture else None,
        objects=objects,
    )


def read_shot_of(path: str) -> Shot:
    """The lens and exposure of the file at `path`, from its first bytes; empty when the file
    cannot be read or says nothing."""
    try:
        return read_shot(read_photo_head(path, HEAD_BYTES))
    except ImageError:
        return Shot()


def lines(info: PhotoInfo) -> list[tuple[str, str]]:
    """(label, text) rows for the Info panel, leaving out what is not known."""
    out: list[tuple[str, str]] = []
    taken = taken_text(info.taken, info.taken_guessed)
    if taken:
        out.append(("Taken", taken))
    camera = camera_text(info.camera)
    if camera:
        out.append(("Camera", camera))
    shot = info.shot
    if shot.lens:
        out.append(("Lens", shot.lens))
    exposure = exposure_text(shot)
    if exposure:
        out.append(("Exposure", exposure))
    if shot.focal_mm is not None:
        focal = f"{shot.focal_mm:g} mm"
        if shot.focal_35mm and abs(shot.focal_35mm - shot.focal_mm) >= 1:
            focal += f" (like {shot.focal_35mm} mm on full frame)"
        out.append(("Focal length", focal))
    if info.width and info.height:
        mp = info.width * info.height / 1e6
        out.append(("Size", f"{info.width} × {info.height} ({mp:.1f} MP)"))
    if info.files:
        out.append(("File size", size_text(info.files[0].size)))
    if info.objects:
        out.append(("Objects", objects_text(info.objects)))
    place = place_text(info.place)
    if place:
        out.append(("Place", place))
    if info.position is not None:
        lat, lon = info.position
        out.append(
            (
                "Position",
                f"{abs(lat):.5f}° {'N' if lat >= 0 else 'S'}, "
                f"{abs(lon):.5f}° {'E' if lon >= 0 else 'W'}",
            )
        )
    if info.added is not None:
        out.append(("Added", datetime.fromtimestamp(info.added).strftime("%d %B %Y, %H:%M")))
    return out


# COCO's classes whose plural is not the class with an "s"
PLURALS = {
    "person": "people",
    "bus": "buses",
    "bench": "benches",
    "sheep": "sheep",
    "skis": "skis",
    "wine glass": "wine glasses",
    "knife": "knives",
    "sandwich": "sandwiches",
    "broccoli": "broccoli",
    "couch": "couches",
    "mouse": "mice",
    "scissors": "scissors",
    "toothbrush": "toothbrushes",
}


def objects_text(labels: tuple[str, ...]) -> str:
    """How many of each kind, the most first: "4 people, 2 ties, 1 dining table"."""
    return ", ".join(count(n, k, PLURALS.get(k)) for k, n in Counter(labels).most_common())


def taken_text(taken: str | None, guessed: bool) -> str | None:
    if not taken:
        return None
    try:
        when = datetime.fromisoformat(taken)
    except ValueError:
        return None
    text = when.strftime("%A %d %B %Y, %H:%M:%S")
    offset = when.utcoffset()
    if offset is not None:
        text += f" (UTC{when.strftime('%z')[:3]}:{when.strftime('%z')[3:]})"
    if guessed:
        text += " — from the file's date: the photo does not say"
    return text


def camera_text(key: str | None) -> str | None:
    if not key:
        return None
    make, _, rest = key.partition("|")
    model = rest.partition("|")[0]
    if make and model and not model.lower().startswith(make.lower().split()[0]):
        return f"{make} {model}"
    return model or make or None


def exposure_text(shot: Shot) -> str | None:
    parts = []
    if shot.shutter:
        parts.append(shot.shutter)
    if shot.f_number is not None:
        parts.append(f"f/{round(shot.f_number, 1):g}")
    if shot.iso is not None:
        parts.append(f"ISO {shot.iso}")
    return "  ·  ".join(parts) or None


def size_text(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def place_text(stored: str | None) -> str | None:
    """ "City, Region, Country" from the index's JSON (parts repeated or missing left out)."""
    if not stored:
        return None
    try:
        country, region, city, _ = json.loads(stored)
    except (ValueError, TypeError):
        return None
    parts: list[str] = []
    for part in (city, region, country):
        if isinstance(part, str) and part and part not in parts:
            parts.append(part)
    return ", ".join(parts) or None
