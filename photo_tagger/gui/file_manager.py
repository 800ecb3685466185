"""Show in Folder: the system's file manager at a photo's file (macOS and Windows select it) or at
a folder."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget


def show_in_file_manager(path: str, parent: QWidget | None = None) -> bool:
    """Open the file manager at `path` (a file: its folder); say so when that cannot be done."""
    is_file = os.path.isfile(path)
    folder = os.path.dirname(path) if is_file else path
    if not os.path.isdir(folder):
        _tell(
            parent,
            f"The folder “{folder}” is not there any more (moved, deleted or on a "
            "drive that is not connected).",
        )
        return False
    if is_file and sys.platform == "darwin":
        opened = QProcess.startDetached("open", ["-R", path])[0]
    elif is_file and sys.platform == "win32":
        opened = QProcess.startDetached("explorer", [f"/select,{os.path.normpath(path)}"])[0]
    else:
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(folder))
    if not opened:
        _tell(parent, f"No file manager could be opened at “{folder}”. Open that folder by hand.")
    return bool(opened)


def _tell(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, "Show in Folder", text)
