"""`photo-tagger gui`: open the window (also what `photo-tagger` alone does)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "gui",
        parents=[library_parent],
        help="open the window (the default when no command is given)",
        description="Open the photo-tagger window on the library in --library, else "
        "$PHOTO_TAGGER_LIBRARY, else the library opened last, else the platform's data folder.",
    )
    p.add_argument("--settings", metavar="FILE", help="settings file (default: the user's)")
    p.set_defaults(func=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from photo_tagger.gui.app import main
    except ImportError as exc:
        print(
            f"photo-tagger: the window needs PySide6 ({exc}). Install it with "
            "`pip install 'photo-tagger[gui]'`, or use the other commands.",
            file=sys.stderr,
        )
        return 2
    library = Path(args.library) if args.library else None
    if library is None and os.environ.get("PHOTO_TAGGER_LIBRARY", "").strip():
        library = Path(os.environ["PHOTO_TAGGER_LIBRARY"]).expanduser()
    return main(library, Path(args.settings) if args.settings else None)
