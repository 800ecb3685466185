"""`photo-tagger people list|name|merge|confirm|reject|hide`: the people of a library."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from photo_tagger.cli.common import EXIT_OK, models_dir, open_library, shown
from photo_tagger.cli.photos import resolve_photo
from photo_tagger.errors import NotFoundError
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.store.library import Library


def resolve_person(library: Library, ref: str) -> str:
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


def label(library: Library, person_id: str) -> str:
    """A person as the user knows them: "Ana (7c41a2b3)", or "unnamed group 7c41a2b3"."""
    pid = library.document.resolve_person(person_id)
    entry = library.document.person(pid)
    name = entry.get("name") if entry else None
    return f"{name} ({pid[:8]})" if name else f"unnamed group {pid[:8]}"


def _list(library: Library, args: argparse.Namespace) -> None:
    from pathlib import Path

    from photo_tagger.app.export import library_record, people_records

    photos = library_record(library, lambda tag: 1.0)["photos"]  # faces only: no tag needed
    data = people_records(library, photos)
    data.sort(key=lambda p: (p["name"] is not None, -p["faces"]))  # unnamed groups first
    sample: dict[str, str] = {}  # person -> the file name of a photo they are in
    for photo in photos:
        for face in photo["faces"]:
            if face["person"] is not None and photo["paths"]:
                sample.setdefault(face["person"], Path(photo["paths"][0]).name)
    for p in data:
        name = p["name"] or "(unnamed)"
        seen = f"  e.g. {shown(sample[p['id']])}" if p["id"] in sample else ""
        hidden = "  (hidden)" if p.get("hidden") else ""
        print(f"{p['id'][:8]}  {name:<24} {count(p['faces'], 'face'):>10}{seen}{hidden}")


def _name(library: Library, args: argparse.Namespace) -> None:
    pid = resolve_person(library, args.person)
    before = label(library, pid)
    library.document.set_person_name(pid, args.name)
    print(f"{before} is now called {label(library, pid)}")


def _merge(library: Library, args: argparse.Namespace) -> None:
    src, dst = resolve_person(library, args.person), resolve_person(library, args.into)
    if src == dst:
        raise NotFoundError("Those are already the same person.")
    merged = label(library, src)
    library.document.merge_people(src, dst)
    print(f"{merged} merged into {label(library, dst)}")


def photo_name(library: Library, photo_id: str) -> str:
    """A photo as the user knows it: its file's path, else its id."""
    paths = library.index.paths_for(photo_id)
    return shown(str(paths[0])) if paths else photo_id


def _face(library: Library, args: argparse.Namespace) -> tuple[str, tuple[str, bool] | None]:
    """The photo args.photo names and who its face args.face is said to be."""
    doc = library.document
    cid = resolve_photo(library, args.photo)
    current = doc.face_person(cid, args.face)
    _, faces = doc.faces(cid)
    if not 0 <= args.face < len(faces):
        raise NotFoundError(
            f"{photo_name(library, cid)} has {count(len(faces), 'face')} (numbered from 0)."
        )
    return cid, current


def _confirm(library: Library, args: argparse.Namespace) -> None:
    doc = library.document
    cid, current = _face(library, args)
    if args.person:
        who = resolve_person(library, args.person)
    elif current is not None:
        who = doc.resolve_person(current[0])
    else:
        raise NotFoundError("That face has no suggested person: name one.")
    doc.confirm_person(cid, args.face, who)
    print(f"face {args.face} of {photo_name(library, cid)} is {label(library, who)}")


def _reject(library: Library, args: argparse.Namespace) -> None:
    from photo_tagger.app.people import group_people
    from photo_tagger.vision.model import Manifest

    doc = library.document
    cid, current = _face(library, args)
    if current is None:
        raise NotFoundError("That face has no person to reject.")
    pid = doc.resolve_person(current[0])
    doc.reject_person(cid, args.face, pid)
    group_people(library, Manifest(models_dir(args)).same_person_distance)
    again = doc.face_person(cid, args.face)
    print(
        f"face {args.face} of {photo_name(library, cid)} is not {label(library, pid)}"
        + (f"; now suggested: {label(library, again[0])}" if again else "")
    )


def _hide(library: Library, args: argparse.Namespace) -> None:
    pid = resolve_person(library, args.person)
    library.document.set_person_hidden(pid, not args.show)
    print(f"{label(library, pid)} is {'shown' if args.show else 'hidden'}")


ACTIONS: dict[str, Callable[[Library, argparse.Namespace], None]] = {
    "list": _list,
    "name": _name,
    "merge": _merge,
    "confirm": _confirm,
    "reject": _reject,
    "hide": _hide,
}


def cmd_people(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        ACTIONS[args.action](library, args)
    return EXIT_OK


def register(sub: argparse._SubParsersAction, library_parent: argparse.ArgumentParser) -> None:
    lib = [library_parent]
    person = "a person's name, id or id prefix (at least 4 characters: `people list` shows them)"
    photo = "a scanned photo's path or id"
    face = "the face's number in the photo, from 0, in the order `export` lists them"
    p = sub.add_parser("people", help="list, name, merge, confirm, reject or hide people")
    ps = p.add_subparsers(dest="action", required=True)
    ps.add_parser(
        "list", parents=lib, help="everyone, unnamed groups first: id, name, faces, a photo"
    )
    x = ps.add_parser("name", parents=lib, help="give a person or an unnamed group a name")
    x.add_argument("person", help=person)
    x.add_argument("name", help="the name, e.g. 'Ana'")
    x = ps.add_parser(
        "merge", parents=lib, help="make two people one (an unnamed group keeps the name)"
    )
    x.add_argument("person", help="the person to merge away: " + person)
    x.add_argument("into", help="the person to keep: " + person)
    x = ps.add_parser("confirm", parents=lib, help="say who a face is (default: its suggestion)")
    x.add_argument("photo", help=photo)
    x.add_argument("face", type=int, help=face)
    x.add_argument("person", nargs="?", help="default: the suggested person; else " + person)
    x = ps.add_parser(
        "reject", parents=lib, help="say a face is not its suggested person (never again)"
    )
    x.add_argument("photo", help=photo)
    x.add_argument("face", type=int, help=face)
    x = ps.add_parser("hide", parents=lib, help="leave a person out of the lists (--show undoes)")
    x.add_argument("person", help=person)
    x.add_argument("--show", action="store_true", help="show a hidden person again")
    p.set_defaults(func=cmd_people)
