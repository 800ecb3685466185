"""The viewer's screenshots: a photo at 100 %, a face drawn by hand on a portrait the detector
missed, and the popup of a face nobody has named yet.

viewer-zoomed.png, viewer-add-face.png, viewer-popup.png (see tools/screenshots.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication

from photo_tagger.gui.viewer_edits import add_named_face
from photo_tagger.gui.window import MainWindow

PORTRAIT = (318.0, 60.0, 350.0, 96.0)  # the painted face on group.jpg's wall, in its pixels


def shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    from screenshots import photo_id, save, settle  # tools/ is where this runs from

    session = window.session
    assert session is not None
    group = photo_id(window, "group.jpg")
    viewer, canvas = window.viewer, window.viewer.canvas
    taken = []

    window.show_photo(group)
    settle(app)
    _, faces = session.doc.faces(group)
    x0, y0, x1, y1 = faces[1]["box"] if len(faces) > 1 else faces[0]["box"]
    point = canvas.to_widget().map(QPointF((x0 + x1) / 2, (y0 + y1) / 2))
    canvas.set_zoom(canvas.full_scale(), point)
    taken.append(save(window, app, out, "viewer-zoomed.png"))

    session.undo.push(add_named_face(session, group, PORTRAIT, "Great-aunt Rose"))
    window.show_photo(group)
    settle(app)
    px, py = (PORTRAIT[0] + PORTRAIT[2]) / 2, (PORTRAIT[1] + PORTRAIT[3]) / 2
    canvas.set_zoom(canvas.full_scale(), canvas.to_widget().map(QPointF(px, py)))
    taken.append(save(window, app, out, "viewer-add-face.png"))

    viewer.zoom("fit")
    unnamed = [i for i, f in enumerate(canvas.faces) if f.person and not f.named]
    popup = viewer.open_face(unnamed[0] if unnamed else 0)
    settle(app)
    assert popup is not None
    path = save(window, app, out, "viewer-popup.png")
    picture = window.grab()  # the popup is a window of its own: paint it where it shows
    painter = QPainter(picture)
    painter.drawPixmap(popup.pos() - window.mapToGlobal(QPoint(0, 0)), popup.grab())
    painter.end()
    picture.save(str(path))
    popup.close()
    taken.append(path)
    session.undo.undo()  # the portrait's face: the other pictures show the library as it was
    window.show_grid()
    return taken
