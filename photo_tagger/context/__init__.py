"""Context tags: what a photo already carries (capture time, GPS, camera) turned into tags such as
`Places/Portugal/Lisbon`, `Dates/2024/2024-06`, `Time of day/Evening`, offline.

Pure functions of bytes and numbers: no Qt, no store, no network, no state at import. Everything
may run on a worker thread; one `Gazetteer` may be shared by several.

Per photo, at scan time (on the bytes already read for decoding)::

    facts = read_capture(data, file_mtime)          # CaptureFacts; never raises, < 1 ms
    gazetteer = Gazetteer()                          # once per process; loads on first use (~1 s)
    places = gazetteer.places([f.position for f in batch])   # Place | None each, batched
    tags = context_tags(facts, place)               # {"Places/Portugal/Lisbon": 1.0, ...}

Across the library (from stored facts; sort + linear scan, 100,000 photos well under a second)::

    events = group_events([(photo_id, taken, position), ...], places_by_id)   # list[Event]
    borrowed = inherit_positions([(photo_id, taken, camera.key, position), ...])
    # photo id -> Inheritance; look its .position up in the gazetteer, then
    tags = context_tags(facts, None, inherited=borrowed[pid], inherited_place=that_place)

Scores: 1.0 for facts (camera clock, own GPS), 0.5 for a date guessed from the file time
(`when.GUESS_SCORE`), 0.6 for a place borrowed from a neighbouring photo (`INHERITED_SCORE`).

Modules: `exif` (reading), `places` (reverse geocoding and place tags), `when` (date, time of
day, season), `events` (grouping), `inherit` (borrowed places), `timeline` (one clock for all),
`tags` (`context_tags`). Each documents its rules.
"""

from photo_tagger.context.events import Event, group_events
from photo_tagger.context.exif import Camera, CaptureFacts, read_capture
from photo_tagger.context.inherit import INHERITED_SCORE, Inheritance, inherit_positions
from photo_tagger.context.places import Gazetteer, Place, distance_km, place_tags
from photo_tagger.context.tags import context_tags
from photo_tagger.context.when import FACT_SCORE, GUESS_SCORE, when_tags

__all__ = [
    "FACT_SCORE",
    "GUESS_SCORE",
    "INHERITED_SCORE",
    "Camera",
    "CaptureFacts",
    "Event",
    "Gazetteer",
    "Inheritance",
    "Place",
    "context_tags",
    "distance_km",
    "group_events",
    "inherit_positions",
    "place_tags",
    "read_capture",
    "when_tags",
]
