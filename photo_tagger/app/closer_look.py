"""A closer look, after a scan: the object detector on the photos the scan analysed.

A scan leaves the object detector out, which keeps it near the speed of decoding: the detector
costs as much as the other models together (14 ms a photo on one core), and what it finds comes on
top of what they tell (the tie of a portrait, the cup beside a coffee, people seen from behind).
Run by a scan on the photos where no face was found and the classifier was unsure, it found none of
the accuracy benchmark's objects while it ran on more than half of its pictures (measured with
`benchmarks/bench_accuracy.py --scan-only` when a scan did so). Every photo is looked at here
instead, later and at a lower priority: the window does it when it has nothing else to do (and then
has photos the objects left unsure refined by the cloud model, when that is on), `photo-tagger
look-closer` or `scan --closer-look` on request. What is found is stored as a scan stores it: the
objects in the index, their tags merged into the tags the library's own models gave the photo (the
shared document), never touching what the user set. Each photo is marked as looked at by these
models, so it is looked at once; a change of models has the next scan analyse it again, and the
closer look follows.

A photo is read again from one of its files. A file that no longer holds the photo's content
(edited since the scan) is left to the next scan; a photo none of whose files can be read is
reported and left waiting.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial

from photo_tagger.app.scan import LOOKUP_SLICE, Importer
from photo_tagger.app.scan_report import Skipped
from photo_tagger.errors import ImageError, LibraryError
from photo_tagger.files.discovery import content_id, read_photo_file
from photo_tagger.imaging import decode_photo
from photo_tagger.store import rules
from photo_tagger.vision.objects import DetectedObject
from photo_tagger.vision.pipeline import in_photo_pixels, merge_max
from photo_tagger.vision.workers import Progress, map_in_threads
from photo_tagger.words import reason


@dataclass(frozen=True)
class Looked:
    """What the closer look found in one photo; `objects` in pixels of the full-size photo."""

    content_id: str
    objects: list[DetectedObject]


@dataclass
class CloserLookReport:
    looked: int = 0  # photos looked at and stored
    objects: int = 0  # objects found in them
    tagged: int = 0  # photos whose tags the objects changed
    skipped: list[Skipped] = field(default_factory=list)
    cancelled: bool = False


def awaiting(importer: Importer) -> list[tuple[str, list[str]]]:
    """(content id, paths) of the photos waiting for a closer look with the importer's models;
    none when the models have no object detector. Read in slices of a few milliseconds on the
    library's thread."""
    if importer.models.objects is None:
        return []
    index, after = importer.library.index, ""
    out: list[tuple[str, list[str]]] = []
    while True:
        page = importer.on_library(
            partial(index.awaiting_closer_look, importer.analysis, after, LOOKUP_SLICE)
        )
        # a photo no file on this computer holds is not looked at here
        out.extend(item for item in page if item[1])
        if len(page) < LOOKUP_SLICE:
            return out
        after = page[-1][0]


def look_closer(
    importer: Importer,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    paused: Callable[[], bool] = lambda: False,
    on_stored: Callable[[list[str]], None] | None = None,
) -> CloserLookReport:
    """Run the object detector on every photo waiting for it, storing as it goes; stopping
    keeps what is stored, and the rest waits for the next closer look. `on_stored` is called
    on the library's thread with the photos of each stored batch."""
    report = CloserLookReport()
    todo = awaiting(importer)
    progress = Progress(total=len(todo))
    pending: list[Looked] = []
    last_commit = time.monotonic()
    outcomes = map_in_threads(
        partial(look_at, importer), todo, importer.workers, should_stop, importer.background
    )
    with closing(outcomes):
        for outcome in outcomes:
            if outcome.result is None:
                report.skipped.append(Skipped(outcome.item[1][0], why_not(outcome.error)))
                progress.advance(skipped=True)
            else:
                pending.append(outcome.result)
                progress.advance()
            due = time.monotonic() - last_commit > importer.commit_seconds
            if pending and (len(pending) >= importer.commit_every or due or paused()):
                store = partial(store_looked, importer, list(pending), report, on_stored)
                importer.on_library(store)
                pending.clear()
                last_commit = time.monotonic()
            if on_progress is not None:
                on_progress(progress)
            while paused() and not should_stop():
                time.sleep(0.05)
    if pending:
        importer.on_library(partial(store_looked, importer, pending, report, on_stored))
    report.cancelled = should_stop() and progress.done < progress.total
    return report


def why_not(error: BaseException | None) -> str:
    """Why a photo could not be looked at, in words."""
    if error is None:
        return "it changed since the scan, which looks at it again"
    if isinstance(error, ImageError):
        return str(error)
    return f"it could not be looked at: {reason(error)}"


def look_at(importer: Importer, item: tuple[str, list[str]]) -> Looked | None:
    """The objects in one photo, read from the first of its files that still holds it (None when
    none does). On a worker thread."""
    cid, paths = item
    problem: ImageError | None = None
    for path in paths:
        try:
            data = read_photo_file(path)
        except ImageError as exc:
            problem = exc
            continue
        if content_id(data) != cid:
            continue  # edited since the scan: the next scan analyses it
        image = decode_photo(data, path, importer.target_side)
        found = importer.analyzer.find_objects(image.rgb)
        return Looked(cid, in_photo_pixels(found, image.width / image.rgb.shape[1]))
    if problem is not None:
        raise problem
    return None


def store_looked(
    importer: Importer,
    batch: Sequence[Looked],
    report: CloserLookReport,
    on_stored: Callable[[list[str]], None] | None = None,
) -> None:
    """Store what the closer look found in `batch`, on the library's thread: their tags merged
    into the local models' tags, then the objects and the mark in the index. In that order, a
    write that fails (a full disk) leaves the photos waiting, and looking at them again merges
    the same tags again, which changes nothing."""
    library = importer.library
    try:
        with library.document.batch():
            tagged = sum(merge_object_tags(importer, looked) for looked in batch)
        with library.index.batch():
            for looked in batch:
                objects = ((o.label, o.score, o.box) for o in looked.objects)
                library.index.set_objects(looked.content_id, objects)
                library.index.set_objects_looked(looked.content_id, importer.analysis)
    except (sqlite3.Error, LibraryError) as exc:
        raise LibraryError(
            f"Cannot store what the closer look found in the library {library.path} "
            f"({reason(exc)}). If the disk is full, free some space and look again: what was "
            "stored before is kept, and the photos not yet stored wait for the next closer look."
        ) from exc
    report.looked += len(batch)
    report.objects += sum(len(looked.objects) for looked in batch)
    report.tagged += tagged
    if on_stored is not None:
        on_stored([looked.content_id for looked in batch])


def merge_object_tags(importer: Importer, looked: Looked) -> bool:
    """Add the tags of `looked`'s objects to those the library's models gave the photo; whether
    they changed. Tags other models gave (an older release, another device's) are left alone."""
    models, document = importer.models, importer.library.document
    given = document.local_auto_tags(looked.content_id)
    if given is None or given[0] != models.tagger_id:
        return False
    tags = dict(given[1])
    merge_max(tags, models.vocabulary.object_tags((o.label, o.score) for o in looked.objects))
    if tags == given[1]:
        return False
    document.set_auto_tags(looked.content_id, tags, rules.LOCAL, models.tagger_id)
    return True
