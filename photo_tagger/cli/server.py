"""`photo-tagger serve` and `photo-tagger server ...`: run the sync server and manage its
libraries, tokens and snapshots. Each takes --data DIR (SQLite in DIR) or --database
postgresql://..."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from photo_tagger.cli.common import EXIT_ERROR, EXIT_OK, EXIT_SKIPPED


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
    _register_serve(sub, db)
    p = sub.add_parser("server", help="manage the sync server's libraries, tokens and snapshots")
    actions = p.add_subparsers(dest="server_action", required=True)
    _register_libraries(actions, db)
    _register_snapshots(actions, db)
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


def _register_serve(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
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
    p.add_argument(
        "--snapshot-every",
        type=float,
        default=24.0,
        metavar="HOURS",
        help="keep a dated snapshot of each library that changes, at most this often (default "
        "24; 0: none); `server restore` puts one back",
    )
    p.add_argument(
        "--keep-snapshots",
        type=int,
        default=30,
        metavar="N",
        help="snapshots kept per library (default 30, the newest)",
    )
    p.add_argument(
        "--keep-snapshot-days",
        type=float,
        default=90.0,
        metavar="DAYS",
        help="snapshots older than this are removed (default 90)",
    )
    p.set_defaults(func=cmd_serve)


def _register_libraries(actions: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    a = actions.add_parser(
        "add-library", parents=[db], help="create a library; prints its id and first token"
    )
    a.add_argument("name", metavar="NAME", help="a name for the library, e.g. family")
    a.set_defaults(func=cmd_add_library)
    a = actions.add_parser(
        "add-token", parents=[db], help="another token for a library (one per device, say)"
    )
    a.add_argument("library", metavar="LIBRARY", help="library id or name")
    a.set_defaults(func=cmd_add_token)
    a = actions.add_parser("revoke", parents=[db], help="revoke a token (its id or itself)")
    a.add_argument("token", metavar="TOKEN", help="the token, or its id from `server list`")
    a.set_defaults(func=cmd_revoke)
    a = actions.add_parser("list", parents=[db], help="libraries and their tokens, as JSON")
    a.set_defaults(func=cmd_list)


def _register_snapshots(actions: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    a = actions.add_parser("snapshots", parents=[db], help="a library's dated snapshots")
    a.add_argument("--library", required=True, metavar="LIBRARY", help="library id or name")
    a.set_defaults(func=cmd_snapshots)
    a = actions.add_parser(
        "restore",
        parents=[db],
        help="set a library back to a snapshot, as a new edit that every device syncs",
    )
    a.add_argument("--library", required=True, metavar="LIBRARY", help="library id or name")
    a.add_argument(
        "--snapshot",
        required=True,
        metavar="WHEN",
        help="a number or time as `server snapshots` lists it, a day (the newest of that day), "
        "or 'latest'",
    )
    a.set_defaults(func=cmd_restore)


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
            snapshot_every=args.snapshot_every * 3600,
            keep_snapshots=args.keep_snapshots,
            keep_snapshot_days=args.keep_snapshot_days,
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


def _library(storage: Any, name_or_id: str) -> str:
    from photo_tagger.errors import NotFoundError

    library_id = storage.find_library(name_or_id)
    if library_id is None:
        raise NotFoundError(
            f"No library '{name_or_id}' on this server (`photo-tagger server list` lists them)."
        )
    return str(library_id)


def cmd_add_token(args: argparse.Namespace) -> int:
    storage = _storage(args)
    try:
        _print_json(_issue_token(storage, _library(storage, args.library)))
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


def cmd_snapshots(args: argparse.Namespace) -> int:
    from photo_tagger.server.snapshots import BEFORE_RESTORE, when

    storage = _storage(args)
    try:
        library_id = _library(storage, args.library)
        snapshots = storage.snapshots(library_id)
    finally:
        storage.close()
    if not snapshots:
        print(
            f"Library {args.library} has no snapshots yet: the server keeps one when the library "
            "changes, at most once per `serve --snapshot-every` (a day by default)."
        )
        return EXIT_OK
    print(f"Snapshots of library {args.library} ({library_id}), oldest first (number, UTC time):")
    for snapshot in snapshots:
        note = "  (the library just before a restore)" if snapshot.kind == BEFORE_RESTORE else ""
        print(f"  {snapshot.id:>6}  {when(snapshot.taken)}  {snapshot.size:>14,} bytes{note}")
    print(
        f"Put one back with: photo-tagger server restore --library {args.library} "
        "--snapshot NUMBER (or its time)"
    )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from photo_tagger.server.restore import restore
    from photo_tagger.server.snapshots import find_snapshot, when

    storage = _storage(args)
    try:
        library_id = _library(storage, args.library)
        snapshot = find_snapshot(storage.snapshots(library_id), args.snapshot, args.library)
        done = restore(storage, library_id, snapshot)
    finally:
        storage.close()
    result, taken = done.restoration, f"{snapshot.id} ({when(snapshot.taken)})"
    if result.update is None:
        print(f"Library {args.library} already reads as its snapshot {taken}; nothing changed.")
        return EXIT_OK
    roots = ", ".join(f"{root} {count:,}" for root, count in result.changed.items())
    print(
        f"Library {args.library} is set back to its snapshot {taken}: {result.keys_changed:,} "
        f"entries written back or removed ({roots}). Every device gets this at its next sync."
    )
    if done.kept is not None:
        print(
            f"The library as it was just before is kept as snapshot {done.kept.id} "
            f"({when(done.kept.taken)}): restore that one to undo this."
        )
    if result.unknown_roots:
        print(
            f"photo-tagger: left as they are: parts of the library that this photo-tagger does "
            f"not know ({', '.join(result.unknown_roots)}), written by a newer version or another "
            "program. Update photo-tagger on the server and restore again to set them back too.",
            file=sys.stderr,
        )
        return EXIT_SKIPPED
    return EXIT_OK
