"""Photo › Compare (C): two photos side by side, large, each with its file name, size in pixels
and bytes, capture time, and whether the library keeps it of its near-duplicate group and why.

Select two photos and press C; with one photo of a near-duplicate group selected, it is compared
with the one its group keeps (or, for that one, with the next of its group). *Keep This One*
tags the other photo "Near-duplicates/Extra copy", as Edit › Tag Extra Near-Duplicates does
(one undo step; nothing is deleted); Esc closes the compare. Photos and facts are read off the
UI thread; a photo that cannot be read says so in its place.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QMenu,
    QPushButton,
    QWidget,
)

from photo_tagger.gui.actions import EXTRA_COPY_TAG
from photo_tagger.gui.duplicate_groups import DuplicateGroups
from photo_tagger.gui.images import Pixels, read_photo

if TYPE_CHECKING:
    from photo_tagger.gui.session import Session
    from photo_tagger.gui.window import MainWindow

READ_SIDE = 2048  # the long side photos are read at: sharp at full screen on most screens
CHOOSE = "Select two photos to compare them side by side (Ctrl+click the second one)."


@dataclass(frozen=True)
class Facts:
    """What the compare says of one photo (read off the UI thread)."""

    lines: list[tuple[str, str]]  # (label, text): pixel size, file size, capture time
    reason: str | None  # why the library keeps this photo, when it is the one kept


class Picture(QWidget):
    """A photo fitted into the widget, or a word in its place."""

    def __init__(self) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.text = "Reading the photo…"
        self.setMinimumSize(200, 160)

    def set_image(self, image: QImage | None, text: str = "") -> None:
        self.image, self.text = image, text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        image = self.image
        if image is None or image.isNull():
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text)
            return
        k = min(self.width() / image.width(), self.height() / image.height())
        w, h = image.width() * k, image.height() * k
        painter.drawImage(QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h), image)


class CompareDialog(QDialog):
    """Two photos side by side; Keep This One tags the other an extra copy; Esc closes."""

    def __init__(self, window: MainWindow, session: Session, photo_ids: list[str]) -> None:
        super().__init__(window)
        self.setWindowTitle("Compare Photos")
        self.photo_ids = photo_ids
        self._session = session
        self._window = window
        self.pictures = [Picture(), Picture()]
        self.names = [QLabel(), QLabel()]
        self.forms = [QFormLayout(), QFormLayout()]
        self.verdicts = [QLabel(), QLabel()]
        self.keep_buttons = [QPushButton("&Keep This One"), QPushButton("K&eep This One")]
        layout = QGridLayout(self)
        for side, pid in enumerate(photo_ids):
            path = session.path_of(pid) or pid
            self.names[side].setText(f"<b>{os.path.basename(path)}</b>")
            self.names[side].setToolTip(path)
            self.verdicts[side].setWordWrap(True)
            other = photo_ids[1 - side]
            self.keep_buttons[side].setToolTip(
                f"Tag the other photo “{EXTRA_COPY_TAG}”, to find it later (nothing is deleted)"
            )
            self.keep_buttons[side].clicked.connect(partial_keep(self, pid, other))
            layout.addWidget(self.pictures[side], 0, side)
            layout.addWidget(self.names[side], 1, side)
            layout.addLayout(self.forms[side], 2, side)
            layout.addWidget(self.verdicts[side], 3, side)
            layout.addWidget(self.keep_buttons[side], 4, side, Qt.AlignmentFlag.AlignLeft)
        layout.setRowStretch(0, 1)
        layout.setColumnStretch(0, 1)  # both photos as large
        layout.setColumnStretch(1, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons, 5, 0, 1, 2)
        self._say_verdicts({})
        self._read()

    def _read(self) -> None:
        session, runner = self._session, self._window.services.images_runner
        for side, pid in enumerate(self.photo_ids):
            path = session.path_of(pid)
            if path is None:
                self.pictures[side].set_image(None, "This photo's file is no longer here.")
                continue
            runner.run(
                partial(read_photo, Path(path), READ_SIDE),
                partial(self._on_photo, side),
                lambda error, side=side: self._on_photo(side, None),  # type: ignore[misc]
            )
        keep_of = session.facts.duplicates
        groups = {  # the groups of the photos kept, the one kept first
            pid: [pid, *(p for p, k in keep_of.items() if k == pid and p != pid)]
            for pid in self.photo_ids
            if keep_of.get(pid) == pid
        }
        task = partial(read_facts, session.index_file, list(self.photo_ids), groups)
        runner.run(task, self._on_facts, lambda error: None)

    def _on_photo(self, side: int, result: tuple[Pixels, int, int] | None) -> None:
        if result is None:
            self.pictures[side].set_image(None, "This photo could not be read.")
        else:
            self.pictures[side].set_image(result[0].to_qimage())

    def _on_facts(self, facts: list[Facts | None]) -> None:
        reasons: dict[str, str] = {}
        for side, found in enumerate(facts):
            form = self.forms[side]
            while form.rowCount():
                form.removeRow(0)
            for label, text in found.lines if found else []:
                value = QLabel(text)
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                form.addRow(f"{label}:", value)
            if found is not None and found.reason:
                reasons[self.photo_ids[side]] = found.reason
        self._say_verdicts(reasons)

    def _say_verdicts(self, reasons: dict[str, str]) -> None:
        """Which photo the library keeps of its near-duplicate group, in words."""
        keep_of = self._session.facts.duplicates
        for side, pid in enumerate(self.photo_ids):
            kept = keep_of.get(pid)
            if kept is None:
                text = "Not a near-duplicate of another photo."
            elif kept == pid:
                reason = reasons.get(pid)
                why = f": {reason}." if reason else "."
                text = f"<b>The library keeps this one</b>{why}"
            elif kept == self.photo_ids[1 - side]:
                text = "An extra copy: the library keeps the other one."
            else:
                name = os.path.basename(self._session.path_of(kept) or kept)
                text = f"An extra copy: the library keeps {name}."
            self.verdicts[side].setText(text)

    def keep(self, kept: str, other: str) -> None:
        """Keep `kept`: tag `other` an extra copy (one undo step) and close."""
        from photo_tagger.gui.edits import SetTag

        self._session.undo.push(SetTag(self._session, [other], EXTRA_COPY_TAG, True))
        name = os.path.basename(self._session.path_of(other) or other)
        self._window.statusBar().showMessage(
            f"{name} tagged “{EXTRA_COPY_TAG}”: pick the tag in the filters to see the extra "
            "copies (Undo takes it back).",
            10000,
        )
        self.accept()


def partial_keep(dialog: CompareDialog, kept: str, other: str) -> Callable[[], None]:
    return lambda: dialog.keep(kept, other)


def read_facts(
    index_file: Path, photo_ids: list[str], groups: dict[str, list[str]]
) -> list[Facts | None]:
    """Each photo's pixel size, file size and capture time, and why its group keeps it when it
    is the one kept (`groups`: photo kept -> its group; None: the index has no record of the
    photo). Runs off the UI thread."""
    from photo_tagger.app.duplicate_reasons import keep_reasons
    from photo_tagger.app.photo_info import lines, read_info

    wanted = {"Size": "Pixel size", "File size": "File size", "Taken": "Taken"}
    out: list[Facts | None] = []
    for pid in photo_ids:
        info = read_info(index_file, pid)
        if info is None:
            out.append(None)
            continue
        facts = [(wanted[label], text) for label, text in lines(info) if label in wanted]
        reason = None
        if pid in groups:
            reason = keep_reasons(index_file, {pid: groups[pid]}).get(pid)
        out.append(Facts(facts, reason))
    return out


def pair_to_compare(window: MainWindow, groups: DuplicateGroups) -> list[str] | None:
    """The two photos to compare: the two selected, or the one selected and the photo its
    near-duplicate group keeps (for that one, the next of its group)."""
    session = window.session
    selected = window.grid.selected_ids()
    if session is None or not selected:
        return None
    if len(selected) == 2:  # the one kept of the two, if one is, on the left
        return sorted(selected, key=lambda p: session.facts.duplicates.get(p) != p)
    if len(selected) > 2:
        return None
    pid = selected[0]
    kept = session.facts.duplicates.get(pid)
    if kept is None:
        return None
    if kept != pid:
        return [kept, pid]
    others = [p for p in groups.group_of(pid) if p != pid]
    others = others or [p for p, k in session.facts.duplicates.items() if k == pid and p != pid]
    return [pid, others[0]] if others else None


class Compare:
    """Photo › Compare (C), after the Photo menu's other entries; `dialog` is the one open.
    `groups` paints the near-duplicates view's group bands (duplicate_groups.py)."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.groups = DuplicateGroups(window)
        self.dialog: CompareDialog | None = None
        self.action = QAction("&Compare Two Photos", window)
        self.action.setShortcut(QKeySequence("C"))
        self.action.setToolTip("Show two selected photos side by side, and keep one of them")
        self.action.triggered.connect(lambda checked=False: self.compare())
        window.addAction(self.action)  # the key works while the menu bar is hidden too
        for a in window.menuBar().actions():
            menu = a.menu()
            if a.text().replace("&", "") == "Photo" and isinstance(menu, QMenu):
                menu.addSeparator()
                menu.addAction(self.action)

    def compare(self) -> None:
        window = self._window
        session, pair = window.session, pair_to_compare(window, self.groups)
        if session is None or pair is None:
            window.statusBar().showMessage(CHOOSE, 8000)
            return
        self.dialog = dialog = CompareDialog(window, session, pair)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: setattr(self, "dialog", None))
        dialog.resize(window.width() * 9 // 10, window.height() * 9 // 10)
        dialog.open()


def install(window: MainWindow) -> Compare:
    """The near-duplicates view's group bands, and Photo › Compare (C)."""
    return Compare(window)
