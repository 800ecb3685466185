"""Screenshots of what the window says: the highlight while files are dragged over it, and a
failure said in words with its details apart (drop.png, failure-in-words.png)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from screenshots import save, settle  # tools/, beside this file

from photo_tagger.gui.messages import warn
from photo_tagger.gui.window import MainWindow
from photo_tagger.words import reason


def shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    taken = []
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(work))])
    enter = QDragEnterEvent(
        QPoint(window.width() // 2, window.height() // 2),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    taken.append(save(window, app, out, "drop.png"))
    QApplication.sendEvent(window, QDragLeaveEvent())

    import requests

    try:
        requests.get("http://127.0.0.1:9/v1/models/manifest.json", timeout=2)
        return taken
    except requests.RequestException as exc:
        error = exc
    text = (
        f"The model server cannot be reached: {reason(error)}. Nothing was installed; check the "
        "sync server's address in Settings › Sync and try again later."
    )
    warn(window, "Checking for model updates", text, error)
    settle(app)
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox))
    path = out / "failure-in-words.png"
    box.grab().save(str(path))
    print(path)
    taken.append(path)
    box.done(0)
    settle(app)
    return taken
