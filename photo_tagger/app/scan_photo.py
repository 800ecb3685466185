"""One photo file of a scan, on a worker thread: read once, identified by its content, and (unless
a photo with that content was analysed already) decoded once and analysed: faces, tags, thumbnail,
capture facts with the place they name, near-duplicate signature, and the keywords and named faces
other apps wrote for it. Nothing here touches the library: the scan stores what comes out.
"""

from __future__ import annotations

import threading
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path

from photo_tagger.app.context import CaptureValues, capture_values, shared_gazetteer
from photo_tagger.context import read_capture
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

    def read(self, st: FileStat) -> Analysed | Known:
        data = read_photo_file(st.path)
        cid = content_id(data)
        with self._lock:
            known = cid in self._done or cid in self._claimed
            self._claimed.add(cid)
        if known:  # a moved, copied or touched photo: its sidecar may still be news
            return Known(st, cid, read_photo_metadata(Path(st.path), data))
        image = decode_photo(data, st.path, self.target_side)
        analysis = self.analyzer.analyze(image.rgb, image.width, image.height)
        thumbnail = self.thumbnails.put(cid, make_thumbnail(image.rgb))
        imported = read_photo_metadata(Path(st.path), data)
        facts = read_capture(data, st.mtime_ns / 1e9)
        place = self.gazetteer.place(*facts.position) if facts.position else None
        sig = duplicate_signature(image.rgb).to_bytes()
        return Analysed(st, cid, analysis, thumbnail, imported, capture_values(facts, place, sig))
