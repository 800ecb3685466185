"""One open library, as the window sees it: the catalogue, every photo's facts, the undo stack.

Lives on the UI thread, which owns the library. Views read from it and connect to its signals;
edits go through its methods (called by the undo commands in edits.py), which write the document,
bring the facts up to date and say what changed: `edited` for the user's edits, `stored` for what
a scan or a model stored (the sync and the sidecars follow both). What changed without a list of
photos (a sync brought other devices' edits, a re-tagging) is read in by `reload_document()`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from photo_tagger.gui.catalog_feed import CatalogFeed, keep_out_of_collector
from photo_tagger.gui.facts import FactsIndex, PhotoFacts, read_facts
from photo_tagger.gui.runner import TaskRunner
from photo_tagger.store.catalog import CID, Catalog, Row
from photo_tagger.store.paths import INDEX_FILE

if TYPE_CHECKING:
    from photo_tagger.store.library import Library
    from photo_tagger.vision.vocabulary import Vocabulary

FaceKey = tuple[str, int]  # (content id, face index), as the store names faces

SLICE_SECONDS = 0.008  # how long one slice of reading facts may hold the UI thread
# Between slices the UI thread is left free for this long: more while a scan runs, whose
# workers need the interpreter too (facts are for filters and search; the grid needs none).
IDLE_PACE_MS, BUSY_PACE_MS = 4, 200


class Session(QObject):
    catalogChanged = Signal()  # the photos on disk changed: the grid re-reads `catalog`
    factsChanged = Signal(list)  # the facts of these photos changed ([]: of many)
    peopleChanged = Signal()  # names, merges, hiding, or which face is whom
    factsProgress = Signal(int, int)  # photos read, photos in the catalogue
    regroupRequested = Signal()  # faces lost their person: group them again in the background
    edited = Signal(list, list)  # the user changed the document: (photo ids, person ids) touched
    stored = Signal(list)  # a scan, a grouping or a model stored these photos ([]: many)
    malformedFound = Signal(list)  # records another device wrote malformed, skipped (in words)
    tagRenamed = Signal(str, str)  # a tag and those under it took another name: (old, new)

    def __init__(
        self,
        library: Library,
        vocabulary: Vocabulary,
        runner: TaskRunner,
        threshold_scale: float = 1.0,
        low_confidence: float = 0.5,
        first_rows: list[Row] | None = None,
    ) -> None:
        """`first_rows`: the start of the catalogue, already shown (the rest is read in the
        background); without it the whole catalogue is read now."""
        super().__init__()
        self.library = library
        self.doc = library.document
        self.index = library.index
        self.vocabulary = vocabulary
        self.thumbs_root = library.thumbs_dir
        self.undo = QUndoStack(self)
        self.facts = FactsIndex(low_cutoff=low_confidence)
        self.low_confidence = low_confidence
        from photo_tagger.app.thresholds import tag_threshold

        self.threshold = tag_threshold(vocabulary, threshold_scale)
        self._runner = runner
        self._names: dict[str, str] | None = None
        self._closed = False
        # facts are read a slice at a time: first the photos asked for, then the catalogue in
        # order from `_cursor`
        self._priority: deque[str] = deque()
        self._cursor = 0
        self._stale = False  # every photo's facts are read again, the old ones shown meanwhile
        self._slicer = QTimer(self)
        self._slicer.setInterval(IDLE_PACE_MS)
        self._slicer.timeout.connect(self._read_slice)
        self._last_facts_signal = 0.0
        self._malformed_told: set[str] = set()
        self._feed = CatalogFeed(self.index_file, runner, first_rows)
        self._feed.changed.connect(self._on_catalog_changed)
        self._slicer.start()
        self.read_duplicates()

    @property
    def path(self) -> Path:
        return self.library.path

    @property
    def index_file(self) -> Path:
        return self.library.path / INDEX_FILE

    @property
    def catalog(self) -> Catalog:
        return self._feed.catalog

    def close(self) -> None:
        self._closed = True
        self._slicer.stop()
        self._feed.close()
        self.undo.clear()

    # --- the catalogue -----------------------------------------------------------------------

    def schedule_catalog_refresh(self, photo_ids: Iterable[str] | None = None) -> None:
        """Bring the catalogue up to date soon: for these photos only, or (None) all of it.
        Many changes in a row cost one update."""
        self._feed.schedule(photo_ids)

    def refresh_catalog(self) -> None:
        """Re-read the whole catalogue now (off the UI thread); `catalogChanged` if it differs."""
        self._feed.refresh()

    def flush_catalog(self) -> None:
        """Bring the catalogue up to date now with what is waiting (a scan has finished)."""
        self._feed.flush()

    def _on_catalog_changed(self) -> None:
        self._cursor = 0  # read the facts of photos new to the catalogue
        if not self._slicer.isActive():
            self._slicer.start()
        self.catalogChanged.emit()

    # --- near-duplicates ---------------------------------------------------------------------

    def read_duplicates(self) -> None:
        """Read which photos are near-duplicates (a scan groups them) off the UI thread."""
        index_file = self.index_file
        if not index_file.exists():
            return

        def read() -> dict[str, str]:
            from photo_tagger.store.index import LocalIndex

            reader = LocalIndex.open_reader(index_file)
            try:
                return reader.duplicates()
            finally:
                reader.close()

        def done(duplicates: dict[str, str]) -> None:
            if not self._closed and duplicates != self.facts.duplicates:
                self.facts.duplicates = duplicates
                self.factsChanged.emit([])

        self._runner.run(read, done)

    def duplicate_extras(self) -> list[str]:
        """The photos of near-duplicate groups other than the one to keep, on disk."""
        on_disk = {r[CID] for r in self.catalog.rows}
        return [p for p, keep in self.facts.duplicates.items() if p != keep and p in on_disk]

    # --- facts -------------------------------------------------------------------------------

    def facts_of(self, photo_id: str) -> PhotoFacts:
        """The photo's facts, read now if the slices have not reached it yet."""
        facts = self.facts.get(photo_id)
        if facts is None:
            facts = read_facts(self.library, photo_id, self.threshold)
            self.facts.put(photo_id, facts)
        return facts

    def reread_facts(self, photo_ids: Iterable[str]) -> list[str]:
        """Read these photos' facts again now (they were just edited or stored)."""
        ids = list(dict.fromkeys(photo_ids))
        for pid in ids:
            self.facts.put(pid, read_facts(self.library, pid, self.threshold))
        if ids:
            self.factsChanged.emit(ids)
        return ids

    def reread_all(self) -> None:
        """Everything may have changed (thresholds, another program's edits): read it all anew,
        a slice at a time."""
        self.facts.clear()
        self._names = None
        self._cursor = 0
        self._slicer.start()
        self.factsChanged.emit([])
        self.peopleChanged.emit()

    def set_thresholds(self, scale: float, low_confidence: float) -> None:
        from photo_tagger.app.thresholds import tag_threshold

        self.threshold = tag_threshold(self.vocabulary, scale)
        self.low_confidence = low_confidence
        self.facts.low_cutoff = low_confidence
        self.reread_all()

    def set_vocabulary(self, vocabulary: Vocabulary, scale: float) -> None:
        """Other models are in use (a model update): their tags and thresholds."""
        self.vocabulary = vocabulary
        self.set_thresholds(scale, self.low_confidence)

    def reload_document(self) -> int:
        """Take in what other copies of the library saved when it is not known which photos it
        touched (a sync brought other devices' edits; a model update re-tagged them all): read
        their rows, then every photo's facts again, a slice at a time, the old facts standing
        until then (no filter empties meanwhile). Returns how many rows came in."""
        rows = self.library.log.refresh()
        self._names = None
        self._stale = True
        self._cursor = 0
        self._slicer.start()
        self.peopleChanged.emit()
        return rows

    def set_busy(self, busy: bool) -> None:
        """Background work (a scan) is running: read facts at a gentler pace meanwhile."""
        self._slicer.setInterval(BUSY_PACE_MS if busy else IDLE_PACE_MS)

    @property
    def facts_complete(self) -> bool:
        return not self._priority and self._cursor >= len(self.catalog.rows)

    def _read_slice(self) -> None:
        deadline = time.perf_counter() + SLICE_SECONDS
        library, threshold, facts = self.library, self.threshold, self.facts
        rows = self.catalog.rows
        while time.perf_counter() < deadline and not self.facts_complete:
            for _ in range(8):
                if self._priority:
                    pid = self._priority.popleft()
                elif self._cursor < len(rows):
                    pid = rows[self._cursor][CID]
                    self._cursor += 1
                    if pid in facts and not self._stale:
                        continue
                else:
                    break
                facts.put(pid, read_facts(library, pid, threshold))
        now = time.perf_counter()
        done = self.facts_complete
        if done:
            self._slicer.stop()
            self._stale = False
            self._tell_malformed()
        if done or now - self._last_facts_signal > 0.5:
            self._last_facts_signal = now
            keep_out_of_collector()
            self.factsChanged.emit([])
            self.factsProgress.emit(len(self.facts), len(rows))

    def _tell_malformed(self) -> None:
        """`malformedFound`, once reading met records it skipped that were not told yet."""
        skipped = self.doc.skipped()
        if not self._malformed_told.issuperset(skipped):
            self._malformed_told.update(skipped)
            self.malformedFound.emit(skipped)

    def finish_reading_facts(self) -> None:
        """Read every remaining photo's facts now (tests, screenshots)."""
        while not self.facts_complete:
            self._read_slice()

    # --- edits (each one transaction; the undo commands in edits.py call these) -------------

    def write_user_tag(self, tag: str, states: dict[str, bool | None]) -> None:
        """Set what the user says about `tag` on each photo: True added, False removed, None
        nothing (the models decide). One transaction."""
        doc = self.doc
        with doc.batch():
            for pid, present in states.items():
                if present is None:
                    doc.clear_user_tag(pid, tag)
                else:
                    doc.set_user_tag(pid, tag, present)
        self.reread_facts(states)
        self.edited.emit(list(states), [])

    def new_person(self, name: str) -> str:
        """A new person with this name; returns their id."""
        person_id = self.doc.new_person(name)
        self.people_changed(person_ids=[person_id])
        return person_id

    def set_person_name(self, person_id: str, name: str | None) -> None:
        self.doc.set_person_name(person_id, name)
        self.people_changed(person_ids=[person_id])

    def set_person_hidden(self, person_id: str, hidden: bool) -> None:
        self.doc.set_person_hidden(person_id, hidden)
        self.people_changed(person_ids=[person_id])

    def merge_people(self, sources: list[str], target: str) -> None:
        """Each of `sources` becomes `target`."""
        with self.doc.batch():
            for source in sources:
                self.doc.merge_people(source, target)
        self.people_changed(person_ids=[*sources, target])

    def unmerge_people(self, sources: list[str], target: str) -> None:
        """`sources`, merged into `target`, are themselves again."""
        with self.doc.batch():
            for source in sources:
                self.doc.unmerge_person(source)
        self.people_changed(person_ids=[*sources, target])

    def confirm_face(self, photo_id: str, face: int, person_id: str) -> None:
        self.doc.confirm_person(photo_id, face, person_id)
        self.people_changed([photo_id])

    def reject_face(self, photo_id: str, face: int, person_id: str) -> None:
        """The face is not this person; its faces are grouped again in the background."""
        self.doc.reject_person(photo_id, face, person_id)
        self.people_changed([photo_id])
        self.regroupRequested.emit()

    def set_face_state(
        self,
        photo_id: str,
        face: int,
        person: tuple[str, bool] | None,
        rejected: frozenset[str],
    ) -> None:
        """Put a face back as it was: its person (and whether confirmed), whom it is not."""
        person_id, confirmed = person if person is not None else (None, False)
        self.doc.set_face_state(photo_id, face, person_id, confirmed, set(rejected))
        self.people_changed([photo_id])

    # --- a scan's batches --------------------------------------------------------------------

    def photos_stored(self, photo_ids: list[str]) -> None:
        """A scan stored these photos, or suggested people for their faces, or forgot paths
        ([]): on the UI thread, between the scan's slices."""
        self._names = None
        self.reread_facts(photo_ids)
        self.peopleChanged.emit()
        self.schedule_catalog_refresh(photo_ids if photo_ids else None)
        if photo_ids:
            self.stored.emit(list(photo_ids))

    # --- people ------------------------------------------------------------------------------

    def resolve(self, person_id: str) -> str:
        return self.doc.resolve_person(person_id)

    def names(self) -> dict[str, str]:
        """Person id -> name, for the people who have one."""
        if self._names is None:
            self._names = {
                p["id"]: p["name"]
                for p in self.doc.people()
                if p["name"] and not p.get("merged_into")
            }
        return self._names

    def person_label(self, person_id: str) -> str:
        pid = self.resolve(person_id)
        return self.names().get(pid) or f"Unnamed {pid[:4]}"

    def person_by_name(self, name: str) -> str | None:
        for pid, n in self.names().items():
            if n == name:
                return pid
        return None

    def people_changed(self, photo_ids: Iterable[str] = (), person_ids: Iterable[str] = ()) -> None:
        """The user changed who faces are (on these photos) or these people (names, merges)."""
        self._names = None
        ids = self.reread_facts(photo_ids)
        self.peopleChanged.emit()
        self.edited.emit(ids, list(person_ids))

    def faces_by_person(self) -> dict[str, list[tuple[FaceKey, bool]]]:
        """Resolved person id -> their faces [((photo, face), confirmed)], for photos on disk."""
        on_disk = {r[CID] for r in self.catalog.rows}
        out: dict[str, list[tuple[FaceKey, bool]]] = {}
        for key, (person, confirmed) in self.doc.face_people().items():
            if key[0] in on_disk:
                out.setdefault(self.resolve(person), []).append((key, confirmed))
        return out

    # --- rows --------------------------------------------------------------------------------

    def path_of(self, photo_id: str) -> str | None:
        paths = self.index.paths_for(photo_id)
        return paths[0] if paths else None

    def photo_size(self, photo_id: str) -> tuple[int, int] | None:
        row = self.index.photo(photo_id)
        if row is None or not row["width"]:
            return None
        return int(row["width"]), int(row["height"])
