"""A photo's rating, favourite and reject flags in XMP, in the fields other applications read.

- `xmp:Rating`: 1-5 stars, 0 for none, and -1 for a rejected photo (XMP's reject, as Adobe's
  applications write it; Lightroom, digiKam, darktable and Immich read the stars, and digiKam
  and darktable take -1 as none).
- `digiKam:PickLabel`: digiKam's pick flag, 1 "Rejected" and 3 "Accepted"; a favourite goes out
  as Accepted, the flag digiKam shows and filters by (Lightroom keeps its own pick flags in its
  catalogue and reads none from XMP, so the favourite reaches Lightroom through nothing).

Written only for the fields the user set in photo-tagger, over whatever the sidecar said (the
user's latest word wins, as for tags); read back from other applications' sidecars so a scan can
bring in what the library does not know yet. Either field may be an attribute of a description
or an element of its own, as RDF allows; both are read and kept in the spelling found.
"""

from __future__ import annotations

import math

from photo_tagger.metadata.model import FileMarks
from photo_tagger.metadata.packet import DIGIKAM, XMP, Packet, append, q, remove, text_element

REJECTED_RATING = "-1"
PICK_REJECTED, PICK_ACCEPTED = "1", "3"
MAX_VALUE_LENGTH = 32  # a rating or a pick label is a short number; longer text is not one


# --- reading --------------------------------------------------------------------------------------


def read_marks(packet: Packet, where: str) -> tuple[FileMarks, list[str]]:
    """What the packet says of the photo's rating and flags, and what could not be read (in
    words, naming `where`). 0 stars is no rating; a rating of -1, or digiKam's Rejected pick
    label, is a reject; digiKam's Accepted pick label is a favourite."""
    problems: list[str] = []
    rating: int | None = None
    rejected: bool | None = None
    favourite: bool | None = None
    value = _first(packet, XMP, "Rating")
    if value is not None:
        stars = _number(value)
        if stars is None or not -1 <= stars <= 5:
            problems.append(
                f"{where}: the rating {value[:MAX_VALUE_LENGTH]!r} is not -1 to 5 stars; "
                "it was not imported."
            )
        elif stars == -1:
            rejected = True
        elif stars > 0:
            rating = stars
    label = _first(packet, DIGIKAM, "PickLabel")
    if label is not None:
        pick = _number(label)
        if pick is None or not 0 <= pick <= 3:
            problems.append(
                f"{where}: the pick label {label[:MAX_VALUE_LENGTH]!r} is not 0 to 3; "
                "it was not imported."
            )
        elif pick == 1:
            rejected = True
        elif pick == 3:
            favourite = True
    return FileMarks(rating, favourite, rejected), problems


def _number(text: str) -> int | None:
    """A whole number written as text ("3", "3.0"), or None."""
    text = text.strip()
    if len(text) > MAX_VALUE_LENGTH:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value.is_integer() else None


def _first(packet: Packet, namespace: str, local: str) -> str | None:
    """The first value of a simple property, as an attribute or as an element."""
    for description in packet.descriptions():
        if q(namespace, local) in description.attrib:
            return description.attrib[q(namespace, local)]
        for child in description:
            if child.tag == q(namespace, local) and len(child) == 0:
                return child.text or ""
    return None


def combine(found: list[FileMarks]) -> FileMarks:
    """Marks from several packets (sidecars first): the first that says something of a field."""
    fields: dict[str, int | bool | None] = {"rating": None, "favourite": None, "rejected": None}
    for marks in found:
        for name in fields:
            if fields[name] is None:
                fields[name] = getattr(marks, name)
    return FileMarks(**fields)  # type: ignore[arg-type]


# --- writing --------------------------------------------------------------------------------------


def merge_marks(packet: Packet, marks: FileMarks) -> None:
    """Make the packet's rating and pick label say what the user set (`marks`); fields the user
    never set, and other applications' values of them, are left as they are."""
    if marks.rejected:
        _set(packet, XMP, "Rating", REJECTED_RATING)
    elif marks.rating is not None:
        _set(packet, XMP, "Rating", str(marks.rating))
    elif marks.rejected is False and _first(packet, XMP, "Rating") == REJECTED_RATING:
        _set(packet, XMP, "Rating", "0")  # no longer rejected, and no stars
    label = _first(packet, DIGIKAM, "PickLabel")
    if marks.rejected:
        _set(packet, DIGIKAM, "PickLabel", PICK_REJECTED)
    elif marks.favourite:
        _set(packet, DIGIKAM, "PickLabel", PICK_ACCEPTED)
    elif (marks.rejected is False and label == PICK_REJECTED) or (
        marks.favourite is False and label == PICK_ACCEPTED
    ):
        _remove(packet, DIGIKAM, "PickLabel")


def _set(packet: Packet, namespace: str, local: str, value: str) -> None:
    """Give every spelling of a simple property `value` (adding it as an element if none)."""
    name = q(namespace, local)
    found = False
    for description in packet.descriptions():
        if name in description.attrib:
            description.set(name, value)
            found = True
        for child in description:
            if child.tag == name and len(child) == 0:
                child.text = value
                found = True
    if not found:
        append(packet.description(), text_element(name, value))


def _remove(packet: Packet, namespace: str, local: str) -> None:
    name = q(namespace, local)
    for description in packet.descriptions():
        description.attrib.pop(name, None)
        for child in list(description):
            if child.tag == name and len(child) == 0:
                remove(description, child)
