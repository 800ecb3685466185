"""A scan: folders in, a library that knows every photo's faces, people and tags out.

This is where the layers meet (library finds files, imaging decodes, vision analyses, people groups,
store keeps), so that the command line and the window run the very same scan.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photo_tagger.errors import ImageError
from photo_tagger.imaging import ThumbnailCache, decode, make_thumbnail
from photo_tagger.imaging.decode import DEFAULT_TARGET_SIDE
from photo_tagger.library.scan import FileStat, content_id, plan_scan, walk
from photo_tagger.people.cluster import Assignment, FaceKey, place_new_faces
from photo_tagger.store.library import Library
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

    @property
    def rate(self) -> float:
        return self.analysed / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Analysed:
    stat: FileStat
    content_id: str
    analysis: PhotoAnalysis
    thumbnail: bytes


@dataclass(frozen=True)
class _Known:
    stat: FileStat
    content_id: str


class Importer:
    def __init__(
        self,
        library: Library,
        models: Models,
        workers: int | None = None,
        target_side: int = DEFAULT_TARGET_SIDE,
    ) -> None:
        self.library = library
        self.models = models
        self.analyzer = Analyzer(models)
        self.workers = workers or default_workers()
        self.target_side = target_side
        self.thumbnails = ThumbnailCache(library.path / "thumbs")

    def scan(
        self,
        roots: Iterable[Path],
        on_progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> ScanReport:
        started = time.monotonic()
        report = ScanReport()
        index = self.library.index
        roots = [Path(r).absolute() for r in roots]

        def skip(path: str, reason: str) -> None:
            report.skipped.append(Skipped(path, reason))

        stats = list(walk(roots, skip))
        report.found = len(stats)
        indexed = [p for r in roots for p in index.all_paths_under(str(r))]
        plan = plan_scan(stats, index.lookup, indexed)
        missing_ids = {row[2] for row in map(index.lookup, plan.missing) if row is not None}
        with index.batch():
            index.remove_paths(plan.missing)

        signature = self.models.signature
        todo = list(plan.changed)
        for st in plan.unchanged:  # unchanged files whose photo older models analysed
            row = index.lookup(st.path)
            photo = index.photo(row[2]) if row else None
            if photo is None or photo["processed_by"] != signature:
                todo.append(st)
            else:
                report.unchanged += 1

        done_ids = index.content_ids_processed_by(signature)
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
                if cid in done_ids or cid in claimed:
                    return _Known(st, cid)
                claimed.add(cid)
            image = decode(data, self.target_side)
            analysis = self.analyzer.analyze(image.rgb, image.width, image.height)
            return _Analysed(st, cid, analysis, make_thumbnail(image.rgb))

        progress = Progress(total=len(todo))
        pending: list[_Analysed | _Known] = []
        last_commit = time.monotonic()
        for outcome in map_in_threads(work, todo, self.workers, should_stop):
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
            if len(pending) >= COMMIT_EVERY or time.monotonic() - last_commit > 1.0:
                self._commit(pending, report)
                pending.clear()
                last_commit = time.monotonic()
            if on_progress is not None:
                on_progress(progress)
        self._commit(pending, report)

        with index.batch():
            index.clear_skipped([st.path for st in todo])
            for s in report.skipped:
                index.record_skipped(s.path, s.reason)
        # a missing path whose content turned up elsewhere was a move, not a deletion
        report.removed = sum(1 for cid in missing_ids if not index.paths_for(cid))
        report.new_people = self.group_people()
        report.seconds = time.monotonic() - started
        return report

    def _commit(self, results: list[_Analysed | _Known], report: ScanReport) -> None:
        """One store transaction for a batch of photos: durable before the scan moves on."""
        if not results:
            return
        index, doc = self.library.index, self.library.document
        detector_id = self.models.ids["face_detector"]
        tagger_id = self.models.tagger_id
        signature = self.models.signature
        with index.batch(), doc.batch():
            for r in results:
                index.upsert_file(r.stat.path, r.stat.size, r.stat.mtime_ns, r.content_id)
                if isinstance(r, _Known):
                    report.known_content += 1
                    continue
                a = r.analysis
                thumb = self.thumbnails.put(r.content_id, r.thumbnail)
                index.set_photo(r.content_id, a.width, a.height, thumb, signature)
                index.set_face_embeddings(
                    r.content_id,
                    np.stack([f.embedding for f in a.faces])
                    if a.faces
                    else np.zeros((0, 128), np.float32),
                )
                doc.set_auto_tags(r.content_id, a.tags, LOCAL_SOURCE, tagger_id)
                doc.set_faces(
                    r.content_id,
                    detector_id,
                    [
                        {
                            "box": list(f.box),
                            "score": f.score,
                            "eyes": [list(f.eyes[0]), list(f.eyes[1])],
                        }
                        for f in a.faces
                    ],
                )
                report.analysed += 1
                report.faces += len(a.faces)

    def group_people(self) -> int:
        """Suggest a person for every face that has none; returns how many new people appeared."""
        return group_people(self.library, self.models.embedder.same_person_distance)


def group_people(library: Library, threshold: float) -> int:
    doc = library.document
    keys, embeddings = library.index.face_embeddings()
    if not keys:
        return 0
    assigned = {key: Assignment(*fp) for key, fp in doc.face_people().items()}
    rejected = doc.rejections()
    placements = place_new_faces(
        keys, embeddings, assigned, rejected, doc.resolve_person, threshold
    )
    if not placements:
        return 0
    new_people: dict[int, str] = {}
    with doc.batch():
        for p in placements:
            person = p.person
            if person is None:
                assert p.new_group is not None
                if p.new_group not in new_people:
                    new_people[p.new_group] = doc.new_person()
                person = new_people[p.new_group]
            doc.suggest_person(p.face[0], p.face[1], person)
    return len(new_people)
