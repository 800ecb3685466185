"""`photo-tagger export` and `photo-tagger tag add|remove`: the library as JSON, and tags."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from photo_tagger.cli.common import EXIT_OK, models_dir, open_library, print_json
from photo_tagger.errors import NotFoundError

if TYPE_CHECKING:
    from photo_tagger.store.library import Library


def cmd_export(args: argparse.Namespace) -> int:
    if args.xmp:
        from photo_tagger.cli.xmp import export_sidecars

        return export_sidecars(args)
    from photo_tagger.app.export import library_record
    from photo_tagger.app.thresholds import models_threshold

    threshold = models_threshold(models_dir(args))
    with open_library(args) as library:
        data = library_record(library, threshold)
    print_json(data)
    return EXIT_OK


def resolve_photo(library: Library, ref: str) -> str:
    """A content id (or a unique prefix of one) or a path of an indexed file."""
    doc, index = library.document, library.index
    path = os.path.abspath(ref)
    row = index.lookup(path)
    if row is not None:
        return str(row[2])
    if doc.has_photo(ref):
        return ref
    matches = [cid for cid in doc.photo_ids() if cid.startswith(ref)] if len(ref) >= 6 else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotFoundError(f"'{ref}' matches {len(matches)} photos; give more of the id.")
    raise NotFoundError(
        f"No photo '{ref}' in the library: give the path of a scanned file or a photo id "
        "(`photo-tagger export` lists them)."
    )


def cmd_tag(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        cid = resolve_photo(library, args.photo)
        tag = args.tag.strip().strip("/")
        if not tag:
            raise NotFoundError("A tag cannot be empty.")
        library.document.set_user_tag(cid, tag, args.action == "add")
    verb = "added to" if args.action == "add" else "removed from"
    print(f"'{tag}' {verb} photo {cid}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    from photo_tagger.cli.xmp import add_export_options

    p = sub.add_parser(
        "export", parents=[library_parent], help="print the library as JSON, or write XMP"
    )
    p.add_argument(
        "--xmp", action="store_true", help="write XMP sidecars next to the photos instead"
    )
    add_export_options(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("tag", help="add or remove a tag on a photo")
    tag_sub = p.add_subparsers(dest="action", required=True)
    for action in ("add", "remove"):
        t = tag_sub.add_parser(
            action,
            parents=[library_parent],
            help=f"{action} a tag {'to' if action == 'add' else 'from'} a photo",
        )
        t.add_argument("photo", metavar="PHOTO", help="a scanned file's path or a photo id")
        t.add_argument("tag", metavar="TAG", help="e.g. Animals/Cat or 'Holidays/Lisbon 2024'")
        t.set_defaults(func=cmd_tag)
