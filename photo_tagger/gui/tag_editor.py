"""The tags of the selected photos (one or many): see where each came from, add, remove.

Each tag shows its source (the local model, the cloud model, or you) and the model's confidence;
with several photos selected, on how many of them it is. A photo the cloud model refined says by
which model. Adding completes from the library's tags
and the vocabulary's. Every change is one undoable step for the whole selection.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.gui.edits import SetTag
from photo_tagger.gui.session import Session
from photo_tagger.gui.tag_names import tag_name, tag_name_problem

TAG, SOURCE, CONFIDENCE, COUNT = range(4)


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


class _TagList(QTreeWidget):
    removeRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Backspace:
            self.removeRequested.emit()
            return
        super().keyPressEvent(event)


class TagEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self._ids: list[str] = []
        self.header = QLabel("No photo selected")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cloud_note = QLabel()
        self.cloud_note.setWordWrap(True)
        self.cloud_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cloud_note.setVisible(False)
        self.tags = _TagList()
        self.tags.setColumnCount(4)
        self.tags.setHeaderLabels(["Tag", "Source", "Score", "Photos"])
        self.tags.headerItem().setToolTip(CONFIDENCE, "How sure the model is (1.00: certain)")
        self.tags.setRootIsDecorated(False)
        self.tags.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tags.setAlternatingRowColors(True)
        self.tags.setSortingEnabled(True)
        self.tags.sortByColumn(TAG, Qt.SortOrder.AscendingOrder)
        self.tags.setTextElideMode(Qt.TextElideMode.ElideLeft)  # "…/Tie" says more than "Cl…"
        header = self.tags.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(TAG, QHeaderView.ResizeMode.Stretch)
        for col in (SOURCE, CONFIDENCE, COUNT):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
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
        self._session = session
        self._ids = []
        if session is not None:
            session.factsChanged.connect(self._on_facts_changed)
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

    def refresh(self) -> None:
        session = self._session
        self.tags.setSortingEnabled(False)
        self.tags.clear()
        ids = self._ids
        enabled = session is not None and bool(ids)
        self.input.setEnabled(enabled)
        self.add_button.setEnabled(enabled)
        self.cloud_note.setText(_cloud_note(session, ids) if session is not None else "")
        self.cloud_note.setVisible(bool(self.cloud_note.text()))
        if session is None or not ids:
            self.header.setText("No photo selected")
            self._update_buttons()
            return
        if len(ids) == 1:
            path = session.path_of(ids[0]) or ids[0]
            self.header.setText(f"<b>{_basename(path)}</b>")
            self.header.setToolTip(path)
        else:
            self.header.setText(f"<b>{len(ids)} photos selected</b>")
            self.header.setToolTip("")
        sources: dict[str, set[str]] = defaultdict(set)
        scores: dict[str, list[float]] = defaultdict(list)
        models: dict[str, set[str]] = defaultdict(set)
        counts: dict[str, int] = defaultdict(int)
        for pid in ids:
            for tag, fact in session.facts_of(pid).tags.items():
                counts[tag] += 1
                sources[tag].add(fact.label)
                if fact.source != "you":
                    scores[tag].append(fact.score)
                if fact.model:
                    models[tag].add(fact.model)
        for tag in counts:
            item = QTreeWidgetItem([tag, ", ".join(sorted(sources[tag])), _confidence(scores[tag])])
            item.setData(TAG, Qt.ItemDataRole.UserRole, tag)
            item.setToolTip(TAG, tag)
            if len(ids) > 1:
                item.setText(COUNT, f"{counts[tag]}/{len(ids)}")
                item.setToolTip(COUNT, f"on {counts[tag]} of the {len(ids)} photos")
            if models[tag]:
                item.setToolTip(SOURCE, "\n".join(sorted(models[tag])))
            item.setTextAlignment(CONFIDENCE, Qt.AlignmentFlag.AlignRight)
            self.tags.addTopLevelItem(item)
        self.tags.setColumnHidden(COUNT, len(ids) == 1)
        self.tags.setSortingEnabled(True)
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
        tags = [i.data(TAG, Qt.ItemDataRole.UserRole) for i in self.tags.selectedItems()]
        if not tags:
            return
        if len(tags) > 1:
            session.undo.beginMacro(f"Remove {len(tags)} tags")
        for tag in tags:
            having = [pid for pid in self._ids if tag in session.facts_of(pid).tags]
            if having:
                session.undo.push(SetTag(session, having, tag, False))
        if len(tags) > 1:
            session.undo.endMacro()


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


def _confidence(scores: list[float]) -> str:
    if not scores:
        return "—"
    lo, hi = min(scores), max(scores)
    return f"{hi:.2f}" if abs(hi - lo) < 0.005 else f"{lo:.2f}–{hi:.2f}"


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
