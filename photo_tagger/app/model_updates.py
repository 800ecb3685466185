"""Model updates for a library: the keys it trusts (those shipped with the app and its own), the
updater over them, where an update comes from when none is named (the library's sync server), and
the new models waiting for the user's decision: tried on a sample of the library (shadow.py),
then accepted or rejected.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photo_tagger import shipped
from photo_tagger.app.shadow import SAMPLE, ShadowReport, ShadowTest
from photo_tagger.app.shadow_store import forget_report, load_report, save_report
from photo_tagger.cloud.model_updates import NOTHING_WAITING, ModelUpdater
from photo_tagger.cloud.signing import load_public_key, trusted_keys
from photo_tagger.errors import ModelError, ModelUpdateError
from photo_tagger.store.library import Library
from photo_tagger.vision.model import MANIFEST_NAME

if TYPE_CHECKING:
    from photo_tagger.vision.pipeline import Models
    from photo_tagger.vision.workers import Progress

# keys shipped with the app (resources/keys, inside the wheel and the installers)
SHIPPED_KEYS = shipped("resources") / "keys"
LIBRARY_KEYS = "trusted-keys"  # a library's own trusted keys, in its folder


def model_updater(library_dir: Path) -> ModelUpdater:
    """The updater of the models `library_dir` uses, trusting the shipped keys and its own."""
    return ModelUpdater(library_dir, trusted_keys([SHIPPED_KEYS, library_dir / LIBRARY_KEYS]))


def trust_key(library_dir: Path, key_file: Path) -> Path:
    """Trust model releases signed by the public key in `key_file`; returns where it is kept."""
    load_public_key(key_file.read_text())  # refuse anything that is not a key
    dest = library_dir / LIBRARY_KEYS
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / (key_file.stem + ".pub")
    shutil.copyfile(key_file, target)
    return target


def update_source(library_dir: Path, server: str | None, token: str | None) -> tuple[str, str]:
    """The server and token to update from: those given, else the library's sync server's."""
    if server and token:
        return server, token
    from photo_tagger.store.sync import SyncSettings  # the sync client: only when asked

    with Library.open(library_dir) as library:
        remembered = SyncSettings.of(library.log)
    if remembered is None:
        raise ModelUpdateError(
            "No server for this library: give --server and --token, or run `photo-tagger "
            "sync` once."
        )
    return server or remembered.server, token or remembered.token


# --- new models waiting for the user's decision ----------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A release downloaded and waiting for the user's decision."""

    release: int
    folder: Path
    report: ShadowReport | None  # what trying it found; None: not tried (on these terms) yet


def models_in_use(updater: ModelUpdater) -> str:
    """The models a library uses, in words."""
    current = updater.current_release()
    return f"release {current}" if current is not None else "the shipped models"


def pending(library_dir: Path, scale: float = 1.0) -> Pending | None:
    """The candidate waiting in the library, with what trying it found when that is still about
    it, beside the models in use, read with the threshold scale `scale`."""
    updater = ModelUpdater(library_dir)
    folder = updater.candidate_dir()
    release = updater.candidate_release()
    if folder is None or release is None:
        return None
    report = load_report(library_dir)
    if report is not None and not report.about(release, updater.active_dir(), scale):
        report = None
    return Pending(release, folder, report)


def load_models_to_try(folder: Path) -> Models:
    """The models in `folder`, their manifest checked as the shipped one is (every model file's
    sha256), or ModelError saying what is wrong."""
    from photo_tagger.vision.pipeline import Models

    if not (folder / MANIFEST_NAME).is_file():
        raise ModelError(
            f"{folder} holds no {MANIFEST_NAME}: give the folder the models were built into "
            "(its manifest lists each model file with its sha256)."
        )
    try:
        return Models.load(folder)
    except ModelError as exc:
        raise ModelError(f"The models in {folder} cannot be tried: {exc}") from None


def try_candidate(
    library: Library, scale: float = 1.0, sample: int = SAMPLE, **run: Any
) -> ShadowReport:
    """Try the library's candidate on a sample of its photos beside the models in use, and keep
    what was found (shadow_store.py) unless it was stopped part way (it is tried again next
    time). `run`: ShadowTest's `on_library`, `workers` and `background`, and `on_progress` and
    `should_stop` for its run."""
    updater = ModelUpdater(library.path)
    folder, release = updater.candidate_dir(), updater.candidate_release()
    if folder is None or release is None:
        raise ModelUpdateError(NOTHING_WAITING)
    report = try_models(
        library, load_models_to_try(folder), updater, (f"model release {release}", release),
        scale, sample, **run,
    )  # fmt: skip
    if not report.stopped:
        save_report(library.path, report)
    return report


def try_models(
    library: Library,
    models: Models,
    updater: ModelUpdater,
    name: tuple[str, int | None],
    scale: float = 1.0,
    sample: int = SAMPLE,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    **test: Any,
) -> ShadowReport:
    """Try `models` (named, with their release) beside the library's models in use; kept
    nowhere."""
    current = updater.active_dir()
    shadow = ShadowTest(library, models, current, scale, **test)
    names = (name[0], name[1], models_in_use(updater))
    return shadow.run(names, sample, on_progress, should_stop)


def accept(library_dir: Path) -> int:
    """Switch to the candidate (the user said so); its release number."""
    release = ModelUpdater(library_dir).accept()
    forget_report(library_dir)
    return release


def reject(library_dir: Path) -> int:
    """Drop the candidate; the models in use stay. Its release number."""
    release = ModelUpdater(library_dir).reject()
    forget_report(library_dir)
    return release
