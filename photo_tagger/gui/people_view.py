"""Everyone in the library, each as a row of face crops: unnamed groups first, so that naming them
is the first thing to do. Name (F2), merge several into one, hide; double-click or Enter shows the
person's photos. The rows and their crops are in people_model.py.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.gui.edits import HidePerson, MergePeople
from photo_tagger.gui.images import ImageLoader
from photo_tagger.gui.people_model import PeopleModel, PersonDelegate, PersonRow, person_rows
from photo_tagger.gui.session import Session
from photo_tagger.words import count

WHEEL_STEP = 20  # pixels a scroll step moves the people list


class PeopleView(QWidget):
    personActivated = Signal(str)  # show this person's photos

    def __init__(self, loader: ImageLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self._dirty = True
        self.model = PeopleModel(loader)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(PersonDelegate(self.model, self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setUniformItemSizes(True)
        self.list.setAlternatingRowColors(True)
        # rows are tall: a wheel notch (three steps) moves about two thirds of one, not three
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.verticalScrollBar().setSingleStep(WHEEL_STEP)
        self.list.activated.connect(self._on_activated)
        self.list.selectionModel().selectionChanged.connect(self._update_buttons)
        self.intro = QLabel(
            "Faces are grouped into people by likeness. Name the unnamed groups (F2), merge "
            "groups that are one person, hide the ones you do not care about. Double-click a "
            "person to see their photos."
        )
        self.intro.setWordWrap(True)
        self.name_button = QPushButton("Name…")
        self.name_button.clicked.connect(self.edit_name)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.clicked.connect(self.merge_selected)
        self.hide_button = QPushButton("Hide")
        self.hide_button.clicked.connect(self.toggle_hidden)
        self.show_hidden = QCheckBox("Show hidden people")
        self.show_hidden.toggled.connect(self.rebuild)
        bar = QHBoxLayout()
        for w in (self.name_button, self.merge_button, self.hide_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.show_hidden)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.rebuild)
        self._update_buttons()

    def set_session(self, session: Session | None) -> None:
        if self._session is not None:
            self._session.peopleChanged.disconnect(self._on_people_changed)
        self._session = session
        if session is not None:
            session.peopleChanged.connect(self._on_people_changed)
        self._dirty = True
        self.model.set_rows(None, [])
        if self.isVisible():
            self.rebuild()

    def _on_people_changed(self) -> None:
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.rebuild()

    def rebuild(self) -> None:
        self._dirty = False
        session = self._session
        selected = set(self.selected_ids())
        self.model.dpr = self.devicePixelRatioF()
        rows = person_rows(session, self.show_hidden.isChecked()) if session else []
        self.model.set_rows(session, rows)
        for r, row in enumerate(rows):
            if row.id in selected:
                self.list.selectionModel().select(
                    self.model.index(r), self.list.selectionModel().SelectionFlag.Select
                )
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.list.selectionModel().selectedIndexes())
        return [self.model.rows[r].id for r in rows if r < len(self.model.rows)]

    def _selected_rows(self) -> list[PersonRow]:
        ids = set(self.selected_ids())
        return [r for r in self.model.rows if r.id in ids]

    def _update_buttons(self) -> None:
        rows = self._selected_rows()
        self.name_button.setEnabled(len(rows) == 1)
        self.merge_button.setEnabled(len(rows) >= 2)
        self.hide_button.setEnabled(bool(rows))
        self.hide_button.setText("Show" if rows and all(r.hidden for r in rows) else "Hide")

    def _on_activated(self, index: QModelIndex) -> None:
        self.personActivated.emit(self.model.rows[index.row()].id)

    def edit_name(self) -> None:
        current = self.list.selectionModel().selectedIndexes()
        if len(current) == 1:
            self.list.edit(current[0])

    def merge_selected(self) -> None:
        rows = self._selected_rows()
        if len(rows) < 2 or self._session is None:
            return
        labels = [f"{r.label} ({count(len(r.faces), 'face')})" for r in rows]
        choice, ok = QInputDialog.getItem(
            self, "Merge people", "These are all one person. Keep:", labels, 0, False
        )
        if ok:
            target = rows[labels.index(choice)]
            self.merge([r.id for r in rows], target.id)

    def merge(self, people: list[str], target: str) -> None:
        session = self._session
        if session is not None:
            session.undo.push(MergePeople(session, [p for p in people if p != target], target))

    def toggle_hidden(self) -> None:
        session = self._session
        rows = self._selected_rows()
        if session is None or not rows:
            return
        hide = not all(r.hidden for r in rows)
        if len(rows) > 1:
            session.undo.beginMacro(f"{'Hide' if hide else 'Show'} {len(rows)} people")
        for r in rows:
            session.undo.push(HidePerson(session, r.id, hide))
        if len(rows) > 1:
            session.undo.endMacro()
