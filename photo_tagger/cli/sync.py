"""`photo-tagger sync`: sync the library with its server once (and remember the server)."""

from __future__ import annotations

import argparse

from photo_tagger.cli.common import EXIT_OK, open_library, report_skipped
from photo_tagger.cli.common import library_dir as cli_library_dir
from photo_tagger.words import count


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "sync",
        parents=[library_parent],
        help="send this library's edits to its sync server and get the other devices' edits",
        description="Sync once with the server. --server and --token are remembered for the "
        "library (the window then syncs in the background); later syncs need neither.",
    )
    p.add_argument("--server", metavar="URL", help="e.g. https://photos.example.org")
    p.add_argument("--token", help="the library's token (`photo-tagger server add-library`)")
    p.add_argument("--forget", action="store_true", help="forget the server and token; do not sync")
    p.set_defaults(func=cmd_sync)


def cmd_sync(args: argparse.Namespace) -> int:
    import requests

    from photo_tagger.errors import SyncNotConfiguredError
    from photo_tagger.store import sync
    from photo_tagger.store.doc_writes import watch

    library_dir = cli_library_dir(args)
    with open_library(args) as library:
        if args.forget:
            sync.forget(library.log)
            print(f"Sync server forgotten for {library_dir}.")
            return EXIT_OK
        remembered = sync.SyncSettings.of(library.log)
        if args.server or args.token:
            server = args.server or (remembered.server if remembered else None)
            token = args.token or (remembered.token if remembered else None)
            if not server or not token:
                raise SyncNotConfiguredError("Give both --server URL and --token TOKEN.")
            remembered = sync.remember(library.log, server, token)  # even if offline now
        if remembered is None:
            raise SyncNotConfiguredError(
                f"No sync server is set for {library_dir}: run "
                "`photo-tagger sync --server URL --token TOKEN` once."
            )
        # what other devices wrote that no read will use, looked at in what came in only
        with requests.Session() as session, watch(library.log.doc) as came_in:
            client = sync.SyncClient(library, remembered.server, remembered.token, session)
            result = client.sync_once()
        report_skipped([str(m) for m in came_in.malformed()])
    waiting = f"{count(result.pending, 'edit')} waiting" if result.pending else "nothing waiting"
    print(
        f"Synced with {remembered.server}: sent {_size(result.sent_bytes)}, received "
        f"{_size(result.received_bytes)}"
        + ("; changes from other devices merged" if result.received else "")
        + f"; {waiting}."
    )
    return EXIT_OK


def _size(n: int) -> str:
    return f"{n} bytes" if n < 10_000 else f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} KB"
