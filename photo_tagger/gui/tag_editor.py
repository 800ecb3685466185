"""The tags of the selected photos (one or many): see where each came from, add, remove.

The tags are a tree (tag_tree.py), the named people confirmed on their faces among them as
People/Name (tag_rows.py). Each tag shows its source (the local model, the cloud model, you, a
face) and the model's confidence; with several photos selected, on how many of them it is. A
photo the cloud model refined says by which model. Adding completes from the library's tags
and the vocabulary's. Every change is one undoable step for the whole selection.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.gui.edits import SetTag
from photo_tagger.gui.session import Session
from photo_tagger.gui.tag_names import tag_name, tag_name_problem
from photo_tagger.gui.tag_rows import TagRow, remove_rows, tag_rows
from photo_tagger.gui.tag_tree import TagTree


class _TagInput(QLineEdit):
    """Once a tag is added the field is empty: Ctrl+Z then undoes the edit to the photos, not
    the typing (the window's Undo gets the keys)."""

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and not self.text()
            and isinstance(event, QKeyEvent)
            and (event.matches(QKeySequence.StandardKey.Undo) or _is_redo(event))
        ):
            event.ignore()
            return False
        return super().event(event)


def _is_redo(event: QKeyEvent) -> bool:
    combo = event.keyCombination().toCombined()
    return event.matches(QKeySequence.StandardKey.Redo) or QKeySequence(combo) == QKeySequence(
        "Ctrl+Shift+Z"
    )


class TagEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self._ids: list[str] = []
        self._rows: dict[str, TagRow] = {}
        self._named_faces = False  # some of the photos have faces the user confirmed
        self.header = QLabel("No photo selected")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cloud_note = QLabel()
        self.cloud_note.setWordWrap(True)
        self.cloud_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cloud_note.setVisible(False)
        self.tags = TagTree()
        self.tags.removeRequested.connect(self.remove_selected)
        self.tags.itemSelectionChanged.connect(self._update_buttons)
        self.input = _TagInput()
        self.input.setPlaceholderText("Add a tag, e.g. Holidays/Lisbon")
        self.input.setClearButtonEnabled(True)
        self._completions = QStringListModel(self)
        completer = QCompleter(self._completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.input.setCompleter(completer)
        self.input.returnPressed.connect(self.add_from_input)
        self.input.textChanged.connect(self._clear_problem)
        self.input_problem = _problem_label()
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_from_input)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected tags from the selected photos (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.cloud_note)
        layout.addWidget(self.tags, 1)
        layout.addLayout(row)
        layout.addWidget(self.input_problem)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)
        self._update_buttons()

    def set_session(self, session: Session | None) -> None:
        if self._session is not None:
            self._session.factsChanged.disconnect(self._on_facts_changed)
            self._session.peopleChanged.disconnect(self._on_people_changed)
        self._session = session
        self._ids = []
        if session is not None:
            session.factsChanged.connect(self._on_facts_changed)
            session.peopleChanged.connect(self._on_people_changed)
        self.refresh()

    def show_photos(self, photo_ids: list[str]) -> None:
        self._ids = list(photo_ids)
        self.refresh()

    @property
    def photo_ids(self) -> list[str]:
        return list(self._ids)

    def _on_facts_changed(self, photo_ids: list[str]) -> None:
        if not photo_ids or set(photo_ids) & set(self._ids):
            self.refresh()

    def _on_people_changed(self) -> None:
        if self._named_faces:  # a name, a merge: the People/Name rows
            self.refresh()

    def refresh(self) -> None:
        session = self._session
        ids = self._ids
        enabled = session is not None and bool(ids)
        self.input.setEnabled(enabled)
        self.add_button.setEnabled(enabled)
        self.cloud_note.setText(_cloud_note(session, ids) if session is not None else "")
        self.cloud_note.setVisible(bool(self.cloud_note.text()))
        if session is None or not ids:
            self.header.setText("No photo selected")
            self.header.setToolTip("")
            self._rows, self._named_faces = {}, False
            self.tags.show_rows({}, 0)
            self._update_buttons()
            return
        if len(ids) == 1:
            path = session.path_of(ids[0]) or ids[0]
            self.header.setText(f"<b>{_basename(path)}</b>")
            self.header.setToolTip(path)
        else:
            self.header.setText(f"<b>{len(ids)} photos selected</b>")
            self.header.setToolTip("")
        self._rows = tag_rows(session, ids)
        self._named_faces = any(session.facts_of(pid).confirmed for pid in ids)
        self.tags.show_rows(self._rows, len(ids))
        self._completions.setStringList(self._completion_words(session))
        self._update_buttons()

    def _completion_words(self, session: Session) -> list[str]:
        return sorted(set(session.facts.all_tags()) | set(session.vocabulary.names))

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.tags.selectedItems()) and bool(self._ids))

    def add_from_input(self) -> None:
        problem = tag_name_problem(self.input.text())
        if problem:
            self.input_problem.setText(problem)
            self.input_problem.setVisible(True)
            return
        tag = tag_name(self.input.text())
        if not tag or self._session is None or not self._ids:
            return
        self.add_tag(tag)
        self.input.clear()

    def _clear_problem(self) -> None:
        self.input_problem.setVisible(False)

    def add_tag(self, tag: str) -> None:
        session = self._session
        if session is None or not self._ids:
            return
        missing = [pid for pid in self._ids if tag not in session.facts_of(pid).tags]
        if missing:
            session.undo.push(SetTag(session, missing, tag, True))

    def remove_selected(self) -> None:
        session = self._session
        if session is None or not self._ids:
            return
        rows = [self._rows[t] for t in self.tags.selected_tags() if t in self._rows]
        command = remove_rows(session, self._ids, rows)
        if command is not None:
            session.undo.push(command)


def _problem_label() -> QLabel:
    """Why the typed tag cannot be added (a control character, too long), until it changes."""
    label = QLabel()
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _cloud_note(session: Session, ids: list[str]) -> str:
    """Which of the photos a cloud model refined, and which model."""
    models = [m for m in (session.facts_of(pid).cloud_model for pid in ids) if m]
    if not models:
        return ""
    names = ", ".join(sorted(set(models)))
    if len(ids) == 1:
        return f"Refined in the cloud by {names}"
    return f"{len(models)} of the {len(ids)} photos refined in the cloud by {names}"


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
