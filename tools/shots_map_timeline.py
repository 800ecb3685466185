"""Screenshots of the map and the timeline (tools/screenshots.py calls `shots`): map.png (the
library's places as clusters), map-picked.png (a cluster's photos in the grid), timeline.png (the
grid beside its timeline, a month under the pointer), and map-dark.png and timeline-dark.png in a
dark colour scheme."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from photo_tagger.gui.app import samples_dir
from photo_tagger.gui.map_page import MapBanner, MapPage
from photo_tagger.gui.timeline import Timeline
from photo_tagger.gui.window import MainWindow

# a few trips over four years: (place, (latitude, longitude), year, month)
TRIPS = [
    ("tokyo", (35.68, 139.69), 2021, 4),
    ("new-york", (40.71, -74.0), 2021, 10),
    ("cape-town", (-33.92, 18.42), 2022, 2),
    ("sydney", (-33.87, 151.21), 2022, 12),
    ("rio", (-22.9, -43.2), 2023, 3),
    ("reykjavik", (64.15, -21.94), 2023, 7),
    ("paris", (48.85, 2.35), 2024, 5),
    ("nairobi", (-1.29, 36.82), 2025, 1),
]
PHOTOS = ("rocket", "coffee", "motorcycle", "astronaut", "chelsea")


def shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    from screenshots import dark, save, settle, wait, with_exif

    trips = work / "trips"
    trips.mkdir()
    for t, (name, (lat, lon), year, month) in enumerate(TRIPS):
        for k in range(2 + t % 3):
            where = (lat + 0.01 * k, lon + 0.01 * k)
            taken = f"{year}:{month:02d}:{k + 3:02d} 1{k}:00:00"
            source = samples_dir() / f"{PHOTOS[(t + k) % len(PHOTOS)]}.jpg"
            with_exif(source, trips / f"{name}-{k}.jpg", taken, where, quality=80 + k)
    window.add_paths([str(trips)], watch=False)
    wait(app, lambda: not window.jobs.busy)
    session = window.session
    assert session is not None
    session.finish_reading_facts()
    window.filters.select("all")

    page = window.findChild(MapPage)
    assert isinstance(page, MapPage)
    window.commands.map.trigger()
    wait(app, lambda: len(page.view.places) > 0 and page.view.world is not None)
    page.view.fit_world()
    pictures = [save(window, app, out, "map.png")]

    paris = page.view.to_screen(2.35, 48.85)
    found = page.view.cluster_at(paris)
    if found is not None:
        page.view.picked.emit(page.view.clusters().photos(page.view.places, found), "cluster")
    settle(app)
    wait(app, lambda: not window.findChild(Timeline).isVisible())  # one month: no timeline
    pictures.append(save(window, app, out, "map-picked.png"))

    banner = window.findChild(MapBanner)
    assert isinstance(banner, MapBanner)
    banner.show_all()
    bar = window.findChild(Timeline)
    assert isinstance(bar, Timeline)
    wait(app, lambda: bar.isVisible() and len(bar.months) > 5)
    pictures.append(timeline_shot(window, app, out, bar, "timeline.png"))

    with dark(app):
        pictures.append(timeline_shot(window, app, out, bar, "timeline-dark.png"))
        window.commands.map.trigger()
        pictures.append(save(window, app, out, "map-dark.png"))
    window.show_grid()
    return pictures


def timeline_shot(
    window: MainWindow, app: QApplication, out: Path, bar: Timeline, name: str
) -> Path:
    """The grid jumped to a month of 2022, the pointer on the bar saying which."""
    from screenshots import save

    month = next((m for m in bar.months if m.key.startswith("2022")), bar.months[-1])
    y = bar.y_of(month.first) + 2
    bar._pick(y, jump=True)  # noqa: SLF001 -- as the pointer pressing there
    return save(window, app, out, name)
