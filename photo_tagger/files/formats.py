"""Which files are photos, by name: the formats a scan reads, and which two files are one shot.

A RAW and a JPEG or HEIC with the same name in the same folder are one shot taken twice
("RAW+JPEG"): `pair_key` gives them the same key, so that the library keeps them as one photo.
No imports beyond the standard library: the window asks this before anything heavy is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

RAW_SUFFIXES = frozenset(
    {
        ".3fr",  # Hasselblad
        ".ari",  # ARRI
        ".arw",  # Sony
        ".srf",
        ".sr2",
        ".cr2",  # Canon
        ".cr3",
        ".crw",
        ".dcr",  # Kodak
        ".kdc",
        ".dng",  # Adobe, Leica, Pentax, Ricoh, phones
        ".erf",  # Epson
        ".fff",  # Hasselblad / Imacon
        ".iiq",  # Phase One
        ".mef",  # Mamiya
        ".mos",  # Leaf
        ".mrw",  # Minolta
        ".nef",  # Nikon
        ".nrw",
        ".orf",  # Olympus / OM System
        ".pef",  # Pentax
        ".raf",  # Fujifilm
        ".raw",  # Panasonic, Leica
        ".rw2",  # Panasonic
        ".rwl",  # Leica
        ".srw",  # Samsung
    }
)
# What cameras and phones write next to a RAW when set to RAW+JPEG (or RAW+HEIF).
COMPANION_SUFFIXES = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".hif"})
STILL_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif", ".avif"}
)
PHOTO_SUFFIXES = STILL_SUFFIXES | RAW_SUFFIXES


def is_raw(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in RAW_SUFFIXES


def pair_key(path: str | os.PathLike[str]) -> str | None:
    """The key a RAW and its JPEG/HEIC twin share (folder and name without extension, the name
    case-folded), or None for a file that is neither."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in RAW_SUFFIXES and suffix not in COMPANION_SUFFIXES:
        return None
    return os.path.join(str(p.parent), p.stem.casefold())


def raw_twins(paths: Iterable[str]) -> dict[str, str]:
    """RAW path -> the JPEG or HEIC of the same shot among `paths` (a .jpg before a .heic)."""
    raws: dict[str, list[str]] = {}
    twins: dict[str, str] = {}
    for path in sorted(paths, key=lambda p: (os.path.splitext(p)[1].lower() not in _FIRST, p)):
        key = pair_key(path)
        if key is None:
            continue
        if is_raw(path):
            raws.setdefault(key, []).append(path)
        else:
            twins.setdefault(key, path)
    return {raw: twins[key] for key, found in raws.items() if key in twins for raw in found}


_FIRST = frozenset({".jpg", ".jpeg"})  # the twin a camera writes most: read first
