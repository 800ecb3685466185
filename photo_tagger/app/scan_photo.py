"""The photo files of a scan, a few at a time on a worker thread: each read once, identified by its
content, and (unless a photo with that content was analysed already) decoded once and analysed:
faces, tags, thumbnail, capture facts with the place they name, near-duplicate signature, and the
keywords and named faces other apps wrote for it. Nothing here touches the library: the scan
stores what comes out.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence, Set
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photo_tagger.app.context import CaptureValues, capture_values, shared_gazetteer
from photo_tagger.context import CaptureFacts, read_capture
from photo_tagger.duplicates import signature as duplicate_signature
from photo_tagger.files.discovery import FileStat, content_id, read_photo_file
from photo_tagger.imaging import ThumbnailCache, decode_photo, make_thumbnail
from photo_tagger.metadata import ImportedMetadata, read_photo_metadata
from photo_tagger.vision.pipeline import Analyzer, PhotoAnalysis


@dataclass(frozen=True)
class Analysed:
    """A photo analysed by this scan."""

    stat: FileStat
    content_id: str
    analysis: PhotoAnalysis
    thumbnail: str  # relative to the library's thumbnail folder, already written
    imported: ImportedMetadata  # keywords and named faces other apps wrote for the photo
    capture: CaptureValues  # when, where, with what; its near-duplicate signature


@dataclass(frozen=True)
class Known:
    """A file whose content was analysed already (moved, copied or touched): only its path and
    what other apps wrote for it may be news."""

    stat: FileStat
    content_id: str
    imported: ImportedMetadata


@dataclass(frozen=True)
class _Decoded:
    """A file read, identified and decoded, waiting for the models."""

    stat: FileStat
    content_id: str
    rgb: np.ndarray
    width: int
    height: int
    imported: ImportedMetadata
    facts: CaptureFacts


class PhotoReader:
    """Reads and analyses photo files, each content once per scan however many files have it."""

    def __init__(
        self,
        analyzer: Analyzer,
        thumbnails: ThumbnailCache,
        target_side: int,
        done_ids: Set[str],
    ) -> None:
        self.analyzer = analyzer
        self.thumbnails = thumbnails
        self.target_side = target_side
        self.gazetteer = shared_gazetteer()
        self._done = done_ids  # contents that these models analysed already
        self._claimed: set[str] = set()  # contents this scan has started on
        self._lock = threading.Lock()

    def read_again(self, content_ids: Set[str]) -> None:
        """Analyse these contents when next read, though analysed already (the shared
        document lost what was found)."""
        with self._lock:
            self._done = self._done - content_ids
            self._claimed -= content_ids

    def read_group(self, stats: Sequence[FileStat]) -> list[Analysed | Known | BaseException]:
        """Read each of a few files, and analyse those that are new: each model runs on the
        group's photos one after the other (Analyzer.analyze_group). A file that cannot be read
        or analysed has its exception in its place; the others go on."""
        read: list[Known | _Decoded | BaseException] = []
        for st in stats:
            try:
                read.append(self._read(st))
            except Exception as exc:  # noqa: BLE001 (reported per photo by the scan)
                read.append(exc)
        new = [r for r in read if isinstance(r, _Decoded)]
        analyses = iter(self.analyzer.analyze_group([(d.rgb, d.width, d.height) for d in new]))
        return [self._kept(r, next(analyses)) if isinstance(r, _Decoded) else r for r in read]

    def _read(self, st: FileStat) -> Known | _Decoded:
        data = read_photo_file(st.path)
        cid = content_id(data)
        with self._lock:
            known = cid in self._done or cid in self._claimed
            self._claimed.add(cid)
        imported = read_photo_metadata(Path(st.path), data)
        if known:  # a moved, copied or touched photo: its sidecar may still be news
            return Known(st, cid, imported)
        image = decode_photo(data, st.path, self.target_side)
        facts = read_capture(data, st.mtime_ns / 1e9)
        return _Decoded(st, cid, image.rgb, image.width, image.height, imported, facts)

    def _kept(
        self, d: _Decoded, analysis: PhotoAnalysis | BaseException
    ) -> Analysed | BaseException:
        """What the scan stores of a new photo, its thumbnail written; or why it cannot be."""
        if isinstance(analysis, BaseException):
            return analysis
        try:
            thumbnail = self.thumbnails.put(d.content_id, make_thumbnail(d.rgb))
            place = self.gazetteer.place(*d.facts.position) if d.facts.position else None
            sig = duplicate_signature(d.rgb).to_bytes()
        except Exception as exc:  # noqa: BLE001 (reported per photo by the scan)
            return exc
        capture = capture_values(d.facts, place, sig)
        return Analysed(d.stat, d.content_id, analysis, thumbnail, d.imported, capture)
