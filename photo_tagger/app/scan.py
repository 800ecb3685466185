"""A scan: folders in, a library that knows every photo's faces, people and tags out.

This is where the core meets (files finds them, imaging decodes, vision analyses, people groups,
store keeps), so that the command line and the window run the very same scan. An `Importer` holds
what every scan of a library shares (the models, the threads, where library work runs); each
`scan()` is a `Scan` that goes through its steps:

- plan: walk the folders, look every file up in the index, forget paths gone from disk, and list
  what must be analysed (new or changed files; unchanged ones that other models analysed, or
  whose model tags or faces the shared document lost: another device wiped them);
- analyse: read and analyse the files on worker threads (app/scan_photo.py), committing what comes
  out in batches, each one store transaction (commit); RAW files with a JPEG or HEIC twin are
  filed under the twin's photo; a moved or touched file whose photo the document lost is
  analysed again after the others;
- finish: record what was skipped and why, group the new faces into people, and work out what
  depends on the whole library (places, events, near-duplicates); a scan stopped early finishes
  too, for the photos it kept, so that none is left without its dates and places.

Threads: reading, hashing, decoding and analysing run on worker threads; everything that touches
the library goes through `on_library`, in slices of a few milliseconds (app/calls.py).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import closing
from dataclasses import replace
from functools import partial
from pathlib import Path

from photo_tagger.app.calls import LibraryCaller, Runner, call_here, run_here, slices
from photo_tagger.app.context import library_wide_changes, store_context, store_duplicates
from photo_tagger.app.people import group_people
from photo_tagger.app.scan_photo import Analysed, Known, PhotoReader
from photo_tagger.app.scan_report import ScanHooks, ScanReport, Skipped
from photo_tagger.app.scan_store import store_batch
from photo_tagger.duplicates import SIGNATURE_VERSION
from photo_tagger.errors import ImageError, LibraryError
from photo_tagger.files.discovery import FileStat, plan_scan, walk
from photo_tagger.files.formats import raw_twins
from photo_tagger.imaging import ThumbnailCache
from photo_tagger.imaging.decode import DEFAULT_TARGET_SIDE
from photo_tagger.store.library import CONTEXT_MODEL, Library
from photo_tagger.vision.pipeline import Analyzer, Models
from photo_tagger.vision.workers import Outcome, Progress, default_workers, map_in_groups
from photo_tagger.words import details, reason

log = logging.getLogger(__name__)

LOOKUP_SLICE = 512  # index lookups per call to the library's thread: a few milliseconds
WRITE_SLICE = 256  # path removals per library transaction
COMMIT_EVERY = 64  # photos per store transaction: durable often, cheap per photo

Row = tuple[int, int, str]  # an indexed file: size, mtime_ns, content id


class Importer:
    """Scans into one library with one set of models."""

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
        # window has it run in a child process (app/calls.py run_in_child_process)
        self.run_library_wide = run_library_wide
        self.thumbnails = ThumbnailCache(library.path / "thumbs")
        # what a photo analysed by these models and rules has: a change of any redoes it
        self.analysis = f"{models.signature};{CONTEXT_MODEL};duplicates@{SIGNATURE_VERSION}"

    def scan(
        self,
        roots: Iterable[Path],
        on_progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        paused: Callable[[], bool] = lambda: False,
        on_stored: Callable[[list[str]], None] | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> ScanReport:
        """Find, analyse and store the photos under `roots`; rescans redo only what changed.
        The hooks are those of `ScanHooks`."""
        hooks = ScanHooks(on_progress, should_stop, paused, on_stored, on_step)
        return Scan(self, roots, hooks).run()

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

    def group_people(self, on_stored: Callable[[list[str]], None] | None = None) -> int:
        """Suggest a person for every face that has none; returns how many new people appeared."""
        distance = self.models.embedder.same_person_distance
        return group_people(self.library, distance, self.on_library, on_stored)


class Scan:
    """One scan of some folders, step by step: `plan`, `analyse` (which commits), `finish`."""

    def __init__(self, importer: Importer, roots: Iterable[Path], hooks: ScanHooks) -> None:
        self.importer = importer
        self.index = importer.library.index
        self.on_library = importer.on_library
        self.roots = [Path(r).absolute() for r in roots]
        self.hooks = hooks
        self.report = ScanReport()
        self.started = time.monotonic()
        self.todo: list[FileStat] = []  # files to analyse
        self.with_twin: list[FileStat] = []  # RAW files to file under their twin's photo
        self.twin_of: dict[str, str] = {}
        self.missing_ids: set[str] = set()  # photos of paths gone from disk
        # photos whose model tags or faces the shared document lost, analysed again to restore
        # them; `done_before` the photos these models analysed before, the lost ones aside
        self.lost: set[str] = set()
        self.done_before: frozenset[str] = frozenset()
        self.lost_known: dict[str, FileStat] = {}  # moved or touched files of lost photos
        self.progress = Progress(total=0)
        self.reader: PhotoReader | None = None
        self.pending: list[Analysed | Known] = []  # analysed, not yet committed
        self.last_commit = time.monotonic()

    def run(self) -> ScanReport:
        """Every step; a library that cannot be written (a full disk) ends the scan with
        LibraryError, what was stored before staying stored."""
        try:
            self.plan()
            self.analyse()
            self.report.cancelled = self.hooks.should_stop()
            self.finish()
        except sqlite3.Error as exc:
            raise LibraryError(
                f"Cannot write to the library {self.importer.library.path} ({reason(exc)}). If "
                "the disk is full, free some space and scan again: the photos stored before are "
                "kept."
            ) from exc
        return self.report

    # --- plan -------------------------------------------------------------------------------

    def plan(self) -> None:
        """What is on disk, what the index knows of it, and so what must be analysed."""
        index, report = self.index, self.report
        stats = list(walk(self.roots, self.skip))
        report.found = len(stats)
        roots = self.roots
        indexed = self.on_library(lambda: [p for r in roots for p in index.all_paths_under(str(r))])
        known = self._lookup_all([st.path for st in stats])
        plan = plan_scan(stats, known.get, indexed)
        self.missing_ids = {row[2] for row in self._lookup_all(plan.missing).values()}
        self._forget(plan.missing)
        todo = list(plan.changed) + self._analysed_again(plan.unchanged, known)
        # A RAW shot with a JPEG (or HEIC) twin is one photo with two files: the twin is
        # analysed (it is quicker to read) and the RAW filed under its content. A RAW whose twin
        # could not be read is analysed itself.
        self.twin_of = raw_twins([st.path for st in stats])
        self.with_twin = [st for st in todo if st.path in self.twin_of]
        self.todo = [st for st in todo if st.path not in self.twin_of]
        self.progress = Progress(total=len(todo))
        self.report.planned = len(self.todo)
        signature = self.importer.analysis
        done_ids = self.on_library(lambda: index.content_ids_processed_by(signature))
        self.done_before = frozenset(done_ids - self.lost)
        imp = self.importer
        self.reader = PhotoReader(imp.analyzer, imp.thumbnails, imp.target_side, self.done_before)

    def skip(self, path: str, reason: str) -> None:
        self.report.skipped.append(Skipped(path, reason))

    def _lookup_all(self, paths: Sequence[str]) -> dict[str, Row]:
        index = self.index

        def lookup(part: Sequence[str]) -> list[tuple[str, Row | None]]:
            return [(p, index.lookup(p)) for p in part]

        found: dict[str, Row] = {}
        for part in slices(paths, LOOKUP_SLICE):
            rows = self.on_library(partial(lookup, part))
            found.update((p, row) for p, row in rows if row is not None)
        return found

    def _forget(self, missing: Sequence[str]) -> None:
        for part in slices(missing, WRITE_SLICE):
            self.on_library(partial(self.index.remove_paths, part))
        if missing and self.hooks.on_stored is not None:
            self.on_library(partial(self.hooks.on_stored, []))

    def _analysed_again(
        self, unchanged: Sequence[FileStat], known: dict[str, Row]
    ) -> list[FileStat]:
        """The unchanged files whose photo older models analysed, or whose model tags or faces
        the shared document lost (those photos go in `lost`); counts the others.

        The index says what this computer analysed, the document what every computer now
        holds: a photo analysed here whose record another device removed is analysed again.
        """
        index, signature = self.index, self.importer.analysis
        doc = self.importer.library.document

        def look(ids: Sequence[str]) -> tuple[list[tuple[str, str | None]], list[str]]:
            photos = [(c, index.photo(c)) for c in ids]
            processed = [(c, p["processed_by"] if p else None) for c, p in photos]
            return processed, doc.lacking_analysis(ids)

        ids = sorted({known[st.path][2] for st in unchanged})
        processed: dict[str, str | None] = {}
        for part in slices(ids, LOOKUP_SLICE):
            by, lacking = self.on_library(partial(look, part))
            processed.update(by)
            self.lost.update(lacking)
        again = [
            st
            for st in unchanged
            if processed.get(cid := known[st.path][2]) != signature or cid in self.lost
        ]
        self.report.unchanged += len(unchanged) - len(again)
        return again

    # --- analyse ----------------------------------------------------------------------------

    def analyse(self) -> None:
        """Analyse what the plan found, then file the RAW twins (analysing those left alone)."""
        self._analyse(self.todo)
        if self.hooks.should_stop():
            return
        alone: list[FileStat] = []
        for raws in slices(self.with_twin, LOOKUP_SLICE):
            alone.extend(self.on_library(partial(self._file_with_twins, raws)))
        if self.hooks.on_stored is not None and len(alone) < len(self.with_twin):
            self.on_library(partial(self.hooks.on_stored, []))
        self.progress.done += len(self.with_twin) - len(alone)
        self.report.planned += len(alone)
        self._analyse(alone)
        if self.lost_known and not self.hooks.should_stop():
            # moved or touched files whose photo the document lost: read as known above
            assert self.reader is not None
            self.reader.read_again(set(self.lost_known))
            self.progress.total += len(self.lost_known)
            self.report.planned += len(self.lost_known)
            self._analyse(list(self.lost_known.values()))

    def _analyse(self, items: list[FileStat]) -> None:
        imp, hooks = self.importer, self.hooks
        assert self.reader is not None, "plan() comes first"
        outcomes: Generator[Outcome[FileStat, Analysed | Known], None, None] = map_in_groups(
            self.reader.read_group, items, imp.workers, hooks.should_stop, background=imp.background
        )
        with closing(outcomes):  # a failure here (a full disk) lets the threads go at once
            self._take(outcomes)

    def _take(self, outcomes: Iterable[Outcome[FileStat, Analysed | Known]]) -> None:
        imp, hooks, progress = self.importer, self.hooks, self.progress
        for outcome in outcomes:
            if outcome.error is not None:
                error = outcome.error
                if isinstance(error, ImageError):
                    why = str(error)
                else:  # said in words; what a developer needs goes to the log
                    why = f"it could not be analysed: {reason(error)}"
                    log.warning("%s could not be analysed:\n%s", outcome.item.path, details(error))
                self.skip(outcome.item.path, why)
                progress.advance(skipped=True)
            else:
                assert outcome.result is not None
                self.pending.append(outcome.result)
                progress.advance()
            due = time.monotonic() - self.last_commit > imp.commit_seconds
            if len(self.pending) >= imp.commit_every or due:
                self.commit()
            if hooks.on_progress is not None:
                hooks.on_progress(progress)
            if hooks.paused() and not hooks.should_stop():
                self.commit()  # what is analysed is stored before the scan rests
                while hooks.paused() and not hooks.should_stop():
                    time.sleep(0.05)
        self.commit()

    def commit(self) -> None:
        """Store what is analysed so far, in one transaction on the library's thread."""
        if self.pending:
            batch = list(self.pending)
            self.pending.clear()
            self.on_library(partial(self._store, batch))
        self.last_commit = time.monotonic()

    def _store(self, batch: list[Analysed | Known]) -> None:
        imp, report = self.importer, self.report
        counts = store_batch(imp.library, imp.models, imp.analysis, batch)
        report.analysed += counts.analysed
        report.faces += counts.faces
        report.known_content += counts.known_content
        report.imported_tags += counts.imported_tags
        report.imported_faces += counts.imported_faces
        report.metadata_problems.extend(counts.problems)
        lost = self.lost
        report.restored += sum(isinstance(r, Analysed) and r.content_id in lost for r in batch)
        self._find_lost_known(batch)
        if self.hooks.on_stored is not None:
            self.hooks.on_stored([r.content_id for r in batch])

    def _find_lost_known(self, batch: list[Analysed | Known]) -> None:
        """Note the files read as known whose photo, analysed before this scan, the document
        lost since (a file moved or touched after a wipe): `analyse` reads them again."""
        done, lost = self.done_before, self.lost
        ids = {r.content_id for r in batch if isinstance(r, Known)}
        ids = {c for c in ids if c in done and c not in lost}
        lacking = set(self.importer.library.document.lacking_analysis(sorted(ids)))
        for r in batch:
            if r.content_id in lacking and r.content_id not in self.lost_known:
                self.lost_known[r.content_id] = r.stat
        lost.update(lacking)

    def _file_with_twins(self, raws: Sequence[FileStat]) -> list[FileStat]:
        """File each RAW under its twin's photo; returns the RAWs whose twin is not indexed."""
        alone = []
        with self.index.batch():
            for st in raws:
                twin = self.index.lookup(self.twin_of[st.path])
                if twin is None:
                    alone.append(st)
                else:
                    self.index.upsert_file(st.path, st.size, st.mtime_ns, twin[2])
                    self.report.raw_with_twin += 1
        return alone

    # --- finish -----------------------------------------------------------------------------

    def finish(self) -> None:
        """What was skipped and why, people, and what depends on the whole library: also after
        a stop, for the photos stored before it."""
        index, report, hooks = self.index, self.report, self.hooks
        self.on_library(self._record_skipped)
        # a missing path whose content turned up elsewhere was a move, not a deletion
        for part in slices(sorted(self.missing_ids), LOOKUP_SLICE):
            report.removed += self.on_library(partial(self._count_gone, part))
        report.new_people = self.importer.group_people(hooks.on_stored)
        changed = report.analysed or report.removed or report.known_content
        library, run = self.importer.library, self.importer.run_library_wide
        # events and borrowed places depend on the other photos: worked out again whole
        if changed or self.on_library(index.context_pending):
            kept = " of the photos kept" if report.cancelled else ""
            hooks.step(f"Working out places, dates, events and near-duplicates{kept}…")
            # both in one call: the window runs it in a child process, started once
            context, duplicates = run(library_wide_changes, index.path, bool(changed))
            store_context(library, context[0], self.on_library, hooks.on_stored)
            report.context = context[1]
            if duplicates is not None:
                store_duplicates(library, duplicates[0], self.on_library)
                report.duplicates = duplicates[1]
        report.seconds = time.monotonic() - self.started

    def _record_skipped(self) -> None:
        before = {path: when for path, _, when in self.index.skipped()}
        self.report.skipped[:] = [
            replace(s, reported=before.get(s.path)) for s in self.report.skipped
        ]
        with self.index.batch():
            self.index.clear_skipped([st.path for st in self.todo + self.with_twin])
            for s in self.report.skipped:
                self.index.record_skipped(s.path, s.reason)

    def _count_gone(self, ids: Sequence[str]) -> int:
        return sum(1 for cid in ids if not self.index.paths_for(cid))
