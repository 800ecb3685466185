"""Every edit the user makes in the window, as an undoable command (QUndoStack: Ctrl+Z, and
Ctrl+Shift+Z to redo).

Each command remembers what it changes as it was, and undo puts exactly that back: a tag the user
had never touched is forgotten again (the models decide), not marked removed; a suggestion the
user confirmed becomes a suggestion again, not a different person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from photo_tagger.gui.session import Session

if TYPE_CHECKING:
    from photo_tagger.store.document import LibraryDocument


class SetTag(QUndoCommand):
    """Add (present=True) or remove (False) one tag on one or many photos."""

    def __init__(
        self,
        session: Session,
        photo_ids: Iterable[str],
        tag: str,
        present: bool,
    ):
        self._ids = list(dict.fromkeys(photo_ids))
        n = len(self._ids)
        where = "" if n == 1 else f" on {n} photos"
        super().__init__(f"{'Add' if present else 'Remove'} tag “{tag}”{where}")
        self._session = session
        self._tag = tag
        self._present = present
        self._before = {pid: session.doc.user_tags(pid).get(tag) for pid in self._ids}

    def redo(self) -> None:
        self._session.write_user_tag(self._tag, dict.fromkeys(self._ids, self._present))

    def undo(self) -> None:
        self._session.write_user_tag(self._tag, self._before)


class RenameTag(QUndoCommand):
    """A tag and every tag under it take another name on every photo that has them (naming an
    event: "Events/2024/2024-06-12 Lisbon" becomes "Events/2024/Ana's wedding"). One undo step."""

    def __init__(self, session: Session, old: str, new: str):
        super().__init__(f"Rename tag “{old}” to “{new}”")
        self._session = session
        self._old, self._new = old, new
        renamed: dict[str, list[str]] = {}  # tag -> photos that have it
        for pid, facts in session.facts.facts.items():
            for tag in facts.tags:
                if tag == old or tag.startswith(old + "/"):
                    renamed.setdefault(tag, []).append(pid)
        self.photos = len({pid for ids in renamed.values() for pid in ids})
        # (tag, what the user said of it on each photo before, what they say now)
        self._steps: list[tuple[str, dict[str, bool | None], bool]] = []
        for tag, ids in sorted(renamed.items()):
            for name, present in ((new + tag[len(old) :], True), (tag, False)):
                before = {pid: session.doc.user_tags(pid).get(name) for pid in ids}
                self._steps.append((name, before, present))

    def redo(self) -> None:
        for tag, before, present in self._steps:
            self._session.write_user_tag(tag, dict.fromkeys(before, present))
        self._session.tagRenamed.emit(self._old, self._new)

    def undo(self) -> None:
        for tag, before, _ in reversed(self._steps):
            self._session.write_user_tag(tag, before)
        self._session.tagRenamed.emit(self._new, self._old)


class NamePerson(QUndoCommand):
    def __init__(
        self,
        session: Session,
        person_id: str,
        name: str | None,
    ):
        super().__init__(f"Name “{name}”" if name else "Clear a name")
        self._session = session
        self._pid = session.resolve(person_id)
        self._name = name
        person = session.doc.person(self._pid)
        self._before = person["name"] if person else None

    def redo(self) -> None:
        self._session.set_person_name(self._pid, self._name)

    def undo(self) -> None:
        self._session.set_person_name(self._pid, self._before)


class NewPerson(QUndoCommand):
    """A new person with a name (a face that is someone not known yet). Undo leaves the person
    without a name or faces, which no view shows; redo brings back the same person."""

    def __init__(self, session: Session, name: str):
        super().__init__(f"New person “{name}”")
        self._session = session
        self._name = name
        self.person_id: str | None = None

    def redo(self) -> None:
        if self.person_id is None:
            self.person_id = self._session.new_person(self._name)
        else:
            self._session.set_person_name(self.person_id, self._name)

    def undo(self) -> None:
        assert self.person_id is not None
        self._session.set_person_name(self.person_id, None)


class HidePerson(QUndoCommand):
    def __init__(self, session: Session, person_id: str, hidden: bool):
        super().__init__(f"{'Hide' if hidden else 'Show'} {session.person_label(person_id)}")
        self._session = session
        self._pid = session.resolve(person_id)
        self._hidden = hidden
        person = session.doc.person(self._pid)
        self._before = bool(person and person.get("hidden"))

    def redo(self) -> None:
        self._session.set_person_hidden(self._pid, self._hidden)

    def undo(self) -> None:
        self._session.set_person_hidden(self._pid, self._before)


class MergePeople(QUndoCommand):
    """Each of `sources` becomes `target` (their faces, their photos)."""

    def __init__(self, session: Session, sources: Iterable[str], target: str):
        self._target = session.resolve(target)
        resolved = dict.fromkeys(map(session.resolve, sources))
        self._sources = [s for s in resolved if s != self._target]
        super().__init__(f"Merge {len(self._sources)} into {session.person_label(self._target)}")
        self._session = session

    def redo(self) -> None:
        self._session.merge_people(self._sources, self._target)

    def undo(self) -> None:
        self._session.unmerge_people(self._sources, self._target)


@dataclass(frozen=True)
class FaceState:
    """Who a face is (as stored, with whether the user confirmed it) and whom the user said it
    is not."""

    person: tuple[str, bool] | None
    rejected: frozenset[str]

    @classmethod
    def read(cls, doc: LibraryDocument, photo_id: str, face: int) -> FaceState:
        return cls(doc.face_person(photo_id, face), frozenset(doc.rejected(photo_id, face)))

    def restore(self, session: Session, photo_id: str, face: int) -> None:
        """Put the face back in this state (one transaction), whatever it is now."""
        session.set_face_state(photo_id, face, self.person, self.rejected)


class ConfirmFace(QUndoCommand):
    """The face is this person."""

    def __init__(
        self,
        session: Session,
        photo_id: str,
        face: int,
        person_id: str | None,
        new_person: NewPerson | None = None,
    ):
        super().__init__("Confirm a face")
        self._session = session
        self._photo, self._face = photo_id, face
        self._person = person_id
        self._new_person = new_person  # the person comes from this command, run just before
        self._before = FaceState.read(session.doc, photo_id, face)

    def redo(self) -> None:
        person = self._person
        if person is None:
            assert self._new_person is not None and self._new_person.person_id is not None
            person = self._new_person.person_id
        self._session.confirm_face(self._photo, self._face, person)

    def undo(self) -> None:
        self._before.restore(self._session, self._photo, self._face)


class RejectFace(QUndoCommand):
    """The face is not this person: drop the suggestion and never make it again."""

    def __init__(self, session: Session, photo_id: str, face: int, person_id: str):
        super().__init__(f"Not {session.person_label(person_id)}")
        self._session = session
        self._photo, self._face, self._person = photo_id, face, person_id
        self._before = FaceState.read(session.doc, photo_id, face)

    def redo(self) -> None:
        self._session.reject_face(self._photo, self._face, self._person)

    def undo(self) -> None:
        self._before.restore(self._session, self._photo, self._face)


class Steps(QUndoCommand):
    """Several commands as one step: done in order, undone in reverse. (Kept in a Python list
    rather than as Qt child commands, so that each keeps its Python half alive.)"""

    def __init__(self, text: str, steps: list[QUndoCommand]):
        super().__init__(text)
        self.steps = steps

    def redo(self) -> None:
        for step in self.steps:
            step.redo()

    def undo(self) -> None:
        for step in reversed(self.steps):
            step.undo()


def name_face(session: Session, photo_id: str, face: int, name: str) -> QUndoCommand:
    """The user typed a name for a face: one undoable step.

    A name someone already has: the face is that person. Otherwise, when the face's person has no
    name yet, that person (the whole group of faces) gets the name ("group first, name later");
    else the face is someone new.
    """
    doc = session.doc
    name = name.strip()
    text = f"Name a face “{name}”"
    known = session.person_by_name(name)
    current = doc.face_person(photo_id, face)
    if known is not None:
        return Steps(text, [ConfirmFace(session, photo_id, face, known)])
    if current is not None and not session.names().get(session.resolve(current[0])):
        person = session.resolve(current[0])
        return Steps(
            text,
            [NamePerson(session, person, name), ConfirmFace(session, photo_id, face, person)],
        )
    new = NewPerson(session, name)
    return Steps(text, [new, ConfirmFace(session, photo_id, face, None, new_person=new)])
