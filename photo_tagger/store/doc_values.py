"""What a value read from the shared document must look like, checked where it is read.

Any device (or anyone holding a sync token) can write anything into the shared document, and
every device then reads it. So nothing read from it is trusted: each reader here takes the raw
value and returns it in the shape doc_layout.py describes, or None with what is wrong in words.
A malformed value is then treated as absent and reported (`photo-tagger check` lists them and
sets them aside), never raised. Plain functions over plain values (shared types arrive as
their Python values, see `plain`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from photo_tagger.store.rules import tag_problem

SEP = "|"
Problem = str  # what is wrong, in words


def plain(value: Any) -> Any:
    """A shared type (Map, Array, Text) as its Python value; anything else as it is."""
    to_py = getattr(value, "to_py", None)
    return to_py() if callable(to_py) else value


def is_number(value: Any) -> bool:
    """A finite int or float that fits a float (True and False are not numbers here)."""
    if type(value) is float:  # nearly every value read: scores and boxes
        return math.isfinite(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def short(value: Any, limit: int = 60) -> str:
    text = repr(plain(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def photo_id_problem(photo_id: Any) -> Problem | None:
    if not isinstance(photo_id, str) or not photo_id or SEP in photo_id:
        return f"{short(photo_id)} is not a photo's content id"
    return None


def face_key(key: str) -> tuple[str, int] | None:
    """(photo id, face) of a "<content id>|<face>" key, or None if it is not one."""
    photo_id, sep, face = key.partition(SEP)
    if (
        not sep
        or photo_id_problem(photo_id)
        or not (face.isascii() and face.isdigit())
        or len(face) > 6
    ):
        return None
    return photo_id, int(face)


def tags_record(value: Any) -> tuple[dict[str, Any] | None, Problem | None]:
    """{"model": str, "tags": {tag: score}}: a model's tags, local or cloud."""
    if value is None:
        return None, None
    if not isinstance(value, dict) or not isinstance(value.get("model"), str):
        return None, f"its model's tags are not a model name with tags: {short(value)}"
    tags = value.get("tags")
    if not isinstance(tags, dict):
        return None, f"its model's tags are not a table of tags and scores: {short(tags)}"
    good: dict[str, float] = {}
    bad: list[str] = []
    for tag, score in tags.items():
        problem = tag_problem(tag) if isinstance(tag, str) else "not text"
        if problem:
            bad.append(f"the tag {short(tag)} is not a tag name ({problem})")
        elif not is_number(score):
            bad.append(f"the tag {tag!r} has the score {short(score)}, not a number")
        else:
            good[tag] = float(score)
    problem = None
    if bad:
        more = f" (and {len(bad) - 1} more tags)" if len(bad) > 1 else ""
        problem = f"{bad[0]}{more}; the model's other tags are kept"
    return {"model": value["model"], "tags": good}, problem


def _face_problem(face: Any) -> Problem | None:
    if not isinstance(face, dict):
        return f"a face is {short(face)}, not a face"
    box = face.get("box")
    if not isinstance(box, list) or len(box) != 4 or not all(is_number(v) for v in box):
        return f"a face's box is {short(box)}, not 4 numbers"
    if not is_number(face.get("score")):
        return f"a face's score is {short(face.get('score'))}, not a number"
    eyes = face.get("eyes")
    if eyes is not None and not (
        isinstance(eyes, list)
        and len(eyes) == 2
        and all(isinstance(e, list) and len(e) == 2 and all(map(is_number, e)) for e in eyes)
    ):
        return f"a face's eyes are {short(eyes)}, not two points"
    return None


def faces_record(value: Any) -> tuple[dict[str, Any] | None, Problem | None]:
    """{"detector": str, "faces": [{"box", "score", "eyes"?}]}."""
    if value is None:
        return None, None
    if not isinstance(value, dict) or not isinstance(value.get("detector"), str):
        return None, f"its faces are not a detector with faces: {short(value)}"
    faces = value.get("faces")
    if not isinstance(faces, list):
        return None, f"its faces are {short(faces)}, not a list"
    for face in faces:
        problem = _face_problem(face)
        if problem:
            return None, problem
    return value, None


