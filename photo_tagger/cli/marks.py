"""`photo-tagger rate PHOTO... [N] [--favourite] [--reject]`: star ratings, favourites and
rejects, as the window's 0-5, F and X keys set them."""

from __future__ import annotations

import argparse

from photo_tagger.cli.common import EXIT_OK, open_library
from photo_tagger.errors import NotFoundError
from photo_tagger.words import count

STARS = tuple(str(n) for n in range(6))


def cmd_rate(args: argparse.Namespace) -> int:
    from photo_tagger.cli.photos import resolve_photo

    refs = list(args.items)
    if len(refs) > 1 and refs[-1].lstrip("-").isdigit() and refs[-1] not in STARS:
        raise NotFoundError(f"A rating is 0 to 5 stars, not {refs[-1]}.")
    rating = int(refs.pop()) if len(refs) > 1 and refs[-1] in STARS else None
    changes = {"rating": rating, "favourite": args.favourite, "rejected": args.reject}
    with open_library(args) as library:
        ids = [resolve_photo(library, ref) for ref in refs]
        doc = library.document
        if any(v is not None for v in changes.values()):
            doc.set_marks(ids, **changes)
        for ref, cid in zip(refs, ids, strict=True):
            print(f"{ref}: {describe(doc.marks(cid).known())}")
    return EXIT_OK


def describe(known: dict[str, int | bool]) -> str:
    """A photo's marks in words: "4 stars, favourite", "rejected", "not rated"."""
    words = []
    stars = known.get("rating", 0)
    if stars:
        words.append(count(stars, "star"))
    if known.get("favourite"):
        words.append("favourite")
    if known.get("rejected"):
        words.append("rejected")
    return ", ".join(words) or "not rated"


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "rate",
        parents=[library_parent],
        help="rate photos 0-5 stars, mark them favourite or rejected (or show how they are)",
        description=(
            "Rate photos (0 takes the stars off), mark them favourite or rejected; with neither, "
            "say how each is rated. Ratings sync like tags and go into XMP sidecars as "
            "xmp:Rating (-1 when rejected) and digiKam's pick label."
        ),
    )
    p.add_argument(
        "items",
        nargs="+",
        metavar="PHOTO... [N]",
        help="scanned files' paths or photo ids, then the number of stars (0-5)",
    )
    p.add_argument(
        "--favourite",
        "--favorite",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="mark them favourites (--no-favourite: no longer)",
    )
    p.add_argument(
        "--reject",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="mark them rejected (--no-reject: no longer)",
    )
    p.set_defaults(func=cmd_rate)
