"""Starting the window: the QApplication, the services it is built from, the event loop.

High-DPI scaling and the system's light or dark theme come from Qt 6 itself (nothing here
overrides them; every view paints with the palette's colours).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from photo_tagger import __version__, shipped
from photo_tagger.gui import settings as opts
from photo_tagger.gui.runner import ThreadPoolRunner
from photo_tagger.gui.scan_job import ModelShelf
from photo_tagger.gui.settings import Settings
from photo_tagger.gui.window import MainWindow, Services
from photo_tagger.store.paths import default_library_dir


def library_models_dir(library: Path) -> Path:
    """The models a library uses: its installed model release (Help › Check for Model Updates),
    else the ones shipped with the app (or $PHOTO_TAGGER_MODELS)."""
    if not (Path(library) / "models").is_dir():
        # never updated (the usual case): no need to import the update client (HTTP, signatures:
        # a quarter of a second) while the library opens
        return shipped_models_dir()
    from photo_tagger.cloud.model_updates import active_models_dir

    return active_models_dir(library)


def shipped_models_dir() -> Path:
    from photo_tagger.vision.model import default_models_dir

    return default_models_dir()


def load_models(models_dir: Path):  # type: ignore[no-untyped-def]
    """The models in a folder (imported and loaded on the first scan, off the UI thread)."""
    from photo_tagger.vision.pipeline import Models

    return Models.load(models_dir)


def samples_dir() -> Path:
    """The sample photos shipped with the app."""
    return shipped("resources") / "samples"


def application(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    # A scan's threads run Python too; hand the interpreter to the UI thread sooner than the
    # default 5 ms, so that it answers input within a frame or two while they work.
    sys.setswitchinterval(0.002)
    app = QApplication([sys.argv[0] if sys.argv else "photo-tagger", *argv])
    app.setApplicationName("photo-tagger")
    app.setApplicationDisplayName("Photo Tagger")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("photo-tagger")
    app.setDesktopFileName("photo-tagger")
    return app


def build_services(settings: Settings) -> tuple[Services, list[QThreadPool]]:
    """The real services: models loaded on the first scan, a pool for jobs (one at a time)
    and one for decoding images; the sync in the background (BackgroundSync)."""
    jobs_pool = QThreadPool()
    jobs_pool.setMaxThreadCount(1)
    images_pool = QThreadPool()
    images_pool.setMaxThreadCount(2)
    services = Services(
        settings=settings,
        models=ModelShelf(load_models, default=shipped_models_dir),
        models_dir=library_models_dir,
        jobs_runner=ThreadPoolRunner(jobs_pool),
        images_runner=ThreadPoolRunner(images_pool),
        samples_dir=samples_dir(),
    )
    return services, [jobs_pool, images_pool]


def main(library: Path | None = None, settings_file: Path | None = None) -> int:
    """Open the window on `library` (default: the last one opened, else the platform's)."""
    app = application()
    settings = Settings.at(settings_file) if settings_file else Settings.user()
    services, pools = build_services(settings)
    window = MainWindow(services)
    chosen = library or Path(settings.get(opts.LIBRARY) or default_library_dir())
    window.open_library(chosen, paint_first=True)  # the grid paints, then the library opens
    window.show()
    # Ctrl+C in the terminal closes the window as the Quit menu does (everything is saved as it
    # is made). Python sees the signal only when it runs: a timer gives it the chance.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    ticker = QTimer()
    ticker.start(250)
    ticker.timeout.connect(lambda: None)
    code = int(app.exec())
    for pool in pools:  # a scan that was running stops at its next photo
        pool.waitForDone(10_000)
    return code
