"""Where a library lives when the user does not say."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

LIBRARY_ENV = "PHOTO_TAGGER_LIBRARY"


def default_library_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """$PHOTO_TAGGER_LIBRARY if set, else the platform's per-user data folder + "library"
    (e.g. ~/.local/share/photo-tagger/library on Linux)."""
    chosen = environ.get(LIBRARY_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    return Path(platformdirs.user_data_dir("photo-tagger")) / "library"
