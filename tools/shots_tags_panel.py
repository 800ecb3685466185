"""The Tags panel: a photo's tags as a tree (places, dates, events), a photo's named people among
them, several photos at once, and the People view, where the panel shows no photo's tags.

Called by tools/screenshots.py once the sample photos and the trip's photos are scanned.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from photo_tagger.gui.facts import ALL
from photo_tagger.gui.window import MainWindow


def shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    from screenshots import photo_id, save  # tools/ is where this runs from

    window.search.clear()
    window.show_grid()
    window.filters.select(ALL)
    pictures = []
    window.grid.select_ids([photo_id(window, "trip-astronaut.jpg")])
    pictures.append(save(window, app, out, "tags-panel.png"))
    window.grid.select_ids([photo_id(window, "group.jpg")])
    pictures.append(save(window, app, out, "tags-panel-people.png"))
    trip = ("trip-rocket.jpg", "trip-coffee.jpg", "trip-astronaut.jpg", "trip-motorcycle.jpg")
    window.grid.select_ids([photo_id(window, name) for name in trip])
    pictures.append(save(window, app, out, "tags-panel-several.png"))
    window.show_people()
    pictures.append(save(window, app, out, "tags-panel-people-view.png"))
    window.show_grid()
    return pictures
