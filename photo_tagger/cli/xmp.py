"""`photo-tagger xmp export` and `photo-tagger xmp read`: tags and named faces in XMP sidecars."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from photo_tagger.cli.common import EXIT_OK, EXIT_SKIPPED, models_dir, open_library


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "xmp", help="write tags and named faces to XMP sidecars, or show what a photo's say"
    )
    actions = p.add_subparsers(dest="xmp_action", required=True)
    e = actions.add_parser(
        "export",
        parents=[library_parent],
        help="merge every photo's tags and named faces into its sidecar (IMG_0001.jpg.xmp)",
    )
    add_export_options(e)
    e.set_defaults(func=cmd_xmp_export)
    r = actions.add_parser(
        "read", help="print, as JSON, the keywords and named faces a scan would import from PHOTO"
    )
    r.add_argument("photo", metavar="PHOTO", help="a photo file")
    r.set_defaults(func=cmd_xmp_read)


def add_export_options(parser: argparse.ArgumentParser) -> None:
    """The export settings, for any command that writes sidecars (`xmp export`, `export --xmp`)."""
    parser.add_argument(
        "--naming",
        choices=("jpg.xmp", "xmp"),
        default="jpg.xmp",
        help="sidecar name: IMG_0001.jpg.xmp (default; digiKam, darktable) or IMG_0001.xmp "
        "(Lightroom, Capture One)",
    )
    parser.add_argument(
        "--include-model-tags",
        action="store_true",
        help="also write the model's tags over their threshold (default: only tags you added, "
        "and named people)",
    )


def export_sidecars(args: argparse.Namespace) -> int:
    """Write the sidecars of the library named by args.library with args' export options; prints
    a summary and each failure. Returns the exit status (1 if any sidecar could not be written)."""
    from photo_tagger.app.export import export_sidecars as write_sidecars
    from photo_tagger.app.thresholds import models_threshold
    from photo_tagger.metadata import ExportOptions

    threshold = models_threshold(models_dir(args))
    options = ExportOptions(naming=args.naming, include_model_tags=args.include_model_tags)
    with open_library(args) as library:
        report = write_sidecars(library, threshold, options)
    print(f"XMP sidecars: {report.summary()}")
    for path, reason in report.failed:
        print(f"failed: {path}: {reason}")
    return EXIT_SKIPPED if report.failed else EXIT_OK


def cmd_xmp_export(args: argparse.Namespace) -> int:
    return export_sidecars(args)


def cmd_xmp_read(args: argparse.Namespace) -> int:
    from photo_tagger.errors import NotFoundError
    from photo_tagger.metadata import read_photo_metadata

    photo = Path(args.photo)
    if not photo.is_file():
        raise NotFoundError(f"No photo file {photo}.")
    data = read_photo_metadata(photo)
    json.dump(data.to_json(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_SKIPPED if data.problems else EXIT_OK
