"""`photo-tagger scan PATH...`: find, analyse and tag photos, with progress on the terminal;
`photo-tagger look-closer`: look for objects in the photos a scan left for later."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photo_tagger.cli.common import EXIT_OK, EXIT_SKIPPED, models_dir, open_library, shown
from photo_tagger.words import count

EXIT_INTERRUPTED = 130  # stopped by Ctrl+C: what was kept is stored and finished

if TYPE_CHECKING:
    from photo_tagger.app.closer_look import CloserLookReport
    from photo_tagger.app.scan import Importer
    from photo_tagger.app.scan_report import ScanReport
    from photo_tagger.vision.workers import Progress


def cmd_scan(args: argparse.Namespace) -> int:
    from photo_tagger.app.closer_look import awaiting
    from photo_tagger.app.scan import Importer
    from photo_tagger.vision.pipeline import Models

    models = Models.load(models_dir(args))
    stop = threading.Event()
    with open_library(args) as library, first_interrupt_stops(stop):
        importer = Importer(library, models, workers=args.workers)
        report = importer.scan(
            [Path(p) for p in args.paths],
            on_progress=progress_printer(args.quiet),
            should_stop=stop.is_set,
        )
        if sys.stderr.isatty() and not args.quiet:
            print(file=sys.stderr)
        print_report(report)
        if args.closer_look and not report.cancelled:
            closer = run_closer_look(importer, args.quiet, stop)
            report.cancelled = closer.cancelled
        elif waiting := len(awaiting(importer)):
            print(
                f"{count(waiting, 'photo')} wait for a closer look for objects (a tie in a "
                "portrait, the cup beside a coffee): run `photo-tagger look-closer`, or leave "
                "the window open, which looks while it has nothing else to do."
            )
    if report.cancelled:
        return EXIT_INTERRUPTED
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def progress_printer(quiet: bool) -> Callable[[Progress], None]:
    """A progress line on the terminal: rewritten in place on a terminal, every 100 photos in a
    log; nothing when `quiet`."""
    interactive = sys.stderr.isatty()
    last = [0.0]

    def show(p: Progress) -> None:
        if quiet:
            return
        if interactive:
            print("\r" + p.line() + "   ", end="", file=sys.stderr, flush=True)
        elif p.done == p.total or p.done - last[0] >= 100:
            last[0] = p.done
            print(p.line(), file=sys.stderr, flush=True)

    return show


@contextlib.contextmanager
def first_interrupt_stops(stop: threading.Event) -> Iterator[None]:
    """Ctrl+C sets `stop`: the scan stores the photos in hand and finishes those it kept (places,
    dates, events), as a whole scan does. A second Ctrl+C quits at once."""

    def on_interrupt(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print(
            "\nStopping: the photos analysed so far are kept and get their places, dates and "
            "events (Ctrl+C again quits at once).",
            file=sys.stderr,
            flush=True,
        )

    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return
    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def print_report(report: ScanReport) -> None:
    if report.cancelled:
        print(
            f"Interrupted: {report.analysed} of {report.planned} added. Scan the same folders "
            "again to add the rest."
        )
    print(
        f"Scanned {count(report.found, 'photo file')} in {report.seconds:.1f} s: "
        f"{report.analysed} analysed ({report.rate:.1f} photos/s), "
        f"{report.unchanged} unchanged, {report.restored} restored, "
        f"{report.known_content} recognised by content, "
        f"{report.removed} gone from disk, {len(report.skipped)} skipped. "
        f"{count(report.faces, 'face')}, {count(report.new_people, 'new person', 'new people')}."
    )
    if report.restored:
        print(
            f"Restored {count(report.restored, 'photo')} whose model tags and faces were no "
            "longer in the library (removed on another device): analysed again from their "
            "files, with your tags that were still there kept."
        )
    if report.imported_tags or report.imported_faces:
        print(
            f"From XMP/IPTC written by other apps: {count(report.imported_tags, 'tag')}, "
            f"{count(report.imported_faces, 'named face')}."
        )
    c, d = report.context, report.duplicates
    if c is not None:
        print(
            f"{count(c.events, 'event')}; {count(c.borrowed_places, 'photo')} without GPS placed "
            "by a neighbour (suggested); place, date and event tags of "
            f"{count(c.updated, 'photo')} updated."
        )
    if d is not None:
        print(f"Near-duplicates: {count(d.groups, 'group')} of {count(d.photos, 'photo')}.")
    for problem in report.metadata_problems:
        print(f"note: {shown(problem)}")
    for s in report.skipped:
        print(f"skipped: {shown(s.path)}: {s.reason}")


def cmd_look_closer(args: argparse.Namespace) -> int:
    from photo_tagger.app.scan import Importer
    from photo_tagger.vision.pipeline import Models

    models = Models.load(models_dir(args))
    stop = threading.Event()
    with open_library(args) as library, first_interrupt_stops(stop):
        importer = Importer(library, models, workers=args.workers)
        report = run_closer_look(importer, args.quiet, stop)
    if report.cancelled:
        return EXIT_INTERRUPTED
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def run_closer_look(importer: Importer, quiet: bool, stop: threading.Event) -> CloserLookReport:
    """Look closer at every photo waiting for it, with progress on the terminal and a report."""
    from photo_tagger.app.closer_look import look_closer

    show = progress_printer(quiet)
    report = look_closer(importer, on_progress=show, should_stop=stop.is_set)
    if sys.stderr.isatty() and not quiet and report.looked:
        print(file=sys.stderr)
    print_closer_look(report)
    return report


def print_closer_look(report: CloserLookReport) -> None:
    if report.cancelled:
        print("Interrupted: what was found so far is kept; run look-closer again for the rest.")
    print(
        f"Looked closer at {count(report.looked, 'photo')}: "
        f"{count(report.objects, 'object')} found, the tags of {count(report.tagged, 'photo')} "
        f"updated, {len(report.skipped)} skipped."
    )
    for s in report.skipped:
        print(f"skipped: {shown(s.path)}: {s.reason}")


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "scan", parents=[library_parent], help="find, analyse and tag the photos under PATHs"
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders or photo files")
    p.add_argument("--workers", type=int, default=None, help="threads (default: every core)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument(
        "--closer-look",
        action="store_true",
        help="then look for objects in the photos the scan left for later (as look-closer does)",
    )
    p.set_defaults(func=cmd_scan)
    p = sub.add_parser(
        "look-closer",
        parents=[library_parent],
        help="look for objects in the photos scans analysed (a scan leaves the object detector "
        "for later): a tie in a portrait, the cup beside a coffee",
    )
    p.add_argument("--workers", type=int, default=None, help="threads (default: every core)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=cmd_look_closer)
