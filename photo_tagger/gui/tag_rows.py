"""What the Tags panel lists for the selected photos: one row per tag, and one per named person
the user confirmed on a face (`People/Name`, as digiKam and the XMP sidecars name them), with
where each came from, the scores, on how many of the photos, and the words of its tooltip.

Removing a person's row says that the face is not that person, on each selected photo where it
was confirmed: the person keeps their name and their other faces, and Ctrl+Z puts the face back.
"""

from __future__ import annotations

from collections.abc import Iterable, KeysView
from dataclasses import dataclass, field

from PySide6.QtGui import QUndoCommand

from photo_tagger.gui.edits import RejectFace, SetTag, Steps
from photo_tagger.gui.session import Session

PEOPLE = "People"
FACE = "face"  # the source of a person's row: a face the user named or confirmed

_SOURCES = {
    "you": "you added it",
    "model": "the model on this computer",
    "cloud": "the cloud model",
    "photo": "what the photo carries (its GPS, its date)",
    "suggested": "suggested: the place of a photo taken nearby",
    "guess": "a guess from the file's date",
    FACE: "a face you named or confirmed",
}


@dataclass
class TagRow:
    tag: str  # the whole name, "Places/Portugal/Lisbon"; a person's is "People/Ana"
    parts: tuple[str, ...]  # where it sits in the tree, from the root
    sources: set[str] = field(default_factory=set)
    scores: list[float] = field(default_factory=list)
    models: set[str] = field(default_factory=set)
    photos: int = 0  # how many of the selected photos have it
    tagged: bool = False  # a tag on some of the photos (not only a person's face)
    people: set[str] = field(default_factory=set)  # named people (resolved ids) shown as this tag

    @property
    def source(self) -> str:
        return ", ".join(sorted(self.sources))

    @property
    def score(self) -> str:
        if not self.scores:
            return "—"
        lo, hi = min(self.scores), max(self.scores)
        return f"{hi:.2f}" if abs(hi - lo) < 0.005 else f"{lo:.2f}–{hi:.2f}"

    def tooltip(self, selected: int) -> str:
        """The whole tag, where it came from, its score, on how many photos; for a person, what
        removing it does and where people are named."""
        lines = [self.tag]
        for source in sorted(self.sources):
            lines.append(f"Source: {source} ({_SOURCES.get(source, source)})")
        if self.models:
            lines.append(f"Model: {', '.join(sorted(self.models))}")
        if self.scores:
            lines.append(f"Score: {self.score} (1.00: certain)")
        if selected > 1:
            lines.append(f"On {self.photos} of the {selected} photos")
        if self.people:
            name = self.parts[-1]
            lines.append(
                f"{name} is confirmed on a face here. Remove says that face is not {name} "
                "(Ctrl+Z undoes it); name or rename people in the People view (Ctrl+2)."
            )
        return "\n".join(lines)


def tag_rows(session: Session, photo_ids: list[str]) -> dict[str, TagRow]:
    """The rows for these photos, by tag."""
    rows: dict[str, TagRow] = {}
    for pid in photo_ids:
        facts = session.facts_of(pid)
        for tag, fact in facts.tags.items():
            r = rows.get(tag)
            if r is None:
                r = rows[tag] = TagRow(tag, tuple(tag.split("/")), tagged=True)
            r.photos += 1
            r.sources.add(fact.label)
            if fact.source != "you":
                r.scores.append(fact.score)
            if fact.model:
                r.models.add(fact.model)
        if facts.confirmed:
            _add_people(session, rows, facts.confirmed, facts.tags.keys())
    return rows


def _add_people(
    session: Session, rows: dict[str, TagRow], confirmed: Iterable[str], tags: KeysView[str]
) -> None:
    """The rows of the named people confirmed on a photo's faces (counted once a photo)."""
    names = session.names()
    named: dict[str, str] = {}
    for stored in confirmed:
        person = session.resolve(stored)
        name = " ".join(names.get(person, "").split())
        if name:
            named[person] = name
    for tag in {f"{PEOPLE}/{name}" for name in named.values()} - tags:
        r = rows.get(tag)
        if r is None:
            r = rows[tag] = TagRow(tag, (PEOPLE, tag[len(PEOPLE) + 1 :]))
        r.photos += 1
    for person, name in named.items():
        r = rows[f"{PEOPLE}/{name}"]
        r.sources.add(FACE)
        r.people.add(person)


def remove_rows(session: Session, photo_ids: list[str], rows: list[TagRow]) -> QUndoCommand | None:
    """One undoable step that takes these rows off the photos: the tag, and for a person the
    confirmation on each face (the face is not them); None when there is nothing to take off."""
    steps: list[QUndoCommand] = []
    for r in rows:
        having = [pid for pid in photo_ids if r.tag in session.facts_of(pid).tags]
        if r.tagged and having:
            steps.append(SetTag(session, having, r.tag, False))
        steps.extend(_reject_faces(session, photo_ids, r.people))
    if len(steps) <= 1:
        return steps[0] if steps else None
    what = f"“{rows[0].tag}”" if len(rows) == 1 else f"{len(rows)} tags"
    where = "" if len(photo_ids) == 1 else f" on {len(photo_ids)} photos"
    return Steps(f"Remove {what}{where}", steps)


def _reject_faces(session: Session, photo_ids: list[str], people: set[str]) -> list[QUndoCommand]:
    """Each face of these photos confirmed as one of `people`: it is not them."""
    if not people:
        return []
    steps: list[QUndoCommand] = []
    for pid in photo_ids:
        if not session.facts_of(pid).confirmed:
            continue
        found = len(session.doc.faces(pid)[1])  # the detector's faces, then those drawn by hand
        for face in [*range(found), *session.doc.user_faces(pid)]:
            current = session.doc.face_person(pid, face)
            if current is not None and current[1] and session.resolve(current[0]) in people:
                steps.append(RejectFace(session, pid, face, current[0]))
    return steps
