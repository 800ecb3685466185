"""New models tried beside the ones in use, on a sample of the user's own photos, before anything
the user sees changes (a shadow test).

The sample is spread evenly over the library's photos in the order of their paths, so every folder
is in it in proportion, and it is the same photos every time. Each sampled photo's file is read,
checked to be the content that was scanned, decoded as a scan decodes it and analysed by the new
models, on worker threads, the object detector included (which a scan leaves to the closer look
after it). Nothing is written to the shared document or the index: the new models' tags are set
beside what the models in use stored, and both go through the rule the user sees everywhere
(store/rules.py `effective_tags`, with each set of models' own thresholds from app/thresholds.py,
times the user's scale). What the photo carries (its place, date, event), the cloud model's tags
and the user's own tags are the same on both sides, as they would be after a switch; so what
differs is what switching would change for the user: tags that would go, tags that would come, and
how many faces would be found.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from photo_tagger.app.calls import LibraryCaller, call_here, slices
from photo_tagger.app.thresholds import load_vocabulary, tag_threshold
from photo_tagger.errors import ImageError
from photo_tagger.files.discovery import content_id, read_photo_file
from photo_tagger.imaging import decode_photo
from photo_tagger.imaging.decode import DEFAULT_TARGET_SIDE
from photo_tagger.store import rules
from photo_tagger.store.index import LocalIndex
from photo_tagger.store.library import CONTEXT_MODEL, Library
from photo_tagger.store.paths import INDEX_FILE
from photo_tagger.vision.pipeline import Analyzer, Models
from photo_tagger.vision.workers import Progress, default_workers, map_in_threads
from photo_tagger.words import count, reason

SAMPLE = 200  # photos a new release is tried on, unless the user says otherwise
COMPARE_SLICE = 32  # photos compared per call to the library's thread: a few milliseconds


@dataclass(frozen=True)
class PhotoChange:
    """What switching to the new models would change on one photo."""

    photo_id: str
    path: str
    lost: tuple[str, ...]  # tags the photo shows now and would not show
    gained: tuple[str, ...]  # tags it would show and does not now
    faces: tuple[int, int]  # faces found: as stored now, by the new models

    @property
    def changes(self) -> bool:
        return bool(self.lost or self.gained) or self.faces[0] != self.faces[1]


@dataclass
class ShadowReport:
    """What a shadow test found. Only the photos that would change are listed."""

    candidate: str  # the new models, in words: "model release 3", "the models in /path"
    release: int | None  # the candidate's release number; None for a folder of models
    current: str  # the models in use, in words: "release 2", "the shipped models"
    current_dir: str  # their folder, as the test found it
    scale: float  # the user's threshold scale the tags were read with
    library_photos: int  # photos with a file on this computer
    sampled: int  # photos picked
    compared: int  # photos both sets of models were compared on
    changed: list[PhotoChange]
    skipped: list[tuple[str, str]]  # (photo's path or id, why it could not be compared)
    made: float  # when (seconds since the epoch)

    @property
    def stopped(self) -> bool:
        """The test was stopped before every sampled photo was looked at."""
        return self.compared + len(self.skipped) < self.sampled

    def headline(self) -> str:
        n = len(self.changed)
        return f"{n} of {count(self.compared, 'photo')} would change"

    def most_often(self, gained: bool, limit: int = 5) -> list[tuple[str, int]]:
        """The tags most often gained (or lost), with on how many photos, most first."""
        counts = Counter(t for c in self.changed for t in (c.gained if gained else c.lost))
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    @property
    def faces_changed(self) -> int:
        return sum(1 for c in self.changed if c.faces[0] != c.faces[1])

    def about(self, release: int | None, current_dir: Path, scale: float) -> bool:
        """Whether this report is about these new models beside these models in use."""
        same_dir = self.current_dir == str(current_dir)
        return self.release == release and same_dir and abs(self.scale - scale) < 1e-9


@dataclass(frozen=True)
class Seen:
    """What the new models say about one sampled photo."""

    photo_id: str
    path: str
    tags: dict[str, float]
    faces: int


def pick_spread(items: Sequence[Any], size: int) -> list[Any]:
    """`size` items spread evenly over `items` (all of them when there are no more)."""
    n = len(items)
    if size <= 0:
        return []
    if n <= size:
        return list(items)
    return [items[(2 * i + 1) * n // (2 * size)] for i in range(size)]


class ShadowTest:
    """Tries `candidate` on a sample of `library`'s photos beside the models in `current_dir`.

    `on_library` runs library work on the thread that owns the library (the window's); the
    analysis runs on `workers` threads, at a lower priority with `background`."""

    def __init__(
        self,
        library: Library,
        candidate: Models,
        current_dir: Path,
        scale: float = 1.0,
        on_library: LibraryCaller = call_here,
        workers: int | None = None,
        background: bool = False,
    ) -> None:
        self.library = library
        self.candidate = candidate
        self.current_dir = current_dir
        self.scale = scale
        self.on_library = on_library
        self.workers = workers or default_workers()
        self.background = background
        self.analyzer = Analyzer(candidate, with_objects=True)  # and what the closer look adds
        self.now_threshold = tag_threshold(load_vocabulary(current_dir), scale)
        self.new_threshold = tag_threshold(candidate.vocabulary, scale)

    def run(
        self,
        names: tuple[str, int | None, str],
        sample: int = SAMPLE,
        on_progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> ShadowReport:
        """`names`: the new models in words, their release (or None), the models in use in
        words. Stopped part way, the report covers the photos compared until then."""
        photos, library_photos = self._sample(sample)
        progress = Progress(len(photos))
        seen: list[Seen] = []
        skipped: list[tuple[str, str]] = []
        outcomes = map_in_threads(
            self._analyse, photos, self.workers, should_stop, background=self.background
        )
        for outcome in outcomes:
            if outcome.result is not None:
                seen.append(outcome.result)
            else:
                cid, paths = outcome.item
                skipped.append((paths[0] if paths else cid, why(outcome.error)))
            progress.advance(skipped=outcome.result is None)
            if on_progress is not None:
                on_progress(progress)
        changed: list[PhotoChange] = []
        for part in slices(seen, COMPARE_SLICE):
            changed += self.on_library(partial(self._compare, part))
        changed.sort(key=lambda c: c.path)
        candidate, release, current = names
        return ShadowReport(
            candidate, release, current, str(self.current_dir), self.scale, library_photos,
            len(photos), len(seen), changed, skipped, time.time(),
        )  # fmt: skip

    def _sample(self, size: int) -> tuple[list[tuple[str, list[str]]], int]:
        """The photos to try, each with its paths; and how many photos have a file here. The
        index is read on a connection of this thread's own, not on the library's thread."""
        reader = LocalIndex.open_reader(self.library.path / INDEX_FILE)
        try:
            files = reader.photo_files()
            picked = [(cid, reader.paths_for(cid)) for cid, _ in pick_spread(files, size)]
        finally:
            reader.close()
        document = self.library.document
        shared = self.on_library(lambda: {cid for cid, _ in picked if document.has_photo(cid)})
        return [p for p in picked if p[0] in shared], len(files)

    def _analyse(self, photo: tuple[str, list[str]]) -> Seen:
        """The new models on the photo's file (on a worker thread; no library work here)."""
        photo_id, paths = photo
        problem = "none of its files is on this computer any more"
        for path in paths:
            try:
                data = read_photo_file(path)
            except ImageError as exc:
                problem = str(exc)
                continue
            if content_id(data) != photo_id:
                problem = "its file changed since it was scanned (a scan reads it again)"
                continue
            image = decode_photo(data, path, DEFAULT_TARGET_SIDE)
            analysis = self.analyzer.analyze(image.rgb, image.width, image.height)
            return Seen(photo_id, path, analysis.tags, len(analysis.faces))
        raise ImageError(problem)

    def _compare(self, seen: Sequence[Seen]) -> list[PhotoChange]:
        """On the library's thread: each photo's tags now and with the new models."""
        library, model = self.library, self.candidate.tagger_id
        changes = []
        for s in seen:
            auto = library.auto_tags(s.photo_id)
            user = library.user_tags(s.photo_id)
            now = rules.effective_tags(auto, user, self.now_threshold)
            new_auto = new_models_auto(library.context_tags(s.photo_id), auto, s.tags, model)
            new = rules.effective_tags(new_auto, user, self.new_threshold)
            faces = (len(library.faces(s.photo_id)[1]), s.faces)
            change = PhotoChange(
                s.photo_id, s.path, tuple(sorted(now.keys() - new.keys())),
                tuple(sorted(new.keys() - now.keys())), faces,
            )  # fmt: skip
            if change.changes:
                changes.append(change)
        return changes


def new_models_auto(
    context: dict[str, float],
    auto: dict[str, dict[str, Any]],
    tags: dict[str, float],
    model: str,
) -> dict[str, dict[str, Any]]:
    """A photo's auto tags as they would be once the new models re-tagged it: what the photo
    carries, under the new models' tags, under the cloud model's (as Library.auto_tags joins
    them)."""
    merged: dict[str, dict[str, Any]] = {
        t: {"score": float(v), "source": rules.PHOTO, "model": CONTEXT_MODEL}
        for t, v in context.items()
    }
    merged.update({t: {"score": s, "source": rules.LOCAL, "model": model} for t, s in tags.items()})
    merged.update({t: a for t, a in auto.items() if a.get("source") == rules.CLOUD})
    return merged


def why(error: BaseException | None) -> str:
    """Why a photo could not be tried, in words."""
    if isinstance(error, ImageError):
        return str(error)
    return f"it could not be analysed ({reason(error) if error else 'no reason given'})"
