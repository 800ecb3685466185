"""`photo-tagger models ...`: which models a library uses, signed updates, rollback, keys."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from photo_tagger.cli.common import library_dir as cli_library_dir
from photo_tagger.cli.common import open_library


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

    from photo_tagger.app.model_updates import model_updater, update_source

    updater = model_updater(library_dir)
    if args.action == "status":
        current = updater.current_release()
        where = updater.active_dir()
        print(f"release {current if current is not None else 'shipped with the app'} ({where})")
        return 0
    if args.action == "rollback":
        previous = updater.rollback()
        print(
            "now using "
            + (f"model release {previous}" if previous is not None else "the shipped models")
        )
        return _retag(args)

    server, token = update_source(library_dir, args.server, args.token)
    result = updater.update(server, token)
    if not result.installed:
        print(f"models are up to date (release {updater.current_release()})")
        return 0
    print(f"installed model release {result.release} ({result.downloaded_bytes} bytes)")
    return _retag(args)


def _retag(args: argparse.Namespace) -> int:
    """Photos analysed by other models are analysed again; what the user set is untouched."""
    if args.no_retag:
        return 0
    from photo_tagger.app.scan import Importer
    from photo_tagger.cloud.model_updates import active_models_dir
    from photo_tagger.vision.pipeline import Models

    with open_library(args) as library:
        models = Models.load(active_models_dir(library.path))
        report = Importer(library, models).retag()
    print(f"re-tagged {report.analysed} photos with the models now in use", file=sys.stderr)
    return 0 if not report.skipped else 1


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("models", help="model updates: status, update, rollback, trust, keygen")
    ms = p.add_subparsers(dest="action", required=True)
    x = ms.add_parser("status", parents=[library_parent], help="which models the library uses")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("update", parents=[library_parent], help="install the server's release")
    x.add_argument("--server", help="default: the library's sync server")
    x.add_argument("--token", help="default: the library's sync token")
    x.add_argument("--no-retag", action="store_true", help="do not re-analyse photos now")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("rollback", parents=[library_parent], help="back to the previous models")
    x.add_argument("--no-retag", action="store_true", help="do not re-analyse photos now")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("trust", parents=[library_parent], help="trust a release signing key")
    x.add_argument("key", metavar="KEY.pub")
    x.set_defaults(func=cmd_models)
    x = ms.add_parser("keygen", parents=[library_parent], help="make a release signing key pair")
    x.add_argument("key", metavar="PRIVATE_KEY_FILE")
    x.set_defaults(func=cmd_models)
