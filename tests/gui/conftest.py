"""The window under test: real widgets (offscreen), a real library on disk, the real models.

`make_window()` builds a MainWindow on a new library. By default background work runs inline
(InlineRunner), so a drop or a click has done its work when the call returns; `threads=True` runs
it on thread pools, as the app does, and the test waits with qtbot.

`scanned_library` is a library of four real photos (a cat, a coffee and two of one man), scanned
once per session by the same Importer the window uses; each test gets its own copy (the photos stay
where the template scanned them: a test that writes next to photos brings its own).

A library with a sync server syncs for real (BackgroundSync, 127.0.0.1), quickly after an edit and
slowly when offline, so that only "Sync Now" brings a sync back soon. The server (`server`,
`storage`) is the suite's own, from tests/conftest.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt makes the QApplication

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from photo_tagger.app.scan import Importer
from photo_tagger.gui.runner import InlineRunner, ThreadPoolRunner
from photo_tagger.gui.settings import Settings
from photo_tagger.gui.sync_link import Syncer
from photo_tagger.gui.window import MainWindow, Services
from photo_tagger.store.background_sync import BackgroundSync, SyncStatus
from photo_tagger.store.library import Library
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models
from tests.harness import HANG

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "photos"
SCANNED = ("chelsea.jpg", "coffee.jpg", "obama.jpg", "obama2.jpg")

MakeWindow = Callable[..., MainWindow]
WAIT_MS = int(HANG * 1000)  # how long a test waits on the window: it only bounds a hang


@pytest.fixture(scope="session")
def models() -> Models:
    return Models.load(default_models_dir())


def copy_photos(folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
    return folder


@pytest.fixture(scope="session")
def scanned_template(tmp_path_factory: pytest.TempPathFactory, models: Models) -> Path:
    root = tmp_path_factory.mktemp("scanned")
    photos = copy_photos(root / "photos", SCANNED)
    with Library.open(root / "library") as library:
        report = Importer(library, models, workers=2).scan([photos])
    assert report.analysed == len(SCANNED), report
    return root / "library"


@pytest.fixture
def scanned_library(tmp_path: Path, scanned_template: Path) -> Path:
    """A copy of the scanned library (its photos stay where the template scanned them)."""
    dest = tmp_path / "library"
    shutil.copytree(scanned_template, dest)
    return dest


def quick_sync(path: Path, on_status: Callable[[SyncStatus], None]) -> Syncer:
    return BackgroundSync(
        path, on_status, edit_delay=0.05, interval=60.0, backoff_initial=60.0, backoff_max=60.0
    )


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path, models: Models) -> Iterator[MakeWindow]:
    pools: list[QThreadPool] = []
    windows: list[MainWindow] = []

    def make(
        library: Path | None = None,
        threads: bool = False,
        samples: Path | None = None,
        debounce_ms: int = 100,
        settings_file: Path | None = None,
        models_dir: Callable[[Path], Path] | None = None,
        load_models: Callable[[Path], Models] | None = None,
    ) -> MainWindow:
        if threads:
            jobs_pool, images_pool = QThreadPool(), QThreadPool()
            jobs_pool.setMaxThreadCount(1)
            pools.extend([jobs_pool, images_pool])
            jobs_runner, images_runner = ThreadPoolRunner(jobs_pool), ThreadPoolRunner(images_pool)
        else:
            jobs_runner = images_runner = InlineRunner()  # type: ignore[assignment]
        services = Services(
            settings=Settings.at(settings_file or tmp_path / f"settings{len(windows)}.ini"),
            models=load_models or (lambda folder: models),
            models_dir=models_dir or (lambda library: default_models_dir()),
            jobs_runner=jobs_runner,
            images_runner=images_runner,
            samples_dir=samples,
            watch_debounce_ms=debounce_ms,
            scan_workers=2,
            syncer=quick_sync,
            sidecar_delay_ms=50,
        )
        window = MainWindow(services)
        qtbot.addWidget(window)
        assert window.open_library(library or tmp_path / f"library{len(windows)}")
        window.show()
        qtbot.waitExposed(window, timeout=WAIT_MS)
        activate(qtbot, window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    for pool in pools:
        pool.waitForDone(WAIT_MS)


def activate(qtbot: QtBot, window: MainWindow) -> None:
    """Make the window the active one, as a click on it would: shortcuts (Ctrl+Z) go there."""
    handle = window.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def grid_names(window: MainWindow) -> list[str]:
    model = window.grid_model
    assert model is not None
    return sorted(str(model.data(model.index(r))) for r in range(model.rowCount()))


def row_of(window: MainWindow, name: str) -> str:
    """The content id of the grid's photo with this file name."""
    model = window.grid_model
    assert model is not None
    for r in range(model.rowCount()):
        if model.data(model.index(r)) == name:
            return model.content_id(r)
    raise AssertionError(f"{name} is not in the grid: {grid_names(window)}")
