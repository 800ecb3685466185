"""Tags as the keyword fields photo applications read, and back.

One tag "Animals/Cat" is written three ways, one per family of readers:
- `dc:subject` "Cat": the flat keyword every application shows (Windows, macOS, Immich, ...);
- `lr:hierarchicalSubject` "Animals|Cat": Lightroom's keyword tree (also read by Immich);
- `digiKam:TagsList` "Animals/Cat": digiKam's tag tree (also read by Immich, darktable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from photo_tagger.metadata.packet import DC, DIGIKAM, LR, MICROSOFT_PHOTO, Packet, array_items

MICROSOFT_PHOTO_NO_SLASH = MICROSOFT_PHOTO.rstrip("/")  # ExifTool writes it without the slash


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
    tags.extend(k for k in _unique(flat) if k not in levels and k not in tags)
    return tags


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)
