"""What other apps (or a person) wrote into a photo's XMP and IPTC, brought into the library.

A person put those keywords and face names there, so they arrive as the user's own edits: tags
as user tags, named face regions as confirmed people, a rating and pick flags as the photo's
rating, favourite and reject flags. They never overrule what the user already said in
photo-tagger: a tag the user added or removed, a face the user confirmed or rejected, or a
rating or flag the user set, stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from photo_tagger.metadata import FileMarks, ImportedMetadata

PEOPLE_BRANCH = "People/"  # person keywords: the names arrive with their face regions instead
MIN_OVERLAP = 0.5


@dataclass
class ImportCounts:
    tags: int = 0
    faces: int = 0
    marks: int = 0  # ratings and flags


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def apply_imported(
    doc: Any,
    photo_id: str,
    imported: ImportedMetadata,
    width: int,
    height: int,
    people_by_name: dict[str, str],
) -> ImportCounts:
    """Write `imported` into the document for `photo_id` (inside the caller's transaction).

    `people_by_name` maps names to person ids; people created here are added to it, so that a
    batch of photos naming "Ana" makes one Ana.
    """
    counts = ImportCounts(marks=_import_marks(doc, photo_id, imported.marks))
    user = doc.user_tags(photo_id)
    for tag in imported.tags:
        if tag.startswith(PEOPLE_BRANCH) or tag in user:
            continue
        doc.set_user_tag(photo_id, tag, True)
        counts.tags += 1

    _, faces = doc.faces(photo_id)
    for named in imported.faces:
        box = named.box
        if box is None:
            x0, y0, x1, y1 = named.area
            box = (x0 * width, y0 * height, x1 * width, y1 * height)
        overlaps = [(iou(box, f["box"]), i) for i, f in enumerate(faces)]
        best, face = max(overlaps, default=(0.0, -1))
        if best < MIN_OVERLAP:
            continue  # a region our detector did not find: nothing to attach the name to
        current = doc.face_person(photo_id, face)
        if current is not None and current[1]:
            continue  # the user already said who this is
        person = people_by_name.get(named.name)
        if person is not None:
            rejected = {doc.resolve_person(p) for p in doc.rejected(photo_id, face)}
            if doc.resolve_person(person) in rejected:
                continue  # the user said this face is not them
        else:
            person = doc.new_person(named.name)
            people_by_name[named.name] = person
        doc.confirm_person(photo_id, face, person)
        counts.faces += 1
    return counts


def _import_marks(doc: Any, photo_id: str, found: FileMarks) -> int:
    """The rating and flags the file says, for the fields the user never set; how many."""
    if found.empty:
        return 0
    have = doc.marks(photo_id)
    new = {k: v for k, v in vars(found).items() if v is not None and have.get(k) is None}
    if new:
        doc.set_marks([photo_id], **new)
    return len(new)


def people_by_name(doc: Any) -> dict[str, str]:
    """Named people, by name (the first of several with one name)."""
    out: dict[str, str] = {}
    for p in doc.people():
        if p.get("name") and not p.get("merged_into"):
            out.setdefault(p["name"], p["id"])
    return out
