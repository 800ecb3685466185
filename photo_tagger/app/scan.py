"""A scan: folders in, a library that knows every photo's faces, people and tags out.

This is where the layers meet (library finds files, imaging decodes, vision analyses, people groups,
store keeps), so that the command line and the window run the very same scan.

Threads: reading, hashing, decoding and analysing run on worker threads; everything that touches
the library (its document and index belong to one thread) goes through `on_library`, in slices of
a few milliseconds. The command line owns its library on the thread that scans, so its
`on_library` just calls; the window scans on a background thread and hands each slice to the UI
thread, which owns the library, so that the window never waits long for a scan.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from photo_tagger.app.context import (
    CaptureValues,
    ContextReport,
    DuplicatesReport,
    Runner,
    capture_values,
    find_duplicates,
    run_here,
    shared_gazetteer,
    update_context,
)
from photo_tagger.app.sidecar_import import apply_imported, people_by_name
from photo_tagger.context import read_capture
from photo_tagger.duplicates import SIGNATURE_VERSION
from photo_tagger.duplicates import signature as duplicate_signature
from photo_tagger.errors import ImageError
from photo_tagger.files.discovery import FileStat, content_id, plan_scan, walk
from photo_tagger.files.formats import raw_twins
from photo_tagger.imaging import ThumbnailCache, decode_photo, make_thumbnail
from photo_tagger.imaging.decode import DEFAULT_TARGET_SIDE
from photo_tagger.metadata import ImportedMetadata, read_photo_metadata
from photo_tagger.people.cluster import Assignment, FaceKey, Placement, place_new_faces
from photo_tagger.store import rules
from photo_tagger.store.library import CONTEXT_MODEL, Library
from photo_tagger.vision.pipeline import (
    Analyzer,
    Models,
    PhotoAnalysis,
    Progress,
    default_workers,
    map_in_threads,
)

LOCAL_SOURCE = "local"
COMMIT_EVERY = 64  # photos per store transaction: durable often, cheap per photo
LOOKUP_SLICE = 512  # index lookups per call to the library's thread: a few milliseconds
WRITE_SLICE = 256  # suggestions or path removals per library transaction

T = TypeVar("T")


class LibraryCaller(Protocol):
    """Runs `fn` on the thread that owns the library and returns what it returns."""

    def __call__(self, fn: Callable[[], T], /) -> T: ...


def call_here(fn: Callable[[], T]) -> T:
    """The library belongs to the calling thread (the command line): just call."""
    return fn()


def _slices(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class ScanReport:
    found: int = 0
    analysed: int = 0
    unchanged: int = 0
    known_content: int = 0  # moved, renamed or copied photos recognised by their content
    removed: int = 0  # photos no longer found at any path
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

    @property
    def rate(self) -> float:
        return self.analysed / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Analysed:
    stat: FileStat
    content_id: str
    analysis: PhotoAnalysis
    thumbnail: str  # relative to the library's thumbnail folder, already written
    imported: ImportedMetadata  # keywords and named faces other apps wrote for the photo
    capture: CaptureValues  # when, where, with what; its near-duplicate signature


@dataclass(frozen=True)
class _Known:
    stat: FileStat
    content_id: str
    imported: ImportedMetadata


class Importer:
    def __init__(
        self,
        library: Library,
        models: Models,
        workers: int | None = None,
        target_side: int = DEFAULT_TARGET_SIDE,
        on_library: LibraryCaller = call_here,
        commit_every: int = COMMIT_EVERY,
        commit_seconds: float = 1.0,
        background: bool = False,
        run_library_wide: Runner = run_here,
    ) -> None:
        self.library = library
        self.models = models
        self.analyzer = Analyzer(models)
        self.workers = workers or default_workers()
        self.target_side = target_side
        self.on_library = on_library
        self.commit_every = commit_every
        self.commit_seconds = commit_seconds  # at the latest: what is analysed is soon stored
        self.background = background  # analyse at a lower priority than the window's thread
        # where the work across the whole library runs (events, near-duplicate groups): the
        # window has it run in a child process (photo_context.run_in_child_process)
        self.run_library_wide = run_library_wide
        self.thumbnails = ThumbnailCache(library.path / "thumbs")
        # what a photo analysed by these models and rules has: a change of any redoes it
        self.analysis = f"{models.signature};{CONTEXT_MODEL};duplicates@{SIGNATURE_VERSION}"
        self.gazetteer = shared_gazetteer()

    def scan(
        self,
        roots: Iterable[Path],
        on_progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        paused: Callable[[], bool] = lambda: False,
        on_stored: Callable[[list[str]], None] | None = None,
    ) -> ScanReport:
        """Find, analyse and store the photos under `roots`; rescans redo only what changed.

        `on_progress` runs after every photo on this thread. While `paused()` is true no new
        photo starts (what is analysed is stored first); `should_stop()` ends the scan early,
        keeping everything done so far. `on_stored(content_ids)` runs on the library's thread
        after each batch is stored (with [] when only paths were forgotten), for views to follow.
        """
        started = time.monotonic()
        report = ScanReport()
        index = self.library.index
        on_library = self.on_library
        roots = [Path(r).absolute() for r in roots]

        def skip(path: str, reason: str) -> None:
            report.skipped.append(Skipped(path, reason))

        def lookup(paths: Sequence[str]) -> list[tuple[str, tuple[int, int, str] | None]]:
            return [(p, index.lookup(p)) for p in paths]

        def lookup_all(paths: Sequence[str]) -> dict[str, tuple[int, int, str]]:
            found: dict[str, tuple[int, int, str]] = {}
            for part in _slices(paths, LOOKUP_SLICE):
                rows = on_library(partial(lookup, part))
                found.update((p, row) for p, row in rows if row is not None)
            return found

        def processed_by(ids: Sequence[str]) -> list[tuple[str, str | None]]:
            photos = [(c, index.photo(c)) for c in ids]
            return [(c, p["processed_by"] if p else None) for c, p in photos]

        def count_gone(ids: Sequence[str]) -> int:
            return sum(1 for cid in ids if not index.paths_for(cid))

        stats = list(walk(roots, skip))
        report.found = len(stats)
        indexed = on_library(lambda: [p for r in roots for p in index.all_paths_under(str(r))])
        known = lookup_all([st.path for st in stats])
        plan = plan_scan(stats, known.get, indexed)
        missing_ids = {row[2] for row in lookup_all(plan.missing).values()}
        for part in _slices(plan.missing, WRITE_SLICE):
            on_library(partial(index.remove_paths, part))
        if plan.missing and on_stored is not None:
            on_library(partial(on_stored, []))

        signature = self.analysis
        todo = list(plan.changed)
        unchanged_ids = sorted({known[st.path][2] for st in plan.unchanged})
        processed: dict[str, str | None] = {}
        for part in _slices(unchanged_ids, LOOKUP_SLICE):
            processed.update(on_library(partial(processed_by, part)))
        for st in plan.unchanged:  # unchanged files whose photo older models analysed
            if processed.get(known[st.path][2]) != signature:
                todo.append(st)
            else:
                report.unchanged += 1

        done_ids = on_library(lambda: index.content_ids_processed_by(signature))
        claimed: set[str] = set()
        claim_lock = threading.Lock()

        def work(st: FileStat) -> _Analysed | _Known:
            try:
                with open(st.path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                raise ImageError(f"cannot read file ({exc.strerror})") from None
            cid = content_id(data)
            with claim_lock:
                known = cid in done_ids or cid in claimed
                claimed.add(cid)
            if known:  # a moved, copied or touched photo: its sidecar may still be news
                return _Known(st, cid, read_photo_metadata(Path(st.path), data))
            image = decode_photo(data, st.path, self.target_side)
            analysis = self.analyzer.analyze(image.rgb, image.width, image.height)
            thumbnail = self.thumbnails.put(cid, make_thumbnail(image.rgb))
            imported = read_photo_metadata(Path(st.path), data)
            facts = read_capture(data, st.mtime_ns / 1e9)
            place = self.gazetteer.place(*facts.position) if facts.position else None
            sig = duplicate_signature(image.rgb).to_bytes()
            capture = capture_values(facts, place, sig)
            return _Analysed(st, cid, analysis, thumbnail, imported, capture)

        # A RAW shot with a JPEG (or HEIC) twin is one photo with two files: the twin is analysed
        # (it is quicker to read) and the RAW filed under its content. A RAW whose twin could not
        # be read is analysed itself.
        twin_of = raw_twins([st.path for st in stats])
        with_twin = [st for st in todo if st.path in twin_of]
        todo = [st for st in todo if st.path not in twin_of]
        progress = Progress(total=len(todo) + len(with_twin))
        pending: list[_Analysed | _Known] = []
        last_commit = time.monotonic()

        def commit() -> None:
            nonlocal last_commit
            if pending:
                batch = list(pending)
                pending.clear()
                on_library(partial(self._commit, batch, report, on_stored))
            last_commit = time.monotonic()

        def analyse(items: list[FileStat]) -> None:
            for outcome in map_in_threads(
                work, items, self.workers, should_stop, background=self.background
            ):
                if outcome.error is not None:
                    reason = (
                        str(outcome.error)
                        if isinstance(outcome.error, ImageError)
                        else f"unexpected error: {outcome.error!r}"
                    )
                    skip(outcome.item.path, reason)
                    progress.advance(skipped=True)
                else:
                    assert outcome.result is not None
                    pending.append(outcome.result)
                    progress.advance()
                due = time.monotonic() - last_commit > self.commit_seconds
                if len(pending) >= self.commit_every or due:
                    commit()
                if on_progress is not None:
                    on_progress(progress)
                if paused() and not should_stop():
                    commit()  # what is analysed is stored before the scan rests
                    while paused() and not should_stop():
                        time.sleep(0.05)
            commit()

        analyse(todo)

        def file_with_twins(raws: Sequence[FileStat]) -> list[FileStat]:
            """File each RAW under its twin's photo; returns the RAWs whose twin is not indexed."""
            alone = []
            with index.batch():
                for st in raws:
                    twin = index.lookup(twin_of[st.path])
                    if twin is None:
                        alone.append(st)
                    else:
                        index.upsert_file(st.path, st.size, st.mtime_ns, twin[2])
                        report.raw_with_twin += 1
            return alone

        alone: list[FileStat] = []
        if not should_stop():
            for raws in _slices(with_twin, LOOKUP_SLICE):
                alone.extend(on_library(partial(file_with_twins, raws)))
            if on_stored is not None and len(alone) < len(with_twin):
                on_library(partial(on_stored, []))
            progress.done += len(with_twin) - len(alone)
            analyse(alone)
        todo = todo + with_twin

        def record_skipped() -> None:
            with index.batch():
                index.clear_skipped([st.path for st in todo])
                for s in report.skipped:
                    index.record_skipped(s.path, s.reason)

        on_library(record_skipped)
        # a missing path whose content turned up elsewhere was a move, not a deletion
        gone = sorted(missing_ids)
        for part in _slices(gone, LOOKUP_SLICE):
            report.removed += on_library(partial(count_gone, part))
        report.new_people = self.group_people(on_stored)
        changed = report.analysed or report.removed or report.known_content
        if not should_stop() and (changed or on_library(index.context_pending)):
            # events and borrowed places depend on the other photos: worked out again whole
            run = self.run_library_wide
            report.context = update_context(self.library, on_library, on_stored, run)
        if not should_stop() and changed:
            report.duplicates = find_duplicates(self.library, on_library, self.run_library_wide)
        report.seconds = time.monotonic() - started
        return report

    def retag(
        self,
        on_progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> ScanReport:
        """Analyse again every photo that other models analysed (after a model update or a
        rollback). Auto tags are replaced; what the user set is never touched."""
        index = self.library.index
        signature = self.analysis
        paths = self.on_library(lambda: index.paths_processed_by_others(signature))
        if not paths:
            return ScanReport()
        return self.scan([Path(p) for p in paths], on_progress, should_stop)

    def _commit(
        self,
        results: list[_Analysed | _Known],
        report: ScanReport,
        on_stored: Callable[[list[str]], None] | None = None,
    ) -> None:
        """One store transaction for a batch of photos: durable before the scan moves on."""
        if not results:
            return
        index, doc = self.library.index, self.library.document
        named: dict[str, str] | None = None  # people by name, read once per batch if needed
        with index.batch(), doc.batch():
            for r in results:
                index.upsert_file(r.stat.path, r.stat.size, r.stat.mtime_ns, r.content_id)
                if isinstance(r, _Known):
                    report.known_content += 1
                    photo = index.photo(r.content_id)
                    size = (photo["width"], photo["height"]) if photo else None
                else:
                    self._store_analysis(r.content_id, r.analysis, r.thumbnail)
                    c = r.capture
                    index.set_capture(
                        r.content_id,
                        c.taken,
                        c.taken_guessed,
                        c.position,
                        c.camera,
                        c.place,
                        c.signature,
                    )
                    size = (r.analysis.width, r.analysis.height)
                    report.analysed += 1
                    report.faces += len(r.analysis.faces)
                report.metadata_problems.extend(r.imported.problems)
                if size and (r.imported.tags or r.imported.faces):
                    if named is None:
                        named = people_by_name(doc)
                    counts = apply_imported(doc, r.content_id, r.imported, *size, named)
                    report.imported_tags += counts.tags
                    report.imported_faces += counts.faces
        if on_stored is not None:
            on_stored([r.content_id for r in results])

    def _store_analysis(self, cid: str, a: PhotoAnalysis, thumbnail: str) -> None:
        """What the models said about one photo: local facts to the index, the rest shared."""
        index, doc = self.library.index, self.library.document
        index.set_photo(cid, a.width, a.height, thumbnail, self.analysis)
        index.set_face_embeddings(
            cid,
            np.stack([f.embedding for f in a.faces]) if a.faces else np.zeros((0, 128), np.float32),
        )
        doc.set_auto_tags(cid, a.tags, LOCAL_SOURCE, self.models.tagger_id)
        faces = [
            {"box": list(f.box), "score": f.score, "eyes": [list(f.eyes[0]), list(f.eyes[1])]}
            for f in a.faces
        ]
        doc.set_faces(cid, self.models.ids["face_detector"], faces)

    def group_people(self, on_stored: Callable[[list[str]], None] | None = None) -> int:
        """Suggest a person for every face that has none; returns how many new people appeared."""
        return group_people(
            self.library, self.models.embedder.same_person_distance, self.on_library, on_stored
        )


@dataclass(frozen=True)
class _FacesSnapshot:
    keys: list[FaceKey]
    embeddings: np.ndarray
    assigned: dict[FaceKey, Assignment]
    rejected: dict[FaceKey, set[str]]
    merged_into: dict[str, str | None]


def group_people(
    library: Library,
    threshold: float,
    on_library: LibraryCaller = call_here,
    on_stored: Callable[[list[str]], None] | None = None,
) -> int:
    """Suggest a person for every face that has none; returns how many new people appeared.

    What the library says is read a slice at a time on its thread (who each face is: one lookup
    per face, which is no slower than reading them all at once), the faces are placed on this
    thread, and the suggestions are written back a slice at a time (`on_stored` hears which
    photos each slice changed, on the library's thread). The user may confirm or reject a face
    in between: `suggest_person` never overrides what the user said.
    """
    doc = library.document

    def read() -> _FacesSnapshot | None:
        keys, embeddings = library.index.face_embeddings()
        if not keys:
            return None
        return _FacesSnapshot(
            keys,
            embeddings,
            {},
            doc.rejections(),
            {p["id"]: p["merged_into"] for p in doc.people()},
        )

    def who(part: Sequence[FaceKey]) -> list[tuple[FaceKey, tuple[str, bool] | None]]:
        return [(key, doc.face_person(*key)) for key in part]

    snap = on_library(read)
    if snap is None:
        return 0
    for some_keys in _slices(snap.keys, LOOKUP_SLICE):
        for key, fp in on_library(partial(who, some_keys)):
            if fp is not None:
                snap.assigned[key] = Assignment(*fp)
    merged_into = snap.merged_into

    def resolve(person: str) -> str:
        return rules.resolve_person(person, merged_into.get)

    placements = place_new_faces(
        snap.keys, snap.embeddings, snap.assigned, snap.rejected, resolve, threshold
    )
    new_people: dict[int, str] = {}

    def write(part: Sequence[Placement]) -> None:
        doc = library.document
        with doc.batch():
            for p in part:
                person = p.person
                if person is None:
                    assert p.new_group is not None
                    if p.new_group not in new_people:
                        new_people[p.new_group] = doc.new_person()
                    person = new_people[p.new_group]
                doc.suggest_person(p.face[0], p.face[1], person)
        if on_stored is not None:
            on_stored(sorted({p.face[0] for p in part}))

    for part in _slices(placements, WRITE_SLICE):
        on_library(partial(write, part))
    return len(new_people)
