"""Where a library lives when the user does not say, what its folder holds, and where this
computer's own state for its libraries is kept."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

LIBRARY_ENV = "PHOTO_TAGGER_LIBRARY"
STATE_ENV = "PHOTO_TAGGER_STATE"

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


def default_state_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Where this user's photo-tagger keeps what belongs to this computer and no library folder
    (the client ids it writes each library's document under, client_ids.py): $PHOTO_TAGGER_STATE
    if set, else the platform's per-user state folder (e.g. ~/.local/state/photo-tagger)."""
    chosen = environ.get(STATE_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    return Path(platformdirs.user_state_dir("photo-tagger"))
