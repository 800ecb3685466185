"""Screenshots of the Info panel, the Folders tab and View › Sort By (called by screenshots.py):

info.png and info-dark.png (a photo's capture time, camera, lens, exposure, size, objects, file and
place), folders.png and folders-dark.png (the Folders tab, one folder picked) and sort.png (the
grid by capture time, oldest first, with the Sort By menu open over it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication
from screenshots import dark, photo_id, save, settle, wait  # tools/, beside this file

from photo_tagger.gui.app import samples_dir
from photo_tagger.gui.window import MainWindow


def shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    browsing = window.browsing
    holiday = work / "Pictures" / "2024" / "Holiday in Lisbon"
    holiday.mkdir(parents=True)
    camera_photo(holiday / "IMG_0412.jpg")
    window.add_paths([str(work / "Pictures")], watch=False)
    wait(app, lambda: not window.jobs.busy)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    window.filters.select("all")
    window.grid.select_ids([photo_id(window, "IMG_0412.jpg")])
    browsing.toggle_info()
    wait(app, lambda: browsing.info.path is not None)
    pictures = [save(window, app, out, "info.png")]
    with dark(app):
        pictures.append(save(window, app, out, "info-dark.png"))
    browsing.toggle_info()

    browsing.tabs.setCurrentIndex(1)
    browsing.folders.rebuild()
    wait(app, lambda: browsing.folders.select(str(holiday.parent)))
    window.grid.select_ids([photo_id(window, "IMG_0412.jpg")])
    pictures.append(save(window, app, out, "folders.png"))
    with dark(app):
        pictures.append(save(window, app, out, "folders-dark.png"))
    browsing.tabs.setCurrentIndex(0)

    pictures.append(sort_shot(window, app, out))
    return pictures


def camera_photo(target: Path) -> None:
    """A sample photo as a camera would have written it: capture time, camera, lens, exposure,
    GPS."""
    from PIL import Image, TiffImagePlugin

    samples = samples_dir()
    assert samples is not None
    rational = TiffImagePlugin.IFDRational
    with Image.open(samples / "motorcycle.jpg") as img:
        exif = img.getexif()
        exif[0x010F], exif[0x0110] = "FUJIFILM", "X-T4"  # Make, Model
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = "2024:06:13 21:47:10"  # DateTimeOriginal
        sub[0x829A], sub[0x829D] = rational(1, 125), rational(56, 10)  # shutter, aperture
        sub[0x8827], sub[0x920A], sub[0xA405] = 800, rational(23, 1), 35  # ISO, focal lengths
        sub[0xA433], sub[0xA434] = "FUJIFILM", "XF23mmF2 R WR"  # lens make, model
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (38.0, 42.0, 49.0)
        gps[3], gps[4] = "W", (9.0, 8.0, 21.0)
        img.save(target, exif=exif, quality=92)


def sort_shot(window: MainWindow, app: QApplication, out: Path) -> Path:
    """sort.png: the grid by capture time, oldest first, the View › Sort By menu over it."""
    from photo_tagger.app.photo_order import DEFAULT, TAKEN_OLDEST

    order = window.browsing.order
    order.set_order(TAKEN_OLDEST)
    wait(app, lambda: order.rows(window.session.catalog.rows) is not window.session.catalog.rows)  # type: ignore[union-attr]
    settle(app)
    window.grab()  # the first paint asks for the thumbnails; the inline runner decodes them
    settle(app)
    picture = window.grab()
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    sort = next(a for a in view.actions() if a.text() == "&Sort By")
    sort.menu().aboutToShow.emit()  # as opening it does: the order picked is checked
    painter = QPainter(picture)
    origin = window.menuBar().actionGeometry(view.menuAction()).bottomLeft()
    for menu, at in ((view, origin), (sort.menu(), QPoint(0, 0))):
        menu.ensurePolished()
        menu.adjustSize()
        if menu is not view:
            geometry = view.actionGeometry(sort)
            at = origin + QPoint(view.width() - 4, geometry.top())
        shot = menu.grab()
        painter.drawPixmap(at, shot)
        painter.setPen(QColor(0, 0, 0, 120))
        painter.drawRect(at.x(), at.y(), shot.width() - 1, shot.height() - 1)
    painter.end()
    path = out / "sort.png"
    if not picture.save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    order.set_order(DEFAULT)  # as the user finds it
    settle(app)
    return path
