"""What the window is built from: the settings, the models, the runners for background work, the
sync. The app passes the real ones (app.py), tests their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from photo_tagger.gui.runner import TaskRunner
from photo_tagger.gui.settings import Settings
from photo_tagger.gui.sync_link import StartSync, background_sync

if TYPE_CHECKING:
    from photo_tagger.vision.pipeline import Models


@dataclass
class Services:
    """What the window is built from; the app passes the real ones, tests their own."""

    settings: Settings
    models: Callable[[Path], Models]  # the models in a folder, loaded on first call (off the UI)
    # a library's models folder: its installed model release, else the shipped models
    models_dir: Callable[[Path], Path]
    jobs_runner: TaskRunner  # scans and other long work, one at a time
    images_runner: TaskRunner  # thumbnails, photos, face crops, catalogue reads, sidecar writes
    samples_dir: Path | None = None
    watch_debounce_ms: int = 1500
    scan_workers: int | None = None
    syncer: StartSync = background_sync  # syncs a library with its server in the background
    sidecar_delay_ms: int = 1500  # after an edit, before its sidecars are written
