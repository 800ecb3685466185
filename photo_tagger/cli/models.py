"""`photo-tagger models ...`: which models a library uses, signed updates tried on the library's
own photos before the user accepts or rejects them, rollback, keys."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from photo_tagger.cli.common import EXIT_OK, EXIT_SKIPPED, open_library
from photo_tagger.cli.common import library_dir as cli_library_dir
from photo_tagger.cli.shadow import print_report, progress_printer, report_json
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.app.shadow import ShadowReport
    from photo_tagger.cloud.model_updates import ModelUpdater

DECIDE = (
    "`photo-tagger models shadow` lists where they differ; `photo-tagger models accept` switches "
    "to them (and re-tags the library; your own tags stay), `photo-tagger models reject` drops "
    "them."
)


def cmd_models(args: argparse.Namespace) -> int:
    library_dir = cli_library_dir(args)
    if args.action == "trust":
        from photo_tagger.app.model_updates import trust_key

        trust_key(library_dir, Path(args.key))
        print(f"model releases signed by {args.key} are now trusted by this library")
        return 0
    if args.action == "keygen":
        from photo_tagger.cloud.signing import generate_key_pair

        public = generate_key_pair(Path(args.key))
        print(f"private key: {args.key} (keep it secret); public key: {public}")
        return 0

    from photo_tagger.app import model_updates as updates

    updater = updates.model_updater(library_dir)
    if args.action == "status":
        return _status(updater, library_dir)
    if args.action == "rollback":
        previous = updater.rollback()
        print(
            "now using "
            + (f"model release {previous}" if previous is not None else "the shipped models")
        )
        return _retag(args)
    if args.action == "shadow":
        return _shadow(args, updater)
    if args.action == "accept":
        print(f"now using model release {updates.accept(library_dir)}")
        return _retag(args)
    if args.action == "reject":
        release = updates.reject(library_dir)
        print(f"model release {release} dropped; the models in use stay as they were")
        return 0
    return _update(args, updater)


def _status(updater: ModelUpdater, library_dir: Path) -> int:
    from photo_tagger.app.model_updates import pending

    current = updater.current_release()
    where = updater.active_dir()
    print(f"release {current if current is not None else 'shipped with the app'} ({where})")
    waiting = pending(library_dir)
    if waiting is not None:
        found = f": {waiting.report.headline()}" if waiting.report else ""
        print(f"model release {waiting.release} is waiting for your decision{found}. {DECIDE}")
    return 0


def _update(args: argparse.Namespace, updater: ModelUpdater) -> int:
    """Download the server's release as a candidate, then try it on a sample of the library."""
    from photo_tagger.app.model_updates import pending, update_source
    from photo_tagger.cloud.model_updates import NEW, REJECTED, WAITING

    library_dir = cli_library_dir(args)
    server, token = update_source(library_dir, args.server, args.token)
    result = updater.update(server, token, again=args.again)
    if result.outcome == REJECTED:
        print(
            f"the server offers model release {result.release}, which you rejected; nothing "
            "was downloaded (`photo-tagger models update --again` tries it again)"
        )
        return 0
    if not result.waiting:
        print(f"models are up to date (release {updater.current_release()})")
        return 0
    if result.outcome == NEW:
        print(
            f"downloaded model release {result.release} ({result.downloaded_bytes} bytes); it "
            "is not in use: trying it on your photos first"
        )
    waiting = pending(library_dir)
    report = waiting.report if waiting is not None and result.outcome == WAITING else None
    if report is None:
        report = _try_candidate(args)
    print(f"model release {result.release} beside {report.current}: {report.headline()}.")
    print(DECIDE)
    return 0


def _try_candidate(args: argparse.Namespace) -> ShadowReport:
    from photo_tagger.app.model_updates import try_candidate

    show, end = progress_printer(quiet=False)
    with open_library(args) as library:
        report = try_candidate(library, sample=args.sample, on_progress=show)
    end()
    return report


