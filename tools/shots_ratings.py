"""Screenshots of ratings, favourites and rejects: the grid with stars and flags (light and dark),
the Ratings filter, and the viewer's stars."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from photo_tagger.gui.facts import ALL, RATING
from photo_tagger.gui.window import MainWindow
from photo_tagger.store.marks import FAVOURITE, REJECTED

# photo -> (stars, flags), as a user would have marked a shoot
MARKS = {
    "chelsea.jpg": (5, FAVOURITE),
    "astronaut.jpg": (4, ""),
    "rocket.jpg": (3, FAVOURITE),
    "coffee.jpg": (2, ""),
    "obama2.jpg": (1, REJECTED),
    "motorcycle.jpg": (0, REJECTED),
    "group.jpg": (4, ""),
}


def shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    from screenshots import dark, photo_id, save

    session = window.session
    assert session is not None
    window.show_grid()
    window.filters.select(ALL)
    ratings = window.ratings
    for name, (stars, flag) in MARKS.items():
        window.grid.select_ids([photo_id(window, name)])
        if stars:
            ratings.set_rating(stars)
        if flag:
            ratings.toggle(flag)
    session.finish_reading_facts()
    window.grid.select_ids([photo_id(window, "chelsea.jpg")])
    window.grid.scrollToTop()
    pictures = [save(window, app, out, "ratings.png")]

    with dark(app):
        pictures.append(save(window, app, out, "ratings-dark.png"))

    window.filters.select(RATING, "4")
    window.grid.select_ids([photo_id(window, "astronaut.jpg")])
    pictures.append(save(window, app, out, "ratings-filter.png"))
    window.filters.select(ALL)
    window.show_photo(photo_id(window, "rocket.jpg"))
    pictures.append(save(window, app, out, "ratings-viewer.png"))
    window.show_grid()
    return pictures
