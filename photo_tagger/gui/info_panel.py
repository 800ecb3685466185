"""The Info panel (View › Info, Ctrl+I): the selected photo's capture time, camera and lens,
exposure, size in pixels and bytes, file path and place, and Show in Folder.

What the panel says is read off the UI thread (app/photo_info.py: the index, then the first bytes
of the file for the lens and exposure), only while the panel is shown; an answer that comes after
the selection moved on is dropped.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.gui.file_manager import show_in_file_manager
from photo_tagger.gui.folder_tree import shown
from photo_tagger.gui.runner import TaskRunner
from photo_tagger.gui.session import Session

if TYPE_CHECKING:
    from photo_tagger.app.photo_info import PhotoInfo

NOTHING = "Select a photo to see when and how it was taken, its size and where its file is."


class InfoPanel(QWidget):
    def __init__(self, runner: TaskRunner) -> None:
        super().__init__()
        self._runner = runner
        self._session: Session | None = None
        self._ids: list[str] = []
        self._shown: list[str] | None = None  # the photos the panel says something about
        self._asked = 0  # numbers each read: only the last one's answer is shown
        self.path: str | None = None
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.note = QLabel(NOTHING)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.file_label = QLineEdit()  # selectable and copied as it is, however long
        self.file_label.setReadOnly(True)
        self.copies = QLabel()
        self.show_folder = QPushButton("Show in Folder")
        self.show_folder.setToolTip("Open the file manager at this photo's file")
        self.show_folder.clicked.connect(self._show_in_folder)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addLayout(self.form)
        self.file_caption = QLabel("File:")
        layout.addWidget(self.file_caption)
        layout.addWidget(self.file_label)
        layout.addWidget(self.copies)
        layout.addWidget(self.show_folder, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._say(NOTHING)

    def set_session(self, session: Session | None) -> None:
        self._session = session
        self._ids, self._shown = [], None
        self._say(NOTHING)

    def show_photos(self, photo_ids: list[str]) -> None:
        """Say what there is to say about these photos (once shown, if hidden now)."""
        self._ids = list(photo_ids)
        if self.isVisible():
            self._refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresh()

    def _refresh(self) -> None:
        if self._ids == self._shown:
            return
        self._shown = ids = list(self._ids)
        self._asked += 1
        session = self._session
        if session is None or not ids:
            self._say(NOTHING)
            return
        if len(ids) > 1:
            self._say(f"{len(ids):,} photos selected. Select one to see its details.")
            return
        asked, index_file, photo_id = self._asked, session.index_file, ids[0]

        def read() -> PhotoInfo | None:
            from photo_tagger.app.photo_info import read_info, read_shot_of

            info = read_info(index_file, photo_id)
            if info is None:
                return None
            on_disk = [f.path for f in info.files if os.path.isfile(f.path)]
            shot = read_shot_of(on_disk[0]) if on_disk else info.shot
            return replace(info, shot=shot)

        def done(info: PhotoInfo | None) -> None:
            if asked == self._asked:
                self._fill(info)

        def failed(error: BaseException) -> None:
            if asked == self._asked:
                self._say(f"The details of this photo could not be read: {error}")

        self._runner.run(read, done, failed)

    def _say(self, text: str) -> None:
        """Only a note: no photo, several, or a failure."""
        self.path = None
        self.title.clear()
        self.title.setVisible(False)
        self.note.setText(text)
        self.note.setVisible(True)
        self._clear_form()
        self._file_box(False)

    def _fill(self, info: PhotoInfo | None) -> None:
        from photo_tagger.app.photo_info import lines

        if info is None or not info.files:
            self._say("This photo's file is no longer in the library.")
            return
        self.path = info.files[0].path
        self.title.setText(shown(os.path.basename(self.path)))
        self.title.setVisible(True)
        self.note.setVisible(False)
        self._clear_form()
        for label, text in lines(info):
            value = QLabel(text)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(f"{label}:", value)
        others = len(info.files) - 1
        self.copies.setText(f"and {others} more {'copy' if others == 1 else 'copies'}")
        self.copies.setToolTip("\n".join(shown(f.path) for f in info.files[1:]))
        self.copies.setVisible(bool(others))
        self.file_label.setText(shown(self.path))
        self.file_label.setCursorPosition(0)
        self.file_label.setToolTip(shown(self.path))
        self._file_box(True)
        self.show_folder.setVisible(True)

    def _file_box(self, shown: bool) -> None:
        for part in (self.file_caption, self.file_label, self.show_folder):
            part.setVisible(shown)
        if not shown:
            self.copies.setVisible(False)

    def _clear_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)

    def _show_in_folder(self) -> None:
        if self.path is not None:
            show_in_file_manager(self.path, self)
