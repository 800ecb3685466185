"""The library as a record: what `photo-tagger export` prints and what the sidecars are written
from, built once for the command line, the window and the XMP export.

A photo's record: its id, the paths it has on this computer, its size, its tags (effective, over
their threshold), the model's tags with their sources, what the user said (its tags; its rating
and flags, "marks", the fields the user set), its faces with the person each is, and the objects
found in it (class, score, box; kept on this computer only). The people: id, name, how many
faces, hidden or not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from photo_tagger.app.thresholds import Threshold
from photo_tagger.metadata import ExportOptions, ExportReport, export_photos
from photo_tagger.metadata.export import Progress
from photo_tagger.store.library import Library

Record = dict[str, Any]


def photo_record(library: Library, photo_id: str, threshold: Threshold) -> Record:
    doc, index = library.document, library.index
    row = index.photo(photo_id)
    _, faces = doc.faces(photo_id)
    out_faces = []
    for i, f in enumerate(faces):
        fp = doc.face_person(photo_id, i)
        person = doc.resolve_person(fp[0]) if fp else None
        out_faces.append({"box": f["box"], "score": f["score"], "person": person})
    for n, box in doc.user_faces(photo_id).items():  # drawn by the user: a face for sure
        fp = doc.face_person(photo_id, n)
        person = doc.resolve_person(fp[0]) if fp else None
        out_faces.append({"box": box, "score": 1.0, "person": person})
    return {
        "id": photo_id,
        "paths": sorted(index.paths_for(photo_id)),
        "width": row["width"] if row else None,
        "height": row["height"] if row else None,
        "tags": library.effective_tags(photo_id, threshold),
        "auto": library.auto_tags(photo_id),
        "user": doc.user_tags(photo_id),
        "marks": doc.marks(photo_id).known(),
        "faces": out_faces,
        "objects": index.objects(photo_id),
    }


def people_records(library: Library, photos: Iterable[Record]) -> list[Record]:
    """Everyone not merged into someone else, with the faces they have in `photos`."""
    face_counts: dict[str, int] = {}
    for photo in photos:
        for face in photo["faces"]:
            if face["person"] is not None:
                face_counts[face["person"]] = face_counts.get(face["person"], 0) + 1
    return [
        {"id": p["id"], "name": p["name"], "faces": face_counts.get(p["id"], 0)}
        | ({"hidden": True} if p.get("hidden") else {})
        for p in library.document.people()
        if not p.get("merged_into")
    ]


def library_record(library: Library, threshold: Threshold) -> Record:
    """Every photo of the library (by id) and everyone in it: `photo-tagger export`."""
    doc = library.document
    photos = [photo_record(library, cid, threshold) for cid in sorted(doc.photo_ids())]
    return {"photos": photos, "people": people_records(library, photos)}


def files_record(library: Library, threshold: Threshold, photo_ids: Iterable[str]) -> Record:
    """These photos, those of them with a file on this computer, and the library's people: what
    their sidecars are written from."""
    doc, index = library.document, library.index
    photos = [
        photo_record(library, cid, threshold)
        for cid in photo_ids
        if doc.has_photo(cid) and index.paths_for(cid)
    ]
    return {"photos": photos, "people": people_records(library, photos)}


def export_sidecars(
    library: Library,
    threshold: Threshold,
    options: ExportOptions | None = None,
    on_progress: Progress | None = None,
) -> ExportReport:
    """Write (merge) the sidecar of every photo of `library` (metadata.export_photos)."""
    return export_photos(library_record(library, threshold), options, on_progress)
