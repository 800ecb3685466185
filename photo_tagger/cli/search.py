"""`photo-tagger search QUERY...`: the photos whose tags, people, places, dates or file names hold
every word of the query, as the window's search field finds them (app/search.py).

Prints one path a photo (its newest file, as the grid shows it), newest first, and a count on
stderr. Exit status: 0 when photos match, 1 when none does (as grep), 2 when the library cannot
be read.
"""

from __future__ import annotations

import argparse
import sys

from photo_tagger.cli.common import (
    EXIT_NONE,
    EXIT_OK,
    library_dir,
    models_dir,
    open_library,
    print_json,
    shown,
)
from photo_tagger.errors import LibraryError
from photo_tagger.store.paths import DOCUMENT_FILE, INDEX_FILE

WHAT = "tags, objects, people's names, places, dates and file names"


def cmd_search(args: argparse.Namespace) -> int:
    from photo_tagger.app.search import parse
    from photo_tagger.app.search_library import find
    from photo_tagger.app.search_marks import split
    from photo_tagger.app.thresholds import models_threshold
    from photo_tagger.store.catalog import CID, PATH, read_rows_for

    query = " ".join(args.query).strip()
    words, marks = split(query)
    terms = parse(words)
    if not terms and marks is None:
        raise LibraryError(
            f"“{query}” has no word to search for: give words of {WHAT}, e.g. "
            "`photo-tagger search dog beach 2024`."
        )
    folder = library_dir(args)
    if not (folder / DOCUMENT_FILE).is_file() or not (folder / INDEX_FILE).is_file():
        raise LibraryError(
            f"There is no library in {folder}: scan photos into it first "
            f"(`photo-tagger scan PATH --library {folder}`), or give another with --library."
        )
    threshold = models_threshold(models_dir(args))
    with open_library(args) as library:
        rows = find(library, terms, threshold, marks)
    if args.json:
        paths: dict[str, list[str]] = {}
        for row in read_rows_for(folder / INDEX_FILE, [r[CID] for r in rows]):
            paths.setdefault(row[CID], []).append(row[PATH])
        photos = [{"id": r[CID], "path": r[PATH], "paths": sorted(paths[r[CID]])} for r in rows]
        print_json({"query": query, "photos": photos})
    else:
        sys.stdout.writelines(shown(r[PATH]) + "\n" for r in rows)
    said = " ".join(str(t) for t in terms) if marks is None else query
    if rows:
        many = "photo matches" if len(rows) == 1 else "photos match"
        print(f"{len(rows)} {many} “{said}” in the whole library.", file=sys.stderr)
        return EXIT_OK
    print(
        f"No photos match “{said}” in the whole library. Search looks for whole words of "
        f"{WHAT}; every word must match.",
        file=sys.stderr,
    )
    return EXIT_NONE


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "search",
        parents=[library_parent],
        help="list the photos whose tags, people, places, dates or file names hold every word",
        description=f"List the photos of the library whose {WHAT} hold every word of QUERY "
        "(whole words, any case and accents; a year such as 2024 or a month such as 2024-06 "
        "matches when they were taken; put a phrase in quotes: '\"guinea pig\"'; rating:>=4, "
        "rating:5, is:favourite and is:rejected narrow it by ratings and flags). Exit status: "
        "0 when photos match, 1 when none does, 2 when the library cannot be read.",
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="words, e.g. dog beach 2024")
    p.add_argument(
        "--json", action="store_true", help="print the photos as JSON: id, path and every path"
    )
    p.set_defaults(func=cmd_search)
