"""`photo-tagger`: the app's operations without a window.

Exit status: 0 done; 1 done, but some photos were skipped (each reported with its path and reason);
2 the command could not be carried out (a clear message says why).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from photo_tagger import __version__
from photo_tagger.app.export import library_record, people_records
from photo_tagger.app.thresholds import models_threshold
from photo_tagger.errors import NotFoundError, PhotoTaggerError

EXIT_OK, EXIT_SKIPPED, EXIT_ERROR = 0, 1, 2

# Each has register(subparsers, library_parent_parser); see photo_tagger/cli/__init__.py.
COMMAND_MODULES = (
    "photo_tagger.cli.gui",
    "photo_tagger.cli.sync",
    "photo_tagger.cli.server",
    "photo_tagger.cli.xmp",
    "photo_tagger.cli.models",
    "photo_tagger.cli.escalate",
)


def _library_dir(args: argparse.Namespace) -> Path:
    from photo_tagger.store.paths import default_library_dir

    return Path(args.library) if args.library else default_library_dir()


def _open_library(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from photo_tagger.store.library import Library

    return Library.open(_library_dir(args))


def _models_dir() -> Path:
    from photo_tagger.vision.model import default_models_dir

    return default_models_dir()


# --- scan -----------------------------------------------------------------------------------------


def cmd_scan(args: argparse.Namespace) -> int:
    from photo_tagger.app.scan import Importer
    from photo_tagger.vision.pipeline import Models, Progress

    models = Models.load(_models_dir())
    interactive = sys.stderr.isatty()
    last = [0.0]

    def show(p: Progress) -> None:
        if args.quiet:
            return
        if interactive:
            print("\r" + p.line() + "   ", end="", file=sys.stderr, flush=True)
        elif p.done == p.total or p.done - last[0] >= 100:
            last[0] = p.done
            print(p.line(), file=sys.stderr, flush=True)

    with _open_library(args) as library:
        importer = Importer(library, models, workers=args.workers)
        report = importer.scan([Path(p) for p in args.paths], on_progress=show)
    if interactive and not args.quiet:
        print(file=sys.stderr)
    print(
        f"Scanned {report.found} photo files in {report.seconds:.1f} s: "
        f"{report.analysed} analysed ({report.rate:.1f} photos/s), "
        f"{report.unchanged} unchanged, {report.known_content} recognised by content, "
        f"{report.removed} gone from disk, {len(report.skipped)} skipped. "
        f"{report.faces} faces, {report.new_people} new people."
    )
    if report.imported_tags or report.imported_faces:
        print(
            f"From XMP/IPTC written by other apps: {report.imported_tags} tags, "
            f"{report.imported_faces} named faces."
        )
    c, d = report.context, report.duplicates
    if c is not None:
        print(
            f"{c.events} events; {c.borrowed_places} photos without GPS placed by a neighbour "
            f"(suggested); place, date and event tags of {c.updated} photos updated."
        )
    if d is not None:
        print(f"Near-duplicates: {d.groups} groups of {d.photos} photos.")
    for problem in report.metadata_problems:
        print(f"note: {problem}")
    for s in report.skipped:
        print(f"skipped: {s.path}: {s.reason}")
    return EXIT_SKIPPED if report.skipped else EXIT_OK


# --- export ---------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    if args.xmp:
        from photo_tagger.cli.xmp import export_sidecars

        return export_sidecars(args)
    threshold = models_threshold(_models_dir())
    with _open_library(args) as library:
        data = library_record(library, threshold)
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK


# --- tags -----------------------------------------------------------------------------------------


def resolve_photo(library: Any, ref: str) -> str:
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
    with _open_library(args) as library:
        cid = resolve_photo(library, args.photo)
        tag = args.tag.strip().strip("/")
        if not tag:
            raise NotFoundError("A tag cannot be empty.")
        library.document.set_user_tag(cid, tag, args.action == "add")
    verb = "added to" if args.action == "add" else "removed from"
    print(f"'{tag}' {verb} photo {cid}")
    return EXIT_OK


# --- people ---------------------------------------------------------------------------------------


def resolve_person(library: Any, ref: str) -> str:
    """A person id (or a unique prefix of at least 4 characters) or an exact name."""
    doc = library.document
    people = [p for p in doc.people() if not p.get("merged_into")]
    by_name = [p["id"] for p in people if p["name"] == ref]
    if len(by_name) == 1:
        return str(by_name[0])
    by_id = [p["id"] for p in doc.people() if p["id"].startswith(ref)] if len(ref) >= 4 else []
    if len(by_id) == 1:
        return str(doc.resolve_person(by_id[0]))
    if len(by_name) + len(by_id) > 1:
        raise NotFoundError(f"'{ref}' names more than one person; use the person's id.")
    raise NotFoundError(f"No person '{ref}': `photo-tagger people list` shows them.")


def cmd_people(args: argparse.Namespace) -> int:
    from photo_tagger.app.people import group_people
    from photo_tagger.vision.model import Manifest

    with _open_library(args) as library:
        doc = library.document
        if args.action == "list":
            data = people_records(library, library_record(library, lambda tag: 1.0)["photos"])
            data.sort(key=lambda p: (p["name"] is not None, -p["faces"]))  # unnamed groups first
            for p in data:
                print(f"{p['id']}  {p['faces']:4d} faces  {p['name'] or '(unnamed)'}")
        elif args.action == "name":
            pid = resolve_person(library, args.person)
            doc.set_person_name(pid, args.name)
            print(f"person {pid} is now '{args.name}'")
        elif args.action == "merge":
            src, dst = resolve_person(library, args.person), resolve_person(library, args.into)
            if src == dst:
                raise NotFoundError("Those are already the same person.")
            doc.merge_people(src, dst)
            print(f"person {src} merged into {dst}")
        elif args.action in ("reject", "confirm"):
            cid = resolve_photo(library, args.photo)
            current = doc.face_person(cid, args.face)
            _, faces = doc.faces(cid)
            if not 0 <= args.face < len(faces):
                raise NotFoundError(f"Photo {cid} has {len(faces)} faces (numbered from 0).")
            if args.action == "confirm":
                if args.person:
                    who = resolve_person(library, args.person)
                elif current is not None:
                    who = doc.resolve_person(current[0])
                else:
                    raise NotFoundError("That face has no suggested person: name one.")
                doc.confirm_person(cid, args.face, who)
                print(f"face {args.face} of {cid} is {who}")
            else:
                if current is None:
                    raise NotFoundError("That face has no person to reject.")
                pid = doc.resolve_person(current[0])
                doc.reject_person(cid, args.face, pid)
                group_people(library, Manifest(_models_dir()).same_person_distance)
                again = doc.face_person(cid, args.face)
                print(
                    f"face {args.face} of {cid} is not {pid}"
                    + (f"; now suggested: {doc.resolve_person(again[0])}" if again else "")
                )
        elif args.action == "hide":
            pid = resolve_person(library, args.person)
            doc.set_person_hidden(pid, not args.show)
            print(f"person {pid} {'shown' if args.show else 'hidden'}")
    return EXIT_OK


# --- parser ---------------------------------------------------------------------------------------


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

    p = sub.add_parser("scan", parents=[lib], help="find, analyse and tag the photos under PATHs")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--workers", type=int, default=None, help="threads (default: every core)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("export", parents=[lib], help="print the library as JSON, or write XMP")
    p.add_argument(
        "--xmp", action="store_true", help="write XMP sidecars next to the photos instead"
    )
    from photo_tagger.cli.xmp import add_export_options

    add_export_options(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("tag", help="add or remove a tag on a photo")
    tag_sub = p.add_subparsers(dest="action", required=True)
    for action in ("add", "remove"):
        t = tag_sub.add_parser(action, parents=[lib])
        t.add_argument("photo", metavar="PHOTO", help="a scanned file's path or a photo id")
        t.add_argument("tag", metavar="TAG", help="e.g. Animals/Cat or 'Holidays/Lisbon 2024'")
        t.set_defaults(func=cmd_tag)

    p = sub.add_parser("people", help="list, name, merge, confirm, reject or hide people")
    ps = p.add_subparsers(dest="action", required=True)
    x = ps.add_parser("list", parents=[lib])
    x.set_defaults(func=cmd_people)
    x = ps.add_parser("name", parents=[lib])
    x.add_argument("person", help="person id, id prefix or current name")
    x.add_argument("name")
    x.set_defaults(func=cmd_people)
    x = ps.add_parser("merge", parents=[lib])
    x.add_argument("person", help="the person to merge away")
    x.add_argument("into", help="the person to keep")
    x.set_defaults(func=cmd_people)
    x = ps.add_parser("confirm", parents=[lib])
    x.add_argument("photo")
    x.add_argument("face", type=int, help="face number in the photo, from 0")
    x.add_argument("person", nargs="?", help="default: the suggested person")
    x.set_defaults(func=cmd_people)
    x = ps.add_parser("reject", parents=[lib])
    x.add_argument("photo")
    x.add_argument("face", type=int, help="face number in the photo, from 0")
    x.set_defaults(func=cmd_people)
    x = ps.add_parser("hide", parents=[lib])
    x.add_argument("person")
    x.add_argument("--show", action="store_true", help="show a hidden person again")
    x.set_defaults(func=cmd_people)

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
