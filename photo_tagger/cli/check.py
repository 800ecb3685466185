"""`photo-tagger check [--repair]`: malformed records of the library, and setting them aside."""

from __future__ import annotations

import argparse

from photo_tagger.cli.common import EXIT_OK, EXIT_SKIPPED, open_library
from photo_tagger.words import count


def cmd_check(args: argparse.Namespace) -> int:
    from photo_tagger.app.check import check_library

    with open_library(args) as library:
        report = check_library(library, repair=args.repair)
    if report.clean:
        print("The library's records are all well formed.")
        return EXIT_OK
    print(f"{count(len(report.problems), 'malformed record')}, skipped by every command:")
    for problem in report.problems:
        print(f"  {problem}")
    if args.repair:
        print(
            f"Set {report.set_aside} aside in the library's quarantine, which nothing reads "
            "(nothing was deleted); the next sync sends the repair to your other devices."
        )
        return EXIT_OK
    print("Run `photo-tagger check --repair` to set them aside.")
    return EXIT_SKIPPED


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "check",
        parents=[library_parent],
        help="list malformed records of the library (written by another device), or set them aside",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="move them into the library's quarantine, which nothing reads (one synced edit)",
    )
    p.set_defaults(func=cmd_check)