def _shadow(args: argparse.Namespace, updater: ModelUpdater) -> int:
    """Where the new models and the models in use differ on the library's photos."""
    report = _try_folder(args, updater) if args.models_dir else _candidate_report(args)
    if report is None:
        from photo_tagger.app.model_updates import NOTHING_WAITING

        if args.json:
            report_json(None)
        else:
            print(NOTHING_WAITING)
        return EXIT_OK
    if args.json:
        report_json(report)
    else:
        print_report(report, DECIDE if report.release is not None else "")
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def _candidate_report(args: argparse.Namespace) -> ShadowReport | None:
    """What trying the waiting release found: kept from before, or found now (`--sample`, or
    when nothing is kept); None when no release waits."""
    from photo_tagger.app.model_updates import SAMPLE, pending, try_candidate

    waiting = pending(cli_library_dir(args))
    if waiting is None:
        return None
    if waiting.report is not None and args.sample is None:
        return waiting.report
    show, end = progress_printer(quiet=args.json)
    with open_library(args) as library:
        report = try_candidate(library, sample=args.sample or SAMPLE, on_progress=show)
    end()
    return report


def _try_folder(args: argparse.Namespace, updater: ModelUpdater) -> ShadowReport:
    """The models in --models-dir tried beside the models in use; kept nowhere."""
    from photo_tagger.app.model_updates import SAMPLE, load_models_to_try, try_models

    folder = Path(args.models_dir)
    models = load_models_to_try(folder)
    show, end = progress_printer(quiet=args.json)
    with open_library(args) as library:
        name = (f"the models in {folder}", None)
        report = try_models(
            library, models, updater, name, sample=args.sample or SAMPLE, on_progress=show
        )
    end()
    return report


def _retag(args: argparse.Namespace) -> int:
    """Photos analysed by other models are analysed again; what the user set is untouched."""
    if args.no_retag:
        return 0
    from photo_tagger.app.closer_look import look_closer
    from photo_tagger.app.scan import Importer
    from photo_tagger.cloud.model_updates import active_models_dir
    from photo_tagger.vision.pipeline import Models

    with open_library(args) as library:
        models = Models.load(active_models_dir(library.path))
        importer = Importer(library, models)
        report = importer.retag()
        closer = look_closer(importer)  # and the objects, as the window does after it
    print(
        f"re-tagged {count(report.analysed, 'photo')} with the models now in use; objects: "
        f"{count(closer.objects, 'object')} found in {count(closer.looked, 'photo')}",
        file=sys.stderr,
    )
    return 0 if not report.skipped and not closer.skipped else 1


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "models", help="model updates: status, update, shadow, accept, reject, rollback, trust"
    )
    ms = p.add_subparsers(dest="action", required=True)
    x = ms.add_parser("status", parents=[library_parent], help="which models the library uses")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser(
        "update", parents=[library_parent], help="download the server's release and try it"
    )
    x.add_argument("--server", help="default: the library's sync server")
    x.add_argument("--token", help="default: the library's sync token")
    x.add_argument("--sample", type=_sample, default=200, help="photos to try it on (200)")
    x.add_argument("--again", action="store_true", help="even a release you rejected")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser(
        "shadow", parents=[library_parent], help="where the new models would change tags"
    )
    x.add_argument("--models-dir", help="try the models in this folder instead (not kept)")
    x.add_argument("--sample", type=_sample, help="try on this many photos again (200)")
    x.add_argument("--json", action="store_true", help="as JSON, for scripts")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("accept", parents=[library_parent], help="switch to the new models")
    x.add_argument("--no-retag", action="store_true", help="do not re-analyse photos now")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("reject", parents=[library_parent], help="drop the new models")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("rollback", parents=[library_parent], help="back to the previous models")
    x.add_argument("--no-retag", action="store_true", help="do not re-analyse photos now")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("trust", parents=[library_parent], help="trust a release signing key")
    x.add_argument("key", metavar="KEY.pub", help="the public key file releases are signed with")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("keygen", parents=[library_parent], help="make a release signing key pair")
    x.add_argument(
        "key",
        metavar="PRIVATE_KEY_FILE",
        help="where to write the private key (the public key goes beside it)",
    )
    x.set_defaults(func=cmd_models)


def _sample(text: str) -> int:
    n = int(text)
    if not 1 <= n <= 100_000:
        raise argparse.ArgumentTypeError("give a number of photos from 1 to 100000")
    return n
