"""Where a library lives when the user does not say, and what its folder holds."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

LIBRARY_ENV = "PHOTO_TAGGER_LIBRARY"

# In a library folder (library.py): the shared document's log, the local index, the thumbnails.
DOCUMENT_FILE = "document.sqlite3"
INDEX_FILE = "index.sqlite3"
THUMBS_DIR = "thumbs"


def default_library_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """$PHOTO_TAGGER_LIBRARY if set, else the platform's per-user data folder + "library"
    (e.g. ~/.local/share/photo-tagger/library on Linux)."""
    chosen = environ.get(LIBRARY_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    return Path(platformdirs.user_data_dir("photo-tagger")) / "library"
