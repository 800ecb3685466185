"""What every command shares: exit statuses, and the library and models a command works on.

Exit status: 0 done; 1 done, but something was skipped (each reported with its path and reason),
or (`search`) nothing matched, as grep says it; 2 the command could not be carried out (a clear
message says why).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.store.library import Library

EXIT_OK, EXIT_SKIPPED, EXIT_ERROR = 0, 1, 2
EXIT_NONE = 1  # a search found nothing


def library_dir(args: argparse.Namespace) -> Path:
    """The library named by --library, else the default one."""
    from photo_tagger.store.paths import default_library_dir

    return Path(args.library) if args.library else default_library_dir()


def open_library(args: argparse.Namespace) -> Library:
    from photo_tagger.store.library import Library

    library = Library.open(library_dir(args))
    library.report_skipped = report_skipped
    return library


def report_skipped(messages: list[str]) -> None:
    """Malformed records of the shared document that a command skipped, on stderr."""
    if not messages:
        return
    print(
        f"photo-tagger: skipped {count(len(messages), 'malformed record')} of the library, "
        "written by another device or program; `photo-tagger check` lists them and "
        "`photo-tagger check --repair` sets them aside:",
        file=sys.stderr,
    )
    for message in messages[:20]:
        print(f"  {message}", file=sys.stderr)
    if len(messages) > 20:
        print(f"  … and {len(messages) - 20} more", file=sys.stderr)


def models_dir(args: argparse.Namespace) -> Path:
    """The models the library uses: the model release accepted for it (`photo-tagger models
    accept`), else the ones shipped with the app (or $PHOTO_TAGGER_MODELS)."""
    library = library_dir(args)
    if not (library / "models").is_dir():
        # never updated (the usual case): no need to import the update client (HTTP, signatures)
        from photo_tagger.vision.model import default_models_dir

        return default_models_dir()
    from photo_tagger.cloud.model_updates import active_models_dir

    return active_models_dir(library)


def shown(path: str) -> str:
    """A path as a terminal can show it: a name that is not UTF-8 (kept by Python as surrogate
    escapes) has each byte that is not text shown as U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def print_json(value: object) -> None:
    """`value` as JSON on stdout. A path whose name is not UTF-8 (a str holding surrogate escapes)
    is written as JSON \\u escapes of those surrogates, which `os.fsencode` turns back into the
    name's bytes: the output is always valid text, and nothing is lost."""
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
