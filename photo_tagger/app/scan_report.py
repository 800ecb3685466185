"""What a scan says when it is done (`ScanReport`), and what its caller hears and says while it
runs (`ScanHooks`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from photo_tagger.app.context import ContextReport, DuplicatesReport
from photo_tagger.vision.workers import Progress


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
    reported: float | None = None  # when an earlier scan skipped it too (time.time()), if one did


@dataclass
class ScanReport:
    found: int = 0
    analysed: int = 0
    unchanged: int = 0
    known_content: int = 0  # moved, renamed or copied photos recognised by their content
    removed: int = 0  # photos no longer found at any path
    restored: int = 0  # of those analysed, photos whose model tags or faces the document had lost
    faces: int = 0
    new_people: int = 0
    seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)
    imported_tags: int = 0  # keywords other apps wrote, now user tags
    imported_faces: int = 0  # named face regions other apps wrote, now confirmed people
    raw_with_twin: int = 0  # RAW files kept with the photo of their JPEG or HEIC twin
    metadata_problems: list[str] = field(default_factory=list)  # sidecars that could not be read
    context: ContextReport | None = None  # places, dates, events, when they were worked out
    duplicates: DuplicatesReport | None = None  # near-duplicates, when the photos changed
    planned: int = 0  # photos the scan set out to analyse
    cancelled: bool = False  # stopped before analysing them all (what was stored is finished)

    @property
    def rate(self) -> float:
        return self.analysed / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class ScanHooks:
    """What the caller hears and says while a scan runs.

    `on_progress` runs after every photo on the scanning thread. While `paused()` is true no new
    photo starts (what is analysed is stored first); `should_stop()` ends the analysis early,
    keeping everything done so far, and the scan still finishes what it kept (people, places,
    dates, events, near-duplicates). `on_stored(content_ids)` runs on the library's thread after
    each batch is stored (with [] when only paths were forgotten), for views to follow.
    `on_step(text)` says what the scan does when it has no photos to count (finishing).
    """

    on_progress: Callable[[Progress], None] | None = None
    should_stop: Callable[[], bool] = lambda: False
    paused: Callable[[], bool] = lambda: False
    on_stored: Callable[[list[str]], None] | None = None
    on_step: Callable[[str], None] | None = None

    def step(self, text: str) -> None:
        if self.on_step is not None:
            self.on_step(text)
