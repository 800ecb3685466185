"""Tags as the keyword fields photo applications read, and back.

One tag "Animals/Cat" is written three ways, one per family of readers:
- `dc:subject` "Cat": the flat keyword every application shows (Windows, macOS, Immich, ...);
- `lr:hierarchicalSubject` "Animals|Cat": Lightroom's keyword tree (also read by Immich);
- `digiKam:TagsList` "Animals/Cat": digiKam's tag tree (also read by Immich, darktable).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from photo_tagger.metadata.packet import DC, DIGIKAM, LR, MICROSOFT_PHOTO, Packet, array_items
from photo_tagger.words import count

MICROSOFT_PHOTO_NO_SLASH = MICROSOFT_PHOTO.rstrip("/")  # ExifTool writes it without the slash

# What one photo's metadata may bring into the library: a sidecar is anyone's file, and a tag is
# shown, stored, synced and written back to sidecars. Real photos carry tens of keywords.
MAX_KEYWORDS = 1_000
MAX_TAG_LENGTH = 200  # characters; the longest real keyword paths are well under 100
# C0 controls and DEL: no keyword means them, and most of them cannot be written in XMP at all.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parts(tag: str, sep: str = "/") -> list[str]:
    return [p.strip() for p in tag.split(sep) if p.strip()]


def as_tag(keyword: str, sep: str) -> str | None:
    """A hierarchical keyword ("Animals|Cat") as a library tag ("Animals/Cat")."""
    p = parts(keyword, sep)
    return "/".join(p) if p else None


@dataclass(frozen=True)
class KeywordFields:
    """The values of the three keyword fields for a set of tags."""

    subject: list[str]  # dc:subject, leaf names
    hierarchical: list[str]  # lr:hierarchicalSubject, 'A|B'
    tags_list: list[str]  # digiKam:TagsList, 'A/B'


def keyword_fields(tags: Iterable[str]) -> KeywordFields:
    paths = _unique(p for p in ("/".join(parts(t)) for t in tags) if p)
    return KeywordFields(
        subject=_unique(parts(p)[-1] for p in paths),
        hierarchical=[p.replace("/", "|") for p in paths],
        tags_list=list(paths),
    )


def read_keywords(packet: Packet) -> tuple[list[str], list[str]]:
    """(hierarchical tags, flat keywords) found in a packet."""
    paths: list[str] = []
    for namespace, local, sep in (
        (LR, "hierarchicalSubject", "|"),
        (DIGIKAM, "TagsList", "/"),
        (MICROSOFT_PHOTO, "LastKeywordXMP", "/"),
        (MICROSOFT_PHOTO_NO_SLASH, "LastKeywordXMP", "/"),
    ):
        for _, prop in packet.properties(namespace, local):
            paths.extend(t for t in (as_tag(k, sep) for k in array_items(prop)) if t)
    flat = [k.strip() for _, prop in packet.properties(DC, "subject") for k in array_items(prop)]
    flat.extend(v.strip() for v in packet.attribute_values(DC, "subject"))
    return paths, [k for k in flat if k]


def combine_keywords(paths: Sequence[str], flat: Sequence[str]) -> list[str]:
    """Tags from hierarchical and flat keywords.

    A flat keyword that is a level of some hierarchical one is that keyword's echo (Lightroom and
    digiKam write the leaf, often the parents too, into dc:subject), not a tag of its own. A path
    that is the parent of another ("Animals" beside "Animals/Cat") is dropped for the same reason.
    """
    unique = _unique(paths)
    ancestors = {"/".join(parts(p)[:i]) for p in unique for i in range(1, len(parts(p)))}
    levels = {level for p in unique for level in parts(p)}
    tags = [p for p in unique if p not in ancestors]
    taken = set(tags)
    tags.extend(k for k in _unique(flat) if k not in levels and k not in taken)
    return tags


def has_control(text: str) -> bool:
    """True when `text` holds a control character (a tab, a line break, a NUL...)."""
    return _CONTROL.search(text) is not None


def bounded_tags(tags: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the tags a photo may bring, what was left out in words): no tag with control characters
    or longer than MAX_TAG_LENGTH, and no more than MAX_KEYWORDS of them."""
    kept: list[str] = []
    control: list[str] = []
    long: list[str] = []
    extra = 0
    for tag in tags:
        if has_control(tag):
            control.append(tag)
        elif len(tag) > MAX_TAG_LENGTH:
            long.append(tag)
        elif len(kept) < MAX_KEYWORDS:
            kept.append(tag)
        else:
            extra += 1
    problems = []
    if control:
        problems.append(
            f"{count(len(control), 'keyword')} with control characters "
            f"{'was' if len(control) == 1 else 'were'} not imported (the first is "
            f"{control[0][:60]!r}); correct them in the application that wrote them."
        )
    if long:
        problems.append(
            f"{count(len(long), 'keyword')} longer than {MAX_TAG_LENGTH} characters "
            f"{'was' if len(long) == 1 else 'were'} not imported "
            f"(the first begins {long[0][:60]!r}); shorten them in the application that wrote them."
        )
    if extra:
        problems.append(
            f"the photo has {len(kept) + extra} keywords; only the first {MAX_KEYWORDS} were "
            f"imported. Remove the keywords it should not have in the application that wrote them."
        )
    return kept, problems


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)
