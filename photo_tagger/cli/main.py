"""`photo-tagger`: the parser of every command, and running one.

Exit status: 0 done; 1 done, but some photos were skipped (each reported with its path and reason);
2 the command could not be carried out (a clear message says why).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from photo_tagger import __version__
from photo_tagger.cli.common import EXIT_ERROR
from photo_tagger.errors import PhotoTaggerError

# Each has register(subparsers, library_parent_parser); see photo_tagger/cli/__init__.py.
COMMAND_MODULES = (
    "photo_tagger.cli.scan",
    "photo_tagger.cli.photos",
    "photo_tagger.cli.marks",
    "photo_tagger.cli.search",
    "photo_tagger.cli.people",
    "photo_tagger.cli.gui",
    "photo_tagger.cli.sync",
    "photo_tagger.cli.server",
    "photo_tagger.cli.xmp",
    "photo_tagger.cli.models",
    "photo_tagger.cli.escalate",
    "photo_tagger.cli.check",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photo-tagger",
        description="Find faces, group people and tag photos, on this machine.",
    )
    parser.add_argument("--version", action="version", version=f"photo-tagger {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    lib = argparse.ArgumentParser(add_help=False)
    lib.add_argument(
        "--library",
        metavar="DIR",
        help="library folder (default: $PHOTO_TAGGER_LIBRARY, else the platform's data folder)",
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, lib)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv or ["gui"])  # no command: open the window
    try:
        return int(args.func(args))
    except PhotoTaggerError as exc:
        print(f"photo-tagger: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("photo-tagger: interrupted; everything reported done is saved.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
