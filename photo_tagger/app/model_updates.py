"""Model updates for a library: the keys it trusts (those shipped with the app and its own), the
updater over them, and where an update comes from when none is named (the library's sync server).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from photo_tagger import shipped
from photo_tagger.cloud.model_updates import ModelUpdater
from photo_tagger.cloud.signing import load_public_key, trusted_keys
from photo_tagger.errors import ModelUpdateError
from photo_tagger.store.library import Library

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
