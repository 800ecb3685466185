"""What every command shares: exit statuses, and the library and models a command works on.

Exit status: 0 done; 1 done, but something was skipped (each reported with its path and reason);
2 the command could not be carried out (a clear message says why).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from photo_tagger.store.library import Library

EXIT_OK, EXIT_SKIPPED, EXIT_ERROR = 0, 1, 2


def library_dir(args: argparse.Namespace) -> Path:
    """The library named by --library, else the default one."""
    from photo_tagger.store.paths import default_library_dir

    return Path(args.library) if args.library else default_library_dir()


def open_library(args: argparse.Namespace) -> Library:
    from photo_tagger.store.library import Library

    return Library.open(library_dir(args))


def models_dir() -> Path:
    from photo_tagger.vision.model import default_models_dir

    return default_models_dir()
