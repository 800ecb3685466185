"""Which files are photos, by name, and which two files are one shot.

The formats themselves, their suffixes among them, are the registry's
(photo_tagger.imaging.formats): this module asks it once, when it is first imported.

A RAW and a JPEG or HEIC with the same name in the same folder are one shot taken twice
("RAW+JPEG"): `pair_key` gives them the same key, so that the library keeps them as one photo.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from photo_tagger.imaging.formats import formats, is_raw

PHOTO_SUFFIXES = frozenset(suffix for fmt in formats() for suffix in fmt.suffixes)
# A twin's suffix -> its preference: the formats' order in the registry (a .jpg before a .heic).
_TWIN_RANK = {
    suffix: rank
    for rank, fmt in enumerate(fmt for fmt in formats() if fmt.twin_suffixes)
    for suffix in fmt.twin_suffixes
}


def pair_key(path: str | os.PathLike[str]) -> str | None:
    """The key a RAW and its JPEG/HEIC twin share (folder and name without extension, the name
    case-folded), or None for a file that is neither."""
    p = Path(path)
    if _suffix(p) not in _TWIN_RANK and not is_raw(p):
        return None
    return os.path.join(str(p.parent), p.stem.casefold())


def raw_twins(paths: Iterable[str]) -> dict[str, str]:
    """RAW path -> the JPEG or HEIC of the same shot among `paths` (a .jpg before a .heic)."""
    raws: dict[str, list[str]] = {}
    twins: dict[str, str] = {}
    last = len(_TWIN_RANK)
    for path in sorted(paths, key=lambda p: (_TWIN_RANK.get(_suffix(p), last), p)):
        key = pair_key(path)
        if key is None:
            continue
        if is_raw(path):
            raws.setdefault(key, []).append(path)
        else:
            twins.setdefault(key, path)
    return {raw: twins[key] for key, found in raws.items() if key in twins for raw in found}


def _suffix(path: str | os.PathLike[str]) -> str:
    return os.path.splitext(path)[1].lower()