def photo_record(value: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A "photos" value (JSON text of {"auto", "faces"}): the parts that are well formed (None
    for all of it when it is not such a text) and what is wrong with the others."""
    if not isinstance(value, str):
        return None, [f"its record is {short(value)}, not the text of a record"]
    try:
        record = json.loads(value)
    except (ValueError, RecursionError):
        return None, [f"its record is not JSON: {short(value)}"]
    if not isinstance(record, dict):
        return None, [f"its record is {short(record)}, not an object"]
    auto, auto_problem = tags_record(record.get("auto"))
    faces, faces_problem = faces_record(record.get("faces"))
    problems = [p for p in (auto_problem, faces_problem) if p]
    return {**record, "auto": auto, "faces": faces}, problems


def photo_tags_record(value: Any) -> tuple[dict[str, Any] | None, Problem | None]:
    """The model's tags of a "photos" value, as photo_record() reads them, its faces left
    unread (what a reader of tags alone needs)."""
    if not isinstance(value, str):
        return None, f"its record is {short(value)}, not the text of a record"
    try:
        record = json.loads(value)
    except (ValueError, RecursionError):
        return None, f"its record is not JSON: {short(value)}"
    if not isinstance(record, dict):
        return None, f"its record is {short(record)}, not an object"
    return tags_record(record.get("auto"))


def cloud_record(value: Any) -> tuple[dict[str, Any] | None, Problem | None]:
    """An "auto.cloud" value: JSON text of {"model", "tags"}."""
    if not isinstance(value, str):
        return None, f"its cloud tags are {short(value)}, not the text of a record"
    try:
        record = json.loads(value)
    except (ValueError, RecursionError):
        return None, f"its cloud tags are not JSON: {short(value)}"
    if record is None:
        return None, "its cloud tags are empty"
    return tags_record(record)


def user_tag(key: Any, value: Any) -> tuple[tuple[str, str, bool] | None, Problem | None]:
    """A "user" entry: (photo id, tag, present)."""
    photo_id, sep, tag = str(key).partition(SEP)
    if not sep or photo_id_problem(photo_id):
        return None, f"{short(key)} is not a photo and a tag"
    problem = tag_problem(tag)
    if problem:
        return None, f"it is not a tag name ({problem})"
    if not isinstance(value, bool):
        return None, f"it is {short(value)}, not added (true) or removed (false)"
    return (photo_id, tag, value), None


def suggestion(value: Any) -> tuple[tuple[str, bool] | None, Problem | None]:
    """A "face_person" value: (person id, confirmed)."""
    value = plain(value)
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("person"), str)
        or not isinstance(value.get("confirmed", False), bool)
    ):
        return None, f"the suggested person is {short(value)}, not a person"
    return (value["person"], bool(value.get("confirmed", False))), None


def confirmation(value: Any) -> tuple[str | None, Problem | None]:
    """A "confirmed" value: a person id."""
    if not isinstance(value, str) or not value:
        return None, f"the confirmed person is {short(value)}, not a person"
    return value, None


def person(value: Any, is_map: bool) -> tuple[dict[str, Any] | None, Problem | None]:
    """A "people" value: a Map {"name": str | None, "merged_into": id | None, "hidden": bool}."""
    value = plain(value)
    if not is_map or not isinstance(value, dict):
        return None, f"the person is {short(value)}, not a person's entry"
    name, merged_into = value.get("name"), value.get("merged_into")
    hidden = value.get("hidden", False)
    if name is not None and not isinstance(name, str):
        return None, f"the person's name is {short(name)}, not text"
    if merged_into is not None and (not isinstance(merged_into, str) or not merged_into):
        return None, f"the person is merged into {short(merged_into)}, not a person"
    if not isinstance(hidden, bool):
        return None, f"the person's 'hidden' is {short(hidden)}, not true or false"
    return {"name": name, "merged_into": merged_into, "hidden": hidden}, None


ROTATIONS = (0, 90, 180, 270)  # degrees clockwise, on top of the orientation the photo carries
USER_FACE_FIRST = 100_000  # face numbers from here on are faces the user drew (the detector's: 0..)
MAX_COORDINATE = 1e6  # a face box's corners, in pixels of the photo


def rotation(value: Any) -> tuple[int | None, Problem | None]:
    """A "rotation" value: how far the user turned the photo, in degrees clockwise."""
    if is_number(value) and float(value) in ROTATIONS:
        return int(value), None
    return None, f"its rotation is {short(value)}, not 0, 90, 180 or 270 degrees"


def user_face(key: Any, value: Any) -> tuple[tuple[str, int, list[float]] | None, Problem | None]:
    """A "user_faces" entry: (photo id, face number, box [x0, y0, x1, y1])."""
    face = face_key(key) if isinstance(key, str) else None
    if face is None or face[1] < USER_FACE_FIRST:
        return None, "it is not a photo and the number of a face drawn by hand"
    value = plain(value)
    box = value.get("box") if isinstance(value, dict) else None
    if (
        not isinstance(box, list)
        or len(box) != 4
        or not all(is_number(v) and abs(v) <= MAX_COORDINATE for v in box)
        or not (box[0] < box[2] and box[1] < box[3])
    ):
        return None, f"the face drawn by hand is {short(value)}, not a box"
    return (face[0], face[1], [float(v) for v in box]), None


def describe(root: str, key: str) -> str:
    """Which photo, face or person a key of `root` is about, in words."""
    if root in ("photos", "auto.cloud", "rotation"):
        return f"photo {key}"
    if root == "people":
        return f"person {key}"
    if root in ("face_person", "confirmed", "user_faces"):
        face = face_key(key)
        return f"face {face[1]} of photo {face[0]}" if face else f"the face {key!r}"
    if root == "user":
        photo_id, _, tag = key.partition(SEP)
        return f"photo {photo_id}, tag {tag!r}"
    if root == "marks" and SEP in key:
        photo_id, _, name = key.partition(SEP)
        return f"photo {photo_id}, its {name!r}"
    return f"{root} {key!r}"
