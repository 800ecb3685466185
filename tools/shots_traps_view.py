"""Screenshots of what the window shows as filters change (tools/screenshots.py calls `shots`):

selection-cut.png   every photo selected, then Near-duplicates picked: the Tags panel edits only
                    the photos the grid shows
event-renamed.png   an event given a long name stays picked; the filters cut long names short and
                    keep every count whole
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from photo_tagger.gui.facts import ALL, DUPLICATES, TAG
from photo_tagger.gui.window import MainWindow


def shots(window: MainWindow, app: QApplication, out: Path, work: Path) -> list[Path]:
    from screenshots import save, settle  # tools/, beside this file

    session = window.session
    assert session is not None
    session.finish_reading_facts()
    window.show_grid()
    window.search.clear()
    window.filters.select(ALL)
    window.grid.selectAll()
    settle(app)
    window.filters.select(DUPLICATES)
    pictures = [save(window, app, out, "selection-cut.png")]

    events = [t for t in session.facts.all_tags() if t.startswith("Events/") and t.count("/") == 2]
    if events:
        event = max(events, key=lambda t: session.facts.tag_counts[t])
        window.filters.select(TAG, event)
        window.rename_tag(event, "Ana and Miguel's wedding weekend by the river")
        settle(app)
        pictures.append(save(window, app, out, "event-renamed.png"))
    return pictures
