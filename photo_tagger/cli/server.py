"""`photo-tagger serve` and `photo-tagger server ...`: run the sync server and manage its
libraries and tokens. Each takes --data DIR (SQLite in DIR) or --database postgresql://..."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from photo_tagger.cli.common import EXIT_ERROR, EXIT_OK


def _database_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--data", metavar="DIR", help="the server's folder (SQLite database inside)")
    p.add_argument(
        "--database",
        metavar="URL",
        help="postgresql://user:password@host/dbname instead of SQLite in --data (lets several "
        "server processes serve the same libraries)",
    )
    return p


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    db = _database_options()
    p = sub.add_parser("serve", parents=[db], help="run the sync server")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument(
        "--max-body-mb",
        type=float,
        default=64.0,
        help="largest sync request accepted, in MB (default 64; a first sync sends the whole "
        "library, ~13 MB per 100,000 photos)",
    )
    p.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    p.add_argument(
        "--models",
        metavar="DIR",
        help="the published model release to offer (default: DATA/models; see publish-models)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("server", help="manage the sync server's libraries and tokens")
    actions = p.add_subparsers(dest="server_action", required=True)
    a = actions.add_parser(
        "add-library", parents=[db], help="create a library; prints its id and first token"
    )
    a.add_argument("name", metavar="NAME")
    a.set_defaults(func=cmd_add_library)
    a = actions.add_parser(
        "add-token", parents=[db], help="another token for a library (one per device, say)"
    )
    a.add_argument("library", metavar="LIBRARY", help="library id or name")
    a.set_defaults(func=cmd_add_token)
    a = actions.add_parser("revoke", parents=[db], help="revoke a token (its id or itself)")
    a.add_argument("token", metavar="TOKEN")
    a.set_defaults(func=cmd_revoke)
    a = actions.add_parser("list", parents=[db], help="libraries and their tokens, as JSON")
    a.set_defaults(func=cmd_list)
    a = actions.add_parser(
        "publish-models", help="sign a release of the models for `photo-tagger models update`"
    )
    a.add_argument("--out", metavar="DIR", required=True, help="where serve finds it: DATA/models")
    a.add_argument("--key", metavar="PRIVATE_KEY", required=True, help="`models keygen` makes one")
    a.add_argument("--release", type=int, required=True, help="release number; must increase")
    a.add_argument(
        "--from", dest="source", metavar="DIR", help="models folder (default: the app's)"
    )
    a.add_argument("--min-app-version", default=None, help="default: this app's version")
    a.set_defaults(func=cmd_publish_models)


def _storage(args: argparse.Namespace) -> Any:
    from photo_tagger.server.storage import open_storage

    return open_storage(Path(args.data) if args.data else None, args.database)


def cmd_serve(args: argparse.Namespace) -> int:
    from photo_tagger.server.run import ServerSettings, serve

    serve(
        ServerSettings(
            data=args.data,
            database=args.database,
            host=args.host,
            port=args.port,
            max_body=int(args.max_body_mb * (1 << 20)),
            workers=max(1, args.workers),
            models=args.models,
        )
    )
    return EXIT_OK


def cmd_publish_models(args: argparse.Namespace) -> int:
    from photo_tagger import __version__
    from photo_tagger.cloud.model_release import publish_release
    from photo_tagger.cloud.signing import load_private_key
    from photo_tagger.vision.model import default_models_dir

    source = Path(args.source) if args.source else default_models_dir()
    out = publish_release(
        source,
        Path(args.out),
        load_private_key(Path(args.key)),
        args.release,
        args.min_app_version or __version__,
    )
    print(f"model release {args.release} of {source} signed and published in {out}")
    return EXIT_OK


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _issue_token(storage: Any, library_id: str) -> dict[str, str]:
    from photo_tagger.server.tokens import new_token

    token = new_token()
    storage.add_token(library_id, token.id, token.secret_hash)
    return {"library": library_id, "token": token.token}


def cmd_add_library(args: argparse.Namespace) -> int:
    storage = _storage(args)
    try:
        _print_json(_issue_token(storage, storage.add_library(args.name)))
    finally:
        storage.close()
    return EXIT_OK


def cmd_add_token(args: argparse.Namespace) -> int:
    from photo_tagger.errors import NotFoundError

    storage = _storage(args)
    try:
        library_id = storage.find_library(args.library)
        if library_id is None:
            raise NotFoundError(
                f"No library '{args.library}' on this server (`photo-tagger server list`)."
            )
        _print_json(_issue_token(storage, library_id))
    finally:
        storage.close()
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace) -> int:
    from photo_tagger.server.tokens import token_id_of

    storage = _storage(args)
    try:
        token_id = token_id_of(args.token)
        record = storage.token(token_id)
        if record is None:
            print(f"photo-tagger: no token '{token_id}' on this server.", file=sys.stderr)
            return EXIT_ERROR
        if storage.revoke(token_id):
            print(f"Token {token_id} of library {record.library_id} is revoked.")
        else:
            print(f"Token {token_id} was already revoked.")
    finally:
        storage.close()
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    storage = _storage(args)
    try:
        _print_json({"libraries": storage.listing()})
    finally:
        storage.close()
    return EXIT_OK
