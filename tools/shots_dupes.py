"""Screenshots of near-duplicates: the groups under their bands (light and dark), and two photos
compared side by side."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from photo_tagger.gui.facts import ALL, DUPLICATES
from photo_tagger.gui.window import MainWindow


def copies(samples: Path, folder: Path) -> None:
    """Copies of sample photos as a library collects them: smaller, recompressed, shaken."""
    import cv2

    folder.mkdir()
    for name in ("rocket", "motorcycle", "chelsea", "astronaut"):
        bgr = cv2.imread(str(samples / f"{name}.jpg"))
        h, w = bgr.shape[:2]
        half = cv2.resize(bgr, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        if name in ("rocket", "motorcycle"):
            cv2.imwrite(str(folder / f"{name}-sent.jpg"), half, [cv2.IMWRITE_JPEG_QUALITY, 70])
        if name in ("rocket", "astronaut"):
            cv2.imwrite(str(folder / f"{name}-q40.jpg"), bgr, [cv2.IMWRITE_JPEG_QUALITY, 40])
        if name == "chelsea":  # a burst's frame with motion blur, saved finer
            shaken = cv2.GaussianBlur(bgr, (0, 0), 2.0)
            cv2.imwrite(str(folder / "chelsea-shaken.jpg"), shaken, [cv2.IMWRITE_JPEG_QUALITY, 98])


def shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    from screenshots import dark, photo_id, save, settle, wait

    from photo_tagger.gui.app import samples_dir

    samples = samples_dir()
    assert samples is not None
    copies(samples, work / "copies")
    window.show_grid()
    window.add_paths([str(work / "copies")], watch=False)
    wait(app, lambda: not window.jobs.busy)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    window.filters.select(DUPLICATES)
    window.grid.select_ids([photo_id(window, "rocket-sent.jpg")])
    window.grid.scrollToTop()
    pictures = [save(window, app, out, "duplicate-groups.png")]

    with dark(app):
        pictures.append(save(window, app, out, "duplicate-groups-dark.png"))

    window.grid.select_ids([photo_id(window, "chelsea-shaken.jpg")])  # with the one kept
    window.duplicates.compare()
    dialog = window.duplicates.dialog
    assert dialog is not None
    settle(app)
    dialog.grab()
    settle(app)
    path = out / "compare.png"
    if not dialog.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    pictures.append(path)
    dialog.reject()
    window.filters.select(ALL)
    return pictures
