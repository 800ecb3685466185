"""What photos carry beyond their pixels, kept across the library: place, date and event tags, and
near-duplicate groups.

A scan reads each photo's capture facts (photo_tagger.context: capture time, GPS and the place it
names, camera) and near-duplicate signature on its worker threads and keeps them in the local
index (`capture_values`). Afterwards `update_context` works out what depends on the other photos
too (events; places borrowed from the same camera's neighbours in time) and stores each photo's
context tags in the index, only where they changed: the library reads them as the "photo" source
(store/library.py). `find_duplicates` groups near-duplicates (photo_tagger.duplicates) and marks
in the index the one to keep.

Both work out their changes from the index read on a connection of their own, through a `run`
that the window points at a child process, and write them through `on_library` in slices, like
the people grouping (app/people.py). Where each runs: app/calls.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from photo_tagger.app.calls import LibraryCaller, Runner, call_here, run_here, slices
from photo_tagger.context import (
    Camera,
    CaptureFacts,
    Gazetteer,
    Place,
    context_tags,
    group_events,
    inherit_positions,
)
from photo_tagger.context.timeline import wall_seconds
from photo_tagger.duplicates import PhotoFacts, Signature, best_of, group_near_duplicates

if TYPE_CHECKING:
    from photo_tagger.store.index import Capture
    from photo_tagger.store.library import Library

EVENTS_ROOT = "Events"
WRITE_SLICE = 256  # photos per library transaction


@dataclass(frozen=True)
class CaptureValues:
    """A photo's capture facts as the index keeps them (LocalIndex.set_capture's arguments)."""

    taken: str | None
    taken_guessed: bool
    position: tuple[float, float] | None
    camera: str | None
    place: str | None
    signature: bytes | None


def capture_values(
    facts: CaptureFacts, place: Place | None, signature: bytes | None
) -> CaptureValues:
    return CaptureValues(
        taken=facts.taken.isoformat() if facts.taken is not None else None,
        taken_guessed=facts.taken_guessed,
        position=facts.position,
        camera=facts.camera.key if facts.camera is not None else None,
        place=_place_text(place),
        signature=signature,
    )


def _place_text(place: Place | None) -> str | None:
    if place is None:
        return None
    return json.dumps([place.country, place.region, place.city, place.country_code])


def _place(text: str | None) -> Place | None:
    if not text:
        return None
    country, region, city, code = json.loads(text)
    return Place(country, region, city, code)


def _facts(c: Capture) -> CaptureFacts:
    camera = None
    if c.camera:
        make, _, rest = c.camera.partition("|")
        model, _, serial = rest.partition("|")
        camera = Camera(make or None, model or None, serial or None)
    return CaptureFacts(
        taken=datetime.fromisoformat(c.taken) if c.taken else None,
        taken_guessed=c.taken_guessed,
        taken_from="file" if c.taken_guessed else None,
        position=c.position,
        camera=camera,
    )


@dataclass
class ContextReport:
    updated: int = 0  # photos whose context tags changed
    events: int = 0
    borrowed_places: int = 0  # photos without GPS given a neighbour's place, as a suggestion


Changes = list[tuple[str, dict[str, float], str]]  # (photo, its context tags, as JSON text)


def event_tag(year: int, label: str) -> str:
    """`Events/2024/2024-06-12 Lisbon`: under their year, as a library holds thousands."""
    return f"{EVENTS_ROOT}/{year}/{label.replace('/', '-')}"


def context_changes(index_file: Path) -> tuple[Changes, ContextReport]:
    """Every photo on disk's context tags, worked out from the index's capture facts: the photos
    whose tags differ from those last stored, and what was found."""
    captures = _read(index_file, signatures=False)
    report = ContextReport()
    facts = {c.content_id: _facts(c) for c in captures}
    places = {c.content_id: _place(c.place) for c in captures}

    def camera_time(f: CaptureFacts) -> datetime | None:
        return None if f.taken_guessed else f.taken  # a file's time says nothing of the camera

    events = group_events(((pid, camera_time(f), f.position) for pid, f in facts.items()), places)
    event_of = {pid: e for e in events for pid in e.photo_ids}
    borrowed = inherit_positions(
        (pid, camera_time(f), f.camera.key if f.camera else None, f.position)
        for pid, f in facts.items()
    )
    report.events = len(events)
    report.borrowed_places = len(borrowed)

    changed: Changes = []
    for c in captures:
        pid = c.content_id
        inherited = borrowed.get(pid)
        tags = context_tags(
            facts[pid],
            places[pid],
            inherited=inherited,
            inherited_place=places.get(inherited.source_id) if inherited else None,
        )
        event = event_of.get(pid)
        if event is not None:
            tags[event_tag(event.start.year, event.label)] = 1.0
        text = json.dumps(tags, sort_keys=True)
        if text != c.context:
            changed.append((pid, tags, text))
    report.updated = len(changed)
    return changed, report


def update_context(
    library: Library,
    on_library: LibraryCaller = call_here,
    on_stored: Callable[[list[str]], None] | None = None,
    run: Runner = run_here,
) -> ContextReport:
    """Work out every photo's context tags (`context_changes`, through `run`) and store those
    that changed, a slice at a time through `on_library`."""
    changed, report = run(context_changes, library.index.path)
    store_context(library, changed, on_library, on_stored)
    return report


def store_context(
    library: Library,
    changed: Changes,
    on_library: LibraryCaller = call_here,
    on_stored: Callable[[list[str]], None] | None = None,
) -> None:
    """Store the context tags `context_changes` worked out, a slice at a time."""

    def write(part: Changes) -> None:
        index = library.index
        with index.batch():
            for pid, _, text in part:
                index.set_context(pid, text)
        if on_stored is not None:
            on_stored([pid for pid, _, _ in part])

    for part in slices(changed, WRITE_SLICE):
        on_library(partial(write, list(part)))


def _read(index_file: Path, signatures: bool) -> list[Capture]:
    """Every photo on disk's capture row, read on a connection of the calling thread's own."""
    from photo_tagger.store.index import LocalIndex

    reader = LocalIndex.open_reader(index_file)
    try:
        return reader.captures(signatures=signatures)
    finally:
        reader.close()


@dataclass
class DuplicatesReport:
    groups: int = 0
    photos: int = 0  # in a group
    changed: int = 0  # photos whose group (or photo to keep) changed


def duplicate_changes(index_file: Path) -> tuple[dict[str, str | None], DuplicatesReport]:
    """The near-duplicate groups among the photos on disk: for each photo whose mark changed, the
    photo of its group to keep (the most pixels, then the sharpest, then the largest file), or
    None when it is in no group any more."""
    from photo_tagger.store.index import LocalIndex

    captures = _read(index_file, signatures=True)
    reader = LocalIndex.open_reader(index_file)
    try:
        sizes = reader.photo_sizes()
    finally:
        reader.close()
    ids: list[str] = []
    signatures: list[Signature] = []
    times: list[float | None] = []
    cameras: list[str | None] = []
    for c in captures:
        if not c.signature:
            continue
        try:
            sig = Signature.from_bytes(c.signature)
        except ValueError:  # made by another version: the next analysis redoes it
            continue
        ids.append(c.content_id)
        signatures.append(sig)
        taken = None if c.taken_guessed else c.taken  # a file's time is no camera's clock
        times.append(wall_seconds(datetime.fromisoformat(taken)) if taken else None)
        cameras.append(c.camera)
    groups = group_near_duplicates(ids, signatures, times, cameras)
    sharpness = {pid: sig.sharpness for pid, sig in zip(ids, signatures, strict=True)}
    keep: dict[str, str | None] = {}
    for group in groups:
        facts = {
            pid: PhotoFacts(*sizes.get(pid, (0, 0, 0)), sharpness=sharpness[pid]) for pid in group
        }
        keep.update(dict.fromkeys(group, best_of(group, facts)))
    changed = {
        c.content_id: keep.get(c.content_id)
        for c in captures
        if c.duplicate_of != keep.get(c.content_id)
    }
    return changed, DuplicatesReport(len(groups), len(keep), len(changed))


def find_duplicates(
    library: Library, on_library: LibraryCaller = call_here, run: Runner = run_here
) -> DuplicatesReport:
    """Group the near-duplicates among the photos on disk (`duplicate_changes`, through `run`)
    and mark in the index, for each photo in a group, the one to keep."""
    changed, report = run(duplicate_changes, library.index.path)
    store_duplicates(library, changed, on_library)
    return report


def store_duplicates(
    library: Library, changed: dict[str, str | None], on_library: LibraryCaller = call_here
) -> None:
    for part in slices(list(changed.items()), WRITE_SLICE * 8):
        on_library(partial(library.index.set_duplicates, dict(part)))


DuplicateChanges = tuple[dict[str, str | None], DuplicatesReport]


def library_wide_changes(
    index_file: Path, duplicates: bool
) -> tuple[tuple[Changes, ContextReport], DuplicateChanges | None]:
    """`context_changes` and (if asked) `duplicate_changes` in one call: where `run` is a child
    process (the window), one process starts rather than two. Neither reads what the other
    writes."""
    return context_changes(index_file), duplicate_changes(index_file) if duplicates else None


def shared_gazetteer() -> Gazetteer:
    """One per process: its table is ~25 MB and a second to load."""
    global _GAZETTEER
    if _GAZETTEER is None:
        _GAZETTEER = Gazetteer()
    return _GAZETTEER


_GAZETTEER: Gazetteer | None = None
