"""What the window says to the user, said in one place: failures in words (what happened, what to
do) with the technical text kept in the dialog's "Details" and the log, the window's title, and
which skipped files are news.

A failure reaches the user through `warn()`; the words come from photo_tagger.words, which the
command line uses too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from photo_tagger.errors import PhotoTaggerError
from photo_tagger.words import details, reason

if TYPE_CHECKING:
    from photo_tagger.app.scan_report import Skipped

log = logging.getLogger(__name__)

APP_NAME = "Photo Tagger"


def library_title(path: Path) -> str:
    """The window's title with a library open: "Family — Photo Tagger". Ending with the
    application's name, it is not added again by the platform."""
    name = Path(path).name.lstrip(".") or str(path)
    return f"{name} — {APP_NAME}"


def warn(parent: QWidget | None, title: str, text: str, exc: BaseException | None = None) -> None:
    """A warning the user reads: `text` says what happened and what to do; the technical text of
    `exc` (and its causes) is under "Details" and in the log."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    technical = details(exc) if exc is not None else ""
    if technical:
        box.setDetailedText(technical)
        log.warning("%s: %s\n%s", title, text, technical)
    box.open()  # the window goes on


def warn_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """`warn()` for an error photo-tagger raised on purpose (its message is worded where it was
    raised), its causes under "Details"; any other (the disk, the network) says what stopped
    and why, its own text under "Details"."""
    if isinstance(exc, PhotoTaggerError):
        warn(parent, title, str(exc), exc.__cause__ or exc.__context__)
    else:
        warn(parent, title, f"{title} did not finish: {reason(exc)}. What was done is kept.", exc)


def news(skipped: Iterable[Skipped]) -> list[Skipped]:
    """The skipped files the user has not been told about: new ones, and those changed since
    an earlier scan skipped them (a broken file is reported once, until it changes)."""
    out = []
    for s in skipped:
        if s.reported is not None:
            try:
                if os.stat(s.path).st_mtime <= s.reported:
                    continue
            except OSError:
                pass  # gone or unreadable now: say so
        out.append(s)
    return out


def install_messages(window: Any) -> None:
    """The main window's failures (a job's, a library that cannot be opened) are said through
    `warn_error`; files dropped on it are added (`window.add_paths`), highlighted while dragged
    over it. (`window` is the MainWindow, which imports this module.)"""
    from photo_tagger.gui.drop_target import DropTarget

    window.jobs.failed.connect(lambda title, error: warn_error(window, title, error))
    window.controller.failed.connect(lambda title, error: warn_error(window, title, error))
    DropTarget(window, window.add_paths)  # the window owns it
