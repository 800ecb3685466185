"""New models waiting for the user's decision, in the window: the job that tries them on a sample
of the library beside the models in use (app/shadow.py), the status bar button that says what they
would change, and the dialog that lists it, with Accept and Reject. Nothing the user sees changes
before Accept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.gui.jobs import Job, JobControl
from photo_tagger.gui.runner import UiThreadCaller
from photo_tagger.gui.session import Session
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.app.shadow import PhotoChange, ShadowReport


class TryModelsJob:
    """Try the library's waiting release on a sample of its photos beside the models in use:
    the new models read the photos' files on worker threads at a lower priority; the library is
    only read, a slice at a time on the UI thread. What was found is kept in the library's folder
    (app/shadow_store.py). None when no release waits any more."""

    title = "Trying the new models on your photos"

    def __init__(
        self,
        session: Session,
        caller: UiThreadCaller,
        scale: float,
        workers: int | None,
        on_finished: Callable[[ShadowReport], None],
    ) -> None:
        self._session = session
        self._caller = caller
        self._scale = scale
        self._workers = workers
        self._on_finished = on_finished

    def run(self, control: JobControl) -> ShadowReport | None:
        from photo_tagger.app.model_updates import pending, try_candidate

        if pending(self._session.path) is None:
            return None
        control.status("Loading the new models…")
        return try_candidate(
            self._session.library,
            scale=self._scale,
            on_library=self._caller,
            workers=self._workers,
            background=True,
            on_progress=control.report,
            should_stop=control.stopped,
        )

    def finish(self, result: Any) -> str:
        report: ShadowReport | None = result
        if report is None:
            return ""
        self._on_finished(report)
        return report.headline() + (" (stopped part way)" if report.stopped else "")

    def merge(self, other: Job) -> bool:
        return isinstance(other, TryModelsJob)


class ReviewButton(QToolButton):
    """In the status bar while new models wait: what they would change; a click reviews it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setVisible(False)

    def show_report(self, report: ShadowReport) -> None:
        self.setText(f"New models: {report.headline()} — Review")
        self.setToolTip(
            f"{capitalised(report.candidate)} was tried on {report.compared} of your photos "
            f"beside the models in use ({report.current}). Nothing changes until you accept it."
        )
        self.setVisible(True)


class ReviewDialog(QDialog):
    """Where the new models and the models in use differ, photo by photo, with Accept and
    Reject. The user's own tags are the same on both sides, so only what the models decide
    differs."""

    LIMIT = 300  # rows listed; a line says how many more would change
    acceptModels = Signal()
    rejectModels = Signal()

    def __init__(self, report: ShadowReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle("New Models")
        self.heading = QLabel(f"<b>{capitalised(report.candidate)}: what would change</b>")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.intro = QLabel(intro_text(report))
        self.intro.setWordWrap(True)
        self.often = QLabel(often_text(report))
        self.often.setWordWrap(True)
        self.table = changes_table(report.changed[: self.LIMIT])
        self.count = QLabel(count_text(report, self.LIMIT))
        self.count.setWordWrap(True)
        if report.skipped:
            self.count.setToolTip(
                "\n".join(f"{Path(p).name}: {why}" for p, why in report.skipped[:20])
            )
        buttons = QDialogButtonBox()
        self.accept_button = buttons.addButton(
            "Accept the New Models", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.reject_button = buttons.addButton(
            "Reject", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.later_button = buttons.addButton(
            "Decide Later", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.accept_button.clicked.connect(self._accept_models)
        self.reject_button.clicked.connect(self._reject_models)
        self.later_button.clicked.connect(self.reject)
        for button in (self.accept_button, self.reject_button):
            button.setAutoDefault(False)  # Enter decides later; accepting takes a click
        self.later_button.setDefault(True)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.intro, self.often):
            layout.addWidget(widget)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def _accept_models(self) -> None:
        self.accept()
        self.acceptModels.emit()

    def _reject_models(self) -> None:
        self.reject()
        self.rejectModels.emit()


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def intro_text(report: ShadowReport) -> str:
    n = len(report.changed)
    return (
        f"{capitalised(report.candidate)} was tried on {report.compared} of your "
        f"{count(report.library_photos, 'photo')}, beside the models in use "
        f"({report.current}): the tags or faces you see would change on {n} of them. Nothing "
        "changes until you accept it. "
        "Accepting switches to the new models and re-tags your photos in the background; tags "
        "you added or removed stay as they are."
    )


def often_text(report: ShadowReport) -> str:
    def listed(counts: list[tuple[str, int]]) -> str:
        return ", ".join(f"{tag} ({n})" for tag, n in counts) or "none"

    text = (
        f"Lost most often: {listed(report.most_often(gained=False))}.\n"
        f"Gained most often: {listed(report.most_often(gained=True))}."
    )
    if report.faces_changed:
        n = report.faces_changed
        text += f"\nThe faces found change on {count(n, 'photo')}."
    return text


def count_text(report: ShadowReport, limit: int) -> str:
    n = len(report.changed)
    parts = [] if n else ["None of the photos tried would change."]
    if n > limit:
        parts.append(f"Showing {limit} of the {count(n, 'photo')} that would change.")
    if report.stopped:
        parts.append(f"Stopped after {report.compared} of {count(report.sampled, 'photo')}.")
    if report.skipped:
        k = len(report.skipped)
        parts.append(f"{count(k, 'sampled photo')} could not be compared (hover for why).")
    return " ".join(parts)


COLUMNS = ("Photo", "Tags it would lose", "Tags it would gain", "Faces")


def changes_table(changes: list[PhotoChange]) -> QTableWidget:
    table = QTableWidget(len(changes), len(COLUMNS))
    table.setHorizontalHeaderLabels(COLUMNS)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    for row, change in enumerate(changes):
        faces = (
            f"{change.faces[0]} → {change.faces[1]}" if change.faces[0] != change.faces[1] else ""
        )
        texts = (Path(change.path).name, ", ".join(change.lost), ", ".join(change.gained), faces)
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setToolTip(change.path if column == 0 else text)
            table.setItem(row, column, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
    table.setColumnWidth(0, 200)
    table.resizeRowsToContents()
    table.setAlternatingRowColors(True)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    table.setCurrentCell(-1, -1)
    return table
